import CondenserCore
import NIOCore

/// Reads what the upstream billed from a response body as its chunks pass on to the
/// client, keeping a bounded part of it. Never changes or holds back a byte. What it
/// reads depends on the front's `Dialect`:
/// - OpenAI chat: the `usage` object of a JSON response, or of the last event of a stream
///   that carries one (OpenAI sends it when the client set `stream_options.include_usage`);
/// - Anthropic: the `usage` of a JSON message, or of a stream the usage of
///   `message_start`'s message, updated by each `message_delta`'s (whose counts are
///   cumulative);
/// - OpenAI Responses: the top-level `usage` of a JSON answer, or the `response.usage` of
///   a stream's last `response.completed` (or `response.incomplete` or `response.failed`)
///   event.
struct BilledUsageReader {
    /// The upstream API whose answers are read.
    enum Dialect: Sendable {
        case openAIChat, anthropic, openAIResponses
    }

    /// A JSON body up to this size is kept whole and parsed at its end.
    static let wholeBodyLimit = 256 << 10
    /// Of a larger one (or of a longer Responses event line), only this much of its end,
    /// where `usage` sits.
    static let tailBytes = 16 << 10
    /// An event-stream line up to this size is kept whole. A longer one is skipped (a
    /// usage event is small), except in a Responses stream: its final event carries the
    /// whole response, output included, so a longer one keeps its head and its tail.
    static let lineLimit = 64 << 10
    /// Of a longer Responses event line, this much of its start: enough for `data: {"type":...}`.
    static let headBytes = 256

    private enum Format {
        case json, eventStream, unreadable
    }

    private let dialect: Dialect
    private let format: Format
    /// JSON: the body so far, or its last `tailBytes` once it outgrew `wholeBodyLimit`.
    private var kept: [UInt8] = []
    private var truncated = false
    /// Event stream: the current line so far (in a Responses stream, its tail once it
    /// outgrew `lineLimit`), its first `headBytes` once it did (Responses), and whether
    /// it is being skipped for outgrowing it (other dialects).
    private var line: [UInt8] = []
    private var lineHead: [UInt8]?
    private var skippingLine = false
    private var streamUsage: BilledUsage?
    /// Anthropic event stream: the usage members seen so far, later events' over earlier ones'.
    private var anthropicMembers: JSONObject?
    /// Whether a Responses event stream carried an event that ends a response
    /// (`response.completed`, `response.incomplete`, `response.failed`, or an `error`
    /// event). A stream whose body ended without one was cut upstream, and must reach the
    /// client as cut, not as a clean end.
    private(set) var sawEndOfResponse = false

    /// Whether the body is a Responses event stream that, as far as it has come, carried
    /// no event ending the response (its last line read even without a newline). Always
    /// false for the other dialects, whose bodies are not judged.
    var streamLacksEndOfResponse: Bool {
        guard dialect == .openAIResponses, format == .eventStream else { return false }
        var reader = self
        _ = reader.finish()
        return !reader.sawEndOfResponse
    }

    /// - Parameters:
    ///   - dialect: the upstream API whose answers are read.
    ///   - contentType: the response's `Content-Type`.
    ///   - contentEncoding: its `Content-Encoding`; a compressed body isn't read.
    init(_ dialect: Dialect, contentType: String?, contentEncoding: String?) {
        self.dialect = dialect
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
            if kept.count > Self.wholeBodyLimit { truncated = true }
            if truncated, kept.count > Self.tailBytes * 2 { kept.removeFirst(kept.count - Self.tailBytes) }
        case .eventStream:
            var rest = chunk.readableBytesView
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                appendToLine(rest[rest.startIndex..<newline])
                if !skippingLine { readEventLine() }
                line.removeAll(keepingCapacity: true)
                lineHead = nil
                skippingLine = false
                rest = rest[(newline + 1)...]
            }
            appendToLine(rest)
        }
    }

    private mutating func appendToLine(_ bytes: ByteBufferView) {
        guard !skippingLine, !bytes.isEmpty else { return }
        if lineHead == nil, line.count + bytes.count > Self.lineLimit {
            guard dialect == .openAIResponses else {
                skippingLine = true
                line.removeAll(keepingCapacity: true)
                return
            }
            line.append(contentsOf: bytes)
            lineHead = Array(line.prefix(Self.headBytes))
        } else {
            line.append(contentsOf: bytes)
        }
        if lineHead != nil, line.count > Self.tailBytes * 2 { line.removeFirst(line.count - Self.tailBytes) }
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
                return object["usage"]?.objectValue.flatMap(billedUsage)
            }
            // Too large to keep whole: the last `"usage":{...}` of its end (a message's or
            // response's `usage` follows its content).
            return Self.lastUsageObject(in: kept).flatMap(billedUsage)
        }
    }

    /// A `usage` object as this dialect writes it.
    private func billedUsage(_ usage: JSONObject) -> BilledUsage? {
        switch dialect {
        case .openAIChat: BilledUsage(openAIUsage: usage)
        case .anthropic: BilledUsage(anthropicUsage: usage)
        case .openAIResponses: BilledUsage(responsesUsage: usage)
        }
    }

    /// A line of an event stream.
    private mutating func readEventLine() {
        if dialect == .openAIResponses {
            readResponsesEventLine()
            return
        }
        // Only `data:` lines with a `"usage":{` are parsed. OpenAI chat: a chunk with usage
        // (the other chunks of a stream that asked for it say `"usage":null`). Anthropic:
        // `message_start` and `message_delta`; text and tool-input deltas carry theirs
        // inside strings, where the quotes are escaped.
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard bytes.starts(with: Self.dataPrefix), Self.usageObjectStart(in: bytes) != nil else { return }
        let payload = bytes.dropFirst(Self.dataPrefix.count)
        guard let event = try? JSONParser.parse(bytes: payload).objectValue else { return }
        if dialect == .openAIChat {
            if let usage = event["usage"]?.objectValue.flatMap(billedUsage) { streamUsage = usage }
            return
        }
        let usage: JSONObject?
        switch event["type"]?.stringValue {
        case "message_start": usage = event["message"]?.objectValue?["usage"]?.objectValue
        case "message_delta": usage = event["usage"]?.objectValue
        default: usage = nil
        }
        guard let usage else { return }
        var merged = anthropicMembers ?? JSONObject()
        for member in usage.members where !member.value.isNull {
            merged[member.key] = member.value
        }
        anthropicMembers = merged
        streamUsage = billedUsage(merged)
    }

    /// A `data:` line of a Responses final event. The other events either say nothing of
    /// usage or (`response.created`, `response.in_progress`) say `"usage":null`, and are
    /// not parsed.
    private mutating func readResponsesEventLine() {
        let head = lineHead ?? Array(line.prefix(Self.headBytes))
        var start = head[...]
        guard start.starts(with: Self.dataPrefix) else { return }
        start = start.dropFirst(Self.dataPrefix.count)
        if Self.contains(Self.errorEventType, in: start) { sawEndOfResponse = true }
        guard Self.finalEventTypes.contains(where: { Self.contains($0, in: start) }) else { return }
        sawEndOfResponse = true
        let usage: BilledUsage?
        if lineHead == nil {
            var payload = line.dropFirst(Self.dataPrefix.count)
            if payload.last == UInt8(ascii: "\r") { payload = payload.dropLast() }
            let event = try? JSONParser.parse(bytes: payload).objectValue
            usage = event?["response"]?.objectValue?["usage"]?.objectValue.flatMap(billedUsage)
        } else {
            // Too long to keep whole: the last `"usage":{...}` of its end, the response's own.
            usage = Self.lastUsageObject(in: line).flatMap(billedUsage)
        }
        if let usage { streamUsage = usage }
    }

    static let dataPrefix = Array("data:".utf8)
    static let usageKey = Array(#""usage""#.utf8)

    /// The Responses events that end a response and carry its usage. Quoted: a quote
    /// inside a JSON string is escaped, so these bytes can only be a string token of the
    /// event itself.
    static let finalEventTypes = [#""response.completed""#, #""response.incomplete""#, #""response.failed""#].map { Array($0.utf8) }

    /// A Responses `error` event: its type written compactly, as OpenAI does (a bare
    /// `"error"` would also match the `"error":null` of every response object).
    static let errorEventType = Array(#""type":"error""#.utf8)

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

    private static func contains(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
