/// Sentences: where each ends, and which are kept.
extension ProseCondenser {
    /// The kept sentences of one paragraph or list item, with their original spacing.
    func sentences(
        _ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], _ range: Range<Int>, isListItem: Bool, _ state: inout State
    ) -> [UInt8] {
        let spans = Self.sentenceSpans(buffer, range)
        var out: [UInt8] = []
        var previousKept = -1
        for (k, span) in spans.enumerated() {
            state.sentenceCount += 1
            let words = Self.contentWords(buffer, span)
            // The same bytes as an array slice: no copy, unlike slicing the buffer.
            let sentence = bytes[span]
            let facts = Self.facts(buffer, sentence)
            var verdict = decide(sentence, words: words, facts: facts, isFirst: previousKept < 0, state)
            if isUserText, state.sentenceCount <= 2 { verdict = .keep }
            guard verdict != .drop else {
                state.pending += 1
                continue
            }
            if previousKept < 0 {
                // The bullet (`- `, `1. `) and indentation before the first sentence.
                out.append(contentsOf: buffer[range.lowerBound..<spans[0].lowerBound])
            } else if previousKept == k - 1 {
                out.append(contentsOf: buffer[spans[previousKept].upperBound..<span.lowerBound])
            } else {
                out.append(0x20)
            }
            if verdict == .lead, isListItem, let lead = Self.leadingClause(buffer, span) {
                // `Develop your concept: Start by brainstorming...` keeps `Develop your concept:`.
                out.append(contentsOf: buffer[span.lowerBound..<lead])
                state.pending += 1
            } else {
                out.append(contentsOf: buffer[span])
            }
            for word in words { state.seenWords.insert(word) }
            for key in facts.keys { state.seenFacts.insert(key) }
            previousKept = k
        }
        return out
    }

    enum Verdict { case drop, keep, lead }

    struct Facts {
        var strong = false
        /// Fingerprints of the sentence's other facts and names, to tell new ones from
        /// ones an earlier kept sentence already gave.
        var keys: [UInt64] = []
        var names: [UInt64] = []
    }

    private func decide(
        _ sentence: ArraySlice<UInt8>, words: [UInt64], facts: Facts, isFirst: Bool, _ state: State
    ) -> Verdict {
        if facts.strong || ElidedLines.isMarkerLine(sentence) { return .keep }
        let novelFact = facts.keys.contains { !state.seenFacts.contains($0) }
        if Self.isFiller(sentence), !novelFact { return .drop }
        let seen = words.reduce(0) { $0 + (state.seenWords.contains($1) ? 1 : 0) }
        let recap = Self.startsWithAny(sentence, Self.recapOpeners)
        if words.count >= 4, seen * 10 >= words.count * (recap ? 6 : 8), !novelFact { return .drop }
        if isFirst { return novelFact ? .keep : .lead }
        if isUserText, Self.endsWithQuestion(sentence) { return .keep }
        if recap { return .drop }
        if novelFact { return .keep }
        if Self.startsWithAny(sentence, Self.conclusionOpeners) { return .keep }
        if mode != .aggressive || isUserText, facts.names.contains(where: { !state.seenFacts.contains($0) }) {
            return .keep
        }
        return .drop
    }

    /// The fingerprints of the facts (every token kind but timestamps) and names in a span.
    static func facts(_ buffer: UnsafeBufferPointer<UInt8>, _ sentence: ArraySlice<UInt8>) -> Facts {
        let span = sentence.startIndex..<sentence.endIndex
        var facts = Facts()
        FactDetector.scan(buffer, span) { kind, token in
            if kind.isStrong { facts.strong = true }
            if kind.isWorthASentence { facts.keys.append(TokenCensus.fingerprint(buffer, token)) }
        }
        forEachName(sentence) { facts.names.append(TokenCensus.fingerprint(buffer, $0)) }
        // A name counts as seen once a kept sentence held it, as a name or a token.
        facts.keys.removeAll { key in facts.names.contains(key) }
        return facts
    }

    /// The end of a list item's lead (`Develop your concept:`), when a long explanation
    /// follows it.
    static func leadingClause(_ buffer: UnsafeBufferPointer<UInt8>, _ span: Range<Int>) -> Int? {
        let limit = min(span.upperBound, span.lowerBound + 80)
        var i = span.lowerBound
        while i < limit {
            if buffer[i] == UInt8(ascii: ":"), i + 1 < span.upperBound, buffer[i + 1] == 0x20 {
                return span.upperBound - i > 40 ? i + 1 : nil
            }
            i += 1
        }
        return nil
    }

    /// Sentence spans in `range`: a sentence ends at `.`, `!` or `?` (and closing quotes or
    /// brackets) followed by whitespace, except after common abbreviations.
    static func sentenceSpans(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var start = range.lowerBound
        // A list item's bullet is not part of its first sentence (its first bytes tell).
        let line = ArraySlice(buffer[range.lowerBound..<min(range.upperBound, range.lowerBound + 64)])
        let indent = ByteLines.indentation(line)
        if blockKind(line) == .listItem {
            var i = range.lowerBound + indent
            while i < range.upperBound, buffer[i] != 0x20 { i += 1 }
            start = min(i + 1, range.upperBound)
        }
        var i = start
        while i < range.upperBound {
            let b = buffer[i]
            if b == UInt8(ascii: "["), let close = markerEnd(buffer, i, range.upperBound) {
                // An earlier summary's `[... 3 sentences omitted]` is a sentence of its own.
                if start < i {
                    var end = i
                    while end > start, isSpace(buffer[end - 1]) { end -= 1 }
                    spans.append(start..<end)
                }
                spans.append(i..<close)
                start = close
                while start < range.upperBound, isSpace(buffer[start]) { start += 1 }
                i = start
                continue
            }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?") {
                var end = i + 1
                while end < range.upperBound, isCloser(buffer[end]) || buffer[end] == b { end += 1 }
                if end == range.upperBound || isSpace(buffer[end]) {
                    if b != UInt8(ascii: ".") || !isAbbreviation(buffer, start, i) {
                        var next = end
                        while next < range.upperBound, isSpace(buffer[next]) { next += 1 }
                        if next == range.upperBound || startsSentence(buffer[next]) {
                            spans.append(start..<end)
                            start = next
                            i = next
                            continue
                        }
                    }
                }
                i = end
                continue
            }
            i += 1
        }
        var end = range.upperBound
        while end > start, isSpace(buffer[end - 1]) { end -= 1 }
        if start < end { spans.append(start..<end) }
        return spans
    }

    /// The end of a `[... n units omitted]` marker starting at `index`.
    private static func markerEnd(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int, _ limit: Int) -> Int? {
        guard index + 5 < limit, buffer[index + 1] == UInt8(ascii: "."), buffer[index + 2] == UInt8(ascii: "."),
            buffer[index + 3] == UInt8(ascii: "."), buffer[index + 4] == 0x20
        else { return nil }
        var i = index + 5
        while i < limit, i - index < 80, buffer[i] != UInt8(ascii: "]"), buffer[i] != 0x0A { i += 1 }
        return i < limit && buffer[i] == UInt8(ascii: "]") ? i + 1 : nil
    }

    private static func isCloser(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: ")") || b == UInt8(ascii: "]")
            || b == UInt8(ascii: "*") || b == UInt8(ascii: "_")
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    private static func startsSentence(_ b: UInt8) -> Bool {
        ByteLines.isDigit(b) || (b >= 0x41 && b <= 0x5A) || b >= 0x80 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "(")
            || b == UInt8(ascii: "`") || b == UInt8(ascii: "*") || b == UInt8(ascii: "[") || b == UInt8(ascii: "'")
            || b == UInt8(ascii: "_")
    }

    private static let abbreviations = WordSet([
        "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "inc", "no", "fig", "approx", "cf", "al", "jr", "sr",
        "eg", "ie", "u.s", "p.s",
    ])

    private static func isAbbreviation(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ dot: Int) -> Bool {
        var i = dot
        while i > start, ByteLines.isLetter(buffer[i - 1]) || buffer[i - 1] == UInt8(ascii: ".") { i -= 1 }
        let word = buffer[i..<dot]
        if word.count == 1 { return true } // an initial: "J. Smith"
        guard word.count <= 6 else { return false }
        return abbreviations.contains(ArraySlice(word.map(ByteLines.lower)))
    }

    /// Hashes of the lowercased words of four letters or more.
    static func contentWords(_ buffer: UnsafeBufferPointer<UInt8>, _ span: Range<Int>) -> [UInt64] {
        var words: [UInt64] = []
        var i = span.lowerBound
        while i < span.upperBound {
            while i < span.upperBound, !ByteLines.isLetter(buffer[i]) { i += 1 }
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            var length = 0
            while i < span.upperBound, ByteLines.isLetter(buffer[i]) {
                hash ^= UInt64(ByteLines.lower(buffer[i]))
                hash &*= 0x100_0000_01B3
                length += 1
                i += 1
            }
            if length >= 4 { words.append(hash) }
        }
        return words
    }

    static let fillerOpeners: [StaticString] = [
        "i hope this", "hope this helps", "let me know", "feel free", "great question", "good question",
        "happy to help", "i'm happy to", "i am happy to", "i'd be happy", "i would be happy", "if you have any",
        "if you need any", "if you have further", "don't hesitate", "do not hesitate", "good luck", "certainly!",
        "sure!", "sure,", "of course!", "absolutely!", "thank you for", "thanks for", "you're welcome",
        "i'm glad", "glad to", "i apologize", "i'm sorry", "as an ai", "is there anything else", "enjoy!",
    ]

    static let recapOpeners: [StaticString] = [
        "in summary", "to summarize", "to sum up", "in conclusion", "overall,", "in short", "all in all",
        "remember,", "ultimately,",
    ]

    static let conclusionOpeners: [StaticString] = [
        "therefore", "thus", "so ", "hence", "as a result", "this means", "the answer", "the result", "the fix",
        "the cause", "the problem", "the issue", "the reason", "finally",
    ]

    /// A pleasantry: a known opener, or a short exclamation (`No problem!`, `Great idea!`).
    static func isFiller(_ sentence: ArraySlice<UInt8>) -> Bool {
        if startsWithAny(sentence, fillerOpeners) { return true }
        var end = sentence.endIndex
        while end > sentence.startIndex, isSpace(sentence[end - 1]) { end -= 1 }
        return end - sentence.startIndex <= 40 && end > sentence.startIndex && sentence[end - 1] == UInt8(ascii: "!")
    }

    static func startsWithAny(_ sentence: ArraySlice<UInt8>, _ openers: [StaticString]) -> Bool {
        var content = sentence
        while let first = content.first, first == UInt8(ascii: "*") || first == UInt8(ascii: "_") || first == 0x20 {
            content = content.dropFirst()
        }
        for opener in openers where ByteLines.firstIndexCaseInsensitive(content.prefix(opener.utf8CodeUnitCount), opener) != nil {
            return true
        }
        return false
    }

    static func endsWithQuestion(_ sentence: ArraySlice<UInt8>) -> Bool {
        var end = sentence.endIndex
        while end > sentence.startIndex, isCloser(sentence[end - 1]) || isSpace(sentence[end - 1]) { end -= 1 }
        return end > sentence.startIndex && sentence[end - 1] == UInt8(ascii: "?")
    }

    /// Calls `body` with each capitalised word after the sentence's first word, other
    /// than "I" and words after a colon or quote: the names in a sentence.
    static func forEachName(_ sentence: ArraySlice<UInt8>, _ body: (Range<Int>) -> Void) {
        var i = sentence.startIndex
        var wordIndex = 0
        var previous: UInt8 = 0x20
        while i < sentence.endIndex {
            let b = sentence[i]
            if ByteLines.isLetter(b), !ByteLines.isLetter(previous), previous != UInt8(ascii: "'") {
                if wordIndex > 0, b >= 0x41, b <= 0x5A, i + 1 < sentence.endIndex, sentence[i + 1] >= 0x61, sentence[i + 1] <= 0x7A {
                    var before = i - 1
                    while before > sentence.startIndex, sentence[before] == 0x20 { before -= 1 }
                    let punctuation = sentence[before]
                    if punctuation != UInt8(ascii: ":"), punctuation != UInt8(ascii: "\""), punctuation != 0x0A {
                        var end = i + 1
                        while end < sentence.endIndex, ByteLines.isLetter(sentence[end]) || ByteLines.isDigit(sentence[end]) { end += 1 }
                        body(i..<end)
                    }
                }
                wordIndex += 1
            }
            previous = b
            i += 1
        }
    }
}
