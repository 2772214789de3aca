/// Renders tokens of an HTML page as text.
struct HTMLRenderer {
    static let skippedElements: Set<String> = [
        "script", "style", "noscript", "template", "svg", "head", "nav", "header", "footer", "form", "button",
        "select", "iframe", "input", "textarea", "canvas", "object", "img", "picture", "video", "audio", "map",
    ]
    static let skippedClasses: Set<String> = [
        "related", "footer", "sphinxsidebar", "sphinxsidebarwrapper", "mobile-nav", "menu-wrapper", "breadcrumb",
        "breadcrumbs", "headerlink", "sidebar", "navbar", "nav", "skip-link", "copybutton", "inline-search",
        "searchbox", "this-page-menu", "version_switcher_placeholder", "language_switcher_placeholder", "toc-drawer",
        "sidebar-drawer", "navigation", "site-header", "site-footer", "prev-next-area",
    ]
    static let skippedRoles: Set<String> = ["navigation", "search", "banner", "contentinfo", "complementary"]
    /// Elements that only ever hold page content.
    static let contentStarts: Set<String> = ["main", "article", "section", "h1", "pre", "dl"]
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
    ]
    static let blockElements: Set<String> = [
        "p", "div", "section", "article", "main", "ul", "ol", "dl", "table", "blockquote", "figure", "figcaption",
        "aside", "details", "summary", "body", "html", "address", "fieldset", "caption",
    ]

    /// The page as text, or nil when it has no text worth keeping.
    static func render(_ bytes: [UInt8]) -> String? {
        // Keep what surrounds the document: a prefix line, and output after `</html>`.
        let start =
            ByteLines.firstIndexCaseInsensitive(bytes[...], "<!doctype")
            ?? ByteLines.firstIndexCaseInsensitive(bytes[...], "<html") ?? 0
        var end = bytes.count
        var search = bytes[...]
        while let close = ByteLines.firstIndexCaseInsensitive(search, "</html>") {
            end = close + 7
            search = bytes[end...]
        }
        // A tool that cut the page in the middle left a notice line, possibly inside a tag:
        // the parts around it are tokenized apart, and the notice is kept as text.
        var tokens: [HTMLTokenizer.Token] = []
        var partStart = start
        for line in ByteLines.split(Array(bytes[start..<end])) {
            let range = (line.lowerBound + start)..<(line.upperBound + start)
            guard isTruncationNotice(bytes[range]) else { continue }
            tokens += HTMLTokenizer.tokenize(bytes, from: partStart, to: range.lowerBound)
            tokens.append(.text(range))
            partStart = range.upperBound
        }
        tokens += HTMLTokenizer.tokenize(bytes, from: partStart, to: end)
        var renderer = HTMLRenderer(bytes: bytes)
        let range = mainRange(tokens) ?? tokens.indices
        renderer.run(tokens[range])
        var body = renderer.finish()
        if body.isEmpty {
            // Cut off before its content: the title says what page it was.
            guard let title = title(tokens, bytes) else { return nil }
            body = [0x23, 0x20] + title
        }

        var out: [UInt8] = []
        out.reserveCapacity(body.count + 200)
        let prefix = ByteLines.trimmedTrailing(bytes[..<start].drop { HTMLTokenizer.isSpace($0) })
        if !prefix.isEmpty {
            out.append(contentsOf: prefix)
            out.append(0x0A)
        }
        out.append(contentsOf: HTMLToText.convertedNote.utf8)
        out.append(contentsOf: [0x0A, 0x0A])
        out.append(contentsOf: body)
        let suffix = bytes[end...].drop { HTMLTokenizer.isSpace($0) }
        if !suffix.isEmpty {
            out.append(contentsOf: [0x0A, 0x0A])
            out.append(contentsOf: suffix)
        } else {
            out.append(0x0A)
        }
        let result = String(decoding: out, as: UTF8.self)
        return out.count < bytes.count ? result : nil
    }

    /// `... [output truncated: 66265 characters omitted] ...` and the like.
    static func isTruncationNotice(_ text: ArraySlice<UInt8>) -> Bool {
        let content = text.drop(while: HTMLTokenizer.isSpace)
        guard content.count < 200, content.first == 0x2E || content.first == 0x5B else { return false }
        return ByteLines.containsCaseInsensitive(content, "truncated") || ByteLines.containsCaseInsensitive(content, "omitted")
    }

    /// The page's `<title>`, decoded, if it has one.
    static func title(_ tokens: [HTMLTokenizer.Token], _ bytes: [UInt8]) -> [UInt8]? {
        guard let start = tokens.firstIndex(where: { if case .start("title", _, _) = $0 { true } else { false } }),
            start + 1 < tokens.count, case .text(let range) = tokens[start + 1]
        else { return nil }
        var title: [UInt8] = []
        var space = false
        for byte in HTMLEntities.decode(bytes[range]) {
            if HTMLTokenizer.isSpace(byte) {
                space = !title.isEmpty
                continue
            }
            if space {
                title.append(0x20)
                space = false
            }
            title.append(byte)
        }
        return title.isEmpty ? nil : title
    }

    /// The tokens of the page's main content: the element with `role="main"`, or `<main>`.
    static func mainRange(_ tokens: [HTMLTokenizer.Token]) -> Range<Int>? {
        for (index, token) in tokens.enumerated() {
            guard case .start(let name, let attributes, let selfClosing) = token, !selfClosing else { continue }
            guard name == "main" || attributes.contains(where: { $0.name == "role" && $0.value == "main" }) else { continue }
            var depth = 0
            for k in index..<tokens.count {
                switch tokens[k] {
                case .start(let other, _, let closed) where other == name && !closed: depth += 1
                case .end(let other) where other == name:
                    depth -= 1
                    if depth == 0 { return index..<(k + 1) }
                default: break
                }
            }
            return index..<tokens.count
        }
        return nil
    }

    let bytes: [UInt8]
    var out: [UInt8] = []
    /// 0 none, 1 line break, 2 blank line, owed before the next text.
    var pendingBreak = 0
    var pendingSpace = false
    var pendingPrefix: [UInt8] = []
    var lists: [(ordered: Bool, counter: Int)] = []
    var preDepth = 0
    var cellDepth = 0
    var firstCellInRow = true
    var skip: (name: String, depth: Int)?

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func run(_ tokens: ArraySlice<HTMLTokenizer.Token>) {
        for token in tokens {
            if var skipping = skip {
                switch token {
                case .start(let name, let attributes, let selfClosing):
                    if name == skipping.name && !selfClosing { skipping.depth += 1 }
                    // Content never sits inside navigation: its end tag went missing (a page cut
                    // in the middle by the tool), so the skip ends here.
                    if skipping.name != "header",
                        HTMLRenderer.contentStarts.contains(name)
                            || attributes.contains(where: { $0.name == "role" && $0.value == "main" })
                    {
                        skip = nil
                        open(name, selfClosing: selfClosing)
                        continue
                    }
                case .end(let name) where name == skipping.name:
                    skipping.depth -= 1
                case .text(let range) where HTMLRenderer.isTruncationNotice(bytes[range]):
                    // The tool's own note that it cut the output is a fact, wherever it falls.
                    requestBreak(2)
                    emitText(bytes[range])
                    requestBreak(2)
                default: break
                }
                skip = skipping.depth == 0 ? nil : skipping
                continue
            }
            switch token {
            case .text(let range):
                emitText(bytes[range])
            case .start(let name, let attributes, let selfClosing):
                if shouldSkip(name, attributes) {
                    if !selfClosing, !HTMLRenderer.voidElements.contains(name) { skip = (name, 1) }
                    continue
                }
                open(name, selfClosing: selfClosing)
            case .end(let name):
                close(name)
            }
        }
    }

    func shouldSkip(_ name: String, _ attributes: [(name: String, value: String)]) -> Bool {
        if HTMLRenderer.skippedElements.contains(name) { return true }
        for attribute in attributes {
            switch attribute.name {
            case "class":
                for word in attribute.value.split(separator: " ") where HTMLRenderer.skippedClasses.contains(String(word)) {
                    return true
                }
            case "role":
                if HTMLRenderer.skippedRoles.contains(attribute.value) { return true }
            case "aria-label":
                if attribute.value.lowercased().contains("navigation") { return true }
            case "hidden":
                return true
            default: break
            }
        }
        return false
    }

    mutating func open(_ name: String, selfClosing: Bool) {
        switch name {
        case "h1", "h2", "h3", "h4", "h5", "h6":
            requestBreak(2)
            let level = Int(name.utf8.last! - 0x30)
            pendingPrefix = Array(repeating: 0x23, count: level) + [0x20]
        case "br":
            if preDepth > 0 { out.append(0x0A) } else { requestBreak(1) }
        case "hr":
            requestBreak(2)
        case "pre":
            requestBreak(2)
            flushBreak()
            out.append(contentsOf: Array("```\n".utf8))
            preDepth += 1
        case "ul", "ol":
            requestBreak(lists.isEmpty ? 2 : 1)
            lists.append((name == "ol", 0))
        case "li":
            requestBreak(1)
            let indent = [UInt8](repeating: 0x20, count: max(0, lists.count - 1) * 2)
            if let last = lists.indices.last, lists[last].ordered {
                lists[last].counter += 1
                pendingPrefix = indent + Array("\(lists[last].counter). ".utf8)
            } else {
                pendingPrefix = indent + [0x2D, 0x20]
            }
        case "dt", "dd", "tr":
            requestBreak(1)
            if name == "tr" { firstCellInRow = true }
        case "td", "th":
            if !firstCellInRow {
                pendingSpace = false
                appendRaw(" | ")
            }
            firstCellInRow = false
            cellDepth += 1
        default:
            if HTMLRenderer.blockElements.contains(name) { requestBreak(2) }
        }
    }

    mutating func close(_ name: String) {
        switch name {
        case "h1", "h2", "h3", "h4", "h5", "h6":
            pendingPrefix = []
            requestBreak(2)
        case "pre":
            guard preDepth > 0 else { return }
            preDepth -= 1
            if out.last != 0x0A { out.append(0x0A) }
            out.append(contentsOf: Array("```".utf8))
            requestBreak(2)
        case "ul", "ol":
            if !lists.isEmpty { lists.removeLast() }
            requestBreak(lists.isEmpty ? 2 : 1)
        case "li", "dt", "dd", "tr":
            requestBreak(1)
        case "td", "th":
            cellDepth = max(0, cellDepth - 1)
        default:
            if HTMLRenderer.blockElements.contains(name) { requestBreak(2) }
        }
    }

    mutating func requestBreak(_ level: Int) {
        if cellDepth > 0 {
            pendingSpace = true
            return
        }
        // Inside lists, paragraphs of an item are lines, not blocks: `<li><p>` is common.
        pendingBreak = max(pendingBreak, lists.isEmpty ? level : 1)
    }

    mutating func flushBreak() {
        if pendingBreak > 0, !out.isEmpty {
            while out.last == 0x20 { out.removeLast() }
            // Text can already end in more newlines than the break asks for (a `<pre>`).
            let have = out.reversed().prefix { $0 == 0x0A }.count
            if have < pendingBreak { out.append(contentsOf: repeatElement(0x0A, count: pendingBreak - have)) }
        }
        pendingBreak = 0
        pendingSpace = false
    }

    mutating func appendRaw(_ text: String) {
        out.append(contentsOf: Array(text.utf8))
    }

    mutating func emitText(_ text: ArraySlice<UInt8>) {
        let decoded = HTMLEntities.decode(text)
        if preDepth > 0 {
            flushBreak()
            out.append(contentsOf: decoded)
            return
        }
        for byte in decoded {
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                pendingSpace = true
                continue
            }
            if pendingBreak > 0 { flushBreak() }
            if !pendingPrefix.isEmpty {
                out.append(contentsOf: pendingPrefix)
                pendingPrefix = []
                pendingSpace = false
            }
            if pendingSpace {
                if let last = out.last, last != 0x0A, last != 0x20 { out.append(0x20) }
                pendingSpace = false
            }
            out.append(byte)
        }
    }

    mutating func finish() -> [UInt8] {
        if preDepth > 0 {
            if out.last != 0x0A { out.append(0x0A) }
            out.append(contentsOf: Array("```".utf8))
        }
        while let last = out.last, last == 0x0A || last == 0x20 { out.removeLast() }
        return out
    }
}
