// Pipeline internals that other modules of the package (the bench) use. They forward to
// the internal types rather than exposing them, so that the pipeline's files keep their
// own access levels.

/// One `PipelineCounter` per encoding, counting exactly as the standard pipeline does.
package final class StandardEncodingCounters: Sendable {
    private let counters = EncodingCounters()

    package init() {}

    package func counter(for encoding: TokenEncoding) throws -> PipelineCounter {
        try counters.counter(for: encoding)
    }
}

extension JSONValue {
    /// Whether two values are the same bytes once serialised: member order, number text
    /// and string bytes included, the test the pipeline's prefix matching uses.
    package static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        RecentRequests.identical(a, b)
    }
}
