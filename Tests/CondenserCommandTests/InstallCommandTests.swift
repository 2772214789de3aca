import Foundation
import Testing

/// `condenser install --destdir`: everything lands where systemd and the units expect it.
@Suite struct InstallCommandTests {
    /// The repository root, which holds systemd/ and etc/.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "condenser-install-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func stagesASystemInstall() throws {
        let destination = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let (status, output) = try CondenserBinary.run(["install", "--destdir", destination, "--prefix", "/opt/condenser"], in: root)
        #expect(status == 0)
        #expect(output.hasSuffix("systemctl enable --now condenser.socket\n"))

        let files = FileManager.default
        #expect(files.isExecutableFile(atPath: destination + "/opt/condenser/bin/condenser"))
        let bundles = try files.contentsOfDirectory(atPath: destination + "/opt/condenser/bin").filter { $0.hasSuffix(".resources") }
        #expect(bundles.contains { $0.hasSuffix("_CondenserCore.resources") })
        #expect(!bundles.contains { $0.hasSuffix("Tests.resources") })
        let service = try String(contentsOfFile: destination + "/etc/systemd/system/condenser.service", encoding: .utf8)
        #expect(service.contains("\nExecStart=/opt/condenser/bin/condenser serve --config /etc/condenser/condenser.toml\n"))
        #expect(files.fileExists(atPath: destination + "/etc/systemd/system/condenser.socket"))
        #expect(files.fileExists(atPath: destination + "/usr/lib/systemd/catalog/condenser.catalog"))
        if files.fileExists(atPath: root + "/etc/condenser/condenser.toml") {
            #expect(
                files.contentsEqual(atPath: destination + "/etc/condenser/condenser.toml", andPath: root + "/etc/condenser/condenser.toml"))
        }
    }

    @Test func keepsAnExistingConfiguration() throws {
        let destination = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let config = destination + "/etc/condenser/condenser.toml"
        let source = destination + "/source.toml"
        try FileManager.default.createDirectory(atPath: destination + "/etc/condenser", withIntermediateDirectories: true)
        try "# mine\n".write(toFile: config, atomically: true, encoding: .utf8)
        try "# default\n".write(toFile: source, atomically: true, encoding: .utf8)
        #expect(try CondenserBinary.run(["install", "--destdir", destination, "--config-source", source], in: root).status == 0)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "# mine\n")
    }

    @Test func stagesAUserInstall() throws {
        let destination = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let (status, output) = try CondenserBinary.run(["install", "--user", "--destdir", destination], in: root)
        #expect(status == 0)
        #expect(output.hasSuffix("systemctl --user enable --now condenser.socket\n"))
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(FileManager.default.isExecutableFile(atPath: destination + home + "/.local/bin/condenser"))
        let service = try String(contentsOfFile: destination + home + "/.config/systemd/user/condenser.service", encoding: .utf8)
        #expect(service.contains("\nExecStart=\(home)/.local/bin/condenser serve --config %h/.config/condenser/condenser.toml\n"))
        #expect(!FileManager.default.fileExists(atPath: destination + "/usr/lib/systemd/catalog"))
    }
}
