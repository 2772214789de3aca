import CondenserTestSupport
import Foundation
import Testing

/// The one decision every test of `../shared` material goes through: CI must fail, not skip.
@Suite struct SharedMaterialTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-shared-\(UUID().uuidString)")

    @Test func missingMaterialFailsWhereTheEnvironmentRequiresIt() {
        let lookup = SharedMaterial.lookup("corpus/dev.jsonl", in: directory, environment: ["CONDENSER_REQUIRE_SHARED": "1"])
        #expect(lookup == .fail(path: directory.appendingPathComponent("corpus/dev.jsonl").path))
    }

    @Test func missingMaterialSkipsSayingWhatIsMissingElsewhere() {
        for environment in [[:], ["CONDENSER_REQUIRE_SHARED": "0"]] {
            guard case .skip(let reason) = SharedMaterial.lookup("corpus/dev.jsonl", in: directory, environment: environment) else {
                Issue.record("expected a skip with \(environment)")
                continue
            }
            #expect(reason.contains("corpus/dev.jsonl") && reason.contains("CONDENSER_REQUIRE_SHARED=1"))
        }
    }

    @Test func presentMaterialIsFoundEitherWay() throws {
        let file = directory.appendingPathComponent("tokenizers/vectors.jsonl")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{}\n".utf8).write(to: file)
        for environment in [[:], ["CONDENSER_REQUIRE_SHARED": "1"]] {
            #expect(SharedMaterial.lookup("tokenizers/vectors.jsonl", in: directory, environment: environment) == .found(file))
        }
    }

    @Test func theDirectoryIsBesideTheRepository() {
        let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(
            SharedMaterial.directory.standardizedFileURL
                == repository.deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL)
    }
}
