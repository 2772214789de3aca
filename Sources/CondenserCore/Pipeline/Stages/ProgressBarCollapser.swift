/// Keeps only the final state of progress output.
///
/// A line redrawn with carriage returns (`  0%\r 45%\r100%`) becomes what a terminal
/// finally showed; consecutive lines that are successive states of one progress bar
/// (`[=====>   ]`, `45%|####  | 45/100`, download bars) become their last state, after a
/// marker counting the dropped ones.
struct ProgressBarCollapser: TextStage {
    let name = "progress"

    /// Fewer consecutive states than this are left alone: the marker would save little.
    static let minimumRun = 3

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return Self.collapse(text) }
        return JSONWrappedText.applying(Self.collapse, to: text, requiring: ["\\r", "%", "]", "|", "\u{2588}", "\u{2501}"])
    }

    static func collapse(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(0x0D) || bytes.contains(0x25) || bytes.contains(0x5B) || bytes.contains(0xE2) else {
            return text
        }
        let ranges = ByteLines.split(bytes)
        let lines: [ArraySlice<UInt8>] = ranges.map { finalState(bytes[$0]) }
        var changed = zip(lines, ranges).contains { $0.0.count != $0.1.count }

        let shapes: [[UInt8]?] = lines.map { shape(of: $0) }
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(lines.count)
        var i = 0
        while i < lines.count {
            guard let current = shapes[i] else {
                out.append(lines[i])
                i += 1
                continue
            }
            var j = i + 1
            while j < lines.count, shapes[j] == current { j += 1 }
            let run = j - i
            if run >= minimumRun {
                out.append(ArraySlice(Marker.omitted(run - 1, "progress line").utf8))
                out.append(lines[j - 1])
                changed = true
            } else {
                out.append(contentsOf: lines[i..<j])
            }
            i = j
        }
        return changed ? ByteLines.join(out) : text
    }

    /// The part of a `\r`-redrawn line a terminal shows last: its last non-blank segment.
    /// A `\r` ending the line (CRLF) is kept as it is.
    static func finalState(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var body = line
        var hasCRLF = false
        if body.last == 0x0D {
            body = body.dropLast()
            hasCRLF = true
        }
        guard body.contains(0x0D) else { return line }
        var end = body.endIndex
        var cursor = body.endIndex
        while cursor > body.startIndex {
            cursor -= 1
            if body[cursor] == 0x0D {
                let segment = body[(cursor + 1)..<end]
                if !ByteLines.isBlank(segment) { return hasCRLF ? line[segment.startIndex..<line.endIndex] : segment }
                end = cursor
            }
        }
        let first = body[body.startIndex..<end]
        return hasCRLF ? line[first.startIndex..<line.endIndex] : first
    }

    /// For a line that shows progress, its text with the changing parts (numbers, bar
    /// fill, spacing) removed; nil for any other line.
    static func shape(of line: ArraySlice<UInt8>) -> [UInt8]? {
        guard line.count >= 4, line.count <= 400, isProgress(line) else { return nil }
        var shape: [UInt8] = []
        shape.reserveCapacity(line.count)
        var i = line.startIndex
        var afterDigit = false
        while i < line.endIndex {
            let b = line[i]
            if ByteLines.isDigit(b) {
                afterDigit = true
            } else if afterDigit && (b == 0x2E || b == 0x2C) {
                // the '.' of 45.3
            } else if isBarByte(b) {
                afterDigit = false
            } else if let width = barScalarWidth(line, i) {
                i += width
                afterDigit = false
                continue
            } else {
                shape.append(b)
                afterDigit = false
            }
            i += 1
        }
        return shape
    }

    static func isBarByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x23, 0x3D, 0x3E, 0x2D, 0x2A, 0x09: true // space # = > - * tab
        default: false
        }
    }

    /// Block and line-drawing characters used for bars: U+2500...U+259F (E2 94 80...E2 96 9F).
    static func barScalarWidth(_ line: ArraySlice<UInt8>, _ i: Int) -> Int? {
        guard line[i] == 0xE2, i + 2 < line.endIndex else { return nil }
        let second = line[i + 1]
        return second >= 0x94 && second <= 0x96 ? 3 : nil
    }

    /// A bracketed bar of at least five cells, a run of block characters, or a percentage
    /// with a rate or an ETA. A bare percentage is data (`Q3 60%`), not progress.
    static func isProgress(_ line: ArraySlice<UInt8>) -> Bool {
        var i = line.startIndex
        var blocks = 0
        var percent = false
        while i < line.endIndex {
            let b = line[i]
            if b == 0x25, i > line.startIndex, ByteLines.isDigit(line[i - 1]) { percent = true }
            if b == 0x5B || b == 0x7C {
                var j = i + 1
                var fill = 0
                var cells = 0
                while j < line.endIndex, isBarByte(line[j]) || line[j] == 0x2E {
                    if line[j] != 0x20 { fill += 1 }
                    cells += 1
                    j += 1
                }
                if cells >= 5, j < line.endIndex, line[j] == 0x5D || line[j] == 0x7C, fill > 0 || cells >= 10 {
                    return true
                }
            }
            if barScalarWidth(line, i) != nil {
                blocks += 1
                if blocks >= 5 { return true }
                i += 3
                continue
            }
            i += 1
        }
        return percent && (ByteLines.containsCaseInsensitive(line, "eta") || ByteLines.containsCaseInsensitive(line, "/s"))
    }
}
