/// Atoms: the kind of each run of letters, digits and joiners.
extension FactDetector {
    /// Classifies a run of letters, digits, `_`, `-` and `.`.
    static func atomKind(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Kind? {
        var upper = 0
        var lower = 0
        var digits = 0
        var dots = 0
        var hyphens = 0
        var underscores = 0
        var other = 0
        var hexLetters = 0
        var hexUpper = 0
        var hexLower = 0
        var lowerThenUpper = false
        var previousLower = false
        var digitSegment = false
        var segmentAllDigits = true
        var segmentLength = 0
        var maxDotPart = 0
        var dotPart = 0
        for i in atom {
            let b = bytes[i]
            if isDigit(b) {
                digits += 1
                segmentLength += 1
                dotPart += 1
                previousLower = false
                continue
            }
            if b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") {
                if segmentLength > 0, segmentAllDigits { digitSegment = true }
                segmentAllDigits = true
                segmentLength = 0
                if b == UInt8(ascii: "-") {
                    hyphens += 1
                } else if b == UInt8(ascii: "_") {
                    underscores += 1
                } else {
                    dots += 1
                    maxDotPart = max(maxDotPart, dotPart)
                    dotPart = 0
                }
                previousLower = false
                continue
            }
            segmentAllDigits = false
            segmentLength += 1
            dotPart += 1
            if isUpper(b) {
                upper += 1
                if previousLower { lowerThenUpper = true }
                previousLower = false
                if b <= UInt8(ascii: "F") {
                    hexLetters += 1
                    hexUpper += 1
                }
            } else if isLower(b) {
                lower += 1
                previousLower = true
                if b <= UInt8(ascii: "f") {
                    hexLetters += 1
                    hexLower += 1
                }
            } else {
                other += 1
                previousLower = false
            }
        }
        if segmentLength > 0, segmentAllDigits, hyphens + underscores + dots > 0 { digitSegment = true }
        maxDotPart = max(maxDotPart, dotPart)
        let length = atom.count
        let letters = upper + lower + other

        if letters == 0 {
            if digits == 0 { return nil }
            if hyphens > 0 || underscores > 0 {
                return isDate(bytes, atom) ? .timestamp : nil
            }
            if dots == 0 { return digits >= 2 ? .number : nil }
            if dots == 1 { return .number }
            if dots == 3, maxDotPart <= 3 { return .number } // an IPv4 address
            return .version
        }
        if digits == 0 {
            if underscores > 0, letters >= 2 { return .identifier }
            if lowerThenUpper { return .identifier }
            if dots > 0, lower > 0, underscores == 0, hyphens == 0, upper + lower >= 4, dots < letters / 2 {
                // `os.path.join`, `test.test_poplib`: dotted names, not `e.g` or `U.S`.
                return hasIdentifierDots(bytes, atom) ? .identifier : nil
            }
            if upper >= 2, lower == 0, other == 0, hyphens == 0 { return .acronym }
            return nil
        }
        // Letters and digits together from here on.
        if isDate(bytes, atom) { return .timestamp }
        let first = bytes[atom.lowerBound]
        if first == UInt8(ascii: "0"), length > 2, bytes[atom.lowerBound + 1] | 0x20 == UInt8(ascii: "x") {
            return .number
        }
        if dots == 0, hyphens == 0, underscores == 0, length >= 7, other == 0,
            hexLetters == upper + lower, hexUpper == 0 || hexLower == 0
        {
            return .hash
        }
        if dots >= 1, hyphens == 0, underscores == 0,
            isDigit(first)
                || ((first == UInt8(ascii: "v") || first == UInt8(ascii: "V")) && length > 1 && isDigit(bytes[atom.lowerBound + 1]))
        {
            return .version
        }
        if isDigit(first), isNumberWithUnit(bytes, atom) { return .number }
        if digitSegment || digits >= 2 { return .code }
        if upper > 0, lower == 0, other == 0, length >= 3 { return .code }
        if underscores > 0 || lowerThenUpper { return .identifier }
        return nil
    }

    /// `10th`, `100ms`, `3D`, `16GB`: a number with a unit, not a code.
    private static func isNumberWithUnit(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        var index = atom.lowerBound
        while index < atom.upperBound, isDigit(bytes[index]) { index += 1 }
        let unit = atom.upperBound - index
        guard unit >= 1, unit <= 3 else { return false }
        var allLower = true
        var allUpper = true
        for i in index..<atom.upperBound {
            let b = bytes[i]
            if !isLower(b) { allLower = false }
            if !isUpper(b) { allUpper = false }
        }
        if allLower { return true }
        guard allUpper else {
            // `Hz`, `Mb`, `Gb`: capital then lowercase.
            return unit == 2 && isUpper(bytes[index]) && isLower(bytes[index + 1])
        }
        if unit == 1 {
            return bytes[index] == UInt8(ascii: "D") || bytes[index] == UInt8(ascii: "K") || bytes[index] == UInt8(ascii: "M")
                || bytes[index] == UInt8(ascii: "G")
        }
        return unit == 2 && bytes[index + 1] == UInt8(ascii: "B")
    }

    /// `2025-09-28`, `2025-09-28T07:07:11.8223132Z` (atoms stop at `:`, so the date part
    /// starts the atom).
    private static func isDate(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        let s = atom.lowerBound
        guard atom.count >= 10 else { return false }
        for i in 0..<10 {
            let b = bytes[s + i]
            if i == 4 || i == 7 {
                if b != UInt8(ascii: "-") { return false }
            } else if !isDigit(b) {
                return false
            }
        }
        return atom.count == 10 || bytes[s + 10] == UInt8(ascii: "T") || bytes[s + 10] == UInt8(ascii: "_")
    }

    /// A whole word that is a date, a date and time (`2025-09-28T07:07:11.8223132Z`), or a
    /// time of day (`08:54:21`, `07:07:11.882`, `0:00:00`).
    static func isTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Bool {
        if isDate(bytes, word) {
            for i in word
            where
                !(isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ":")
                || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "Z")
                || bytes[i] == UInt8(ascii: "+"))
            {
                return false
            }
            return true
        }
        var colons = 0
        var digitsInGroup = 0
        for i in word {
            let b = bytes[i]
            if isDigit(b) {
                digitsInGroup += 1
                if digitsInGroup > 2, colons < 2 { return false }
            } else if b == UInt8(ascii: ":") {
                guard digitsInGroup >= 1, digitsInGroup <= 2 else { return false }
                colons += 1
                digitsInGroup = 0
            } else if b == UInt8(ascii: "."), colons == 2 {
                digitsInGroup = 0
            } else {
                return false
            }
        }
        return colons >= 1 && digitsInGroup >= 1
    }

    /// Dotted names whose parts are two or more characters: `os.path`, not `e.g`.
    private static func hasIdentifierDots(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        var part = 0
        for i in atom {
            if bytes[i] == UInt8(ascii: ".") {
                if part < 2 { return false }
                part = 0
            } else {
                part += 1
            }
        }
        return part >= 2
    }
}
