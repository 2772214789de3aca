import Foundation
import Logging

/// swift-log's stream handler, plus a syslog priority prefix (`<3>` for an error) on each
/// line when standard error is the journal's stream (`$JOURNAL_STREAM` names it), so
/// journald files an error line at priority err (`journalctl -p err` shows it) instead
/// of info. Elsewhere the lines are exactly the stream handler's.
struct StandardErrorLogHandler: LogHandler {
    private let label: String
    private let prefixPriority: Bool
    var metadata = Logger.Metadata()
    var logLevel: Logger.Level = .info

    init(label: String, prefixPriority: Bool) {
        self.label = label
        self.prefixPriority = prefixPriority
    }

    /// Makes handlers for `LoggingSystem.bootstrap`, deciding once whether standard error
    /// is the journal.
    static func factory(environment: [String: String] = ProcessInfo.processInfo.environment) -> @Sendable (String) -> any LogHandler {
        let journal = standardErrorIsJournal(environment: environment)
        return { label in StandardErrorLogHandler(label: label, prefixPriority: journal) }
    }

    /// Whether descriptor 2 is the stream `$JOURNAL_STREAM` ("device:inode") names;
    /// a child that inherited the variable but not the descriptor does not match.
    static func standardErrorIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let fields = value.split(separator: ":")
        guard fields.count == 2, let device = UInt64(fields[0]), let inode = UInt64(fields[1]) else { return false }
        var status = stat()
        guard fstat(2, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// sd-daemon(3)'s priority prefix for a level.
    static func priorityPrefix(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "<7>"
        case .info: return "<6>"
        case .notice: return "<5>"
        case .warning: return "<4>"
        case .error: return "<3>"
        case .critical: return "<2>"
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let stream = PrefixedStandardError(prefix: prefixPriority ? Self.priorityPrefix(event.level) : "")
        var handler = StreamLogHandler(label: label, stream: stream, metadataProvider: LoggingSystem.metadataProvider)
        handler.logLevel = logLevel
        handler.metadata = metadata
        handler.log(event: event)
    }
}

/// Standard error, with `prefix` at the start of every line written (journald reads a
/// priority from each line's start).
struct PrefixedStandardError: TextOutputStream, Sendable {
    let prefix: String

    mutating func write(_ text: String) {
        var out = text
        if !prefix.isEmpty {
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            out = prefix + body.replacingOccurrences(of: "\n", with: "\n" + prefix) + (text.hasSuffix("\n") ? "\n" : "")
        }
        FileHandle.standardError.write(Data(out.utf8))
    }
}
