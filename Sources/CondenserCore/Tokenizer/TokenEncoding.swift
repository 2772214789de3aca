/// The byte-pair encodings Condenser counts with, named as tiktoken names them.
package enum TokenEncoding: String, Sendable, CaseIterable {
    /// gpt-4o, gpt-4.1, the o-series and gpt-5.
    case o200kBase = "o200k_base"
    /// gpt-4, gpt-3.5-turbo and text-embedding-3.
    case cl100kBase = "cl100k_base"

    /// The encoding a model name uses, after stripping a provider prefix such as
    /// `openai/` and a fine-tune's `ft:`. Models Condenser doesn't recognise get `default`.
    package static func forModel(_ model: String, default fallback: TokenEncoding = .o200kBase) -> TokenEncoding {
        var name = Substring(model.lowercased())
        if let slash = name.lastIndex(of: "/") {
            name = name[name.index(after: slash)...]
        }
        if name.hasPrefix("ft:") {
            name = name.dropFirst(3)
        }
        // o200k prefixes first: "gpt-4o" and "gpt-4.1" would otherwise fall under "gpt-4".
        for prefix in ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss"] where name.hasPrefix(prefix) {
            return .o200kBase
        }
        for prefix in ["gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"] where name.hasPrefix(prefix) {
            return .cl100kBase
        }
        return fallback
    }

    /// The file name of the shipped, zlib-compressed rank file.
    var resourceName: String { "\(rawValue).tiktoken.zlib" }
}
