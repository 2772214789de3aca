import CondenserCore
import NIOCore

/// Reads what the upstream billed from a chat response body as its chunks pass on to
/// the client, keeping a bounded part of it: the `usage` object of a JSON response, or
/// of the last event of a stream that carries one (OpenAI sends it when the client set
/// `stream_options.include_usage`). Never changes or holds back a byte.
struct BilledUsageReader {
    /// A JSON body up to this size is kept whole and parsed at its end.
    static let wholeBodyLimit = 256 << 10
    /// Of a larger one, only this much of its end, where `usage` sits.
    static let tailBytes = 16 << 10
    /// An event-stream line longer than this is skipped: a usage event is small.
    static let lineLimit = 64 << 10

    private enum Format {
        case json, eventStream, unreadable
    }

    private let format: Format
    /// JSON: the body so far, or its last `tailBytes` once it outgrew `wholeBodyLimit`.
    private var kept: [UInt8] = []
    private var truncated = false
    /// Event stream: the current line so far, and whether it outgrew `lineLimit`.
    private var line: [UInt8] = []
    private var skippingLine = false
    private var streamUsage: BilledUsage?

    /// - Parameters:
    ///   - contentType: the response's `Content-Type`.
    ///   - contentEncoding: its `Content-Encoding`; a compressed body isn't read.
    init(contentType: String?, contentEncoding: String?) {
        let type = contentType?.lowercased() ?? ""
        let encoding = contentEncoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        if encoding != "identity", !encoding.isEmpty {
            format = .unreadable
        } else if type.hasPrefix("text/event-stream") {
            format = .eventStream
        } else if type.contains("json") {
            format = .json
        } else {
            format = .unreadable
        }
    }

    mutating func consume(_ chunk: ByteBuffer) {
        switch format {
        case .unreadable:
            return
        case .json:
            kept.append(contentsOf: chunk.readableBytesView)
            if kept.count > Self.wholeBodyLimit {
                truncated = true
            }
            if truncated, kept.count > Self.tailBytes * 2 {
                kept.removeFirst(kept.count - Self.tailBytes)
            }
        case .eventStream:
            var rest = chunk.readableBytesView
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                appendToLine(rest[rest.startIndex..<newline])
                if !skippingLine { readEventLine() }
                line.removeAll(keepingCapacity: true)
                skippingLine = false
                rest = rest[(newline + 1)...]
            }
            appendToLine(rest)
        }
    }

    private mutating func appendToLine(_ bytes: ByteBufferView) {
        guard !skippingLine, !bytes.isEmpty else { return }
        if line.count + bytes.count > Self.lineLimit {
            skippingLine = true
            line.removeAll(keepingCapacity: true)
        } else {
            line.append(contentsOf: bytes)
        }
    }

    /// What the body said was billed, once it has ended (or was cut): nil when it said
    /// nothing readable.
    mutating func finish() -> BilledUsage? {
        switch format {
        case .unreadable:
            return nil
        case .eventStream:
            // A last line without its newline still counts.
            if !skippingLine, !line.isEmpty { readEventLine() }
            return streamUsage
        case .json:
            if !truncated, let object = try? JSONParser.parse(bytes: kept).objectValue {
                return object["usage"]?.objectValue.flatMap(BilledUsage.init(openAIUsage:))
            }
            // Too large to keep whole: the last `"usage":{...}` of its end.
            return Self.lastUsageObject(in: kept).flatMap(BilledUsage.init(openAIUsage:))
        }
    }

    /// A `data:` line with a `"usage":{` in it: a chunk with usage (the other chunks of an
    /// OpenAI stream that asked for it say `"usage":null`, and are not parsed).
    private mutating func readEventLine() {
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard bytes.starts(with: Self.dataPrefix), Self.usageObjectStart(in: bytes) != nil else { return }
        let payload = bytes.dropFirst(Self.dataPrefix.count)
        guard let event = try? JSONParser.parse(bytes: payload).objectValue,
            let usage = event["usage"]?.objectValue.flatMap(BilledUsage.init(openAIUsage:))
        else { return }
        streamUsage = usage
    }

    static let dataPrefix = Array("data:".utf8)
    static let usageKey = Array(#""usage""#.utf8)

    /// Where the object after the last `"usage":` in `bytes` begins, if one does.
    static func usageObjectStart(in bytes: ArraySlice<UInt8>) -> Int? {
        var searchEnd = bytes.endIndex
        while let keyStart = lastIndex(of: usageKey, in: bytes[bytes.startIndex..<searchEnd]) {
            var index = keyStart + usageKey.count
            while index < bytes.endIndex, isWhitespace(bytes[index]) { index += 1 }
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") {
                index += 1
                while index < bytes.endIndex, isWhitespace(bytes[index]) { index += 1 }
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") { return index }
            }
            searchEnd = keyStart
        }
        return nil
    }

    /// The last `"usage":{...}` object in the end of a body, found by matching braces
    /// outside strings. Inside a JSON text a quoted `usage` followed by a colon can only
    /// be a key (a quote in a string value is escaped).
    static func lastUsageObject(in bytes: [UInt8]) -> JSONObject? {
        guard let start = usageObjectStart(in: bytes[...]) else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for index in start..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return try? JSONParser.parse(bytes: bytes[start...index]).objectValue }
            default: break
            }
        }
        return nil
    }

    private static func lastIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.endIndex - needle.count
        while index >= haystack.startIndex {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
