import CondenserTestSupport
import Foundation
import Testing

@testable import CondenserCore

/// Paths the tokenizer tests read: the committed fixture; `../shared` comes from `SharedMaterial`.
enum TokenizerTestFiles {
    /// This test directory, symlinks resolved so sub-packages of symlinks find the repository.
    static let testDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let fixtureVectors = testDirectory.appendingPathComponent("Fixtures/tokenizer-vectors.jsonl")

    struct Vector {
        var encoding: TokenEncoding
        var text: String
        var ids: [Int]
    }

    struct MalformedVector: Error {}

    static func vectors(at url: URL) throws -> [Vector] {
        let data = try Data(contentsOf: url)
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            guard let object = try JSONParser.parse(bytes: line).objectValue,
                let encoding = object["encoding"]?.stringValue.flatMap(TokenEncoding.init(rawValue:)),
                let text = object["text"]?.stringValue,
                let ids = object["ids"]?.arrayValue?.compactMap(\.intValue)
            else { throw MalformedVector() }
            return Vector(encoding: encoding, text: text, ids: ids)
        }
    }
}

@Suite struct TokenizerTests {
    @Test func matchesTheCommittedVectors() throws {
        let vectors = try TokenizerTestFiles.vectors(at: TokenizerTestFiles.fixtureVectors)
        #expect(vectors.count >= 90)
        #expect(Set(vectors.map(\.encoding)) == Set(TokenEncoding.allCases))
        for vector in vectors {
            let tokenizer = try Tokenizer.shared(vector.encoding)
            #expect(tokenizer.encode(vector.text) == vector.ids, "\(vector.encoding.rawValue): \(vector.text.debugDescription.prefix(80))")
            #expect(tokenizer.count(vector.text) == vector.ids.count)
        }
    }

    @Test func matchesEverySharedVector() throws {
        let url = try SharedMaterial.url("tokenizers/vectors.jsonl")
        let vectors = try TokenizerTestFiles.vectors(at: url)
        var mismatches = 0
        for vector in vectors {
            let tokenizer = try Tokenizer.shared(vector.encoding)
            if tokenizer.encode(vector.text) != vector.ids || tokenizer.count(vector.text) != vector.ids.count {
                mismatches += 1
                Issue.record("\(vector.encoding.rawValue): \(vector.text.debugDescription.prefix(80))")
            }
        }
        #expect(vectors.count == 468)
        #expect(mismatches == 0)
    }

    /// Expected ids from tiktoken 0.14 (`encode(text, disallowed_special=())`).
    @Test(arguments: [
        (TokenEncoding.o200kBase, "<|endoftext|>", [27, 91, 419, 1440, 919, 91, 29]),
        (.cl100kBase, "<|endoftext|>", [27, 91, 8862, 728, 428, 91, 29]),
        (.o200kBase, "});\n// comment\n\n//x", [112438, 5375, 279, 393, 87]),
        (.cl100kBase, "});\n// comment\n\n//x", [3033, 322, 4068, 271, 322, 87]),
        (.o200kBase, "it'ſ ſ 'ſ 'S 'LL", [278, 6, 70067, 20757, 123, 461, 70067, 461, 50, 461, 7454]),
        (.cl100kBase, "it'ſ ſ 'ſ 'S 'LL", [275, 6, 129, 123, 27006, 123, 364, 129, 123, 364, 50, 364, 4178]),
        (.o200kBase, "\u{FFFD}\u{0}e\u{301}\u{200D}👨‍👩‍👧", [3251, 188, 68, 13430, 2524, 28823, 101, 2524, 28823, 102, 2524, 28823, 100]),
        (
            .cl100kBase, "\u{FFFD}\u{0}e\u{301}\u{200D}👨‍👩‍👧",
            [5809, 188, 68, 54939, 378, 235, 9468, 239, 101, 378, 235, 9468, 239, 102, 378, 235, 9468, 239, 100]
        ),
        (.o200kBase, "HELLOworld don't DON'T ǅungla", [111642, 2699, 24169, 4128, 153384, 220, 131, 227, 988, 1675]),
        (.cl100kBase, "HELLOworld don't DON'T ǅungla", [51812, 1623, 14957, 1541, 956, 45373, 17773, 220, 131, 227, 2234, 4355]),
        (.o200kBase, "x\u{3000}y\u{2028}z\u{85}w \n\n  \t", [87, 1397, 88, 51008, 89, 126, 227, 86, 1202, 45469]),
        (.cl100kBase, "x\u{3000}y\u{2028}z\u{85}w \n\n  \t", [87, 23249, 88, 378, 101, 89, 126, 227, 86, 4815, 19827]),
        (.o200kBase, "Ⅻ ½ ٣٤٥٦ 1234567", [25371, 104, 220, 27124, 220, 81473, 98713, 97336, 122513, 220, 7633, 19354, 22]),
        (.cl100kBase, "Ⅻ ½ ٣٤٥٦ 1234567", [71567, 104, 220, 27154, 220, 149, 96, 149, 97, 149, 98, 149, 99, 220, 4513, 10961, 22]),
    ])
    func matchesTiktokenOnEdgeCases(encoding: TokenEncoding, text: String, ids: [Int]) throws {
        let tokenizer = try Tokenizer.shared(encoding)
        #expect(tokenizer.encode(text) == ids)
        #expect(tokenizer.count(text) == ids.count)
    }

    @Test(arguments: TokenEncoding.allCases)
    func decodesBackToTheBytes(encoding: TokenEncoding) throws {
        let tokenizer = try Tokenizer.shared(encoding)
        let text = "naïve café — 東京 👩🏽‍💻 <|im_start|> \u{0}\u{FFFD}"
        #expect(tokenizer.decode(tokenizer.encode(text)) == Array(text.utf8))
        // Ids the encoding doesn't have are skipped; a token may be part of a UTF-8 sequence.
        #expect(tokenizer.decode([-1, 10_000_000]) == [])
        let split = tokenizer.encode("東").map { tokenizer.decode([$0]) }
        #expect(Array(split.joined()) == Array("東".utf8))
    }

    @Test(arguments: TokenEncoding.allCases)
    func countsAMegabyteRunOfOneLetterInLinearTime(encoding: TokenEncoding) throws {
        let tokenizer = try Tokenizer.shared(encoding)
        // tiktoken gives 8192 for 64 KiB of "a" in both encodings (8 letters a token).
        #expect(tokenizer.count(String(repeating: "a", count: 1 << 16)) == 8192)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(tokenizer.count(String(repeating: "a", count: 1 << 20)) == 131_072)
        // Quadratic merging would take minutes; the heap takes well under a second in release.
        #expect(clock.now - start < .seconds(30))
    }

    @Test(arguments: TokenEncoding.allCases)
    func heapMergingEqualsTiktokensMergeLoop(encoding: TokenEncoding) throws {
        let tokenizer = try Tokenizer.shared(encoding)
        let lookup = tokenizer.table.lookup
        var generator = SeededRandom(seed: 42)
        // Small alphabets force long merge chains with many rank ties.
        let alphabets: [[UInt8]] = [
            Array("ab".utf8), Array("abc ".utf8), Array("0123456789".utf8), Array("=-_ ".utf8), Array("éü日".utf8),
            (0...255).map(UInt8.init),
        ]
        for round in 0..<400 {
            let alphabet = alphabets[round % alphabets.count]
            let length = 2 + Int(generator.next() % 300)
            let piece = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            var scanned = RankSink()
            var heaped = RankSink()
            piece.withUnsafeBufferPointer { buffer in
                BytePairEncoder.mergeByScanning(buffer.baseAddress!, length, lookup, into: &scanned)
                BytePairEncoder.mergeWithHeap(buffer.baseAddress!, length, lookup, into: &heaped)
            }
            #expect(scanned.ids == heaped.ids, "\(piece)")
            var counted = CountSink()
            piece.withUnsafeBufferPointer { BytePairEncoder.mergeWithHeap($0.baseAddress!, length, lookup, into: &counted) }
            #expect(counted.count == heaped.ids.count)
        }
    }

    /// Long texts whose lines start in every way the split patterns treat differently.
    static let chunkedTexts: [String] = {
        let starts = [
            "alpha", "Beta", "7 items", "  indented", "\tTabbed", "});", "// comment", "'s quoted", "'ll go",
            "\r\nwindows", "é accent", "Über", "日本語", "-- dash", "  \n", "x", "9", "#include <x>", "...",
        ]
        var texts: [String] = []
        for (index, ending) in ["\n", "\r\n", ".\n", ";\n//", "  \n", "\n\n", ":\n"].enumerated() {
            var text = ""
            for line in 0..<120 {
                text += starts[(line * 7 + index) % starts.count] + " line \(line) of text, value=\(line * 31)" + ending
            }
            texts.append(text)
        }
        texts.append(String(repeating: "ERROR 2024-01-01 12:00:00 something failed at step 42\n", count: 60))
        texts.append(String(repeating: "a\n", count: 400) + String(repeating: "\n", count: 300) + "end")
        return texts
    }()

    @Test(arguments: TokenEncoding.allCases)
    func chunkedCountsAreTheCountsOfTheWholeText(encoding: TokenEncoding) throws {
        let tokenizer = try Tokenizer.shared(encoding)
        for text in Self.chunkedTexts {
            let ids = tokenizer.encode(text).count
            // The second count comes from the chunk cache.
            #expect(tokenizer.count(text) == ids, "\(text.prefix(60).debugDescription)")
            #expect(tokenizer.count(text) == ids, "\(text.prefix(60).debugDescription)")
            // Chunks met in other texts (a line edited, lines dropped) count the same.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            lines[lines.count / 2] += " edited"
            lines.remove(at: lines.count / 3)
            let edited = lines.joined(separator: "\n")
            #expect(tokenizer.count(edited) == tokenizer.encode(edited).count, "\(text.prefix(60).debugDescription)")
        }
    }

    @Test func chunksEndAtLineStartsWithALetterOrDigit() {
        let text = Array((String(repeating: "  spaced\n", count: 40) + "}\n" + String(repeating: "word\n", count: 40)).utf8)
        text.withUnsafeBufferPointer { buffer in
            var start = 0
            var ends: [Int] = []
            while start < buffer.count {
                let end = Tokenizer.chunkEnd(buffer, from: start)
                ends.append(end)
                start = end
            }
            #expect(ends.last == buffer.count)
            for end in ends.dropLast() {
                #expect(buffer[end - 1] == 0x0A)
                #expect(Tokenizer.isASCIILetterOrDigit(buffer[end]))
            }
            // Indented lines and a brace are no place to cut; the first cut is at least
            // `chunkMinimum` on, at the first "word" line after the brace.
            #expect(ends.first == 40 * 9 + 2)
        }
    }

    @Test func chunkedCountsMatchTheCorpusTexts() throws {
        let corpus = try SharedMaterial.url("corpus/dev.jsonl")
        let tokenizer = try Tokenizer.shared(.o200kBase)
        // The corpus's lines are {"id", "request": {chat request}, ...}.
        let lines = try #require(FileManager.default.contents(atPath: corpus.path)).split(separator: UInt8(ascii: "\n")).prefix(12)
        for line in lines {
            let session = try #require(try JSONParser.parse(bytes: line).objectValue)
            let request = try ChatRequest.validate(try #require(session["request"]))
            for message in request.messages {
                guard let text = message.content.text, text.utf8.count >= 2 * Tokenizer.chunkMinimum else { continue }
                #expect(tokenizer.count(text) == tokenizer.encode(text).count, "\(session["id"]?.stringValue ?? "?")")
            }
        }
    }

    @Test func loadingABadRankFileThrowsInsteadOfTrapping() {
        #expect(throws: TokenizerError.self) { try Tokenizer(encoding: .o200kBase, rankFile: []) }
        #expect(throws: TokenizerError.self) { try Tokenizer(encoding: .o200kBase, rankFile: Array("not base64! 0\n".utf8)) }
        #expect(throws: TokenizerError.self) { try Tokenizer(encoding: .o200kBase, rankFile: Array("YQ== 999999999\n".utf8)) }
        // Valid lines but not every single byte: encoding could not always proceed.
        #expect(throws: TokenizerError.self) { try Tokenizer(encoding: .o200kBase, rankFile: Array("YQ== 0\nYg== 1\n".utf8)) }
    }

    @Test func findsTheShippedRankFiles() throws {
        for encoding in TokenEncoding.allCases {
            let paths = RankFileLocator.candidatePaths(for: encoding.resourceName)
            #expect(paths.contains { FileManager.default.fileExists(atPath: $0) })
            #expect(try Tokenizer.shared(encoding) === Tokenizer.shared(encoding))
        }
    }
}
