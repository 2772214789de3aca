/// Finds `.` and `..` segments in a request path, however they are spelled. The path
/// goes upstream as the client wrote it, with the configured key attached, and the
/// upstream (or a server in front of it) resolves dot segments after decoding: so
/// `/v1/../admin` would reach a path outside the API Condenser forwards to.
enum DotSegments {
    /// The first dot segment of `target`'s path (the part before `?` or `#`), decoded, or
    /// nil. Percent-escapes are decoded once, as the upstream would (`%2e%2E` is `..`);
    /// `/`, `\` and their escapes all separate segments; and a `;parameter` after a
    /// segment is ignored, as servers that support path parameters do (`..;x` is `..`).
    static func first(in target: String) -> String? {
        let path = target.utf8.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        let bytes = Array(path)
        var segment: [UInt8] = []
        var inParameter = false
        var index = 0
        while index < bytes.count {
            var byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "%"), index + 1 < bytes.count,
                let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1])
            {
                byte = high << 4 | low
                index += 2
            }
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "\\"):
                if let dot = dotSegment(segment) { return dot }
                segment.removeAll(keepingCapacity: true)
                inParameter = false
            case UInt8(ascii: ";"):
                inParameter = true
            default:
                // Only the length matters past two bytes: such a segment is no dot segment.
                if !inParameter, segment.count < 3 { segment.append(byte) }
            }
        }
        return dotSegment(segment)
    }

    private static func dotSegment(_ segment: [UInt8]) -> String? {
        switch segment {
        case [UInt8(ascii: ".")]: return "."
        case [UInt8(ascii: "."), UInt8(ascii: ".")]: return ".."
        default: return nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
