import Foundation

/// Line-level helpers over UTF-8 bytes, shared by the per-block stages.
///
/// Stages work on bytes rather than `Character`s: grapheme breaking is far too slow for
/// 100 KB tool outputs, and every byte these stages look for is ASCII.
enum ByteLines {
    /// The ranges of the lines of `bytes`, without their `\n`. A text ending in `\n`
    /// has an empty last line, so joining the lines with `\n` gives the text back.
    static func split(_ bytes: [UInt8]) -> [Range<Int>] {
        bytes.withUnsafeBufferPointer { buffer in
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(buffer.count / 40 + 1)
            var start = 0
            while true {
                let end = lineEnd(buffer, from: start)
                ranges.append(start..<end)
                guard end < buffer.count else { return ranges }
                start = end + 1
            }
        }
    }

    /// The index of the first `\n` at or after `start`, or the end of `buffer`.
    static func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        // memchr reads many bytes at a time.
        guard start < buffer.count, let base = buffer.baseAddress,
            let found = memchr(base + start, 0x0A, buffer.count - start)
        else { return buffer.count }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Joins lines with `\n`.
    static func join(_ lines: [ArraySlice<UInt8>]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append(0x0A) }
            out.append(contentsOf: line)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text`'s UTF-8 holds any byte for which `match` is true; reads the string's
    /// storage in place when it can.
    static func containsByte(_ text: String, where match: (UInt8) -> Bool) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ buffer in buffer.contains(where: match) }) {
            return found
        }
        return text.utf8.contains(where: match)
    }

    /// Whether `text`'s UTF-8 holds `needle`, byte for byte; reads the string's storage in
    /// place when it can. (`String.contains` goes through Foundation's search, far slower.)
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ contains($0, needle) }) { return found }
        return Array(text.utf8).withUnsafeBufferPointer { contains($0, needle) }
    }

    static func contains(_ buffer: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, buffer.count >= count, let base = buffer.baseAddress else { return false }
        let first = Int32(needle.utf8Start[0])
        var start = 0
        let last = buffer.count - count
        // memchr finds each candidate first byte many bytes at a time.
        while start <= last, let found = memchr(base + start, first, last - start + 1) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle.utf8Start, count) == 0 { return true }
            start = at + 1
        }
        return false
    }

    /// The first non-whitespace byte of `text`, if any.
    static func firstNonSpace(_ text: String) -> UInt8? {
        text.utf8.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// The count of leading spaces and tabs.
    static func indentation(_ line: ArraySlice<UInt8>) -> Int {
        var n = 0
        for byte in line {
            guard byte == 0x20 || byte == 0x09 else { break }
            n += 1
        }
        return n
    }

    /// The line without trailing spaces, tabs and carriage returns.
    static func trimmedTrailing(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 0x20 || line[end - 1] == 0x09 || line[end - 1] == 0x0D {
            end -= 1
        }
        return line[line.startIndex..<end]
    }

    /// The line without leading and trailing spaces and tabs.
    static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let tail = trimmedTrailing(line)
        return tail.dropFirst(indentation(tail))
    }

    static func hasPrefix(_ line: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        let pointer = prefix.utf8Start
        var i = line.startIndex
        for k in 0..<count {
            if line[i] != pointer[k] { return false }
            i += 1
        }
        return true
    }

    /// Case-insensitive ASCII search for `needle` (given in lower case) in `bytes`.
    static func containsCaseInsensitive(_ bytes: ArraySlice<UInt8>, _ needle: StaticString) -> Bool {
        firstIndexCaseInsensitive(bytes, needle) != nil
    }

    static func firstIndexCaseInsensitive(_ bytes: ArraySlice<UInt8>, _ needle: StaticString) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard count > 0, bytes.count >= count else { return nil }
        let pointer = needle.utf8Start
        let first = pointer[0]
        // No byte lowers to an upper-case letter.
        if first >= 0x41 && first <= 0x5A { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            let base = buffer.baseAddress!
            let last = buffer.count - count
            func matchesRest(_ i: Int) -> Bool {
                var k = 1
                while k < count, lower(base[i + k]) == pointer[k] { k += 1 }
                return k == count
            }
            if isLetter(first) {
                // A lower-case letter and its upper case differ only in bit 0x20.
                var i = 0
                while i <= last {
                    if base[i] | 0x20 == first, matchesRest(i) { return bytes.startIndex + i }
                    i += 1
                }
                return nil
            }
            // Any other byte matches only itself, and memchr finds it many bytes at a time;
            // it looks for the needle's first such byte that isn't a space (spaces are
            // everywhere), whose place fixes the candidate's start.
            var anchor = 0
            for k in 0..<count where !isLetter(pointer[k]) && pointer[k] != 0x20 {
                anchor = k
                break
            }
            let byte = Int32(pointer[anchor])
            var start = 0
            while start <= last, let found = memchr(base + start + anchor, byte, last - start + 1) {
                let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) - anchor
                if lower(base[at]) == first, matchesRest(at) { return bytes.startIndex + at }
                start = at + 1
            }
            return nil
        }
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    @inline(__always) static func isHexLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }
}
