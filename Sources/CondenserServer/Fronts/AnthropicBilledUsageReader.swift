import CondenserCore
import NIOCore

/// Reads what Anthropic billed from a Messages response body as its chunks pass on to
/// the client, keeping a bounded part of it: the `usage` of a JSON message, or of a
/// stream the usage of `message_start`'s message, updated by each `message_delta`'s
/// (whose counts are cumulative). Never changes or holds back a byte. Used like
/// `BilledUsageReader`.
struct AnthropicBilledUsageReader {
    private enum Format {
        case json, eventStream, unreadable
    }

    private let format: Format
    /// JSON: the body so far, or its last `BilledUsageReader.tailBytes` once it outgrew
    /// `BilledUsageReader.wholeBodyLimit`.
    private var kept: [UInt8] = []
    private var truncated = false
    /// Event stream: the current line so far, and whether it outgrew the line limit.
    private var line: [UInt8] = []
    private var skippingLine = false
    /// Event stream: the usage members seen so far, later events' over earlier ones'.
    private var streamUsage: JSONObject?

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
            if kept.count > BilledUsageReader.wholeBodyLimit {
                truncated = true
            }
            if truncated, kept.count > BilledUsageReader.tailBytes * 2 {
                kept.removeFirst(kept.count - BilledUsageReader.tailBytes)
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
        if line.count + bytes.count > BilledUsageReader.lineLimit {
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
            if !skippingLine, !line.isEmpty { readEventLine() }
            return streamUsage.flatMap(BilledUsage.init(anthropicUsage:))
        case .json:
            if !truncated, let object = try? JSONParser.parse(bytes: kept).objectValue {
                return object["usage"]?.objectValue.flatMap(BilledUsage.init(anthropicUsage:))
            }
            // A message's `usage` follows its content, so the end of a large one holds it.
            return BilledUsageReader.lastUsageObject(in: kept).flatMap(BilledUsage.init(anthropicUsage:))
        }
    }

    /// A `data:` line of a `message_start` or `message_delta` event. Only lines with a
    /// `"usage":{` are parsed: text and tool-input deltas carry theirs inside strings,
    /// where the quotes are escaped.
    private mutating func readEventLine() {
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard bytes.starts(with: BilledUsageReader.dataPrefix), BilledUsageReader.usageObjectStart(in: bytes) != nil else { return }
        let payload = bytes.dropFirst(BilledUsageReader.dataPrefix.count)
        guard let event = try? JSONParser.parse(bytes: payload).objectValue else { return }
        let usage: JSONObject?
        switch event["type"]?.stringValue {
        case "message_start": usage = event["message"]?.objectValue?["usage"]?.objectValue
        case "message_delta": usage = event["usage"]?.objectValue
        default: usage = nil
        }
        guard let usage else { return }
        var merged = streamUsage ?? JSONObject()
        for member in usage.members where !member.value.isNull {
            merged[member.key] = member.value
        }
        streamUsage = merged
    }
}
