import Testing

@testable import CondenserCore

@Suite struct BoilerplateRemoverTests {
    let remover = BoilerplateRemover(minimumCharacters: 60)
    let disclaimer = "This output is provided as is, without warranty of any kind, express or implied; see LICENSE."

    @Test func laterCopiesOfALongParagraphBecomeReferences() throws {
        var index = BoilerplateRemover.Index()
        remover.register(remover.paragraphHashes("Intro.\n\n" + disclaimer), messageIndex: 2, in: &index)
        let text = "Results: 3 passed.\n\n" + disclaimer + "\n\nDone."
        let rewritten = try #require(remover.rewrite(text, messageIndex: 5, index: index))
        #expect(rewritten == "Results: 3 passed.\n\n[same as a paragraph in message 3]\n\nDone.")
    }

    @Test func shortParagraphsAndFirstCopiesStay() {
        var index = BoilerplateRemover.Index()
        remover.register(remover.paragraphHashes("ok\n\n" + disclaimer), messageIndex: 4, in: &index)
        #expect(remover.rewrite("ok\n\nfine", messageIndex: 6, index: index) == nil)
        // A reference only points back: the message that holds the first copy keeps it.
        #expect(remover.rewrite(disclaimer, messageIndex: 4, index: index) == nil)
    }
}
