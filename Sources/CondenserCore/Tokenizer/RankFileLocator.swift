import Foundation

/// Finds and inflates the shipped rank files without `Bundle.module`, whose generated
/// accessor calls `fatalError` when the resource bundle is missing: the daemon must keep
/// running (and fail open) instead.
enum RankFileLocator {
    /// SwiftPM names the bundle `<package>_<target>.resources`; the package is `Condenser`.
    static let bundleSuffix = "_CondenserCore.resources"
    static let preferredBundle = "Condenser" + bundleSuffix
    /// Rank files inflate to under 4 MB; the cap only guards against a corrupt file.
    static let inflateLimit = 32 << 20

    /// The inflated `.tiktoken` file of an encoding.
    static func rankFile(for encoding: TokenEncoding) throws(TokenizerError) -> [UInt8] {
        try rankFile(named: encoding.resourceName, encoding: encoding.rawValue)
    }

    static func rankFile(named name: String, encoding: String) throws(TokenizerError) -> [UInt8] {
        let paths = candidatePaths(for: name)
        guard let path = paths.first(where: { FileManager.default.isReadableFile(atPath: $0) }),
            let data = FileManager.default.contents(atPath: path)
        else {
            throw TokenizerError(
                "The \(encoding) rank file \(name) was not found. Looked in: \(paths.joined(separator: ", ")). "
                    + "Install it next to the condenser executable in \(preferredBundle)/Resources, or set CONDENSER_DATA_DIR to a directory holding it."
            )
        }
        do {
            return try Zlib.inflate([UInt8](data), format: .zlib, limit: inflateLimit)
        } catch {
            throw TokenizerError("The rank file \(path) could not be read: \(error.description).")
        }
    }

    /// Where to look, in order: a resource bundle next to the real executable (what
    /// `Bundle.module` tries first); the bundle in the build directory of the package this
    /// was built from (`Bundle.module`'s fallback, which hard-codes that path), and that
    /// package's own resource directory; then `$CONDENSER_DATA_DIR`.
    static func candidatePaths(for name: String) -> [String] {
        var paths: [String] = []
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let directory = executable.deletingLastPathComponent()
        var bundles = [preferredBundle]
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            bundles += entries.filter { $0.hasSuffix(bundleSuffix) && $0 != preferredBundle }.sorted()
        }
        for bundle in bundles {
            paths.append(directory.appendingPathComponent(bundle).appendingPathComponent("Resources").appendingPathComponent(name).path)
        }
        // This file is <package>/Sources/CondenserCore/Tokenizer/RankFileLocator.swift.
        let target = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let package = target.deletingLastPathComponent().deletingLastPathComponent()
        for configuration in ["release", "debug"] {
            let build = package.appendingPathComponent(".build").appendingPathComponent(configuration)
            paths.append(
                build.appendingPathComponent(preferredBundle).appendingPathComponent("Resources").appendingPathComponent(name).path)
        }
        paths.append(target.appendingPathComponent("Resources").appendingPathComponent(name).path)
        if let dataDirectory = ProcessInfo.processInfo.environment["CONDENSER_DATA_DIR"], !dataDirectory.isEmpty {
            let base = URL(fileURLWithPath: dataDirectory)
            paths.append(base.appendingPathComponent(name).path)
            paths.append(base.appendingPathComponent("Resources").appendingPathComponent(name).path)
        }
        return paths
    }
}
