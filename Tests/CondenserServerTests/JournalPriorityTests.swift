import Foundation
import Testing

/// `condenser serve` under systemd: its standard error is the journal's stream, which
/// files a line by the `<N>` priority at its start (info when there is none), so an
/// error must carry `<3>` for `journalctl -p err` to show it.
@Suite struct JournalPriorityTests {
    /// The lines the daemon writes when its listen address is taken (an error, then exit),
    /// with standard error a pipe that `JOURNAL_STREAM` names or not.
    func linesOfAFailedStart(journal: Bool) throws -> [String]? {
        guard let binary = SocketActivationTests.binary else {
            print("skipped: build condenser first (swift build)")
            return nil
        }
        // A port in use: the listener fails, which the daemon logs at error before exiting.
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(taken, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)

        let config = try CondenserDaemonTests.configFile("")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let pipe = Pipe()
        var environment = CondenserDaemonTests.environmentWithoutState
        environment["JOURNAL_STREAM"] = nil
        if journal {
            var status = stat()
            #expect(fstat(pipe.fileHandleForWriting.fileDescriptor, &status) == 0)
            environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config, "--listen", "127.0.0.1:\(port)", "--upstream", "http://127.0.0.1:9/v1"]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = pipe
        try process.run()
        pipe.fileHandleForWriting.closeFile()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func errorLinesCarryTheirPriorityOnTheJournalStream() throws {
        guard let lines = try linesOfAFailedStart(journal: true) else { return }
        let errors = lines.filter { $0.hasPrefix("<3>") || $0.hasPrefix("<2>") }
        #expect(!errors.isEmpty, "no error-priority line in: \(lines)")
        #expect(lines.allSatisfy { $0.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil }, "\(lines)")
    }

    @Test func elsewhereLinesHaveNoPrefix() throws {
        guard let lines = try linesOfAFailedStart(journal: false) else { return }
        #expect(lines.contains { $0.contains("error") })
        #expect(!lines.contains { $0.hasPrefix("<") }, "\(lines)")
    }
}
