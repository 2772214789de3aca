import Testing

@testable import CondenserCore

@Suite struct ProgressBarCollapserTests {
    let stage = ProgressBarCollapser()
    let tool = BlockContext(role: .toolResult)

    @Test func carriageReturnRedrawsKeepTheFinalState() {
        let text = "Collecting pytest\nGenerating [#   ]  10%\rGenerating [##  ]  50%\rGenerating [####] 100%\nDone\n"
        #expect(stage.apply(text, context: tool) == "Collecting pytest\nGenerating [####] 100%\nDone\n")
    }

    @Test func aTrailingCarriageReturnFallsBackToTheLastVisibleState() {
        let text = "  0%\r 50%\r100%\r\nnext"
        // The line ends in CR LF: the CR stays for the whitespace stage; the last state is what shows.
        #expect(stage.apply(text, context: tool) == "100%\r\nnext")
    }

    @Test func successiveBarLinesCollapseToTheLastWithAMarker() {
        let text = """
            Downloading model.bin
             10%|#         | 10/100 [00:01<00:09, 9.8it/s]
             45%|####      | 45/100 [00:04<00:05, 10.1it/s]
             80%|########  | 80/100 [00:08<00:02, 10.0it/s]
            100%|##########| 100/100 [00:10<00:00, 10.0it/s]
            saved to /tmp/model.bin
            """
        let expected = """
            Downloading model.bin
            [... 3 progress lines omitted]
            100%|##########| 100/100 [00:10<00:00, 10.0it/s]
            saved to /tmp/model.bin
            """
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func differentBarsAreNotMerged() {
        let text = """
            a.whl [=====>    ] 50%
            b.whl [=====>    ] 50%
            c.whl [==========] 100%
            """
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func percentagesWithoutABarAreData() {
        let text = "Q1 revenue 45%\nQ2 revenue 50%\nQ3 revenue 60%\nQ4 revenue 72%\n"
        #expect(stage.apply(text, context: BlockContext(role: .user)) == text)
    }

    @Test func downloadLinesWithRatesCollapse() {
        let text =
            "model.bin 10% 1.2 MB/s eta 0:09\nmodel.bin 50% 1.4 MB/s eta 0:05\nmodel.bin 90% 1.3 MB/s eta 0:01\nmodel.bin 100% 1.3 MB/s eta 0:00\n"
        #expect(stage.apply(text, context: tool) == "[... 3 progress lines omitted]\nmodel.bin 100% 1.3 MB/s eta 0:00\n")
    }

    @Test func twoStatesStayAsTheyAre() {
        let text = "[##   ] 40%\n[#####] 100%\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func testStatusLinesWithDifferentResultsStay() {
        let text = """
            tests/test_a.py ....F..... [ 33%]
            tests/test_a.py ...s...... [ 66%]
            tests/test_a.py .......... [100%]
            """
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func isIdempotent() {
        let text = "x [  ] 0%\rx [# ] 50%\rx [##] 100%\n1%\n2%\n3%\n4%\nend"
        let once = stage.apply(text, context: tool)
        #expect(once != text)
        #expect(stage.apply(once, context: tool) == once)
    }
}
