import NIOCore
import Testing

@testable import CondenserCore
@testable import CondenserServer

struct ResponsesBilledUsageReaderTests {
    func read(_ chunks: [String], contentType: String, encoding: String? = nil) -> BilledUsage? {
        var reader = BilledUsageReader(.openAIResponses, contentType: contentType, contentEncoding: encoding)
        for chunk in chunks { reader.consume(ByteBuffer(string: chunk)) }
        return reader.finish()
    }

    static func chunked(_ text: String, size: Int) -> [String] {
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: size).map { String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self) }
    }

    static func response(output: String, usage: String) -> String {
        #"{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"\#(output)","annotations":[]}]}],"usage":\#(usage),"metadata":{}}"#
    }

    static let usage =
        #"{"input_tokens":5120,"input_tokens_details":{"cached_tokens":4096},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5140}"#

    @Test func aJSONAnswersUsage() {
        let body = Self.response(output: "hi", usage: Self.usage)
        #expect(
            read(Self.chunked(body, size: 50), contentType: "application/json") == BilledUsage(inputTokens: 5_120, cacheReadTokens: 4_096))
        #expect(read([#"{"usage":{"input_tokens":7}}"#], contentType: "application/json") == BilledUsage(inputTokens: 7))
        // A chat-shaped usage is not a Responses one.
        #expect(read([#"{"usage":{"prompt_tokens":7}}"#], contentType: "application/json") == nil)
    }

    @Test func aLargeJSONAnswerIsReadFromItsEnd() {
        let filler = String(repeating: "word \\\"usage\\\": {\\\"input_tokens\\\":1} ", count: 20_000)
        let body = Self.response(output: filler, usage: Self.usage)
        #expect(body.utf8.count > BilledUsageReader.wholeBodyLimit)
        #expect(
            read(Self.chunked(body, size: 4096), contentType: "application/json") == BilledUsage(inputTokens: 5_120, cacheReadTokens: 4_096)
        )
    }

    static func stream(output: String, usage: String, lineEnd: String = "\n") -> String {
        let created =
            #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[],"usage":null}}"#
        let delta =
            #"{"type":"response.output_text.delta","sequence_number":1,"delta":"\"usage\":{\"input_tokens\":3} response.completed"}"#
        let completed = #"{"type":"response.completed","sequence_number":2,"response":\#(response(output: output, usage: usage))}"#
        return [("response.created", created), ("response.output_text.delta", delta), ("response.completed", completed)]
            .map { "event: \($0.0)\(lineEnd)data: \($0.1)\(lineEnd)\(lineEnd)" }.joined()
    }

    @Test func aStreamsCompletedEventSplitAcrossChunks() {
        for lineEnd in ["\n", "\r\n"] {
            let body = Self.stream(output: "Done.", usage: Self.usage, lineEnd: lineEnd)
            for size in [7, 64, 100_000] {
                #expect(
                    read(Self.chunked(body, size: size), contentType: "text/event-stream")
                        == BilledUsage(inputTokens: 5_120, cacheReadTokens: 4_096),
                    "chunks of \(size)")
            }
        }
    }

    @Test func aCompletedEventLongerThanTheLineLimitIsReadFromItsEnd() {
        let output = String(repeating: "a long answer, ", count: 2 * BilledUsageReader.lineLimit / 15)
        let body = Self.stream(output: output, usage: Self.usage)
        #expect(body.utf8.count > 2 * BilledUsageReader.lineLimit)
        #expect(
            read(Self.chunked(body, size: 4096), contentType: "text/event-stream")
                == BilledUsage(inputTokens: 5_120, cacheReadTokens: 4_096))
    }

    @Test func anIncompleteResponseIsBilledToo() {
        let event = #"data: {"type":"response.incomplete","response":{"status":"incomplete","usage":{"input_tokens":900}}}"#
        #expect(read([event], contentType: "text/event-stream") == BilledUsage(inputTokens: 900))
    }

    func sawEnd(_ chunks: [String]) -> Bool {
        var reader = BilledUsageReader(.openAIResponses, contentType: "text/event-stream", contentEncoding: nil)
        for chunk in chunks { reader.consume(ByteBuffer(string: chunk)) }
        _ = reader.finish()
        return reader.sawEndOfResponse
    }

    @Test func aStreamWithoutAnEndingEventIsSeenAsCut() {
        let whole = Self.stream(output: "x", usage: Self.usage)
        let cut = whole.components(separatedBy: "event: response.completed")[0]
        #expect(sawEnd(Self.chunked(whole, size: 10)))
        #expect(!sawEnd(Self.chunked(cut, size: 10)))
        #expect(
            sawEnd([cut + #"data: {"type":"response.failed","response":{"status":"failed","error":{"code":"server_error"}}}"# + "\n\n"]))
        #expect(sawEnd([cut + #"data: {"type":"error","code":"rate_limit_exceeded","message":"slow down"}"# + "\n\n"]))
        let long = String(repeating: "a long answer, ", count: 2 * BilledUsageReader.lineLimit / 15)
        #expect(sawEnd(Self.chunked(Self.stream(output: long, usage: Self.usage), size: 4096)))
    }

    @Test func streamsWithoutAFinalEventAndUnreadableBodiesSayNothing() {
        let cut = Self.stream(output: "x", usage: Self.usage).components(separatedBy: "event: response.completed")[0]
        #expect(read([cut], contentType: "text/event-stream") == nil)
        let body = Self.response(output: "x", usage: Self.usage)
        #expect(read([body], contentType: "application/json", encoding: "gzip") == nil)
        #expect(read([body], contentType: "text/plain") == nil)
    }
}
