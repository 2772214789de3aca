/// Quoted literals: short text in backticks or double quotes.
extension FactDetector {
    /// Backtick spans and double-quoted strings of 1 to 80 bytes on one line.
    static func scanQuoted(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ body: (Kind, Range<Int>) -> Void
    ) {
        var index = range.lowerBound
        while index < range.upperBound {
            let b = bytes[index]
            guard b == UInt8(ascii: "`") || b == UInt8(ascii: "\"") else {
                index += 1
                continue
            }
            var close = index + 1
            while close < range.upperBound, close - index <= 81, bytes[close] != b, bytes[close] != 0x0A { close += 1 }
            if close < range.upperBound, bytes[close] == b, close - index >= 2, close - index <= 81 {
                body(.quoted, (index + 1)..<close)
                index = close + 1
            } else {
                index += 1
            }
        }
    }
}
