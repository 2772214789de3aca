import Testing

@testable import CondenserCore

@Suite struct TokenEncodingTests {
    @Test(arguments: [
        ("gpt-4o", TokenEncoding.o200kBase), ("gpt-4o-mini-2024-07-18", .o200kBase), ("gpt-4.1-nano", .o200kBase),
        ("o1-preview", .o200kBase), ("o3-mini", .o200kBase), ("o4-mini", .o200kBase), ("gpt-5", .o200kBase),
        ("openai/gpt-4o", .o200kBase), ("GPT-4o", .o200kBase), ("ft:gpt-4o-mini-2024-07-18:acme::abc123", .o200kBase),
        ("gpt-4", .cl100kBase), ("gpt-4-turbo", .cl100kBase), ("gpt-4-0613", .cl100kBase),
        ("gpt-3.5-turbo", .cl100kBase), ("openai/gpt-3.5-turbo-16k", .cl100kBase), ("ft:gpt-3.5-turbo-0125:acme::x", .cl100kBase),
    ])
    func mapsModelsToTheirEncoding(model: String, encoding: TokenEncoding) {
        #expect(TokenEncoding.forModel(model) == encoding)
    }

    @Test func unknownModelsGetTheDefault() {
        #expect(TokenEncoding.forModel("llama-3.1-70b") == .o200kBase)
        #expect(TokenEncoding.forModel("anthropic/claude-sonnet-4", default: .cl100kBase) == .cl100kBase)
        #expect(TokenEncoding.forModel("") == .o200kBase)
    }

    @Test func rawValuesAreTiktokenNames() {
        #expect(TokenEncoding(rawValue: "o200k_base") == .o200kBase)
        #expect(TokenEncoding(rawValue: "cl100k_base") == .cl100kBase)
    }
}
