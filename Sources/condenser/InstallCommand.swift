import ArgumentParser
import Foundation

/// `condenser install`: puts the binary, its resources, the units, the default
/// configuration and the journal catalog in their places.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the binary, systemd units and default configuration.",
        discussion: """
            System-wide (root): PREFIX/bin/condenser, /etc/systemd/system/condenser.{socket,service}, \
            /etc/condenser/condenser.toml (kept if present) and /usr/lib/systemd/catalog/condenser.catalog. \
            With --user: ~/.local/bin/condenser, ~/.config/systemd/user/ and ~/.config/condenser/. \
            Then prints the command that enables the socket.
            """
    )

    @Flag(help: "Install for the current user, without root.")
    var user = false

    @Option(help: "Where bin/condenser goes (default /usr/local, or ~/.local with --user).")
    var prefix: String?

    @Option(help: "Stage the installation under this directory (for packaging and tests).")
    var destdir: String?

    @Option(
        help: "The source tree holding systemd/ and etc/condenser/ (default: the current directory, else the tree the binary was built in)."
    )
    var source: String?

    @Option(help: "The default configuration file (default: SOURCE/etc/condenser/condenser.toml).")
    var configSource: String?

    func run() async throws {
        let files = FileManager.default
        let home = files.homeDirectoryForCurrentUser.path
        let prefix = self.prefix ?? (user ? "\(home)/.local" : "/usr/local")
        let staging = destdir ?? ""
        let source = try sourceTree()
        let executable = try Self.runningExecutable()

        // The binary and the resource bundles SwiftPM put next to it (the tokenizer ranks).
        let binDirectory = staging + prefix + "/bin"
        try Self.makeDirectory(binDirectory)
        let binary = binDirectory + "/condenser"
        try Self.copy(executable, to: binary, permissions: 0o755)
        let buildDirectory = (executable as NSString).deletingLastPathComponent
        for bundle in try files.contentsOfDirectory(atPath: buildDirectory)
        where bundle.hasSuffix(".resources") && !bundle.hasSuffix("Tests.resources") {
            try Self.copy("\(buildDirectory)/\(bundle)", to: "\(binDirectory)/\(bundle)", permissions: nil)
        }
        print("installed \(binary)")

        // The units, pointed at the installed binary.
        let unitSource = source + (user ? "/systemd/user" : "/systemd")
        let unitDirectory = staging + (user ? "\(home)/.config/systemd/user" : "/etc/systemd/system")
        let defaultBinary = user ? "%h/.local/bin/condenser" : "/usr/local/bin/condenser"
        try Self.makeDirectory(unitDirectory)
        for unit in ["condenser.socket", "condenser.service"] {
            let text = try String(contentsOfFile: "\(unitSource)/\(unit)", encoding: .utf8)
            let installed = text.replacingOccurrences(of: "ExecStart=\(defaultBinary) ", with: "ExecStart=\(prefix)/bin/condenser ")
            try Self.write(installed, to: "\(unitDirectory)/\(unit)")
            print("installed \(unitDirectory)/\(unit)")
        }

        // The default configuration, unless one is there already.
        let configDirectory = staging + (user ? "\(home)/.config/condenser" : "/etc/condenser")
        let config = configDirectory + "/condenser.toml"
        let configOrigin = configSource ?? source + "/etc/condenser/condenser.toml"
        if files.fileExists(atPath: config) {
            print("kept \(config)")
        } else if files.fileExists(atPath: configOrigin) {
            try Self.makeDirectory(configDirectory)
            try Self.copy(configOrigin, to: config, permissions: 0o644)
            print("installed \(config)")
        } else {
            print("warning: no default configuration at \(configOrigin); write \(config) yourself")
        }

        // The journal catalog lives in root's directories only.
        if user {
            print("skipped the journal catalog (journalctl -x explanations need a system install)")
        } else {
            let catalogDirectory = staging + "/usr/lib/systemd/catalog"
            try Self.makeDirectory(catalogDirectory)
            try Self.copy(source + "/systemd/condenser.catalog", to: catalogDirectory + "/condenser.catalog", permissions: 0o644)
            print("installed \(catalogDirectory)/condenser.catalog")
            if destdir == nil { Self.runQuietly("/usr/bin/journalctl", ["--update-catalog"]) }
        }

        // Let a running manager see the new units now.
        if destdir == nil, files.fileExists(atPath: "/run/systemd/system") {
            Self.runQuietly("/usr/bin/systemctl", user ? ["--user", "daemon-reload"] : ["daemon-reload"])
        }
        print("\nEnable it with:\n  systemctl \(user ? "--user " : "")enable --now condenser.socket")
    }

    /// The tree with systemd/ in it: --source, the current directory, or the one
    /// above the build directory the binary runs from (.build/<config>/condenser).
    private func sourceTree() throws -> String {
        let files = FileManager.default
        if let source {
            guard files.fileExists(atPath: source + "/systemd/condenser.service") else {
                throw ValidationError("No systemd/condenser.service under --source \(source).")
            }
            return source
        }
        var candidates = [files.currentDirectoryPath]
        var directory = ((try? Self.runningExecutable()) ?? "") as NSString
        while directory.length > 1 {
            directory = directory.deletingLastPathComponent as NSString
            candidates.append(directory as String)
        }
        guard let found = candidates.first(where: { files.fileExists(atPath: $0 + "/systemd/condenser.service") }) else {
            throw ValidationError("Cannot find systemd/condenser.service; run from the source tree or give --source.")
        }
        return found
    }

    private static func runningExecutable() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw InstallFailure(description: "Cannot resolve /proc/self/exe: \(error)")
        }
    }

    private static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Replaces `destination` with a copy of `path` (a file or a directory tree).
    private static func copy(_ path: String, to destination: String, permissions: Int?) throws {
        let files = FileManager.default
        guard (path as NSString).standardizingPath != (destination as NSString).standardizingPath else { return }
        // Write beside and rename, so a running binary is never overwritten in place.
        let temporary = destination + ".condenser-install"
        try? files.removeItem(atPath: temporary)
        try files.copyItem(atPath: path, toPath: temporary)
        if let permissions { try files.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary) }
        // rename() replaces a file but not a non-empty directory.
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            try files.removeItem(atPath: destination)
        }
        guard rename(temporary, destination) == 0 else {
            throw InstallFailure(description: "Cannot install \(destination): \(String(cString: strerror(errno)))")
        }
    }

    private static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    }

    /// Runs a best-effort follow-up step; its failure doesn't undo the installation.
    private static func runQuietly(_ command: String, _ arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            print("note: could not run \(command) \(arguments.joined(separator: " ")): \(error)")
        }
    }
}

/// An installation step that failed; printed as "Error: ..." without the usage text.
private struct InstallFailure: Error, CustomStringConvertible {
    var description: String
}
