import Testing

@testable import CondenserCore

@Suite struct FactDetectorTests {
    func kinds(_ text: String) -> [FactDetector.Kind] {
        FactDetector.facts(in: text).map(\.kind)
    }

    func hasStrongFact(_ text: String) -> Bool {
        FactDetector.facts(in: text).contains { $0.kind.isStrong }
    }

    func hasFactWorthASentence(_ text: String) -> Bool {
        FactDetector.facts(in: text).contains { $0.kind.isWorthASentence }
    }

    func kind(of token: String) -> FactDetector.Kind? {
        FactDetector.facts(in: token).first { $0.text == token }?.kind
    }

    @Test(arguments: [
        "DSP-1033", "malachite-47", "gh-112053", "SRE-49026", "E2531K", "PLAT70231", "x86_64", "edge-1",
        "test_issue26915", "INFRA-99844", "AUTHZ-5506", "quokka-52", "sha256", "COVID-19", "POP3",
    ])
    func codesAndIdsAreStrong(_ token: String) {
        #expect(kind(of: token) == .code)
        #expect(hasStrongFact("the value was \(token), see above"))
    }

    @Test func idsInsidePathsAssignmentsAndQuotesAreFound() {
        let tokens = FactDetector.facts(in: "logpath = /var/log/remote/quillwort-50/app.log code=NDX-2716 `juniper-44`")
        let codes = tokens.filter { $0.kind == .code }.map(\.text)
        #expect(codes == ["quillwort-50", "NDX-2716", "juniper-44"])
        #expect(tokens.contains { $0.kind == .path && $0.text == "/var/log/remote/quillwort-50/app.log" })
    }

    @Test func hashesVersionsURLsAndEmails() {
        #expect(kind(of: "51724f363d") == .hash)
        #expect(kind(of: "f1c03eb7b1") == .hash)
        #expect(kind(of: "3.11.7") == .version)
        #expect(kind(of: "v2.0") == .version)
        #expect(kind(of: "https://docs.python.org/3/library/stat.html") == .url)
        #expect(kind(of: "david@example.com") == .email)
        #expect(FactDetector.Kind.hash.isStrong && FactDetector.Kind.url.isStrong)
    }

    @Test func identifiersPathsNumbersAndQuotesAreFactsButNotStrong() {
        #expect(kind(of: "UnicodeDecodeError") == .identifier)
        #expect(kind(of: "getElementById") == .identifier)
        #expect(kind(of: "_getlongresp") == .identifier)
        #expect(kind(of: "os.path.join") == .identifier)
        #expect(kind(of: "Lib/poplib.py") == .path)
        #expect(kind(of: "setup.cfg") == .path)
        #expect(kind(of: "5686") == .number)
        #expect(kind(of: "0xbe") == .number)
        #expect(kind(of: "192.0.2.10") == .number)
        #expect(kind(of: "NRL") == .acronym)
        #expect(kinds("call `quit()` now").contains(.quoted))
        #expect(hasFactWorthASentence("the port is 5686"))
        #expect(!hasStrongFact("the port is 5686 in Lib/poplib.py for UnicodeDecodeError"))
    }

    @Test func datesAndTimesAreNotFacts() {
        #expect(kind(of: "2025-09-28T07:07:11.8223132Z") == .timestamp)
        #expect(kind(of: "2025-09-28") == .timestamp)
        #expect(!hasFactWorthASentence("at 08:54:21 on 2025-09-28"))
        #expect(!hasStrongFact("2025-09-28T07:07:11.8223132Z"))
    }

    @Test(arguments: [
        "This is a plain sentence with nothing special in it.",
        "Start by brainstorming and coming up with a high-level idea, e.g. a world.",
        "It took 5 minutes and 3 tries.",
        "We use 3D shaders at 60fps on the 2nd pass with 16GB of memory.",
        "utf8 and ssh2 are not ids, and well-known words are not either.",
    ])
    func ordinaryTextHasNoStrongToken(_ text: String) {
        #expect(!hasStrongFact(text))
    }

    @Test func trivialNumbersAndPlainWordsAreNoFacts() {
        #expect(!hasFactWorthASentence("Step 1: open the door and look around."))
        #expect(FactDetector.facts(in: "a b c, d. e! (f)").isEmpty)
    }

    @Test func tokensComeInOrderOfAppearance() {
        let texts = FactDetector.facts(in: "BLD-3094 then 3.11.7 then gh-100411").map(\.text)
        #expect(texts == ["BLD-3094", "3.11.7", "gh-100411"])
    }
}
