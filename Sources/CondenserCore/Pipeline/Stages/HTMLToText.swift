/// Turns an HTML page in a tool result into readable text, and strips the navigation
/// around a documentation page dumped as text (`lynx -dump` of a Sphinx page).
///
/// HTML: scripts, styles, the head, navigation, headers, footers, sidebars, search boxes
/// and permalink anchors go; the main content (`role="main"` or `<main>` when the page
/// has one) stays as Markdown-like text: headings as `#`, paragraphs, list items as `-`,
/// table rows as cells joined with `|`, `<pre>` blocks verbatim in fences, links as their
/// text, entities decoded. Text before the page and after `</html>` (an exit status) is kept.
struct HTMLToText: TextStage {
    let name = "html"

    /// Heads the converted text, so the model knows the markup and navigation went.
    static let convertedNote = Marker.note("HTML page converted to text; navigation, scripts and styles omitted")

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult, !Self.readsLocalFile(context) else { return text }
        return JSONWrappedText.applying(Self.convert, to: text, requiring: ["<", "navigation", "topic"])
    }

    /// A tool that reads a local file (`read_file`, `cat page.html`) returns source the
    /// model may edit: it stays as it is. Fetched pages (a URL in the arguments) are converted.
    static func readsLocalFile(_ context: BlockContext) -> Bool {
        // Searched as bytes: `String.contains` goes through Foundation's string search.
        let arguments = context.toolArguments?.lowercased() ?? ""
        let has = { (needle: StaticString) in ByteLines.contains(arguments, needle) }
        if has("http://") || has("https://") { return false }
        let tool = context.toolName?.lowercased() ?? ""
        for word: StaticString in ["read", "file", "view", "open", "cat", "edit", "write"] where ByteLines.contains(tool, word) {
            return true
        }
        return has(".htm") || has(".xml") || has(".svg")
    }

    static func convert(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard !ByteLines.hasPrefix(bytes[...], "[HTML page converted") else { return text }
        if ContentSniffer.looksLikeHTML(bytes) {
            return HTMLRenderer.render(bytes) ?? text
        }
        return TextDumpChrome.strip(bytes) ?? text
    }
}
