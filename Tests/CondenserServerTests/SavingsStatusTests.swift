import Foundation
import Synchronization
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct SavingsStatusTests {
    let utc = TimeZone(identifier: "UTC")!
    /// 2026-11-21 09:14:30 UTC.
    let start = Date(timeIntervalSince1970: 1_795_252_470)

    @Test func linesUpTheRunningTotals() {
        let status = SavingsStatus(start: start, timeZone: utc)
        let now = start.addingTimeInterval(3600)
        #expect(status.line(now: now) == "saved 0 tokens (0%) in 0 requests since 09:14")
        status.record(.fixture(tokensIn: 1_000_000, tokensOut: 600_000))
        #expect(status.line(now: now) == "saved 400k tokens (40%) in 1 request since 09:14")
        for _ in 0..<419 { status.record(.fixture(tokensIn: 5_000, tokensOut: 3_000)) }
        // 1,238,000 saved of 3,095,000.
        #expect(status.line(now: now) == "saved 1.2M tokens (40%) in 420 requests since 09:14")
        #expect(status.line(now: start.addingTimeInterval(86_400)) == "saved 1.2M tokens (40%) in 420 requests since 2026-11-21 09:14")
    }

    @Test func reportsOnlyChanges() {
        let status = SavingsStatus(start: start, timeZone: utc)
        #expect(status.changedLine(now: start) != nil)
        #expect(status.changedLine(now: start) == nil)
        status.record(.fixture(tokensIn: 10, tokensOut: 5))
        #expect(status.changedLine(now: start) == "saved 5 tokens (50%) in 1 request since 09:14")
        #expect(status.changedLine(now: start) == nil)
    }

    @Test func publishesChangesPeriodically() async throws {
        let status = SavingsStatus()
        let published = Mutex<[String]>([])
        let task = Task { await status.publish(every: .milliseconds(10)) { line in published.withLock { $0.append(line) } } }
        try await Task.sleep(for: .milliseconds(100))
        status.record(.fixture(tokensIn: 10, tokensOut: 5))
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await task.value
        let lines = published.withLock { $0 }
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("saved 5 tokens (50%) in 1 request since ") == true)
    }
}
