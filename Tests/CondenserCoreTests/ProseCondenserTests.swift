import Testing

@testable import CondenserCore

@Suite struct ProseCondenserTests {
    let condenser = ProseCondenser()

    static let answer = """
        Great question! Caching works by keeping recent results close to the code that needs them. \
        It is a simple idea. It is used everywhere. Most systems benefit from it a great deal.

        ## Choosing a cache

        1. Pick a policy: Least-recently-used eviction is the usual default and works well for most workloads you will meet.
        2. Size it: Start with 512 MB and measure the hit rate before you change anything else in the setup.
        3. Watch it: Export metrics so you can see when the cache stops helping and needs attention again.

        Redis is a good choice for shared caches. It runs as a separate server. \
        A plainer option is Memcached in most setups. In summary, caching keeps recent results close to the code that needs them.

        ```python
        cache = {}
        ```

        I hope this helps! Let me know if you have any other questions.
        """

    @Test func keepsHeadingsFirstSentencesFactsAndNames() {
        let result = condenser.condense(Self.answer)
        #expect(result.contains("## Choosing a cache"))
        #expect(result.contains("Caching works by keeping recent results close to the code that needs them."))
        #expect(result.contains("Start with 512 MB"))
        #expect(result.contains("Redis is a good choice for shared caches."))
        #expect(result.contains("A plainer option is Memcached in most setups."))
        #expect(result.contains("```python\ncache = {}\n```"))
    }

    @Test func dropsFillerRestatementsAndRecaps() {
        let result = condenser.condense(Self.answer)
        #expect(!result.contains("Great question"))
        #expect(!result.contains("I hope this helps"))
        #expect(!result.contains("Let me know"))
        #expect(!result.contains("It is a simple idea."))
        #expect(!result.contains("In summary"))
        #expect(result.contains("sentences omitted]"))
    }

    @Test func listItemsKeepTheirLeadingClause() {
        let result = condenser.condense(Self.answer)
        #expect(result.contains("1. Pick a policy:\n"))
        #expect(result.contains("3. Watch it:"))
        #expect(!result.contains("Export metrics"))
    }

    @Test func adjacentElisionsShareOneMarker() {
        let text = """
            First point stands here. Filler one follows it. Filler two follows it. Filler three follows it.

            Sure!

            Thanks for asking!

            Second paragraph starts the next thought.
            """
        let result = condenser.condense(text)
        #expect(
            result
                == "First point stands here. [... 3 sentences omitted]\n\nSecond paragraph starts the next thought. [... 2 sentences omitted]"
                || result.components(separatedBy: "omitted]").count <= 3)
        #expect(!result.contains("omitted]\n\n[..."))
    }

    @Test func sentencesWithIdsAreNeverDropped() {
        let text = """
            The deploy went fine. Nothing else happened. Nothing else happened again today. \
            By the way, my reference number for this is SRE-31996, in case it matters later. I hope this helps!
            """
        let result = condenser.condense(text)
        #expect(result.contains("By the way, my reference number for this is SRE-31996, in case it matters later."))
    }

    @Test func longCodeBlocksAreOutlined() {
        let body = (1...30).map { "    x\($0) = compute(\($0))" }.joined(separator: "\n")
        let text = "Here is the code.\n\n```python\ndef run():\n\(body)\n```\n"
        let result = condenser.condense(text)
        #expect(result.contains("```python\ndef run():\n"))
        #expect(result.contains("lines omitted]"))
        #expect(result.hasSuffix("```\n"))
    }

    @Test func tablesKeepHeaderAndRowsWithIds() {
        var rows = ["| name | value |", "| --- | --- |"]
        rows += (1...10).map { "| row \($0 * 11) | plain |" }
        rows.insert("| special | BLD-2537 |", at: 7)
        let result = condenser.condense(rows.joined(separator: "\n"))
        #expect(result.contains("| name | value |\n| --- | --- |\n| row 11 | plain |"))
        #expect(result.contains("| special | BLD-2537 |"))
        #expect(result.contains("rows omitted]"))
    }

    @Test func userTextKeepsItsFirstTwoSentencesAndQuestions() {
        let user = ProseCondenser(isUserText: true)
        let text = """
            Great, thanks! I need help with my essay. It is about rivers and lakes. \
            They are important for many reasons. Can you make the intro shorter? It rains a lot here.
            """
        let result = user.condense(text)
        #expect(result.hasPrefix("Great, thanks! I need help with my essay."))
        #expect(result.contains("Can you make the intro shorter?"))
    }

    @Test func summaryOfASummaryIsStable() {
        let once = condenser.condense(Self.answer)
        #expect(condenser.condense(once) == once)
    }
}
