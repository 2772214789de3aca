import Foundation
import Testing

@testable import CondenserCore

@Suite struct PipelineSettingsTests {
    @Test func defaultsAreValid() throws {
        try PipelineSettings().validate()
        #expect(PipelineSettings().mode == .safe)
        #expect(PipelineSettings().keepSystemPromptVerbatim)
    }

    @Test func errorsNameTheKeyAndWhy() {
        var settings = PipelineSettings()
        settings.recentTurns = 0
        #expect(
            throws: PipelineSettings.Invalid(
                key: "recent_turns", reason: "must be at least 1, so the latest turn is never summarised (got 0)")
        ) {
            try settings.validate()
        }
        settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 0
        do {
            try settings.validate()
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "time_budget_ms")
            #expect(error.description.hasPrefix("compression.time_budget_ms: must be between 1 and 10000"))
        }
    }

    @Test func roundTripsThroughCodable() throws {
        var settings = PipelineSettings()
        settings.mode = .aggressive
        settings.summaries = .always
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(PipelineSettings.self, from: data) == settings)
    }

    @Test func summaryPolicyByMode() {
        #expect(PipelineSettings.SummaryPolicy.aggressiveOnly.allows(.aggressive))
        #expect(!PipelineSettings.SummaryPolicy.aggressiveOnly.allows(.safe))
        #expect(PipelineSettings.SummaryPolicy.always.allows(.safe))
        #expect(!PipelineSettings.SummaryPolicy.always.allows(.off))
    }
}
