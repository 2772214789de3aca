import Testing

@testable import CondenserCore

@Suite struct CompressionReportTests {
    let request = syntheticSession(rounds: 12)

    @Test func jsonHoldsTheRequestAndEveryStage() throws {
        let outcome = makePipeline().compress(request, mode: .safe)
        let json = try #require(CompressionReport.json(outcome).objectValue)
        #expect(json["request"] == .object(outcome.chatRequest.jsonObject))
        #expect(json["changed"] == .bool(true))
        #expect(json["tokens_saved"]?.intValue == outcome.tokensIn - outcome.tokensOut)
        #expect(json["stages"]?.arrayValue?.count == outcome.stages.count)
        #expect(json["fail_open_reason"] == .null)
        // It serialises to JSON that parses back.
        #expect(try JSONParser.parse(CompressionReport.json(outcome).serialized()) == CompressionReport.json(outcome))
    }

    @Test func stageTableListsStagesAndTheTotal() {
        let outcome = makePipeline().compress(request, mode: .safe)
        let table = CompressionReport.stageTable(outcome)
        #expect(table.hasPrefix("stage"))
        #expect(table.contains("dedupe"))
        #expect(table.contains("request  \(outcome.tokensIn)") || table.contains("\(outcome.tokensIn)"))
        #expect(table.contains("saved "))
    }

    @Test func diffShowsOnlyChangedMessages() {
        let outcome = makePipeline().compress(request, mode: .safe)
        let diff = CompressionReport.diff(original: request, compressed: outcome.chatRequest)
        #expect(diff.contains("--- message "))
        #expect(diff.contains("(tool, read_file)"))
        #expect(!diff.contains("(user)"))
        #expect(diff.contains("+[same as the read_file result for src/f"))
    }
}
