import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// The upstream's billed usage, read from the relayed body into the savings record.
@Suite struct BilledUsageTests {
    static let chat = #"{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}"#
    static let streamingChat = #"{"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"hi"}]}"#

    @Test func aJSONResponsesUsageIsRecordedAndTheBodyRelayedAsSent() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(recorders: [recorder]) { proxy in
            let answer = try await proxy.send(body: Self.chat.bytes, headers: [("X-Test-Behavior", "usage-json")])
            #expect(answer.status == 200)
            #expect(answer.body.text == TestUpstream.usageCompletion)
            let record = try #require(await recorder.waitForRecords(1).first)
            #expect(record.billed == BilledUsage(inputTokens: 1_203, cacheReadTokens: 1_024, cacheWriteTokens: nil))
            #expect(record.upstreamStatus == 200)
        }
    }

    @Test func aStreamsFinalUsageIsRecordedAndEveryByteRelayedAsSent() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(recorders: [recorder]) { proxy in
            let answer = try await proxy.send(body: Self.streamingChat.bytes, headers: [("X-Test-Behavior", "usage-sse")])
            #expect(answer.status == 200)
            #expect(answer.body.text == TestUpstream.usageStream.joined())
            let record = try #require(await recorder.waitForRecords(1).first)
            #expect(record.billed == BilledUsage(inputTokens: 2_048, cacheReadTokens: 1_920, cacheWriteTokens: 64))
        }
    }

    @Test func aResponseWithoutUsageRecordsNoBilledFigures() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(recorders: [recorder]) { proxy in
            _ = try await proxy.send(body: Self.streamingChat.bytes, headers: [("X-Test-Behavior", "sse:3:1")])
            _ = try await proxy.send(body: Self.chat.bytes)
            let records = await recorder.waitForRecords(2)
            #expect(records.count == 2)
            #expect(records.allSatisfy { $0.billed == nil })
        }
    }

    @Test func aStreamCutByTheClientIsStillRecorded() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(recorders: [recorder]) { proxy in
            let (firstChunk, gotFirst) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                var request = HTTPClientRequest(url: proxy.base + "/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "X-Test-Behavior", value: "sse:200:50")
                request.body = .bytes(ByteBuffer(string: Self.streamingChat))
                let response = try await proxy.client.execute(request, timeout: .seconds(60))
                for try await _ in response.body {
                    gotFirst.yield()
                }
            }
            for await _ in firstChunk { break }
            #expect(recorder.records.isEmpty, "the record waits for the body's end")
            reader.cancel()
            #expect(await proxy.upstream.waitFor("stream-aborted", timeout: .seconds(5)))
            let records = await recorder.waitForRecords(1)
            #expect(records.count == 1)
            #expect(records.first?.upstreamStatus == 200)
            #expect(records.first?.billed == nil)
        }
    }
}

@Suite struct BilledUsageReaderTests {
    func read(_ chunks: [String], contentType: String, encoding: String? = nil) -> BilledUsage? {
        var reader = BilledUsageReader(.openAIChat, contentType: contentType, contentEncoding: encoding)
        for chunk in chunks { reader.consume(ByteBuffer(string: chunk)) }
        return reader.finish()
    }

    @Test func jsonUsageWithCachedTokens() {
        let body =
            #"{"id":"x","choices":[],"usage":{"prompt_tokens":500,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":384}}}"#
        let halves = [String(body.prefix(40)), String(body.dropFirst(40))]
        #expect(read(halves, contentType: "application/json; charset=utf-8") == BilledUsage(inputTokens: 500, cacheReadTokens: 384))
        #expect(read([#"{"usage":{"prompt_tokens":7}}"#], contentType: "application/json") == BilledUsage(inputTokens: 7))
    }

    @Test func aLargeJSONBodyIsReadFromItsEnd() {
        let filler = String(repeating: "word \\\"usage\\\": {} ", count: 40_000)
        let body =
            #"{"choices":[{"message":{"content":"\#(filler)"}}],"usage":{"prompt_tokens":90000,"prompt_tokens_details":{"cached_tokens":0,"note":"}{"}}}"#
        #expect(body.utf8.count > BilledUsageReader.wholeBodyLimit)
        let chunks = stride(from: 0, to: body.utf8.count, by: 4096).map { start in
            String(decoding: Array(body.utf8)[start..<min(start + 4096, body.utf8.count)], as: UTF8.self)
        }
        #expect(read(chunks, contentType: "application/json") == BilledUsage(inputTokens: 90_000, cacheReadTokens: 0))
    }

    @Test func aStreamsUsageEventSplitAcrossChunksWithCRLF() {
        let chunks = [
            "data: {\"choices\":[{\"delta\":{\"content\":\"usage\"}}],\"usage\":null}\r\n\r\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_to", "kens\":42,\"prompt_tokens_details\":{\"cached_tokens\":40}}}\r\n\r\n",
            "data: [DONE]\r\n\r\n",
        ]
        #expect(read(chunks, contentType: "text/event-stream") == BilledUsage(inputTokens: 42, cacheReadTokens: 40))
    }

    @Test func overlongLinesCompressedBodiesAndOtherTypesAreNotRead() {
        let long =
            "data: {\"x\":\"" + String(repeating: "a", count: BilledUsageReader.lineLimit) + "\",\"usage\":{\"prompt_tokens\":1}}\n\n"
        #expect(read([long], contentType: "text/event-stream") == nil)
        let usage = #"{"usage":{"prompt_tokens":7}}"#
        #expect(read([usage], contentType: "application/json", encoding: "gzip") == nil)
        #expect(read([usage], contentType: "text/plain") == nil)
        #expect(read([#"{"usage":{"completion_tokens":7}}"#], contentType: "application/json") == nil)
    }
}
