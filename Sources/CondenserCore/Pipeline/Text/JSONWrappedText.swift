/// Tool results that wrap command output in JSON (`{"exit_code": 0, "output": "..."}`):
/// the output's colour codes, progress redraws and repeats hide behind string escapes,
/// so the text stages rewrite the multi-line string values and serialise the rest back.
enum JSONWrappedText {
    /// Whether `text` may be such a wrapper: it starts with `{` or `[`. Cheap.
    static func isCandidate(_ text: String) -> Bool {
        let first = ByteLines.firstNonSpace(text)
        return first == 0x7B || first == 0x5B
    }

    /// `transform` applied to the output strings inside `text` when it is a JSON-wrapped
    /// tool result (see `rewrite`), else to the whole text.
    static func applying(_ transform: (String) -> String, to text: String, requiring: [StaticString] = []) -> String {
        rewrite(text, requiring: requiring, transform) ?? transform(text)
    }

    /// `text` with `transform` applied to each multi-line output string inside it (members
    /// named `output`, `stdout`, `log`...), compactly serialised; nil when `text` is no JSON
    /// object or array, or nothing changed.
    /// With `requiring`, texts holding none of those (lower-case) strings are skipped unparsed.
    static func rewrite(_ text: String, requiring: [StaticString] = [], _ transform: (String) -> String) -> String? {
        guard isCandidate(text) else { return nil }
        let bytes = Array(text.utf8)
        if !requiring.isEmpty, !requiring.contains(where: { ByteLines.containsCaseInsensitive(bytes[...], $0) }) {
            return nil
        }
        guard hasNewlineEscape(bytes), !hasSurrogateEscape(bytes),
            let value = try? JSONParser.parse(bytes: bytes)
        else { return nil }
        var changed = false
        let rewritten = rewrite(value, transform, &changed)
        return changed ? rewritten.serialized() : nil
    }

    /// Members that hold captured output; other strings are data and stay exactly as they are.
    static let outputKeys: Set<String> = [
        "output", "stdout", "stderr", "log", "logs", "console", "result", "content", "text", "body", "error",
        "traceback",
    ]

    private static func rewrite(_ value: JSONValue, _ transform: (String) -> String, _ changed: inout Bool) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map { rewrite($0, transform, &changed) })
        case .object(var object):
            for i in object.members.indices {
                let member = object.members[i]
                if case .string(let string) = member.value {
                    guard outputKeys.contains(member.key.lowercased()), string.utf8.contains(0x0A) else { continue }
                    let result = transform(string)
                    if result != string {
                        changed = true
                        object.members[i].value = .string(result)
                    }
                } else {
                    object.members[i].value = rewrite(member.value, transform, &changed)
                }
            }
            return .object(object)
        case .string, .null, .bool, .number:
            return value
        }
    }

    static func hasNewlineEscape(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x5C {
                if bytes[i + 1] == 0x6E { return true }
                i += 2
            } else {
                i += 1
            }
        }
        return false
    }

    /// `\uD800`...`\uDFFF` escapes: the parser turns a lone one into U+FFFD, so a text
    /// holding any is left alone rather than risk changing it.
    static func hasSurrogateEscape(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i + 3 < bytes.count {
            if bytes[i] == 0x5C {
                if bytes[i + 1] == 0x75, ByteLines.lower(bytes[i + 2]) == 0x64 {
                    let c = ByteLines.lower(bytes[i + 3])
                    if c == 0x38 || c == 0x39 || (c >= 0x61 && c <= 0x66) { return true }
                }
                i += 2
            } else {
                i += 1
            }
        }
        return false
    }
}
