/// Condenses prose and Markdown sentence by sentence: keeps headings, the first sentence
/// of each paragraph and list item, sentences with numbers, names, code spans or ids, and
/// conclusions; drops filler ("I hope this helps"), restatements and recaps. Code blocks
/// stay, long ones as a `CodeOutline`; tables keep their header and rows with ids.
/// Adjacent elisions share one marker: `[... 3 sentences omitted]`.
struct ProseCondenser: Sendable {
    var mode: CompressionMode
    /// Writing from the user: keeps every question and every sentence with a fact, and the
    /// first two sentences of the text whatever they say.
    var isUserText: Bool

    /// Code blocks longer than this many lines are outlined.
    var codeBlockLimit: Int { mode == .aggressive ? 10 : 20 }

    init(mode: CompressionMode = .safe, isUserText: Bool = false) {
        self.mode = mode
        self.isUserText = isUserText
    }

    func condense(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes)
        var state = State()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < lines.count {
                let line = bytes[lines[index]]
                if ByteLines.isBlank(line) {
                    index += 1
                    continue
                }
                let block = Self.blockKind(line)
                var end = index + 1
                switch block {
                case .fence:
                    while end < lines.count, !Self.isFence(bytes[lines[end]]) { end += 1 }
                    end = min(end + 1, lines.count)
                    flush(&state, &out)
                    appendBlock(&out, codeBlock(bytes, lines[index..<end]))
                case .heading:
                    flush(&state, &out)
                    appendBlock(&out, Array(line))
                case .table:
                    while end < lines.count, Self.blockKind(bytes[lines[end]]) == .table { end += 1 }
                    flush(&state, &out)
                    appendBlock(&out, table(bytes, lines[index..<end], buffer))
                case .marker:
                    if let count = Self.omittedSentences(in: line) {
                        // An earlier summary's marker merges with the elisions around it.
                        state.pending += count
                        flush(&state, &out)
                    } else {
                        flush(&state, &out)
                        appendBlock(&out, Array(line))
                    }
                case .listItem, .paragraph:
                    while end < lines.count {
                        let next = bytes[lines[end]]
                        if ByteLines.isBlank(next) || Self.blockKind(next) != .paragraph { break }
                        end += 1
                    }
                    if block == .paragraph, state.inList {
                        flush(&state, &out)
                        state.inList = false
                        state.lastWasListItem = false
                    }
                    if block == .listItem, !state.inList {
                        flush(&state, &out)
                        state.inList = true
                    }
                    let range = lines[index].lowerBound..<lines[end - 1].upperBound
                    let kept = sentences(buffer, bytes, range, isListItem: block == .listItem, &state)
                    if !kept.isEmpty {
                        if block == .listItem, state.lastWasListItem {
                            out.append(0x0A)
                            out.append(contentsOf: kept)
                        } else {
                            appendBlock(&out, kept)
                        }
                        state.lastWasListItem = block == .listItem
                    }
                    if block == .paragraph, !kept.isEmpty { flush(&state, &out, inline: true) }
                    index = end
                    continue
                }
                state.inList = false
                state.lastWasListItem = false
                index = end
            }
        }
        flush(&state, &out)
        if bytes.last == 0x0A { out.append(0x0A) }
        return String(decoding: out, as: UTF8.self)
    }
}
