/// What `condenser compress` prints and `POST /v1/condenser/compress` returns: the
/// compressed request and a per-stage savings table, with no upstream involved.
package enum CompressionReport {
    /// The outcome as JSON: `request` (the body to forward), `changed`, `tokens_in`,
    /// `tokens_out`, `tokens_saved`, `stages` (each with `stage`, `tokens_before`,
    /// `tokens_after`, `tokens_saved`), `fail_open_reason` and `elapsed_ms`.
    static func json(_ outcome: CompressionOutcome) -> JSONValue {
        var object: JSONObject = [
            "request": outcome.body,
            "changed": .bool(outcome.changed),
            "tokens_in": .int(outcome.tokensIn),
            "tokens_out": .int(outcome.tokensOut),
            "tokens_saved": .int(outcome.tokensSaved),
            "stages": .array(
                outcome.stages.map { stage in
                    .object([
                        "stage": .string(stage.stage), "tokens_before": .int(stage.tokensBefore),
                        "tokens_after": .int(stage.tokensAfter), "tokens_saved": .int(stage.tokensSaved),
                    ])
                }),
        ]
        object["fail_open_reason"] = outcome.failOpenReason.map { .string($0) } ?? .null
        object["elapsed_ms"] = .number(fixed(milliseconds(outcome.elapsed), 3))
        return .object(object)
    }

    /// The per-stage savings table, with a total line.
    package static func stageTable(_ outcome: CompressionOutcome) -> String {
        var rows: [[String]] = [["stage", "before", "after", "saved"]]
        for stage in outcome.stages {
            rows.append([stage.stage, "\(stage.tokensBefore)", "\(stage.tokensAfter)", "\(stage.tokensSaved)"])
        }
        rows.append(["request", "\(outcome.tokensIn)", "\(outcome.tokensOut)", "\(outcome.tokensSaved)"])
        var out = TextTable.render(rows, rightAligned: [1, 2, 3])
        let share = outcome.tokensIn > 0 ? Double(outcome.tokensSaved) / Double(outcome.tokensIn) : 0
        out += "saved \(percent(share)) in \(fixed(milliseconds(outcome.elapsed), 2)) ms"
        if let reason = outcome.failOpenReason { out += "; forwarded unchanged: \(reason)" }
        return out + "\n"
    }

    /// A unified diff of the messages' texts, message by message, with headers naming
    /// each changed message (`--- message 12 (tool, read_file)`).
    package static func diff(original: ChatRequest, compressed: ChatRequest) -> String {
        let conversation = Conversation(openAIChat: original)
        var out = ""
        for (index, (before, after)) in zip(original.messages, compressed.messages).enumerated() where before != after {
            let old = (before.content.text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            let new = (after.content.text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            var label = before.role
            if let tool = conversation.messages[index].textBlocks.first?.toolName { label += ", " + tool }
            out += "--- message \(index + 1) (\(label))\n+++ message \(index + 1) compressed\n"
            if let runs = LineDiff.diff(old, new, maxEdits: old.count + new.count) {
                out += LineDiff.unifiedHunks(old: old, new: new, runs: runs, context: 3)
            }
        }
        return out
    }
}
