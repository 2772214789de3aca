/// Where and why a JSON text could not be parsed.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    var offset: Int
    /// 1-based line and column of the problem, for people.
    var line: Int
    var column: Int
    var reason: String
    /// Where the problem is in the document (`messages[2].role`); empty at the top level.
    var path: String = ""
    /// The key, when the problem is an object naming the same key twice.
    var duplicateKey: String?

    package var description: String { "\(reason) at line \(line), column \(column)" }

    /// Joins the members and elements around the problem, innermost first, into `path`:
    /// `[0]` follows its container directly, a key after a dot. Built back to front in one
    /// pass, so an error hundreds of levels deep costs time linear in its depth.
    static func path(enclosedBy innermostFirst: [String]) -> String {
        var reversed: [UInt8] = []
        for component in innermostFirst {
            if !reversed.isEmpty, reversed.last != UInt8(ascii: "[") { reversed.append(UInt8(ascii: ".")) }
            reversed.append(contentsOf: component.utf8.reversed())
        }
        return String(decoding: reversed.reversed(), as: UTF8.self)
    }
}

/// What the parser does with an object that names the same key twice.
package enum DuplicateKeys: Sendable {
    /// Keeps every member in order, as JSONValue can hold them.
    case keep
    /// Throws: parsers disagree on which duplicate counts (RFC 8259 §4), so input that
    /// another parser will read too must not have any.
    case reject
}

/// A strict RFC 8259 parser into `JSONValue`, keeping member order and number text.
///
/// Hand-written rather than Foundation's, which reorders keys, rounds large numbers
/// and loses the difference between `1` and `1.0`.
package struct JSONParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    static let maximumDepth = 512

    package static func parse(_ text: String, duplicateKeys: DuplicateKeys = .keep) throws(JSONParseError) -> JSONValue {
        try parse(bytes: Array(text.utf8), duplicateKeys: duplicateKeys)
    }

    package static func parse(bytes: some Collection<UInt8>, duplicateKeys: DuplicateKeys = .keep) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(bytes: buffer, duplicateKeys: duplicateKeys) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(bytes: buffer, duplicateKeys: duplicateKeys) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, duplicateKeys: DuplicateKeys = .keep) throws(JSONParseError) -> JSONValue {
        var parser = Scanner(bytes: bytes, rejectsDuplicateKeys: duplicateKeys == .reject)
        parser.skipWhitespace()
        let value: JSONValue
        do {
            value = try parser.parseValue(depth: 0)
        } catch {
            var located = error
            located.path = JSONParseError.path(enclosedBy: parser.enclosing)
            throw located
        }
        parser.skipWhitespace()
        if parser.index != bytes.count {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let rejectsDuplicateKeys: Bool
        var index = 0
        /// The members and elements an error leaves on its way out, innermost first.
        var enclosing: [String] = []

        init(bytes: UnsafeBufferPointer<UInt8>, rejectsDuplicateKeys: Bool) {
            self.bytes = bytes
            self.rejectsDuplicateKeys = rejectsDuplicateKeys
        }

        func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
            let offset = min(offset ?? index, bytes.count)
            var line = 1
            var lineStart = 0
            for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            return JSONParseError(offset: offset, line: line, column: offset - lineStart + 1, reason: reason)
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error("unexpected character '\(printable(bytes[index]))'")
            }
        }

        func printable(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let start = index
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw error("invalid literal", at: start) }
            let pointer = literal.utf8Start
            for i in 0..<count where bytes[index + i] != pointer[i] {
                throw error("invalid literal", at: start)
            }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            if depth > JSONParser.maximumDepth { throw error("nesting too deep") }
            index += 1
            var members: [JSONMember] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members: members))
            }
            // Small objects are searched; past a few members, a set keeps the check linear.
            var seenKeys: Set<ExactKey>?
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string key")
                }
                let keyStart = index
                let key = try parseString()
                if rejectsDuplicateKeys, isDuplicate(key, in: members, seen: &seenKeys) {
                    var duplicate = error("duplicate key \"\(key)\"", at: keyStart)
                    duplicate.duplicateKey = key
                    enclosing.append(key)
                    throw duplicate
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("expected ':' after key \"\(key)\"")
                }
                index += 1
                skipWhitespace()
                let value: JSONValue
                do {
                    value = try parseValue(depth: depth)
                } catch {
                    enclosing.append(key)
                    throw error
                }
                members.append(JSONMember(key: key, value: value))
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(JSONObject(members: members))
                } else {
                    throw error("expected ',' or '}' in object")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            if depth > JSONParser.maximumDepth { throw error("nesting too deep") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                do {
                    elements.append(try parseValue(depth: depth))
                } catch {
                    enclosing.append("[\(elements.count)]")
                    throw error
                }
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw error("expected ',' or ']' in array")
                }
            }
        }

        mutating func parseNumber() throws(JSONParseError) -> JSONValue {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        /// Keys are compared as the code points they decode to, as other parsers compare
        /// them, not by Swift's canonical equivalence.
        func isDuplicate(_ key: String, in members: [JSONMember], seen: inout Set<ExactKey>?) -> Bool {
            if members.count < 16 {
                for member in members where member.key.utf8.count == key.utf8.count && member.key.utf8.elementsEqual(key.utf8) {
                    return true
                }
                return false
            }
            if seen == nil {
                seen = Set(members.map { ExactKey(key: $0.key) })
            }
            return !seen!.insert(ExactKey(key: key)).inserted
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func parseString() throws(JSONParseError) -> String {
            let start = index
            index += 1
            // Fast path: no escapes, valid UTF-8, no control characters.
            var scan = index
            while scan < bytes.count {
                let byte = bytes[scan]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[index..<scan])
                    guard let string = String(validating: slice, as: UTF8.self) else {
                        throw error("invalid UTF-8 in string", at: start)
                    }
                    index = scan + 1
                    return string
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("unescaped control character in string", at: scan) }
                scan += 1
            }
            guard scan < bytes.count else { throw error("unterminated string", at: start) }
            var utf8: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[index..<scan]))
            index = scan
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let string = String(validating: utf8, as: UTF8.self) else {
                        throw error("invalid UTF-8 in string", at: start)
                    }
                    return string
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw error("unterminated string", at: start) }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): utf8.append(0x22)
                    case UInt8(ascii: "\\"): utf8.append(0x5C)
                    case UInt8(ascii: "/"): utf8.append(0x2F)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try parseHex4()
                        if scalar >= 0xD800 && scalar < 0xDC00 {
                            // A high surrogate must be followed by an escaped low one; a lone
                            // surrogate can't be a Swift String, so it becomes U+FFFD.
                            if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                                bytes[index + 1] == UInt8(ascii: "u")
                            {
                                let save = index
                                index += 2
                                let low = try parseHex4()
                                if low >= 0xDC00 && low < 0xE000 {
                                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                } else {
                                    index = save
                                    scalar = 0xFFFD
                                }
                            } else {
                                scalar = 0xFFFD
                            }
                        } else if scalar >= 0xDC00 && scalar < 0xE000 {
                            scalar = 0xFFFD
                        }
                        utf8.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                    default:
                        throw error("invalid escape '\\\(printable(escape))' in string", at: index - 2)
                    }
                default:
                    if byte < 0x20 { throw error("unescaped control character in string") }
                    utf8.append(byte)
                    index += 1
                }
            }
            throw error("unterminated string", at: start)
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }

    /// A key hashed and compared by its UTF-8 bytes.
    struct ExactKey: Hashable {
        var key: String

        static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
            lhs.key.utf8.elementsEqual(rhs.key.utf8)
        }

        func hash(into hasher: inout Hasher) {
            var key = key
            key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}
