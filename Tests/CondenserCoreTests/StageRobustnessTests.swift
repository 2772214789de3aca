import Testing

@testable import CondenserCore

/// Random texts made of the pieces stages look for (markup, escapes, fences, gutters,
/// tracebacks, JSON, markers) in random order: every stage must return without trapping,
/// give the same output twice, and the pipeline must keep every promise. A trap here
/// would take the daemon down with every request in flight.
@Suite struct StageRobustnessTests {
    static let pieces = [
        "\r", "\u{1B}[", "\u{1B}[31m", "\u{1B}]0;t\u{07}", "```", "```python\n", "\n\n\n\n", "\t", "<", "</", "<!--", "<script>", "<p>",
        "</p>",
        "&amp;", "&#x", "<br>", "<pre>", "</pre>", "<ul><li>", "</li>", "</ul>", "<td>", "</td>", "<table>", "</table>", "<h1>", "</h1>",
        "<div role=\"main\">", "</div>", "<nav>", "</nav>", "<html><body>", "{", "}", "[", "]", "\"", "\\", "\u{301}", "👍🏽", "\r\n", "\u{0}",
        String(repeating: "a", count: 300), "  12\t", "    12→", "[... 3 lines omitted]",
        "[next 3 lines each start with \"x \"; shown without it]",
        "Traceback (most recent call last):\n", "  File \"x.py\", line 3, in f\n", "ValueError: x\n", "ERROR ", "FATAL ", "ok\n",
        "test_x (a.B.test_x) ... ok\n", "diff --git a/x b/x\n", "@@ -1,2 +1,2 @@\n", "+x\n", "-y\n", "def f(x):\n", "class A:\n",
        "    \"\"\"doc\"\"\"\n", "{\"exit_code\": 0, \"output\": \"", "\\n", "\\u001b[", " ", "\n", "- ", "1. ", "# ", "## Heading\n",
        "DSP-1033",
        "x@y.z", "/a/b/c.py:12:", "\u{2028}", "\u{FEFF}", "   ", "\n ", "\n\t", ". ", "[1,2", "{\"a\":", "null", "Ran 12 tests in 0.1s\n",
        "FAILED (failures=1)\n", "srv sshd[4670]: Failed password for root from 10.0.0.1 port 22\n", "Downloading 45%\r",
        "Downloading 100%\n",
    ]

    static func randomText(_ rng: inout SeededRandom) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            let piece = pieces.randomElement(using: &rng)!
            text += Int.random(in: 0..<4, using: &rng) == 0 ? String(repeating: piece, count: Int.random(in: 2...12, using: &rng)) : piece
        }
        return text
    }

    @Test func stagesNeverTrapAndAreDeterministicOnRandomText() {
        var rng = SeededRandom(seed: 7)
        let stages = CompressionPipeline.standardStages() + [OldTurnSummarizer()]
        let roles: [BlockRole] = [.toolResult, .assistant, .user, .system]
        var changed = 0
        for _ in 0..<3000 {
            let text = Self.randomText(&rng)
            let context = BlockContext(
                role: roles.randomElement(using: &rng)!, toolName: "run_command", toolArguments: #"{"command": "make"}"#,
                mode: Bool.random(using: &rng) ? .safe : .aggressive)
            var current = text
            for stage in stages {
                let output = stage.apply(current, context: context)
                #expect(stage.apply(current, context: context) == output, "\(stage.name) is not deterministic")
                current = output
            }
            if current != text { changed += 1 }
        }
        // The texts reach the stages' work, not only their early exits.
        #expect(changed > 300)
    }

    @Test func thePipelineKeepsEveryPromiseOnRandomConversations() throws {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<60 {
            var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string("Be brief.")])]
            for turn in 0..<Int.random(in: 2...12, using: &rng) {
                let id = "call_\(turn)"
                messages.append(.object(["role": .string("user"), "content": .string(Self.randomText(&rng) + " question \(turn)?")]))
                messages.append(
                    .object([
                        "role": .string("assistant"), "content": .null,
                        "tool_calls": .array([
                            .object([
                                "id": .string(id), "type": .string("function"),
                                "function": .object(["name": .string("run_command"), "arguments": .string(#"{"command":"make"}"#)]),
                            ])
                        ]),
                    ]))
                let output = (0..<Int.random(in: 1...6, using: &rng)).map { _ in Self.randomText(&rng) }.joined(separator: "\n")
                messages.append(.object(["role": .string("tool"), "tool_call_id": .string(id), "content": .string(output)]))
                messages.append(.object(["role": .string("assistant"), "content": .string(Self.randomText(&rng) + " Done.")]))
            }
            messages.append(.object(["role": .string("user"), "content": .string("And now?")]))
            let request = try ChatRequest.validate(.object(["model": .string("gpt-4o"), "messages": .array(messages)]))
            for mode in [CompressionMode.safe, .aggressive] {
                let pipeline = makePipeline(stages: CompressionPipeline.standardStages(), summarizer: OldTurnSummarizer()) {
                    $0.minimumTokens = 0
                }
                let outcome = pipeline.compress(request, mode: mode)
                #expect(outcome.failOpenReason == nil)
                #expect(RequestInvariants.violations(original: request, compressed: outcome.chatRequest, systemVerbatim: true).isEmpty)
                #expect(RequestInvariants.pairingProblems(outcome.chatRequest).isEmpty)
            }
        }
    }
}
