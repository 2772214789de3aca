import Foundation

/// How a block is named in markers, and the subjects a near-duplicate is found by.
extension Deduplicator {
    /// How a marker names a block, and the subjects a near-duplicate is found by.
    static func describe(_ block: TextBlock) -> (description: String, subjects: [String]) {
        switch block.role {
        case .system: return ("the system message", [])
        case .user: return ("the user message", [])
        case .assistant: return ("the assistant message", [])
        case .toolResult: break
        }
        let tool = block.toolName ?? "tool"
        guard let arguments = block.toolArguments else { return ("the \(tool) result", ["\(tool)\u{0}"]) }
        var subjects = ["\(tool)\u{0}\(arguments)"]
        var description = "the \(tool) result"
        if case .object(let object)? = try? JSONParser.parse(arguments) {
            for key in ["path", "file_path", "filepath", "file", "filename", "url", "uri"] {
                if let value = object[key]?.stringValue, !value.isEmpty, value.utf8.count <= 200 {
                    description += " for \(value)"
                    subjects.append("\(tool)\u{1}\(value)")
                    break
                }
            }
            if subjects.count == 1 {
                for key in ["command", "cmd", "query", "pattern"] {
                    if let value = object[key]?.stringValue, !value.isEmpty, value.utf8.count <= 80, !value.contains("\n") {
                        description += " for `\(value)`"
                        break
                    }
                }
            }
        }
        return (description, subjects)
    }
}
