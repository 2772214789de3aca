import Testing

@testable import CondenserCore

@Suite struct PreTokenizerTests {
    let cl100k = PreTokenizer(pattern: .cl100k)
    let o200k = PreTokenizer(pattern: .o200k)

    /// Expected pieces from the Python `regex` module running each encoding's pattern.
    @Test func splitsLikeBothPatterns() {
        let cases: [(String, [String], [String])] = [
            ("Hello world", ["Hello", " world"], ["Hello", " world"]),
            // o200k keeps contractions on the word, and an all-caps run joins the lowercase after it.
            ("HELLOworld don't", ["HELLOworld", " don", "'t"], ["HELLOworld", " don't"]),
            // `\s+(?!\S)` leaves the last space for the next word; `\s*[\r\n]` ends at the last newline.
            (
                "  spaced   out  \n\n next", [" ", " spaced", "  ", " out", "  \n\n", " next"],
                [" ", " spaced", "  ", " out", "  \n\n", " next"]
            ),
            ("a\r\n\r\n  b", ["a", "\r\n\r\n", " ", " b"], ["a", "\r\n\r\n", " ", " b"]),
            // Numbers in threes; o200k's punctuation takes newlines and then slashes.
            (
                "x = 1234567;\n//c\n", ["x", " =", " ", "123", "456", "7", ";\n", "//", "c", "\n"],
                ["x", " =", " ", "123", "456", "7", ";\n//", "c", "\n"]
            ),
            // Case-insensitive contractions, where `s` also folds to U+017F.
            ("'s 'Re ſ", ["'s", " '", "Re", " ſ"], ["'s", " '", "Re", " ſ"]),
            // Titlecase and modifier letters; a combining mark is a letter-ish scalar only for o200k.
            ("ǅungla ʰa e\u{301}", ["ǅungla", " ʰa", " e", "\u{301}"], ["ǅungla", " ʰa", " e\u{301}"]),
            // Trailing whitespace: `\s++$` (cl100k) and `\s+(?!\S)` at the end (o200k) take it all.
            ("end   ", ["end", "   "], ["end", "   "]),
        ]
        for (text, cl100kPieces, o200kPieces) in cases {
            #expect(cl100k.pieces(text) == cl100kPieces, "cl100k: \(text.debugDescription)")
            #expect(o200k.pieces(text) == o200kPieces, "o200k: \(text.debugDescription)")
        }
    }

    @Test func piecesCoverTheTextExactly() {
        let text = "Mixed: ЖЖЖ abc\u{0}\u{7F}\t\u{3000}\u{2028}👨‍👩‍👧 '''LL 12.5e-3 \r\r\n"
        for preTokenizer in [cl100k, o200k] {
            let pieces = preTokenizer.pieces(text)
            #expect(pieces.joined() == text)
            #expect(!pieces.contains(""))
        }
    }

    @Test func emptyTextHasNoPieces() {
        #expect(cl100k.pieces("").isEmpty)
        #expect(o200k.pieces("").isEmpty)
    }
}
