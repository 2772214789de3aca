import CondenserCore
import Foundation
import Synchronization

/// Running totals for the unit's `STATUS=` line, so `systemctl status condenser` reads
/// "saved 1.2M tokens (38%) in 420 requests since 09:14".
final class SavingsStatus: SavingsRecorder {
    private struct Totals {
        var requests = 0
        var tokensIn = 0
        var tokensOut = 0
        var published: String?
    }

    private let totals = Mutex(Totals())
    private let start: Date
    private let timeZone: TimeZone

    /// Counts from `start`, shown as a time of day in `timeZone`.
    init(start: Date = Date(), timeZone: TimeZone = .current) {
        self.start = start
        self.timeZone = timeZone
    }

    func record(_ record: SavingsRecord) {
        totals.withLock { totals in
            totals.requests += 1
            totals.tokensIn += record.tokensIn
            totals.tokensOut += record.tokensOut
        }
    }

    /// The status line as of `now` (which decides whether `since` needs a date).
    func line(now: Date = Date()) -> String {
        let (requests, tokensIn, tokensOut) = totals.withLock { ($0.requests, $0.tokensIn, $0.tokensOut) }
        let saved = tokensIn - tokensOut
        let percent = tokensIn == 0 ? 0 : Int((Double(saved) * 100 / Double(tokensIn)).rounded())
        let noun = requests == 1 ? "request" : "requests"
        return "saved \(SavingsReport.abbreviated(saved)) tokens (\(percent)%) in \(requests) \(noun) since \(since(now: now))"
    }

    /// The line, when it differs from the one this last returned; nil otherwise.
    func changedLine(now: Date = Date()) -> String? {
        let current = line(now: now)
        return totals.withLock { totals in
            guard totals.published != current else { return nil }
            totals.published = current
            return current
        }
    }

    /// Hands `publish` the line whenever it changed, at most once per `period`, until
    /// the task is cancelled. `publish` is typically `Notifier.status`.
    func publish(every period: Duration = .seconds(1), _ publish: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            if let line = changedLine() { publish(line) }
            do { try await Task.sleep(for: period) } catch { return }
        }
    }

    private func since(now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        if calendar.isDate(start, inSameDayAs: now) { return time }
        return String(format: "%04d-%02d-%02d ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0) + time
    }
}
