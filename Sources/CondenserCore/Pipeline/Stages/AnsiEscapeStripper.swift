/// Removes terminal escape sequences: colours and styles (CSI `ESC[...m`), cursor and
/// erase commands, OSC titles and OSC 8 hyperlinks (their visible text stays), and
/// the short two- and three-byte escapes. A model reads the text, not the colours.
struct AnsiEscapeStripper: TextStage {
    let name = "ansi"

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return Self.strip(text) }
        return JSONWrappedText.applying(Self.strip, to: text, requiring: ["\\u001b", "\\u009b"])
    }

    static func strip(_ text: String) -> String {
        // ESC, or the second byte of U+009B (a one-character CSI; 0x9B never starts a character).
        guard ByteLines.containsByte(text, where: { $0 == 0x1B || $0 == 0x9B }) else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let byte = bytes[i]
            if byte == 0x1B {
                i = skipEscape(bytes, from: i)
            } else if byte == 0xC2, i + 1 < n, bytes[i + 1] == 0x9B {
                // U+009B, the one-character CSI.
                i = skipCSIBody(bytes, from: i + 2)
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The index after the escape sequence starting at `start` (an ESC byte).
    static func skipEscape(_ bytes: [UInt8], from start: Int) -> Int {
        let n = bytes.count
        var i = start + 1
        guard i < n else { return n }
        let kind = bytes[i]
        switch kind {
        case 0x5B: // '[' CSI
            return skipCSIBody(bytes, from: i + 1)
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F: // ']' OSC, 'P' DCS, 'X' SOS, '^' PM, '_' APC: up to BEL or ST
            i += 1
            while i < n {
                if bytes[i] == 0x07 { return i + 1 }
                if bytes[i] == 0x1B { return i + 1 < n && bytes[i + 1] == 0x5C ? i + 2 : i }
                // An unterminated string must not swallow the rest of the output.
                if bytes[i] == 0x0A { return i }
                i += 1
            }
            return n
        case 0x20...0x2F: // intermediates, then one final byte: `ESC ( B`
            while i < n, bytes[i] >= 0x20, bytes[i] <= 0x2F { i += 1 }
            return i < n && bytes[i] >= 0x30 && bytes[i] <= 0x7E ? i + 1 : i
        case 0x30...0x7E: // `ESC 7`, `ESC =`, `ESC c`
            return i + 1
        default:
            return i
        }
    }

    /// Parameter bytes, intermediate bytes, then one final byte.
    static func skipCSIBody(_ bytes: [UInt8], from start: Int) -> Int {
        let n = bytes.count
        var i = start
        while i < n, bytes[i] >= 0x30, bytes[i] <= 0x3F { i += 1 }
        while i < n, bytes[i] >= 0x20, bytes[i] <= 0x2F { i += 1 }
        if i < n, bytes[i] >= 0x40, bytes[i] <= 0x7E { return i + 1 }
        return i
    }
}
