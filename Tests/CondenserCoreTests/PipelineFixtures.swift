import Foundation

@testable import CondenserCore

// Stand-ins for the pipeline's counter and stages, and a synthetic agent session, which
// the pipeline tests build on. CondenserBenchTests compiles this same file (a symlink to
// it), since one test target cannot import another.

/// A stand-in token counter: one token per four bytes, rounded up.
struct QuarterByteCounter: TokenCounter {
    func count(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
}

/// Collapses runs of spaces in tool results (a stand-in for the whitespace stage).
struct SpaceSqueezer: TextStage {
    let name = "squeeze"
    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return text }
        var out = ""
        var previous: Character = "x"
        for character in text where !(character == " " && previous == " ") {
            out.append(character)
            previous = character
        }
        return out
    }
}

/// Keeps the first and last line (a stand-in for the old-turn summarizer).
struct FirstAndLastLine: TextStage {
    let name = "summary"
    func apply(_ text: String, context: BlockContext) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 4 else { return text }
        return "\(lines[0])\n\(Marker.omittedLines(lines.count - 2))\n\(lines[lines.count - 1])"
    }
}

/// Takes its time, to overrun a budget.
struct SlowStage: TextStage {
    let name = "slow"
    func apply(_ text: String, context: BlockContext) -> String {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: .milliseconds(3))
        while clock.now < end {}
        return text
    }
}

func testCounter() -> RequestTokenCounter {
    let counter = QuarterByteCounter()
    @Sendable func count(_ value: JSONValue) -> Int {
        let texts: [String]
        switch ChatMessage(object: value.objectValue ?? [:]).content {
        case .text(let text): texts = [text]
        case .parts(let parts): texts = parts.compactMap { $0.objectValue?["text"]?.stringValue }
        default: texts = []
        }
        return 3 + texts.reduce(0) { $0 + counter.count($1) }
    }
    return RequestTokenCounter(
        name: "test", text: counter, overhead: { _ in 3 }, message: count)
}

extension RequestTokenCounter {
    /// One OpenAI chat message's count.
    func message(_ message: ChatMessage) -> Int { self.message(.object(message.object)) }

    /// The tokens of a whole request, as the pipeline adds them up.
    func request(_ request: FrontRequest) -> Int {
        request.messageValues.reduce(overhead(of: request)) { $0 + message($1, of: request.profile) }
    }

    /// The tokens of a whole OpenAI chat request.
    func request(_ chat: ChatRequest) -> Int {
        request(OpenAIChatFront.request(chat))
    }
}

func makePipeline(
    stages: [any TextStage] = [AnsiEscapeStripper(), SpaceSqueezer()], summarizer: (any TextStage)? = nil,
    configure: (inout PipelineSettings) -> Void = { _ in }
) -> CompressionPipeline {
    var settings = PipelineSettings()
    settings.minimumTokens = 100
    settings.dedupeMinimumCharacters = 80
    settings.summaries = .always
    settings.summaryStepTokens = 1000
    settings.recentTurns = 4
    settings.summaryPayoff = 0
    settings.timeBudgetMilliseconds = 10_000
    configure(&settings)
    return CompressionPipeline(settings: settings, stages: stages, summarizer: summarizer) { _ in testCounter() }
}

/// An agent session: tool rounds reading a few files (again, and after edits), with
/// coloured, space-padded output, and a new user task every 7 rounds.
func syntheticSession(rounds: Int) -> ChatRequest {
    func file(_ number: Int, edit: Int) -> String {
        (1...40).map { line in "    def f\(number)_\(line)(x):   return x * \(line)\(line == 20 && edit > 0 ? " + \(edit)" : "")" }
            .joined(separator: "\n")
    }
    var messages: [JSONValue] = [
        .object(["role": .string("system"), "content": .string(String(repeating: "You are a careful agent.  ", count: 20))]),
        .object(["role": .string("user"), "content": .string("Fix the bug in module 1, please.")]),
    ]
    for round in 0..<rounds {
        let id = "call_\(round)"
        let path = "src/f\(round % 4).py"
        let isRead = round % 3 != 2
        let arguments = isRead ? #"{"path":"\#(path)"}"# : #"{"command":"make test"}"#
        messages.append(
            .object([
                "role": .string("assistant"), "content": round % 2 == 0 ? .null : .string("Looking at step \(round)."),
                "tool_calls": .array([
                    .object([
                        "id": .string(id), "type": .string("function"),
                        "function": .object(["name": .string(isRead ? "read_file" : "run_command"), "arguments": .string(arguments)]),
                    ])
                ]),
            ]))
        let content =
            isRead
            ? file(round % 4, edit: round / 8)
            : "\u{1B}[32mPASS\u{1B}[0m   test_\(round)    ok\n"
                + String(repeating: "\u{1B}[33mwarning:\u{1B}[0m   deprecated   call\n", count: 6)
        messages.append(.object(["role": .string("tool"), "tool_call_id": .string(id), "content": .string(content)]))
        if round % 7 == 6 {
            messages.append(.object(["role": .string("assistant"), "content": .string("Done with part \(round / 7).")]))
            messages.append(.object(["role": .string("user"), "content": .string("Now   part \(round / 7 + 2),  please.")]))
        }
    }
    return try! ChatRequest.validate(.object(["model": .string("gpt-4o"), "messages": .array(messages), "tools": .array([])]))
}

/// The requests an agent sends as the session grows (where the assistant responds next).
/// The prefixes ending at each user message and after each complete set of tool results,
/// then the whole request.
func growingPrefixes(_ request: ChatRequest) -> [ChatRequest] {
    let messages = request.messages
    var requests: [ChatRequest] = []
    for index in messages.indices {
        let role = messages[index].role
        let next = index + 1 < messages.count ? messages[index + 1].role : nil
        guard role == "user" || (role == "tool" && next != "tool") else { continue }
        requests.append(ChatRequest(body: request.body, messages: Array(messages[...index])))
    }
    if requests.last?.messages.count != messages.count { requests.append(request) }
    return requests
}
