import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct MetricsRecorderTests {
    /// The sample lines of `text` as name-with-labels → value.
    func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func countsTokensRequestsAndFailOpens() {
        let metrics = MetricsRecorder()
        metrics.record(.fixture(tokensIn: 1_000, tokensOut: 400, compressionMicros: 800))
        metrics.record(.fixture(tokensIn: 500, tokensOut: 500, upstreamStatus: 429, compressionMicros: 3_000, failOpenReason: "timeout"))
        metrics.record(.fixture(model: "o3-mini", tokensIn: 300, tokensOut: 100, upstreamStatus: nil, compressionMicros: 2_000_000))
        let text = metrics.render()
        let values = samples(text)
        #expect(values[#"condenser_tokens_in_total{model="gpt-4o"}"#] == "1500")
        #expect(values[#"condenser_tokens_out_total{model="gpt-4o"}"#] == "900")
        #expect(values[#"condenser_tokens_saved_total{model="gpt-4o"}"#] == "600")
        #expect(values[#"condenser_tokens_saved_total{model="o3-mini"}"#] == "200")
        #expect(values[#"condenser_requests_total{status="200"}"#] == "1")
        #expect(values[#"condenser_requests_total{status="429"}"#] == "1")
        #expect(values[#"condenser_requests_total{status="none"}"#] == "1")
        #expect(values["condenser_fail_open_total"] == "1")
        #expect(values["condenser_compression_seconds_count"] == "3")
        #expect(values[#"condenser_compression_seconds_bucket{le="0.001"}"#] == "1")
        #expect(values[#"condenser_compression_seconds_bucket{le="0.005"}"#] == "2")
        #expect(values[#"condenser_compression_seconds_bucket{le="+Inf"}"#] == "3")
        #expect(text.contains("# TYPE condenser_tokens_in_total counter"))
        #expect(text.contains("# TYPE condenser_compression_seconds histogram"))
        #expect(text.contains("# HELP condenser_requests_total "))
    }

    @Test func boundsTheModelLabelValues() {
        let metrics = MetricsRecorder()
        for index in 0..<(MetricsRecorder.maximumModels + 10) {
            metrics.record(.fixture(model: "model-\(index)", tokensIn: 10, tokensOut: 5, compressionMicros: 100))
        }
        metrics.record(.fixture(model: "model-0", tokensIn: 10, tokensOut: 5, compressionMicros: 100))
        metrics.record(.fixture(model: String(repeating: "x", count: 500), tokensIn: 10, tokensOut: 5, compressionMicros: 100))
        let values = samples(metrics.render())
        let series = values.keys.filter { $0.hasPrefix("condenser_tokens_in_total{") }
        #expect(series.count == MetricsRecorder.maximumModels + 1)
        #expect(values[#"condenser_tokens_in_total{model="model-0"}"#] == "20")
        // The ten names past the bound and the over-long one count together.
        #expect(values[#"condenser_tokens_in_total{model="other"}"#] == "110")
        #expect(series.allSatisfy { $0.count < 100 })
    }

    @Test func escapesOddModelNames() {
        let metrics = MetricsRecorder()
        metrics.record(.fixture(model: #"we"ird"#, tokensIn: 2, tokensOut: 1))
        #expect(metrics.render().contains(#"condenser_tokens_in_total{model="we\"ird"} 2"#))
    }
}
