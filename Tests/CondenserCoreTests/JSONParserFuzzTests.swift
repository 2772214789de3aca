import Foundation
import Testing

@testable import CondenserCore

/// Seeded, deterministic mutations of valid documents: whatever bytes arrive, the parser
/// returns a value or throws, and a value it returns serialises to text it reads back as
/// the same value.
@Suite struct JSONParserFuzzTests {
    /// Valid documents shaped like what the proxy parses: requests with nested content
    /// parts, escapes, non-ASCII text and numbers written several ways.
    static let seeds: [String] = [
        #"{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"caf\u00e9 \ud83d\ude00 \"quoted\"\n\ttab"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"run","arguments":"{\"cmd\":\"ls -la\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"total 8\ndrwxr-xr-x  2 root root 4096 ."}],"temperature":0.7,"max_tokens":1024,"stream":true}"#,
        #"{"model":"claude-sonnet","system":[{"type":"text","text":"rules","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"日本語のテキスト"}],"metadata":{"user_id":"u-1"},"max_tokens":4096}"#,
        #"[1, -0, 0.5, -12.25e+3, 1E-9, 12345678901234567890, true, false, null, "", "\\/\b\f\r", [], {}, [[[{"a":[{"b":{}}]}]]]]"#,
        #"{"a":{"b":{"c":{"d":[1,[2,[3,[4,{"e":"f"}]]]]}}},"g":" \u0000 \u001f ","h":[{"":""},{"k":-1.5E10}]}"#,
        "  \"just a string with \\u20ac\"  ",
    ]

    /// Bytes a mutation inserts: the ones that change a document's structure most.
    static let structural: [UInt8] = Array(#"{}[]:,"\ -+.eE0x1tfn"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF]

    /// `bytes` inside `depth` arrays or objects, closed or not.
    static func nest(_ bytes: [UInt8], depth: Int, _ random: inout SeededRandom) -> [UInt8] {
        let arrays = Bool.random(using: &random)
        let opening: [UInt8] = arrays ? Array("[".utf8) : Array(#"{"k":"#.utf8)
        let closing = arrays ? UInt8(ascii: "]") : UInt8(ascii: "}")
        let closed = Bool.random(using: &random)
        return Array(Array(repeating: opening, count: depth).joined()) + bytes + (closed ? Array(repeating: closing, count: depth) : [])
    }

    /// One to three random edits.
    static func mutate(_ document: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = document
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[position] = structural.randomElement(using: &random)!
            case 2:
                bytes.insert(structural.randomElement(using: &random)!, at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &random))
                bytes.removeSubrange(position..<end)
            case 4:
                bytes.removeSubrange(position..<bytes.count)
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
            default:
                bytes = nest(bytes, depth: Int.random(in: 1...8, using: &random), &random)
            }
        }
        return bytes
    }

    /// Parses `count` mutations of the seeds, each first nested as deep as `nesting` says;
    /// returns how many were accepted and refused.
    static func fuzz(count: Int, seed: UInt64, nesting: ClosedRange<Int> = 0...0) -> (accepted: Int, refused: Int) {
        var random = SeededRandom(seed: seed)
        let documents = seeds.map { Array($0.utf8) }
        var accepted = 0
        var refused = 0
        for _ in 0..<count {
            let nested = nest(documents.randomElement(using: &random)!, depth: Int.random(in: nesting, using: &random), &random)
            let mutated = mutate(nested, &random)
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: mutated)
            } catch {
                refused += 1
                if !(0...mutated.count).contains(error.offset) || error.line < 1 || error.column < 1 {
                    Issue.record("\(error) placed outside the \(mutated.count) bytes of \(mutated)")
                }
                continue
            }
            accepted += 1
            // Plain comparisons, recording only failures: thousands of #expect would dominate a debug run.
            let text = value.serializedBytes()
            do {
                let again = try JSONParser.parse(bytes: text)
                if again != value || again.serializedBytes() != text {
                    Issue.record("accepted \(mutated), but its serialisation reads back differently")
                }
            } catch {
                Issue.record("accepted \(mutated), but its serialisation does not parse: \(error)")
            }
        }
        return (accepted, refused)
    }

    @Test func theSeedsAreValid() {
        for seed in Self.seeds {
            #expect(throws: Never.self) { try JSONParser.parse(seed) }
        }
    }

    @Test func mutatedDocumentsAreAcceptedWholeOrRefusedWithAnError() {
        let (accepted, refused) = Self.fuzz(count: 5_000, seed: 0x4A53_4F4E)
        // Both outcomes are exercised, or the run proves little.
        #expect(accepted > 300)
        #expect(refused > 3_000)
    }

    /// Fewer runs: under Swift Testing every rethrow on the way out of a deep refusal records
    /// a backtrace, which makes each one slow in a test (not in the daemon).
    @Test func mutatedDocumentsNestedAroundTheDepthLimit() {
        let limit = JSONParser.maximumDepth
        let (accepted, refused) = Self.fuzz(count: 100, seed: 0x4445_4550, nesting: (limit - 40)...(limit + 2))
        #expect(accepted >= 1)
        #expect(refused >= 50)
    }

    @Test func nestingIsAcceptedUpToTheLimitAndRefusedPastIt() throws {
        let limit = JSONParser.maximumDepth
        func arrays(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        func objects(_ depth: Int) -> String { String(repeating: #"{"k":"#, count: depth) + "1" + String(repeating: "}", count: depth) }

        let deepest = try JSONParser.parse(arrays(limit))
        #expect(deepest.serialized() == arrays(limit))
        #expect(try JSONParser.parse(objects(limit)).serialized() == objects(limit))
        for text in [arrays(limit + 1), objects(limit + 1)] {
            #expect { try JSONParser.parse(text) } throws: { error in
                (error as? JSONParseError)?.reason == "nesting too deep"
            }
        }
    }

    /// Far past the limit the parser stops at the limit: it never recurses as deep as the input.
    @Test(arguments: [
        String(repeating: "[", count: 100_000),
        String(repeating: #"{"a":"#, count: 100_000),
        String(repeating: #"[{"a":"#, count: 50_000),
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
    ])
    func refusesHundredsOfThousandsOfLevelsWithAnError(_ text: String) {
        #expect { try JSONParser.parse(text) } throws: { error in
            (error as? JSONParseError)?.reason == "nesting too deep"
        }
    }
}
