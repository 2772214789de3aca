/// HTML character references.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…", "laquo": "«", "raquo": "»", "lsquo": "‘",
        "rsquo": "’", "ldquo": "“", "rdquo": "”", "para": "¶", "sect": "§", "middot": "·", "bull": "•",
        "times": "×", "divide": "÷", "minus": "−", "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓",
        "deg": "°", "plusmn": "±", "micro": "µ", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢",
        "shy": "", "zwj": "\u{200D}", "zwnj": "\u{200C}", "thinsp": " ", "ensp": " ", "emsp": " ",
    ]

    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        guard text.contains(0x26) else { return Array(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            let byte = text[i]
            guard byte == 0x26, let semicolon = text[i..<min(text.endIndex, i + 12)].firstIndex(of: 0x3B) else {
                out.append(byte)
                i += 1
                continue
            }
            let body = text[(i + 1)..<semicolon]
            if let scalar = numeric(body) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i = semicolon + 1
            } else if let value = named[String(decoding: body, as: UTF8.self)] {
                out.append(contentsOf: Array(value.utf8))
                i = semicolon + 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return out
    }

    static func numeric(_ body: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard body.first == 0x23, body.count >= 2 else { return nil }
        let digits = body.dropFirst()
        let value: UInt32?
        if ByteLines.lower(digits.first!) == 0x78 {
            value = UInt32(String(decoding: digits.dropFirst(), as: UTF8.self), radix: 16)
        } else {
            value = UInt32(String(decoding: digits, as: UTF8.self))
        }
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return scalar
    }
}
