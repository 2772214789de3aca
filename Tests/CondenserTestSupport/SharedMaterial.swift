import Foundation
import Testing

/// `../shared` beside the repository: the dev corpus and the official tokenizer files,
/// which are not committed. A test that needs one asks here, and this alone decides
/// what its absence means: a skip that says what is missing, or, where the environment
/// sets `CONDENSER_REQUIRE_SHARED=1` (CI does), a failure.
public enum SharedMaterial {
    /// The variable that turns missing material into a failure.
    public static let requiredVariable = "CONDENSER_REQUIRE_SHARED"

    /// `shared/` next to the repository root, symlinks resolved so a checkout reached
    /// through a link still finds its neighbour.
    public static let directory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    public static func isRequired(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment[requiredVariable] == "1"
    }

    /// Missing material where the environment requires it.
    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "\(path) is missing and \(SharedMaterial.requiredVariable)=1 requires it: put the shared material next to the repository"
        }
    }

    /// What to do about a file under `shared/` (e.g. "corpus/dev.jsonl").
    public enum Lookup: Equatable, Sendable {
        case found(URL)
        case skip(reason: String)
        case fail(path: String)
    }

    /// The decision, apart from the test machinery, so that it can be checked itself.
    public static func lookup(
        _ relativePath: String, in directory: URL = directory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Lookup {
        let url = directory.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { return .found(url) }
        if isRequired(environment: environment) { return .fail(path: url.path) }
        return .skip(reason: "\(url.path) is missing (set \(requiredVariable)=1 to fail instead)")
    }

    /// The file under `shared/`; when it is missing, throws (failing the calling test) if
    /// the environment requires shared material, and otherwise cancels (skips) the calling
    /// test, saying which file is missing.
    public static func url(_ relativePath: String) throws -> URL {
        switch lookup(relativePath) {
        case .found(let url): return url
        case .fail(let path): throw Missing(path: path)
        case .skip(let reason): try Test.cancel(Comment(rawValue: reason))
        }
    }
}
