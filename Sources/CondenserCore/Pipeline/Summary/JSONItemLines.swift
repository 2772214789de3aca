/// JSON laid out for a line-based summary: every array of `minimumItems` or more items
/// puts each item on a line of its own (compact), and so does an object of as many
/// records keyed by id (`{"taa": {...}, "tab": {...}}`); the rest stays compact.
/// `LogCondenser` can then keep an old result's first and last items, its failures and
/// its rare ids, and say how many items it dropped, instead of keeping 200 items whole.
enum JSONItemLines {
    /// Shorter arrays stay on one line: dropping a few items would barely pay.
    static let minimumItems = 12

    /// The laid-out text, or nil when `text` is no JSON document or has no long array.
    static func render(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        // Compact serialisation would turn `\ud83d\ude00` into bytes no String holds.
        guard !JSONWrappedText.hasSurrogateEscape(bytes), let value = try? JSONParser.parse(bytes: bytes),
            hasLongArray(value)
        else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func hasLongArray(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let items): return items.count >= minimumItems || items.contains(where: hasLongArray)
        case .object(let object): return isRecordMap(object) || object.members.contains { hasLongArray($0.value) }
        default: return false
        }
    }

    /// Many members, each an object or array: records keyed by their ids. (An object of
    /// plain values is settings, each a fact: it stays whole.)
    static func isRecordMap(_ object: JSONObject) -> Bool {
        object.members.count >= minimumItems
            && object.members.allSatisfy { member in
                switch member.value {
                case .object, .array: return true
                default: return false
                }
            }
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .array(let items) where items.count >= minimumItems:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                out.append(0x0A)
                write(item, into: &out)
                if index < items.count - 1 { out.append(UInt8(ascii: ",")) }
            }
            out.append(0x0A)
            out.append(UInt8(ascii: "]"))
        case .array(let items) where items.contains(where: hasLongArray):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object) where isRecordMap(object):
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                out.append(0x0A)
                JSONValue.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
                if index < object.members.count - 1 { out.append(UInt8(ascii: ",")) }
            }
            out.append(0x0A)
            out.append(UInt8(ascii: "}"))
        case .object(let object) where object.members.contains(where: { hasLongArray($0.value) }):
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            value.write(into: &out)
        }
    }
}
