import ArgumentParser
import CondenserServer
import Foundation

/// `condenser check-config`: validates the configuration and prints what is in force.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration file (and CONDENSER_* variables) and print the effective configuration.",
        discussion: "Exits 1 and names the bad key and why when something is wrong."
    )

    @Option(help: "The configuration file (default \(CondenserConfiguration.defaultPath)).")
    var config: String?

    // For scripts/config-docs, which rewrites the shipped file and the README from the key list.
    @Flag(help: .hidden)
    var printDefaultToml = false

    @Flag(help: .hidden)
    var printReadmeTable = false

    func run() async throws {
        if printDefaultToml {
            print(CondenserConfiguration.defaultTOML, terminator: "")
            return
        }
        if printReadmeTable {
            print(CondenserConfiguration.readmeTable, terminator: "")
            return
        }
        do {
            let configuration = try CondenserConfiguration.load(path: config)
            let path = config ?? CondenserConfiguration.defaultPath
            if FileManager.default.fileExists(atPath: path) {
                print("OK: \(path)")
            } else {
                print("OK: no file at \(path); using the defaults")
            }
            for line in configuration.accessDescription { print(line) }
            print("# Effective configuration (file, then CONDENSER_* environment):")
            print(configuration.tomlDescription, terminator: "")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
