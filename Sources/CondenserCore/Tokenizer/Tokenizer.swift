import Foundation
import Synchronization

/// Exact token counts and ids for an OpenAI encoding, matching tiktoken's
/// `encode(text, disallowed_special=())`: text that looks like a special token
/// (`<|endoftext|>`) is encoded as plain text.
package final class Tokenizer: TokenCounter, Sendable {
    let encoding: TokenEncoding
    let table: RankTable
    let preTokenizer: PreTokenizer
    let pieceCounts = PieceCountCache()
    /// Counts of chunks of long texts (see `count`), by a hash of their bytes.
    let chunkCounts = TokenCountCache(capacity: 32_768)

    /// Makes a tokenizer from the bytes of a `.tiktoken` rank file.
    package init(encoding: TokenEncoding, rankFile: [UInt8]) throws(TokenizerError) {
        self.encoding = encoding
        table = try RankTable(tiktokenFile: rankFile)
        preTokenizer = PreTokenizer(pattern: encoding == .o200kBase ? .o200k : .cl100k)
    }

    private init(sharingTablesOf other: Tokenizer) {
        encoding = other.encoding
        table = other.table
        preTokenizer = other.preTokenizer
    }

    /// The same encoding with empty count caches, for measuring counting itself: the
    /// caches make a text counted before nearly free.
    package func withEmptyCaches() -> Tokenizer {
        Tokenizer(sharingTablesOf: self)
    }

    private static let loaded = Mutex<[TokenEncoding: Tokenizer]>([:])

    /// The process-wide tokenizer of an encoding, loaded from the shipped rank file on
    /// first use. Throws, never traps, if the file is missing.
    package static func shared(_ encoding: TokenEncoding) throws -> Tokenizer {
        try loaded.withLock { tokenizers throws(TokenizerError) -> Tokenizer in
            if let tokenizer = tokenizers[encoding] { return tokenizer }
            let tokenizer = try Tokenizer(encoding: encoding, rankFile: RankFileLocator.rankFile(for: encoding))
            tokenizers[encoding] = tokenizer
            return tokenizer
        }
    }

    /// The token ids of a text.
    package func encode(_ text: String) -> [Int] {
        var sink = RankSink()
        run(text, into: &sink)
        return sink.ids
    }

    /// The number of tokens of a text, without building the id array.
    ///
    /// A long text is counted in chunks cut at line starts with an ASCII letter or digit,
    /// each chunk's count cached by a hash of its bytes: a stage's output repeats most of
    /// its input, and files are read again. Exact, since no piece crosses such a line
    /// start: no alternative of either split pattern continues through a newline into a
    /// letter or digit (the newline ends a whitespace or punctuation piece there), and
    /// none looks behind, so a chunk's pieces are the same wherever the chunk is.
    package func count(_ text: String) -> Int {
        var sink = CountSink()
        run(text, into: &sink)
        return sink.count
    }

    /// The bytes of token ids, back to back. Ids the encoding doesn't have are skipped.
    /// Bytes, not a string: one token may hold part of a UTF-8 sequence.
    func decode(_ ids: [Int]) -> [UInt8] {
        let lookup = table.lookup
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where id >= 0 && id < table.count {
            bytes.append(contentsOf: lookup.bytes(of: id))
        }
        return bytes
    }

    /// The pieces the split pattern cuts a text into (what byte-pair merging works on).
    func pieces(_ text: String) -> [String] {
        preTokenizer.pieces(text)
    }

    /// Texts shorter than this are counted without chunks; chunks are at least this long.
    static let chunkMinimum = 128

    private func run<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        var text = text
        let lookup = table.lookup
        let preTokenizer = preTokenizer
        let pieceCounts = pieceCounts
        let chunkCounts = chunkCounts
        withExtendedLifetime(table) {
            text.withUTF8 { buffer in
                let text = UTF8Text(buffer)
                let chunked = !Sink.wantsRanks && text.count >= 2 * Self.chunkMinimum
                var start = 0
                while start < text.count {
                    let chunkEnd = chunked ? Self.chunkEnd(buffer, from: start) : text.count
                    var key: StableHash?
                    if chunked {
                        let chunk = StableHash(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[start..<chunkEnd])))
                        if let count = chunkCounts.count(for: chunk) {
                            sink.add(count: count)
                            start = chunkEnd
                            continue
                        }
                        key = chunk
                    }
                    let before = sink.tokens
                    while start < chunkEnd {
                        let end = preTokenizer.pieceEnd(in: text, from: start)
                        BytePairEncoder.encode(text.base + start, end - start, lookup, pieceCounts, into: &sink)
                        start = end
                    }
                    // A piece past the chunk's end would mean the cut was not between pieces;
                    // the text's count stays right, and such a chunk is never cached.
                    assert(start == chunkEnd, "a piece crossed a chunk boundary")
                    if let key, start == chunkEnd { chunkCounts.store(sink.tokens - before, for: key) }
                }
            }
        }
    }

    /// The end of the chunk that starts at `start`: the first line start with an ASCII
    /// letter or digit at least `chunkMinimum` bytes on, or the end of the text.
    static func chunkEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = buffer.baseAddress else { return buffer.count }
        var from = start + chunkMinimum - 1
        while from < buffer.count, let found = memchr(base + from, 0x0A, buffer.count - from) {
            let next = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            guard next < buffer.count else { break }
            if isASCIILetterOrDigit(base[next]) { return next }
            from = next
        }
        return buffer.count
    }

    @inline(__always)
    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
}
