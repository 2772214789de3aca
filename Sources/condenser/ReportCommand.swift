import ArgumentParser
import CondenserCore
import CondenserServer
import Foundation
import SystemdKit

/// `condenser report`: sums the savings records in the journal.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise the tokens Condenser saved, from the journal.",
        discussion: """
            Reads the savings records (MESSAGE_ID=\(SavingsRecord.journalMessageID)) through the sd_journal \
            API and prints a table with totals and a bar chart of savings per day. Reading the system \
            journal needs root or membership in the systemd-journal group.
            """
    )

    @Option(
        parsing: .unconditional,
        help: "Start of the period, in journalctl's syntax: 2026-11-21, \"2026-11-21 09:00\", today, yesterday, -7d, \"2 hours ago\".")
    var since: String?

    @Option(parsing: .unconditional, help: "End of the period, in the same syntax.")
    var until: String?

    @Option(help: "Rows per day, model, client or conversation.")
    var by = "day"

    @Flag(help: "Print JSON for scripts instead of the table.")
    var json = false

    @Option(help: "Read the journal files in this directory, e.g. copied from another machine.")
    var directory: String?

    @Option(help: "Read this journal file; repeat for several.")
    var file: [String] = []

    func validate() throws {
        guard SavingsReport.Grouping(rawValue: by) != nil else {
            throw ValidationError("--by takes day, model, client or conversation, not '\(by)'")
        }
        if directory != nil, !file.isEmpty {
            throw ValidationError("Give --directory or --file, not both.")
        }
    }

    func run() async throws {
        let now = Date()
        let sinceDate = try since.map { try Self.time($0, now: now, option: "--since") }
        let untilDate = try until.map { try Self.time($0, now: now, option: "--until") }
        let source: JournalReader.Source = directory.map { .directory($0) } ?? (file.isEmpty ? .local : .files(file))
        let records: [SavingsRecord]
        do {
            records = try JournalSavingsRecorder.records(from: source, since: sinceDate, until: untilDate)
        } catch {
            throw ReportFailure(description: "\(error)")
        }
        let report = SavingsReport(
            records: records, by: SavingsReport.Grouping(rawValue: by) ?? .day, since: sinceDate, until: untilDate)

        if json {
            print(try report.json())
            return
        }
        guard !records.isEmpty else {
            print("No savings records found in the journal for this period.")
            if directory == nil, file.isEmpty, getuid() != 0 {
                print("Reading the system journal needs root or membership in the systemd-journal group.")
            }
            return
        }
        print(report.table())
        if !report.stages.isEmpty {
            let stages = report.stages.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            print("\nSaved by stage: " + stages.map { "\($0.key) \(SavingsReport.abbreviated($0.value))" }.joined(separator: ", "))
        }
        print("\nTokens saved per day:")
        print(report.dayChart())
    }

    private static func time(_ text: String, now: Date, option: String) throws -> Date {
        do {
            return try TimeSpec.parse(text, now: now)
        } catch {
            throw ReportFailure(description: "\(option): \(error)")
        }
    }
}

/// A report that cannot be made; printed as "Error: ..." without the usage text.
private struct ReportFailure: Error, CustomStringConvertible {
    var description: String
}
