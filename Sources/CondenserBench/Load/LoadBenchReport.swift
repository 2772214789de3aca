import Foundation

/// The figures of `condenser bench load`, for the table and for --json. Durations are in
/// seconds (latencies in milliseconds), memory in MB (10^6 bytes).
package struct LoadReport: Codable, Sendable {
    var descriptorLimit: Int
    var streams: StreamsResult?
    var soak: SoakResult?
    var slowloris: SlowlorisResult?

    static let peakTargetMB = 150.0
    static let settleToleranceMB = 20.0
    static let p99Tolerance = 0.10
    static let slowCloseTargetSeconds = 30.0

    /// The figures as a table: measure, value, target, verdict.
    package func table() -> String {
        let header = ReportRow(measure: "measure", value: "value", target: "target", verdict: "")
        let all = [header] + rows
        let widths = [all.map(\.measure.count).max() ?? 0, all.map(\.value.count).max() ?? 0, all.map(\.target.count).max() ?? 0]
        return all.map { row in
            row.measure.padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + row.value.padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  "
                + row.target.padding(toLength: widths[2], withPad: " ", startingAt: 0) + "  " + row.verdict + "\n"
        }.joined()
    }

    /// The figures as pretty-printed JSON with sorted keys.
    package func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The figures as a section of docs/BENCHMARKS.md.
    package func markdownSection(command: String, machine: MachineFacts) -> MarkdownSection {
        MarkdownSection(
            title: "Load: streams, soak, slow clients", command: command, machine: machine,
            notes: ["Descriptor limit (this process, inherited by the daemon): \(descriptorLimit)."],
            header: ["measure", "value", "target", "met"], rows: rows.map { [$0.measure, $0.value, $0.target, $0.verdict] })
    }

    var rows: [ReportRow] {
        var rows: [ReportRow] = []
        if let streams { rows += streams.rows }
        if let soak { rows += soak.rows }
        if let slowloris { rows += slowloris.rows }
        return rows
    }
}

struct ReportRow {
    var measure: String
    var value: String
    var target: String
    var verdict: String

    init(measure: String, value: String, target: String = "", verdict: String = "") {
        self.measure = measure
        self.value = value
        self.target = target
        self.verdict = verdict
    }

    init(measure: String, value: String, target: String, met: Bool) {
        self.init(measure: measure, value: value, target: target, verdict: met ? "met" : "MISSED")
    }
}

/// One batch of concurrent streams: failures (no 200 or no answer), streams that came back
/// 200 but cut, mangled or out of order, and the durations of the whole ones.
struct StreamRun: Codable, Sendable {
    var streams: Int
    var whole: Int
    var failed: Int
    var incomplete: Int
    var mangledEvents: Int
    var p50Seconds: Double?
    var p99Seconds: Double?
    var maxSeconds: Double?
    var wallSeconds: Double
    /// Each distinct failure, with how many streams had it.
    var failures: [String: Int]

    init(outcomes: [LoadBench.StreamOutcome], wall: Double) {
        streams = outcomes.count
        whole = outcomes.filter(\.complete).count
        failed = outcomes.filter { $0.duration == nil }.count
        incomplete = outcomes.filter { $0.duration != nil && !$0.complete }.count
        mangledEvents = outcomes.map(\.mangledEvents).reduce(0, +)
        let durations = outcomes.filter(\.complete).compactMap(\.duration).map(durationSeconds)
        p50Seconds = percentile(durations, 0.5)
        p99Seconds = percentile(durations, 0.99)
        maxSeconds = durations.max()
        wallSeconds = wall
        failures = Dictionary(outcomes.compactMap(\.error).map { ($0, 1) }, uniquingKeysWith: +)
    }

    var errors: Int { failed + incomplete }

    func durations() -> String {
        guard let p50Seconds, let p99Seconds else { return "no whole stream" }
        return String(format: "p50 %.2f s, p99 %.2f s, of %d whole streams", p50Seconds, p99Seconds, whole)
    }
}

struct StreamsResult: Codable, Sendable {
    var streams: Int
    var streamSeconds: Double
    var direct: StreamRun
    var proxied: StreamRun
    var rssBeforeMB: Double
    var peakRSSMB: Double
    var hwmMB: Double
    var rssAfterMB: Double
    var settleSeconds: Double
    var daemonAlive: Bool
    var daemonConfig: String
    var daemonLog: LoadBenchDaemon.LogSummary

    var rows: [ReportRow] {
        var rows: [ReportRow] = [
            ReportRow(
                measure: "streams: errors, direct", value: "\(direct.errors) of \(streams)" + mostCommon(direct.failures),
                target: "0 (else the client side is the bottleneck)", met: direct.errors == 0
            ),
            ReportRow(
                measure: "streams: errors, through the daemon", value: "\(proxied.errors) of \(streams)" + mostCommon(proxied.failures),
                target: "0", met: proxied.errors == 0
            ),
            ReportRow(
                measure: "streams: mangled events, through the daemon",
                value: "\(proxied.mangledEvents) (\(proxied.incomplete) streams cut or out of order)", target: "0",
                met: proxied.mangledEvents == 0 && proxied.incomplete == 0
            ),
            ReportRow(
                measure: "streams: duration, direct", value: direct.durations(), target: String(format: "%.1f s paced", streamSeconds)),
        ]
        let limit = direct.p99Seconds.map { $0 * (1 + LoadReport.p99Tolerance) }
        rows.append(
            ReportRow(
                measure: "streams: duration, through the daemon", value: proxied.durations(),
                target: limit.map { String(format: "p99 <= %.2f s (direct + 10%%)", $0) } ?? "p99 within 10% of direct",
                met: limit != nil && proxied.p99Seconds != nil && proxied.p99Seconds! <= limit! && proxied.whole == streams
            ))
        rows.append(
            ReportRow(
                measure: "streams: daemon peak RSS under the load", value: String(format: "%.1f MB (VmHWM %.1f MB)", peakRSSMB, hwmMB),
                target: "<= 150 MB", met: peakRSSMB <= LoadReport.peakTargetMB
            ))
        rows.append(
            ReportRow(
                measure: "streams: daemon RSS before, \(Int(settleSeconds)) s after",
                value: String(format: "%.1f MB, %.1f MB (%+.1f MB)", rssBeforeMB, rssAfterMB, rssAfterMB - rssBeforeMB),
                target: "within 20 MB", met: abs(rssAfterMB - rssBeforeMB) <= LoadReport.settleToleranceMB && daemonAlive
            ))
        rows += daemonRows(part: "streams", alive: daemonAlive, log: daemonLog)
        return rows
    }
}

struct SoakResult: Codable, Sendable {
    var requests: Int
    var largeRequests: Int
    var errors: Int
    var failures: [String: Int]
    var requestsPerSecond: Double
    var smallP50Ms: Double?
    var smallP99Ms: Double?
    var largeP50Ms: Double?
    var largeP99Ms: Double?
    var sentBytes: Int
    var upstreamBytes: Int
    var upstreamInvalidBodies: Int
    var concurrency: Int
    var seconds: Double
    var rssBeforeMB: Double
    var peakRSSMB: Double
    var hwmMB: Double
    var rssAfterMB: Double
    var settleSeconds: Double
    var daemonAlive: Bool
    var daemonLog: LoadBenchDaemon.LogSummary

    init(
        outcomes: [LoadBench.SoakOutcome], wall: Double, concurrency: Int, upstreamBytes: Int, upstreamInvalidBodies: Int,
        rssBeforeMB: Double, peakRSSMB: Double, hwmMB: Double, rssAfterMB: Double, settleSeconds: Double, daemonAlive: Bool,
        daemonLog: LoadBenchDaemon.LogSummary
    ) {
        requests = outcomes.count
        largeRequests = outcomes.filter(\.large).count
        errors = outcomes.filter { $0.error != nil }.count
        failures = Dictionary(outcomes.compactMap(\.error).map { ($0, 1) }, uniquingKeysWith: +)
        requestsPerSecond = Double(outcomes.count) / wall
        let small = outcomes.filter { !$0.large }.compactMap(\.duration).map { durationSeconds($0) * 1000 }
        let large = outcomes.filter(\.large).compactMap(\.duration).map { durationSeconds($0) * 1000 }
        smallP50Ms = percentile(small, 0.5)
        smallP99Ms = percentile(small, 0.99)
        largeP50Ms = percentile(large, 0.5)
        largeP99Ms = percentile(large, 0.99)
        sentBytes = outcomes.map(\.bytes).reduce(0, +)
        self.upstreamBytes = upstreamBytes
        self.upstreamInvalidBodies = upstreamInvalidBodies
        self.concurrency = concurrency
        seconds = wall
        self.rssBeforeMB = rssBeforeMB
        self.peakRSSMB = peakRSSMB
        self.hwmMB = hwmMB
        self.rssAfterMB = rssAfterMB
        self.settleSeconds = settleSeconds
        self.daemonAlive = daemonAlive
        self.daemonLog = daemonLog
    }

    var rows: [ReportRow] {
        func latency(_ p50: Double?, _ p99: Double?) -> String {
            guard let p50, let p99 else { return "none answered" }
            return String(format: "p50 %.1f ms, p99 %.1f ms", p50, p99)
        }
        var rows = [
            ReportRow(
                measure: "soak: requests",
                value: String(
                    format: "%d in %.0f s (%d of ~400 KB), %.1f req/s, %d at a time", requests, seconds, largeRequests, requestsPerSecond,
                    concurrency
                )
            ),
            ReportRow(measure: "soak: errors", value: "\(errors)" + mostCommon(failures), target: "0", met: errors == 0),
            ReportRow(measure: "soak: latency, small requests", value: latency(smallP50Ms, smallP99Ms)),
            ReportRow(measure: "soak: latency, ~400 KB requests", value: latency(largeP50Ms, largeP99Ms)),
            ReportRow(
                measure: "soak: bytes forwarded upstream",
                value: String(
                    format: "%.1f%% of %.1f MB sent (%d bodies not JSON)",
                    sentBytes > 0 ? Double(upstreamBytes) * 100 / Double(sentBytes) : 0,
                    Double(sentBytes) / 1e6, upstreamInvalidBodies
                ),
                target: "0 not JSON", met: upstreamInvalidBodies == 0
            ),
            ReportRow(
                measure: "soak: daemon peak RSS", value: String(format: "%.1f MB (VmHWM %.1f MB)", peakRSSMB, hwmMB), target: "<= 150 MB",
                met: peakRSSMB <= LoadReport.peakTargetMB
            ),
            ReportRow(
                measure: "soak: daemon RSS before, \(Int(settleSeconds)) s after",
                value: String(format: "%.1f MB, %.1f MB (%+.1f MB)", rssBeforeMB, rssAfterMB, rssAfterMB - rssBeforeMB),
                target: "within 20 MB", met: abs(rssAfterMB - rssBeforeMB) <= LoadReport.settleToleranceMB && daemonAlive
            ),
        ]
        rows += daemonRows(part: "soak", alive: daemonAlive, log: daemonLog)
        return rows
    }
}

struct SlowlorisResult: Codable, Sendable {
    var clients: Int
    var connectErrors: Int
    var closedByDaemon: Int
    var heldPastCap: Int
    var capSeconds: Double
    var medianHeldSeconds: Double?
    var maxHeldSeconds: Double?
    /// The first line the daemon sent before closing, with how many connections got it.
    var answers: [String: Int]
    var healthzMs: Double?
    var rssBeforeMB: Double
    var peakRSSMB: Double
    var daemonAlive: Bool
    var daemonLog: LoadBenchDaemon.LogSummary

    init(
        outcomes: [SlowOutcome], capSeconds: Double, healthzMs: Double?, rssBeforeMB: Double, peakRSSMB: Double, daemonAlive: Bool,
        daemonLog: LoadBenchDaemon.LogSummary
    ) {
        clients = outcomes.count
        connectErrors = outcomes.filter { $0.connectError != nil }.count
        let held = outcomes.compactMap(\.held).map(durationSeconds)
        closedByDaemon = held.count
        heldPastCap = outcomes.filter { $0.connectError == nil && $0.held == nil }.count
        self.capSeconds = capSeconds
        medianHeldSeconds = percentile(held, 0.5)
        maxHeldSeconds = held.max()
        answers = Dictionary(
            outcomes.filter { $0.connectError == nil }.map { ($0.answer ?? "(nothing)", 1) }, uniquingKeysWith: +
        )
        self.healthzMs = healthzMs
        self.rssBeforeMB = rssBeforeMB
        self.peakRSSMB = peakRSSMB
        self.daemonAlive = daemonAlive
        self.daemonLog = daemonLog
    }

    var rows: [ReportRow] {
        let closed: String
        if let medianHeldSeconds, let maxHeldSeconds {
            closed = String(format: "%d closed: median %.1f s, max %.1f s", closedByDaemon, medianHeldSeconds, maxHeldSeconds)
        } else {
            closed = "none closed"
        }
        let past = heldPastCap > 0 ? String(format: "; %d held > %.0f s (cap)", heldPastCap, capSeconds) : ""
        var rows = [
            ReportRow(
                measure: "slowloris: time the daemon holds a slow client", value: closed + past,
                target: "all closed within 30 s",
                met: heldPastCap == 0 && connectErrors == 0 && daemonAlive
                    && (maxHeldSeconds ?? .infinity) <= LoadReport.slowCloseTargetSeconds
            ),
            ReportRow(
                measure: "slowloris: connections refused or reset at connect", value: "\(connectErrors) of \(clients)"
            ),
            ReportRow(
                measure: "slowloris: what the daemon sent before closing",
                value: answers.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) x\($0.value)" }.joined(separator: "; ")
            ),
            ReportRow(
                measure: "slowloris: /healthz while they are held",
                value: healthzMs.map { String(format: "%.1f ms", $0) } ?? "no answer within 10 s", target: "answers",
                met: healthzMs != nil
            ),
            ReportRow(
                measure: "slowloris: daemon RSS before, peak",
                value: String(format: "%.1f MB, %.1f MB", rssBeforeMB, peakRSSMB), target: "<= 150 MB",
                met: peakRSSMB <= LoadReport.peakTargetMB
            ),
        ]
        rows += daemonRows(part: "slowloris", alive: daemonAlive, log: daemonLog)
        return rows
    }
}

/// Whether the daemon survived the part, and what it logged.
private func daemonRows(part: String, alive: Bool, log: LoadBenchDaemon.LogSummary) -> [ReportRow] {
    var rows: [ReportRow] = []
    if !alive {
        rows.append(ReportRow(measure: "\(part): daemon", value: "exited during the part", target: "runs", met: false))
    }
    rows.append(
        ReportRow(
            measure: "\(part): daemon log",
            value: "\(log.lines) lines, \(log.errorLines) at error" + (log.firstError.map { ", first: " + String($0.prefix(100)) } ?? "")
                + " (descriptor limit \(log.descriptorLimit); \(log.path))"
        ))
    return rows
}

/// " (the commonest failure xN)" or "".
private func mostCommon(_ failures: [String: Int]) -> String {
    guard let top = failures.max(by: { $0.value < $1.value }) else { return "" }
    let others = failures.count > 1 ? ", \(failures.count - 1) other kinds" : ""
    return " (\(top.key) x\(top.value)\(others))"
}

func percentile(_ values: [Double], _ fraction: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded(.up)))]
}
