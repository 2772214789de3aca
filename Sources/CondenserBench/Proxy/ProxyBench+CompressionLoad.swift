import AsyncHTTPClient
import CondenserCore
import Foundation
import NIOCore
import Synchronization

/// Stream first bytes while cold compressions run: whether a big compression holds
/// threads the other requests' relays need.
extension ProxyBench {
    /// Concurrent cold requests of the load.
    static let loadRequests = 4
    /// Tokens of each cold request.
    static let loadTokens = 100_000

    /// Samples the first byte of small streaming requests through `proxied` (a proxy that
    /// compresses), first with nothing else going on, then while `loadRequests` clients
    /// each send one cold, compressible request of `loadTokens` tokens after another.
    func streamFirstByteUnderCompressionLoad(client: HTTPClient, proxied: String) async throws -> [(String, String, String, String)] {
        let stream = ByteBuffer(bytes: Self.chatBody(tokens: 100, stream: true))
        let template = ColdAgentRequest(tokens: Self.loadTokens)
        progress(
            "Measuring stream first bytes with no load, then under \(Self.loadRequests) cold \(Self.loadTokens / 1000)k-token "
                + "compressions at once (\(template.bytes.count / 1024) KiB each, \(loadSeconds) s)...")
        for _ in 0..<10 {
            _ = try await firstByte(client: client, url: proxied, body: stream)
        }
        var idle: [Duration] = []
        for _ in 0..<iterations {
            idle.append(try await firstByte(client: client, url: proxied, body: stream))
            try await Task.sleep(for: Self.sampleGap)
        }

        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(loadSeconds * 1000))
        let tally = LoadTally()
        let loaded = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for loader in 0..<Self.loadRequests {
                group.addTask {
                    var round = 0
                    while clock.now < end {
                        let body = ByteBuffer(bytes: template.body(nonce: loader * 1_000_000 + round))
                        round += 1
                        var request = HTTPClientRequest(url: proxied)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(body)
                        let response = try await client.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 64 << 20)
                        let compressed = response.headers.contains(name: "X-Condenser-Tokens-Saved")
                        tally.sent.add(1, ordering: .relaxed)
                        if compressed { tally.compressed.add(1, ordering: .relaxed) }
                    }
                    return []
                }
            }
            group.addTask {
                // Let the load start before sampling.
                try await Task.sleep(for: .milliseconds(20))
                var samples: [Duration] = []
                while clock.now < end {
                    samples.append(try await firstByte(client: client, url: proxied, body: stream))
                    try await Task.sleep(for: Self.sampleGap)
                }
                return samples
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let (sent, compressed) = (tally.sent.load(ordering: .relaxed), tally.compressed.load(ordering: .relaxed))
        let added = percentile(loaded, 0.99) - percentile(idle, 0.99)
        return [
            (
                "stream first byte, no compression load", "p50 \(ms(percentile(idle, 0.5))), p99 \(ms(percentile(idle, 0.99)))",
                "(\(idle.count) streams)", ""
            ),
            (
                "stream first byte, \(Self.loadRequests) cold \(Self.loadTokens / 1000)k compressions at once",
                "p50 \(ms(percentile(loaded, 0.5))), p99 \(ms(percentile(loaded, 0.99)))",
                "(\(loaded.count) streams; \(sent) cold requests, \(compressed) compressed, \(sent - compressed) forwarded as sent)", ""
            ),
            (
                "stream first byte added by the compression load", "p99 \(ms(added))", "",
                "p99 <= 5 ms: \(added <= .milliseconds(5) ? "met" : "missed")"
            ),
        ]
    }

    /// Between two samples, so they spread over the load instead of queueing back to back.
    static let sampleGap = Duration.milliseconds(2)

    /// A stream's first byte; a cold compression ahead of it may take a while.
    private func firstByte(client: HTTPClient, url: String, body: ByteBuffer) async throws -> Duration {
        try await time(client: client, url: url, body: body, firstByte: true, timeout: .seconds(60))
    }
}

private final class LoadTally: Sendable {
    let sent = Atomic<Int>(0)
    let compressed = Atomic<Int>(0)
}

/// An agent conversation of about `tokens` tokens: a task, then tool calls whose output
/// is the kind the stages work on (logs with repeated lines, test runs, JSON, source).
/// Every request made from it is cold: a nonce in each output line makes every block new
/// to the memo and the count caches, and the first user message new to the conversation
/// index.
struct ColdAgentRequest: Sendable {
    let bytes: [UInt8]
    /// Where the nonce placeholder sits in `bytes`.
    let slots: [Int]
    static let placeholder = Array("@@nonce@@".utf8)

    init(tokens: Int) {
        let nonce = String(decoding: Self.placeholder, as: UTF8.self)
        var messages: [JSONValue] = [
            .object([
                "role": .string("system"), "content": .string("You are a coding agent. Use the tools to inspect and fix the repository."),
            ]),
            .object(["role": .string("user"), "content": .string("Task \(nonce): the nightly build fails; find out why and fix it.")]),
        ]
        var total = 0
        var call = 0
        while total < tokens * 4 {
            let output: String
            switch call % 4 {
            case 0:
                output = (0..<120).map { line in
                    "2026-11-21T10:\(String(format: "%02d", line % 60)):\(String(format: "%02d", (line * 7) % 60))Z INFO worker[\(line % 5)] "
                        + "job \(nonce)-\(line) processed batch \(line % 9) in \(line % 13) ms"
                        + (line % 10 == 9 ? "\nWARN retrying upload \(nonce) after timeout" : "")
                }.joined(separator: "\n")
            case 1:
                output =
                    (0..<90).map { line in
                        "test_module_\(line / 10).TestCase\(line % 10)::test_case_\(line)_\(nonce) PASSED [\(line)%]"
                    }.joined(separator: "\n")
                    + "\nFAILED test_build.py::test_link_\(nonce) - linker error: undefined symbol\n1 failed, 89 passed in 12.3s"
            case 2:
                let items = (0..<40).map { item in
                    #"{"id": "\#(nonce)-\#(item)", "name": "package-\#(item)", "version": "1.\#(item).0", "dependencies": ["core", "net"], "size": \#(item * 1024)}"#
                }
                output = "[\n  " + items.joined(separator: ",\n  ") + "\n]"
            default:
                output = (0..<100).map { line in
                    "    func step\(line)_\(nonce)(_ input: Int) -> Int {\n        return input * \(line) + \(line % 7)\n    }"
                }.joined(separator: "\n")
            }
            messages.append(
                .object([
                    "role": .string("assistant"), "content": .null,
                    "tool_calls": .array([
                        .object([
                            "id": .string("call_\(call)"), "type": .string("function"),
                            "function": .object(["name": .string("run"), "arguments": .string(#"{"command":"step \#(call)"}"#)]),
                        ])
                    ]),
                ]))
            messages.append(.object(["role": .string("tool"), "tool_call_id": .string("call_\(call)"), "content": .string(output)]))
            total += output.utf8.count
            call += 1
        }
        messages.append(.object(["role": .string("user"), "content": .string("What broke the build?")]))
        let body: JSONObject = ["model": .string("gpt-4o"), "stream": .bool(false), "messages": .array(messages)]
        bytes = JSONValue.object(body).serializedBytes()
        var slots: [Int] = []
        var index = 0
        while index + Self.placeholder.count <= bytes.count {
            if bytes[index] == Self.placeholder[0], bytes[index..<index + Self.placeholder.count].elementsEqual(Self.placeholder) {
                slots.append(index)
                index += Self.placeholder.count
            } else {
                index += 1
            }
        }
        self.slots = slots
    }

    /// The request with `nonce` in every placeholder.
    func body(nonce: Int) -> [UInt8] {
        let text = Array(String(nonce, radix: 36).utf8)
        let stamp = [UInt8](repeating: UInt8(ascii: "0"), count: Self.placeholder.count - text.count) + text
        var copy = bytes
        for slot in slots {
            copy.replaceSubrange(slot..<slot + stamp.count, with: stamp)
        }
        return copy
    }
}
