import CSystemd
import Foundation
import Glibc

/// Reads entries from the systemd journal through the `sd_journal` API.
///
/// Not thread-safe, like the `sd_journal` handle it wraps: use one reader from one task.
package final class JournalReader {
    /// Which journal files to read.
    package enum Source: Sendable, Equatable {
        /// The journals of this machine that the caller may read (system and user).
        case local
        /// Every journal file in a directory, e.g. one copied from another machine.
        case directory(String)
        /// These journal files.
        case files([String])
    }

    private let journal: OpaquePointer

    /// Opens the journal. Throws when it cannot be opened (a missing directory or file).
    package init(source: Source = .local) throws(JournalReadError) {
        var handle: OpaquePointer?
        let result: Int32
        switch source {
        case .local:
            result = sd_journal_open(&handle, 0)
        case .directory(let path):
            result = sd_journal_open_directory(&handle, path, 0)
        case .files(let paths):
            // A NULL-terminated array of C strings that lives for the call.
            let cStrings = paths.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            var argv: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) } + [nil]
            result = sd_journal_open_files(&handle, &argv, 0)
        }
        guard result >= 0, let handle else { throw .open(errno: -result) }
        journal = handle
    }

    deinit {
        sd_journal_close(journal)
    }

    /// Keeps only entries where `field` equals `value`. Matches on different fields
    /// must all hold; several on the same field are alternatives.
    package func addMatch(field: String, value: String) throws(JournalReadError) {
        let match = Array("\(field)=\(value)".utf8)
        let result = match.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
        if result < 0 { throw .match(errno: -result) }
    }

    /// The matching entries written from `since` to `until` (both inclusive, either
    /// open), oldest first.
    package func entries(since: Date? = nil, until: Date? = nil) throws(JournalReadError) -> [JournalEntry] {
        let sinceMicros = since.map(Self.micros)
        let untilMicros = until.map(Self.micros)
        let seek = sinceMicros.map { sd_journal_seek_realtime_usec(journal, $0) } ?? sd_journal_seek_head(journal)
        if seek < 0 { throw .read(errno: -seek) }

        var entries: [JournalEntry] = []
        while true {
            let step = sd_journal_next(journal)
            if step < 0 { throw .read(errno: -step) }
            if step == 0 { break }
            var realtime: UInt64 = 0
            guard sd_journal_get_realtime_usec(journal, &realtime) >= 0 else { continue }
            // Files interleave and clocks jump, so filter rather than stop at `until`.
            if let sinceMicros, realtime < sinceMicros { continue }
            if let untilMicros, realtime > untilMicros { continue }
            entries.append(JournalEntry(realtimeMicros: realtime, fields: currentFields()))
        }
        return entries
    }

    private func currentFields() -> [String: String] {
        var fields: [String: String] = [:]
        var data: UnsafeRawPointer?
        var length = 0
        sd_journal_restart_data(journal)
        while sd_journal_enumerate_available_data(journal, &data, &length) > 0, let data {
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: bytes[..<equals], as: UTF8.self)
            fields[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
        return fields
    }

    private static func micros(_ date: Date) -> UInt64 {
        UInt64(max(0, (date.timeIntervalSince1970 * 1_000_000).rounded()))
    }
}

/// One journal entry: when it was written and its fields, trusted ones (`_PID`) included.
package struct JournalEntry: Sendable, Equatable {
    /// Wall-clock time of the entry, in microseconds since the epoch.
    var realtimeMicros: UInt64
    package var fields: [String: String]

    init(realtimeMicros: UInt64, fields: [String: String]) {
        self.realtimeMicros = realtimeMicros
        self.fields = fields
    }

    /// Wall-clock time of the entry.
    package var date: Date { Date(timeIntervalSince1970: Double(realtimeMicros) / 1_000_000) }
}

/// Why the journal could not be read.
package enum JournalReadError: Error, Equatable, CustomStringConvertible {
    case open(errno: Int32)
    case match(errno: Int32)
    case read(errno: Int32)

    package var description: String {
        switch self {
        case .open(let code): "cannot open the journal: \(String(cString: strerror(code)))"
        case .match(let code): "invalid journal match: \(String(cString: strerror(code)))"
        case .read(let code): "cannot read the journal: \(String(cString: strerror(code)))"
        }
    }
}
