import Foundation

/// Totals of savings records, grouped by day, model, client or conversation, for
/// `condenser report`. Every figure is a plain sum of the records it covers.
///
/// Token counts of fronts without a public tokenizer (Anthropic) are estimates: their
/// records get rows and a total of their own, marked estimated, and never add into the
/// exact ones.
package struct SavingsReport: Sendable, Encodable {
    /// What the rows of a report are keyed by.
    package enum Grouping: String, Sendable, CaseIterable, Encodable {
        case day, model, client, conversation
    }

    /// The sums over one group of records.
    struct Row: Sendable, Equatable, Encodable {
        var key: String
        /// Whether the row's token counts are exact or estimated (never both).
        var count: TokenCountKind = .exact
        var requests = 0
        var tokensIn = 0
        var tokensOut = 0
        var failOpens = 0
        /// Requests whose response said what the upstream billed, and the sums of what
        /// it said (`BilledUsage`).
        var billedRequests = 0
        var billedInputTokens = 0
        var billedCacheReadTokens = 0
        var billedCacheWriteTokens = 0
        /// The billed input of the requests that counted cache reads: what the cache-read
        /// share is a share of.
        var cacheReadReportedInputTokens = 0
        /// Requests that counted cache writes (OpenAI never does).
        var cacheWriteReports = 0

        init(key: String, count: TokenCountKind = .exact) {
            self.key = key
            self.count = count
        }

        /// The key as a table shows it: estimated rows say so.
        var label: String { count == .estimated ? key + " (estimated)" : key }

        var tokensSaved: Int { tokensIn - tokensOut }

        /// Saved tokens as a percentage of tokens in, 0 when nothing came in.
        var savedPercent: Double {
            tokensIn == 0 ? 0 : Double(tokensSaved) * 100 / Double(tokensIn)
        }

        /// The share of billed input the provider read from its prompt cache, in percent,
        /// over the requests that counted cache reads; nil when none did.
        var cacheReadPercent: Double? {
            cacheReadReportedInputTokens == 0 ? nil : Double(billedCacheReadTokens) * 100 / Double(cacheReadReportedInputTokens)
        }

        mutating func add(_ record: SavingsRecord) {
            requests += 1
            tokensIn += record.tokensIn
            tokensOut += record.tokensOut
            if record.failOpenReason != nil { failOpens += 1 }
            if let billed = record.billed {
                billedRequests += 1
                billedInputTokens += billed.inputTokens
                if let read = billed.cacheReadTokens {
                    billedCacheReadTokens += read
                    cacheReadReportedInputTokens += billed.inputTokens
                }
                if let written = billed.cacheWriteTokens {
                    billedCacheWriteTokens += written
                    cacheWriteReports += 1
                }
            }
        }

        private enum CodingKeys: String, CodingKey {
            case key, count, requests, tokensIn, tokensOut, tokensSaved, savedPercent, failOpens
            case billedRequests, billedInputTokens, billedCacheReadTokens, billedCacheWriteTokens, cacheReadPercent
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(count, forKey: .count)
            try container.encode(requests, forKey: .requests)
            try container.encode(tokensIn, forKey: .tokensIn)
            try container.encode(tokensOut, forKey: .tokensOut)
            try container.encode(tokensSaved, forKey: .tokensSaved)
            try container.encode((savedPercent * 10).rounded() / 10, forKey: .savedPercent)
            try container.encode(failOpens, forKey: .failOpens)
            try container.encode(billedRequests, forKey: .billedRequests)
            try container.encode(billedInputTokens, forKey: .billedInputTokens)
            try container.encode(billedCacheReadTokens, forKey: .billedCacheReadTokens)
            try container.encode(billedCacheWriteTokens, forKey: .billedCacheWriteTokens)
            try container.encodeIfPresent(cacheReadPercent.map { ($0 * 10).rounded() / 10 }, forKey: .cacheReadPercent)
        }
    }

    var grouping: Grouping
    var since: Date?
    var until: Date?
    /// All records with exact counts together.
    var total: Row
    /// All records with estimated counts together; nil when there are none.
    var estimatedTotal: Row?
    /// One row per group: days oldest first, otherwise most tokens saved first.
    var rows: [Row]
    /// One row per day, oldest first, whatever the grouping: the bar chart's data.
    var days: [Row]
    /// Tokens saved per pipeline stage, over all records.
    package var stages: [String: Int]

    /// Sums `records`; days are calendar days in `timeZone`.
    package init(
        records: [SavingsRecord], by grouping: Grouping, since: Date? = nil, until: Date? = nil,
        timeZone: TimeZone = .current
    ) {
        self.grouping = grouping
        self.since = since
        self.until = until
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func dayKey(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        }
        func key(_ record: SavingsRecord) -> String {
            switch grouping {
            case .day: dayKey(record.timestamp)
            case .model: record.model.isEmpty ? "(unknown)" : record.model
            case .client: record.client.isEmpty ? "(none)" : record.client
            case .conversation: record.conversationFingerprint.isEmpty ? "(none)" : record.conversationFingerprint
            }
        }

        var totals = [TokenCountKind.exact: Row(key: "total")]
        var groups: [String: Row] = [:]
        var days: [String: Row] = [:]
        var stages: [String: Int] = [:]
        for record in records {
            let count = record.tokenCount
            totals[count, default: Row(key: "total", count: count)].add(record)
            let groupKey = key(record)
            groups["\(count.rawValue)|\(groupKey)", default: Row(key: groupKey, count: count)].add(record)
            let day = dayKey(record.timestamp)
            days["\(day)|\(count.rawValue)", default: Row(key: day, count: count)].add(record)
            for stage in record.stages { stages[stage.stage, default: 0] += stage.tokensSaved }
        }
        self.total = totals[.exact]!
        self.estimatedTotal = totals[.estimated]
        self.days = days.values.sorted { ($0.key, $0.count == .estimated ? 1 : 0) < ($1.key, $1.count == .estimated ? 1 : 0) }
        self.rows =
            grouping == .day
            ? self.days
            : groups.values.sorted { ($0.tokensSaved, $1.key) > ($1.tokensSaved, $0.key) }
        self.stages = stages
    }

    /// The report as pretty-printed JSON with sorted keys and ISO 8601 dates.
    package func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A table of the rows and a total line, columns aligned for a terminal. When any
    /// record carries billed figures, also the billed input and the cache-read share (and
    /// the cache writes, when any record counted them); `-` where a row has none.
    package func table() -> String {
        let totals = [total].filter { $0.requests > 0 || estimatedTotal == nil } + [estimatedTotal].compactMap { $0 }
        let billed = totals.contains { $0.billedRequests > 0 }
        let writes = totals.contains { $0.cacheWriteReports > 0 }
        var header = [grouping.rawValue.uppercased(), "REQUESTS", "TOKENS IN", "TOKENS OUT", "SAVED", "SAVED %", "FAIL-OPEN"]
        if billed { header += ["BILLED IN", "CACHE READ %"] + (writes ? ["CACHE WRITE"] : []) }
        func cells(_ row: Row) -> [String] {
            var cells = [
                row.label, SavingsRecord.grouped(row.requests), SavingsRecord.grouped(row.tokensIn),
                SavingsRecord.grouped(row.tokensOut), SavingsRecord.grouped(row.tokensSaved),
                String(format: "%.1f%%", row.savedPercent), SavingsRecord.grouped(row.failOpens),
            ]
            if billed {
                cells.append(row.billedRequests == 0 ? "-" : SavingsRecord.grouped(row.billedInputTokens))
                cells.append(row.cacheReadPercent.map { String(format: "%.1f%%", $0) } ?? "-")
                if writes { cells.append(row.cacheWriteReports == 0 ? "-" : SavingsRecord.grouped(row.billedCacheWriteTokens)) }
            }
            return cells
        }
        let body = rows.map(cells)
        let footer = totals.map(cells)
        let all = [header] + body + footer
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                // The key column reads left to right, figures line up on the right.
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + body.map(line) + [rule] + footer.map(line)).joined(separator: "\n")
    }

    /// Tokens saved per day as horizontal bars of block characters, the longest `width`
    /// cells wide. Days that saved nothing (or added tokens) get no bar.
    package func dayChart(width: Int = 40) -> String {
        guard !days.isEmpty else { return "" }
        let largest = max(1, days.map(\.tokensSaved).max() ?? 1)
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return days.map { day in
            let eighths = max(0, day.tokensSaved) * width * 8 / largest
            let bar = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
            let padded = bar + String(repeating: " ", count: width - bar.count)
            let figure = "\(Self.abbreviated(day.tokensSaved)) (\(String(format: "%.0f", day.savedPercent))%)"
            return "\(day.key) \(padded) \(figure)\(day.count == .estimated ? " estimated" : "")"
        }.joined(separator: "\n")
    }

    /// A short count: 950, 12.3k, 1.2M, 3.4B.
    package static func abbreviated(_ value: Int) -> String {
        let magnitude = Double(value.magnitude)
        let sign = value < 0 ? "-" : ""
        for (limit, suffix) in [(1e9, "B"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            let scaled = magnitude / limit
            return sign + (scaled < 100 ? String(format: "%.1f", scaled) : String(format: "%.0f", scaled)) + suffix
        }
        return sign + String(value.magnitude)
    }
}
