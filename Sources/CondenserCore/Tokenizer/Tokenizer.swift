import Synchronization

/// Exact token counts and ids for an OpenAI encoding, matching tiktoken's
/// `encode(text, disallowed_special=())`: text that looks like a special token
/// (`<|endoftext|>`) is encoded as plain text.
public final class Tokenizer: TokenCounter, Sendable {
    public let encoding: TokenEncoding
    let table: RankTable
    let preTokenizer: PreTokenizer
    let pieceCounts = PieceCountCache()

    /// Makes a tokenizer from the bytes of a `.tiktoken` rank file.
    public init(encoding: TokenEncoding, rankFile: [UInt8]) throws(TokenizerError) {
        self.encoding = encoding
        table = try RankTable(tiktokenFile: rankFile)
        preTokenizer = PreTokenizer(pattern: encoding == .o200kBase ? .o200k : .cl100k)
    }

    private static let loaded = Mutex<[TokenEncoding: Tokenizer]>([:])

    /// The process-wide tokenizer of an encoding, loaded from the shipped rank file on
    /// first use (about 45 ms of CPU for o200k_base). Throws, never traps, if the file is missing.
    public static func shared(_ encoding: TokenEncoding) throws -> Tokenizer {
        try loaded.withLock { tokenizers throws(TokenizerError) -> Tokenizer in
            if let tokenizer = tokenizers[encoding] { return tokenizer }
            let tokenizer = try Tokenizer(encoding: encoding, rankFile: RankFileLocator.rankFile(for: encoding))
            tokenizers[encoding] = tokenizer
            return tokenizer
        }
    }

    /// The token ids of a text.
    public func encode(_ text: String) -> [Int] {
        var sink = RankSink()
        run(text, into: &sink)
        return sink.ids
    }

    /// The number of tokens of a text, without building the id array.
    public func count(_ text: String) -> Int {
        var sink = CountSink()
        run(text, into: &sink)
        return sink.count
    }

    /// The bytes of token ids, back to back. Ids the encoding doesn't have are skipped.
    /// Bytes, not a string: one token may hold part of a UTF-8 sequence.
    public func decode(_ ids: [Int]) -> [UInt8] {
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

    private func run<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        var text = text
        let lookup = table.lookup
        let preTokenizer = preTokenizer
        let pieceCounts = pieceCounts
        withExtendedLifetime(table) {
            text.withUTF8 { buffer in
                let text = UTF8Text(buffer)
                var start = 0
                while start < text.count {
                    let end = preTokenizer.pieceEnd(in: text, from: start)
                    BytePairEncoder.encode(text.base + start, end - start, lookup, pieceCounts, into: &sink)
                    start = end
                }
            }
        }
    }
}
