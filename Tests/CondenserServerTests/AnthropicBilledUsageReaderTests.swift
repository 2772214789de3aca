import NIOCore
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct AnthropicBilledUsageReaderTests {
    func read(_ chunks: [String], contentType: String, encoding: String? = nil) -> BilledUsage? {
        var reader = BilledUsageReader(.anthropic, contentType: contentType, contentEncoding: encoding)
        for chunk in chunks { reader.consume(ByteBuffer(string: chunk)) }
        return reader.finish()
    }

    /// A stream's events, each a string (`event:` and `data:` lines and a blank line).
    static func events(_ pairs: [(String, String)], lineEnd: String = "\n") -> [String] {
        pairs.map { "event: \($0.0)\(lineEnd)data: \($0.1)\(lineEnd)\(lineEnd)" }
    }

    static let start =
        #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":300,"cache_read_input_tokens":4000,"output_tokens":1}}}"#

    @Test func jsonUsageAddsCacheReadsAndWritesToTheInput() {
        let body =
            #"{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"model":"claude-x","usage":{"input_tokens":5,"cache_creation_input_tokens":20,"cache_read_input_tokens":100,"output_tokens":2}}"#
        let halves = [String(body.prefix(60)), String(body.dropFirst(60))]
        #expect(read(halves, contentType: "application/json") == BilledUsage(inputTokens: 125, cacheReadTokens: 100, cacheWriteTokens: 20))
        #expect(read([#"{"usage":{"input_tokens":7,"output_tokens":1}}"#], contentType: "application/json") == BilledUsage(inputTokens: 7))
        // An OpenAI-shaped usage is not Anthropic's.
        #expect(read([#"{"usage":{"prompt_tokens":7}}"#], contentType: "application/json") == nil)
    }

    @Test func aLargeJSONMessageIsReadFromItsEnd() {
        let filler = String(repeating: "line \\\"usage\\\": {} ", count: 40_000)
        let body =
            #"{"content":[{"type":"tool_use","id":"t","name":"x","input":{"usage":{"input_tokens":1}}},{"type":"text","text":"\#(filler)"}],"usage":{"input_tokens":90,"cache_read_input_tokens":80000,"cache_creation_input_tokens":0,"output_tokens":4}}"#
        #expect(body.utf8.count > BilledUsageReader.wholeBodyLimit)
        let bytes = Array(body.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 4096).map {
            String(decoding: bytes[$0..<min($0 + 4096, bytes.count)], as: UTF8.self)
        }
        #expect(
            read(chunks, contentType: "application/json") == BilledUsage(inputTokens: 80_090, cacheReadTokens: 80_000, cacheWriteTokens: 0))
    }

    @Test func aStreamsMessageStartUsageWithItsDeltas() {
        let stream = Self.events([
            ("message_start", Self.start),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("ping", #"{"type": "ping"}"#),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\"usage\":{\"input_tokens\":999}"}}"#
            ),
            (
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#
            ),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
        #expect(
            read(stream, contentType: "text/event-stream; charset=utf-8")
                == BilledUsage(inputTokens: 4_312, cacheReadTokens: 4_000, cacheWriteTokens: 300))
    }

    @Test func aDeltasCumulativeInputCountsReplaceTheStarts() {
        let stream = Self.events(
            [
                ("message_start", Self.start),
                (
                    "message_delta",
                    #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":20,"cache_creation_input_tokens":null,"cache_read_input_tokens":4100,"output_tokens":30}}"#
                ),
            ], lineEnd: "\r\n")
        // Split inside the message_start line, and between CR and LF.
        let joined = stream.joined()
        let cuts = [70, joined.utf8.count - 3]
        let bytes = Array(joined.utf8)
        let chunks = [bytes[..<cuts[0]], bytes[cuts[0]..<cuts[1]], bytes[cuts[1]...]].map { String(decoding: $0, as: UTF8.self) }
        #expect(
            read(chunks, contentType: "text/event-stream") == BilledUsage(inputTokens: 4_420, cacheReadTokens: 4_100, cacheWriteTokens: 300)
        )
    }

    @Test func errorStreamsOverlongLinesCompressedBodiesAndOtherTypesAreNotRead() {
        let error = Self.events([("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)])
        #expect(read(error, contentType: "text/event-stream") == nil)
        let padded =
            #"{"type":"message_start","pad":""# + String(repeating: "a", count: BilledUsageReader.lineLimit)
            + #"","message":{"usage":{"input_tokens":1}}}"#
        #expect(read(Self.events([("message_start", padded)]), contentType: "text/event-stream") == nil)
        let usage = #"{"usage":{"input_tokens":7}}"#
        #expect(read([usage], contentType: "application/json", encoding: "gzip") == nil)
        #expect(read([usage], contentType: "text/plain") == nil)
        #expect(read([usage], contentType: "application/json") == BilledUsage(inputTokens: 7))
    }
}
