import Foundation

extension SavingsRecord {
    /// The `MESSAGE_ID` of every savings record; `systemd/condenser.catalog` explains it.
    package static let journalMessageID = "72619f9b50304bc9a906e530bc4b0f37"

    /// The record as journal fields, in a fixed order: `MESSAGE_ID`, `MESSAGE`, `PRIORITY`,
    /// `SYSLOG_IDENTIFIER`, then `CONDENSER_*`. Every name is `[A-Z0-9_]`; absent optional
    /// values are left out. Holds counts, names and timings, never prompt text.
    package var journalFields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE_ID", Self.journalMessageID),
            ("MESSAGE", journalMessage),
            ("PRIORITY", "6"),
            ("SYSLOG_IDENTIFIER", "condenser"),
            ("CONDENSER_TOKENS_IN", String(tokensIn)),
            ("CONDENSER_TOKENS_OUT", String(tokensOut)),
            ("CONDENSER_TOKENS_SAVED", String(tokensSaved)),
        ]
        // Only estimates say so: an exact record is as it always was.
        if tokenCount == .estimated { fields.append(("CONDENSER_COUNT", tokenCount.rawValue)) }
        if !stages.isEmpty {
            // Names and order, since the per-stage field names are upper-cased.
            fields.append(("CONDENSER_STAGES", stages.map(\.stage).joined(separator: ",")))
            for stage in stages {
                fields.append((Self.journalFieldName(forStage: stage.stage), String(stage.tokensSaved)))
            }
        }
        fields.append(("CONDENSER_MODEL", model))
        if !client.isEmpty { fields.append(("CONDENSER_CLIENT", client)) }
        fields.append(("CONDENSER_ENDPOINT", endpoint))
        fields.append(("CONDENSER_MODE", mode.rawValue))
        if let upstreamStatus { fields.append(("CONDENSER_UPSTREAM_STATUS", String(upstreamStatus))) }
        fields.append(("CONDENSER_COMPRESSION_USEC", String(compressionMicros)))
        if let upstreamFirstByteMicros {
            fields.append(("CONDENSER_UPSTREAM_TTFB_USEC", String(upstreamFirstByteMicros)))
        }
        fields.append(("CONDENSER_REQUEST_ID", requestID))
        fields.append(("CONDENSER_CONVERSATION", conversationFingerprint))
        if let failOpenReason { fields.append(("CONDENSER_FAIL_OPEN_REASON", failOpenReason)) }
        if let billed {
            fields.append(("CONDENSER_BILLED_INPUT_TOKENS", String(billed.inputTokens)))
            if let read = billed.cacheReadTokens { fields.append(("CONDENSER_BILLED_CACHE_READ_TOKENS", String(read))) }
            if let written = billed.cacheWriteTokens { fields.append(("CONDENSER_BILLED_CACHE_WRITE_TOKENS", String(written))) }
        }
        return fields
    }

    /// The field holding one stage's saved tokens: `CONDENSER_SAVED_` and the stage name
    /// upper-cased, with anything outside `[A-Z0-9_]` turned into `_`.
    static func journalFieldName(forStage stage: String) -> String {
        let name = stage.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        }
        return "CONDENSER_SAVED_" + String(name)
    }

    /// One human line: `gpt-4o: 48,210 → 21,904 tokens (−55%) in 1.8 ms`.
    var journalMessage: String {
        let change: String
        if tokensIn == 0 || tokensSaved == 0 {
            change = "0%"
        } else {
            let percent = Int((Double(abs(tokensSaved)) * 100 / Double(tokensIn)).rounded())
            change = (tokensSaved > 0 ? "\u{2212}" : "+") + "\(percent)%"
        }
        let millis = Double(compressionMicros) / 1000
        var line =
            "\(model.isEmpty ? "unknown model" : model): \(Self.grouped(tokensIn)) → \(Self.grouped(tokensOut)) tokens "
            + "(\(change)) in \(String(format: "%.1f", millis)) ms"
        if let failOpenReason { line += ", failed open: \(failOpenReason)" }
        if let billed {
            line += "; billed \(Self.grouped(billed.inputTokens)) input"
            if let read = billed.cacheReadTokens { line += ", \(Self.grouped(read)) cached" }
            if let written = billed.cacheWriteTokens { line += ", \(Self.grouped(written)) written to cache" }
        }
        return line
    }

    /// Reads a record back from a journal entry's fields; nil when the entry is not a
    /// savings record. Per-stage figures come back as saved tokens only
    /// (`tokensBefore` = saved, `tokensAfter` = 0), which is all the record keeps.
    package init?(journalFields fields: [String: String], timestamp: Date) {
        guard fields["MESSAGE_ID"] == Self.journalMessageID,
            let tokensIn = fields["CONDENSER_TOKENS_IN"].flatMap({ Int($0) }),
            let tokensOut = fields["CONDENSER_TOKENS_OUT"].flatMap({ Int($0) })
        else { return nil }
        let stageNames = fields["CONDENSER_STAGES"].map { $0.split(separator: ",").map(String.init) } ?? []
        let stages = stageNames.compactMap { name -> StageSavings? in
            guard let saved = fields[Self.journalFieldName(forStage: name)].flatMap({ Int($0) }) else { return nil }
            return StageSavings(stage: name, tokensBefore: saved, tokensAfter: 0)
        }
        self.init(
            requestID: fields["CONDENSER_REQUEST_ID"] ?? "",
            timestamp: timestamp,
            model: fields["CONDENSER_MODEL"] ?? "",
            client: fields["CONDENSER_CLIENT"] ?? "",
            endpoint: fields["CONDENSER_ENDPOINT"] ?? "",
            mode: fields["CONDENSER_MODE"].flatMap(CompressionMode.init(rawValue:)) ?? .off,
            tokensIn: tokensIn,
            tokensOut: tokensOut,
            stages: stages,
            upstreamStatus: fields["CONDENSER_UPSTREAM_STATUS"].flatMap { Int($0) },
            compressionMicros: fields["CONDENSER_COMPRESSION_USEC"].flatMap { Int($0) } ?? 0,
            upstreamFirstByteMicros: fields["CONDENSER_UPSTREAM_TTFB_USEC"].flatMap { Int($0) },
            conversationFingerprint: fields["CONDENSER_CONVERSATION"] ?? "",
            failOpenReason: fields["CONDENSER_FAIL_OPEN_REASON"],
            billed: fields["CONDENSER_BILLED_INPUT_TOKENS"].flatMap { Int($0) }.map { input in
                BilledUsage(
                    inputTokens: input, cacheReadTokens: fields["CONDENSER_BILLED_CACHE_READ_TOKENS"].flatMap { Int($0) },
                    cacheWriteTokens: fields["CONDENSER_BILLED_CACHE_WRITE_TOKENS"].flatMap { Int($0) })
            }
        )
        tokenCount = fields["CONDENSER_COUNT"].flatMap(TokenCountKind.init(rawValue:)) ?? .exact
    }

    /// The fields as one line for stderr, when no journal is there to take them:
    /// the message, then `NAME=value` pairs, values quoted when they need it.
    package var journalFallbackLine: String {
        let pairs = journalFields.filter { $0.name != "MESSAGE" }.map { "\($0.name)=\(Self.quoted($0.value))" }
        return ([journalMessage.replacingOccurrences(of: "\n", with: " ")] + pairs).joined(separator: " ")
    }

    private static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\" && scalar != "="
            }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// 48210 → "48,210", independent of locale.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
