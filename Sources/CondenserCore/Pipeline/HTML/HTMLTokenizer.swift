/// A small, tolerant HTML tokenizer: text, start tags with the attributes that decide
/// what is page chrome (`class`, `role`, `aria-label`, `hidden`), end tags.
/// Comments, doctypes and processing instructions are dropped; the contents of
/// `<script>` and `<style>` are skipped whole. Malformed or truncated markup never
/// fails: what cannot be a tag is text, and a tag cut off at the end is dropped.
struct HTMLTokenizer {
    enum Token {
        case text(Range<Int>)
        case start(name: String, attributes: [(name: String, value: String)], selfClosing: Bool)
        case end(name: String)
    }

    static func tokenize(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) -> [Token] {
        let n = end ?? bytes.count
        var tokens: [Token] = []
        var i = start
        var textStart = start
        func flushText(_ upTo: Int) {
            if upTo > textStart { tokens.append(.text(textStart..<upTo)) }
        }
        while i < n {
            guard bytes[i] == 0x3C, i + 1 < n else {
                i += 1
                continue
            }
            let next = bytes[i + 1]
            if next == 0x21 || next == 0x3F { // <! or <?
                flushText(i)
                if i + 3 < n, bytes[i + 2] == 0x2D, bytes[i + 3] == 0x2D {
                    i = find(bytes, "-->", from: i + 4, to: n).map { $0 + 3 } ?? n
                } else {
                    i = (bytes[i..<n].firstIndex(of: 0x3E) ?? (n - 1)) + 1
                }
                textStart = i
            } else if next == 0x2F, i + 2 < n, ByteLines.isLetter(bytes[i + 2]) { // </name
                flushText(i)
                var j = i + 2
                while j < n, isNameByte(bytes[j]) { j += 1 }
                let name = lowercased(bytes[(i + 2)..<j])
                i = (bytes[j..<n].firstIndex(of: 0x3E) ?? (n - 1)) + 1
                tokens.append(.end(name: name))
                textStart = i
            } else if ByteLines.isLetter(next) {
                flushText(i)
                guard let (token, after) = parseStartTag(bytes, at: i, end: n) else {
                    i = n
                    textStart = n
                    break
                }
                tokens.append(token)
                i = after
                textStart = i
                if case .start(let name, _, let selfClosing) = token, !selfClosing, name == "script" || name == "style" {
                    // Raw text up to the matching end tag.
                    let close = find(bytes, name == "script" ? "</script" : "</style", from: i, to: n)
                    i = close.map { (bytes[$0..<n].firstIndex(of: 0x3E) ?? (n - 1)) + 1 } ?? n
                    tokens.append(.end(name: name))
                    textStart = i
                }
            } else {
                i += 1
            }
        }
        flushText(n)
        return tokens
    }

    private static func parseStartTag(_ bytes: [UInt8], at start: Int, end n: Int) -> (Token, Int)? {
        var j = start + 1
        while j < n, isNameByte(bytes[j]) { j += 1 }
        let name = lowercased(bytes[(start + 1)..<j])
        var attributes: [(name: String, value: String)] = []
        while j < n {
            while j < n, isSpace(bytes[j]) { j += 1 }
            guard j < n else { return nil }
            if bytes[j] == 0x3E { return (.start(name: name, attributes: attributes, selfClosing: false), j + 1) }
            if bytes[j] == 0x2F {
                if j + 1 < n, bytes[j + 1] == 0x3E {
                    return (.start(name: name, attributes: attributes, selfClosing: true), j + 2)
                }
                j += 1
                continue
            }
            let nameStart = j
            while j < n, !isSpace(bytes[j]), bytes[j] != 0x3D, bytes[j] != 0x3E, bytes[j] != 0x2F { j += 1 }
            // Only the attributes the renderer reads are kept: strings cost more than the scan.
            let attributeName = lowercased(bytes[nameStart..<j])
            let kept = keptAttributes.contains(attributeName)
            while j < n, isSpace(bytes[j]) { j += 1 }
            var value = ""
            if j < n, bytes[j] == 0x3D {
                j += 1
                while j < n, isSpace(bytes[j]) { j += 1 }
                guard j < n else { return nil }
                if bytes[j] == 0x22 || bytes[j] == 0x27 {
                    let quote = bytes[j]
                    guard let close = bytes[(j + 1)..<n].firstIndex(of: quote) else { return nil }
                    if kept { value = String(decoding: bytes[(j + 1)..<close], as: UTF8.self) }
                    j = close + 1
                } else {
                    let valueStart = j
                    while j < n, !isSpace(bytes[j]), bytes[j] != 0x3E { j += 1 }
                    if kept { value = String(decoding: bytes[valueStart..<j], as: UTF8.self) }
                }
            }
            if nameStart == j { j += 1 } // a stray byte: step over it
            if kept { attributes.append((attributeName, value)) }
        }
        return nil
    }

    static let keptAttributes: Set<String> = ["class", "role", "aria-label", "hidden"]

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C }

    @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
        ByteLines.isLetter(b) || ByteLines.isDigit(b) || b == 0x2D || b == 0x3A || b == 0x5F
    }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { ByteLines.lower($0) }, as: UTF8.self)
    }

    /// Case-insensitive search for `needle` (lower case) in `bytes[from..<n]`.
    static func find(_ bytes: [UInt8], _ needle: StaticString, from: Int, to n: Int) -> Int? {
        guard from < n else { return nil }
        return ByteLines.firstIndexCaseInsensitive(bytes[from..<n], needle)
    }
}
