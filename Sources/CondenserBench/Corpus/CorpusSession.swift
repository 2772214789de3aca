import CondenserCore
import Foundation

/// One session of an evaluation corpus (`dev.jsonl`): a chat request and the facts
/// planted in it that compression must keep.
package struct CorpusSession: Sendable {
    var id: String
    /// `agent` or `chat`.
    var kind: String
    var request: ChatRequest
    /// Texts that must still be present verbatim after compression.
    var needles: [String]

    package init(id: String, kind: String, request: ChatRequest, needles: [String]) {
        self.id = id
        self.kind = kind
        self.request = request
        self.needles = needles
    }

    /// Why a corpus file can't be read, with the line.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The sessions of a JSONL file, one `{"id", "kind", "request", "needles"}` per line.
    package static func load(path: String) throws -> [CorpusSession] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read \(path)")
        }
        var sessions: [CorpusSession] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: line)
            } catch {
                throw LoadError(description: "\(path):\(number + 1): \(error.description)")
            }
            guard let object = value.objectValue, let body = object["request"] else {
                throw LoadError(description: "\(path):\(number + 1): expected an object with a \"request\"")
            }
            let request: ChatRequest
            do {
                request = try ChatRequest.validate(body)
            } catch {
                throw LoadError(description: "\(path):\(number + 1): \(error.message)")
            }
            let needles = object["needles"]?.arrayValue?.compactMap { $0.objectValue?["text"]?.stringValue } ?? []
            sessions.append(
                CorpusSession(
                    id: object["id"]?.stringValue ?? "line-\(number + 1)", kind: object["kind"]?.stringValue ?? "unknown",
                    request: request, needles: needles))
        }
        return sessions
    }

    /// Every request an agent would send as the session grows: the prefix ending at each
    /// user message and after each complete set of tool results, i.e. every point where
    /// the assistant is about to respond. The last is the whole request.
    var replayRequests: [ChatRequest] {
        let messages = request.messages
        var requests: [ChatRequest] = []
        for index in messages.indices {
            let role = messages[index].role
            let next = index + 1 < messages.count ? messages[index + 1].role : nil
            guard role == "user" || (role == "tool" && next != "tool") else { continue }
            requests.append(ChatRequest(body: request.body, messages: Array(messages[...index])))
        }
        if requests.last?.messages.count != messages.count { requests.append(request) }
        return requests
    }
}
