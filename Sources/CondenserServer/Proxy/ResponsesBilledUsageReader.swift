import CondenserCore
import NIOCore

/// Reads what the upstream billed from a Responses API answer as its chunks pass on to
/// the client, keeping a bounded part of it: the top-level `usage` of a JSON answer, or
/// the `response.usage` of a stream's last `response.completed` (or `response.incomplete`
/// or `response.failed`) event. Used like `BilledUsageReader`; never changes or holds
/// back a byte.
struct ResponsesBilledUsageReader {
    /// A JSON body up to this size is kept whole and parsed at its end.
    static let wholeBodyLimit = BilledUsageReader.wholeBodyLimit
    /// Of a larger body, or a longer event line, only this much of its end, where
    /// `usage` sits (after `output` in a response object).
    static let tailBytes = BilledUsageReader.tailBytes
    /// An event line up to this size is kept whole. A final event carries the whole
    /// response, output included, so a longer one keeps its head and its tail.
    static let lineLimit = 64 << 10
    /// Of a longer event line, this much of its start: enough for `data: {"type":...}`.
    static let headBytes = 256

    private enum Format {
        case json, eventStream, unreadable
    }

    private let format: Format
    /// JSON: the body so far, or its last `tailBytes` once it outgrew `wholeBodyLimit`.
    private var kept: [UInt8] = []
    private var truncated = false
    /// Event stream: the current line (whole, or its tail once it outgrew `lineLimit`),
    /// and its first `headBytes` once it did.
    private var line: [UInt8] = []
    private var lineHead: [UInt8]?
    private var streamUsage: BilledUsage?
    /// Whether an event stream carried an event that ends a response
    /// (`response.completed`, `response.incomplete`, `response.failed`, or an `error`
    /// event). A stream whose body ended without one was cut upstream, and must reach the
    /// client as cut, not as a clean end.
    private(set) var sawEndOfResponse = false

    /// Whether the body is an event stream that, as far as it has come, carried no event
    /// ending the response (its last line read even without a newline).
    var streamLacksEndOfResponse: Bool {
        guard format == .eventStream else { return false }
        var reader = self
        _ = reader.finish()
        return !reader.sawEndOfResponse
    }

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
            if kept.count > Self.wholeBodyLimit { truncated = true }
            if truncated, kept.count > Self.tailBytes * 2 { kept.removeFirst(kept.count - Self.tailBytes) }
        case .eventStream:
            var rest = chunk.readableBytesView
            while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                appendToLine(rest[rest.startIndex..<newline])
                readEventLine()
                line.removeAll(keepingCapacity: true)
                lineHead = nil
                rest = rest[(newline + 1)...]
            }
            appendToLine(rest)
        }
    }

    private mutating func appendToLine(_ bytes: ByteBufferView) {
        guard !bytes.isEmpty else { return }
        line.append(contentsOf: bytes)
        if lineHead == nil, line.count > Self.lineLimit {
            lineHead = Array(line.prefix(Self.headBytes))
        }
        if lineHead != nil, line.count > Self.tailBytes * 2 {
            line.removeFirst(line.count - Self.tailBytes)
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
            if !line.isEmpty { readEventLine() }
            return streamUsage
        case .json:
            if !truncated, let object = try? JSONParser.parse(bytes: kept).objectValue {
                return object["usage"]?.objectValue.flatMap(BilledUsage.init(responsesUsage:))
            }
            return BilledUsageReader.lastUsageObject(in: kept).flatMap(BilledUsage.init(responsesUsage:))
        }
    }

    /// A `data:` line of a final event. The other events either say nothing of usage or
    /// (`response.created`, `response.in_progress`) say `"usage":null`, and are not parsed.
    private mutating func readEventLine() {
        let head = lineHead ?? Array(line.prefix(Self.headBytes))
        var start = head[...]
        guard start.starts(with: BilledUsageReader.dataPrefix) else { return }
        start = start.dropFirst(BilledUsageReader.dataPrefix.count)
        if Self.contains(Self.errorEventType, in: start) { sawEndOfResponse = true }
        guard Self.finalEventTypes.contains(where: { Self.contains($0, in: start) }) else { return }
        sawEndOfResponse = true
        let usage: BilledUsage?
        if lineHead == nil {
            var payload = line.dropFirst(BilledUsageReader.dataPrefix.count)
            if payload.last == UInt8(ascii: "\r") { payload = payload.dropLast() }
            let event = try? JSONParser.parse(bytes: payload).objectValue
            usage = event?["response"]?.objectValue?["usage"]?.objectValue.flatMap(BilledUsage.init(responsesUsage:))
        } else {
            // Too long to keep whole: the last `"usage":{...}` of its end, the response's own.
            usage = BilledUsageReader.lastUsageObject(in: line).flatMap(BilledUsage.init(responsesUsage:))
        }
        if let usage { streamUsage = usage }
    }

    /// The events that end a response and carry its usage. Quoted: a quote inside a JSON
    /// string is escaped, so these bytes can only be a string token of the event itself.
    static let finalEventTypes = [#""response.completed""#, #""response.incomplete""#, #""response.failed""#].map { Array($0.utf8) }

    /// An `error` event: its type written compactly, as OpenAI does (a bare `"error"`
    /// would also match the `"error":null` of every response object).
    static let errorEventType = Array(#""type":"error""#.utf8)

    private static func contains(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
