import CondenserCore
import Prometheus
import Synchronization

/// Counts savings in a Prometheus registry, for `GET /metrics`.
///
/// - `condenser_tokens_in_total`, `condenser_tokens_out_total`, `condenser_tokens_saved_total`
///   by `model` (the first `maximumModels` names seen, then `other`: clients choose the
///   name, and each one is a time series kept for ever);
/// - `condenser_requests_total` by upstream `status` (`none` when it was never reached);
/// - `condenser_fail_open_total`;
/// - `condenser_compression_seconds`, a histogram;
/// - `condenser_connections_refused_total`: client connections closed at accept because
///   `limits.max_connections` were open;
/// - `condenser_busy_total` by `reason`: requests answered 503 after waiting for a full
///   queue, `upstream_busy` (`upstream.max_connections`) or `proxy_busy`
///   (`limits.max_inflight_megabytes`).
package struct MetricsRecorder: SavingsRecorder {
    /// The `Content-Type` of `render()`'s output.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Distinct `model` label values before the rest count as `other`.
    static let maximumModels = 32
    /// Longer model names are cut to this many characters.
    static let maximumModelLength = 64

    let registry: PrometheusCollectorRegistry
    private let models = ModelLabels()
    private let failOpens: Counter
    private let compression: DurationHistogram
    private let refusedConnections: Counter

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        failOpens = registry.makeCounter(
            descriptor: Self.descriptor("fail_open", "total", "Requests forwarded uncompressed after a failure or overrun."))
        refusedConnections = registry.makeCounter(
            descriptor: Self.descriptor(
                "connections_refused", "total", "Client connections closed at accept: limits.max_connections were open."))
        compression = registry.makeDurationHistogram(
            descriptor: Self.descriptor("compression", "seconds", "Time spent compressing one request."),
            buckets: [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            ])
    }

    package func record(_ record: SavingsRecord) {
        let model = [("model", models.label(for: record.model))]
        registry.makeCounter(descriptor: Self.tokensIn, labels: model).increment(by: Int64(record.tokensIn))
        registry.makeCounter(descriptor: Self.tokensOut, labels: model).increment(by: Int64(record.tokensOut))
        registry.makeCounter(descriptor: Self.tokensSaved, labels: model).increment(by: Int64(record.tokensSaved))
        let status = record.upstreamStatus.map(String.init) ?? "none"
        registry.makeCounter(descriptor: Self.requests, labels: [("status", status)]).increment()
        if record.failOpenReason != nil { failOpens.increment() }
        compression.record(.microseconds(record.compressionMicros))
    }

    package func recordBusy(_ reason: String) {
        registry.makeCounter(descriptor: Self.busy, labels: [("reason", reason)]).increment()
    }

    func recordRefusedConnection() {
        refusedConnections.increment()
    }

    /// Every metric in the Prometheus text exposition format.
    func render() -> String {
        registry.emitToString()
    }

    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "condenser", metricName: name, unitName: unit, helpText: help)
    }

    private static var tokensIn: MetricNameDescriptor { descriptor("tokens_in", "total", "Prompt tokens clients sent.") }
    private static var tokensOut: MetricNameDescriptor { descriptor("tokens_out", "total", "Prompt tokens forwarded upstream.") }
    private static var tokensSaved: MetricNameDescriptor { descriptor("tokens_saved", "total", "Prompt tokens compression removed.") }
    private static var busy: MetricNameDescriptor {
        descriptor("busy", "total", "Requests answered 503 after waiting for a full queue, by reason.")
    }
    private static var requests: MetricNameDescriptor { descriptor("requests", "total", "Proxied requests by upstream status.") }
}

/// The `model` label values handed out so far.
private final class ModelLabels: Sendable {
    private let seen = Mutex<Set<String>>([])

    func label(for model: String) -> String {
        guard !model.isEmpty else { return "unknown" }
        let name = String(model.prefix(MetricsRecorder.maximumModelLength))
        return seen.withLock { seen in
            if seen.contains(name) { return name }
            guard seen.count < MetricsRecorder.maximumModels else { return "other" }
            seen.insert(name)
            return name
        }
    }
}
