import Dispatch
import Foundation
import Synchronization

/// The `CutLedger` on disk, so that a conversation continues after the daemon restarts
/// (socket activation stops it when idle) exactly as it would have without the restart.
///
/// What is persisted, per conversation prefix forwarded: the key of that prefix (a hash
/// of the pipeline version, its settings, the mode, the encoding and the content hashes
/// of its messages), its summary boundary, when it was last forwarded (wall-clock time),
/// and how many of its first messages went upstream as the client sent them, when any
/// did. No prompt text, compressed or not. A restarted pipeline with the same version and
/// settings that finds a conversation's entry forwards the same bytes as before; one whose
/// version or settings differ finds no entry under its keys. (docs/DESIGN.md says why
/// this is enough.)
///
/// Bounds: entries older than `maximumAge` are dropped, and the newest entries that fit
/// in `maximumBytes` are kept. Writes go behind the request, on a queue of their own,
/// coalesced (at most one waiting), to a temporary file renamed over the old one: a crash
/// loses at most the newest records, never the file. A file that can't be read, is of
/// another format version, or is corrupt is ignored with a warning (and replaced by the
/// next write). The directory is created with mode 0700 and the file 0600.
package final class ConversationStateStore: Sendable {
    /// The first line of the file; another one means another format: ignored.
    static let header = "condenser-conversation-state 2"
    static let fileName = "conversations"
    /// About the bytes of one line: 32 hex digits, a boundary and a time in milliseconds.
    static let bytesPerEntry = 56

    let directory: String
    let maximumBytes: Int
    let maximumAge: Duration
    let warn: @Sendable (String) -> Void
    private let queue = DispatchQueue(label: "condenser.conversation-state", qos: .utility)
    private let saveQueued = Atomic<Bool>(false)
    /// Whether the last write failed: a failing directory is reported once, not on every request.
    private let writeFailing = Atomic<Bool>(false)

    /// - Parameters:
    ///   - warn: told (once per event, without prompt text) when the state can't be read or written.
    package init(directory: String, maximumBytes: Int, maximumAge: Duration, warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.maximumBytes = max(Self.bytesPerEntry, maximumBytes)
        self.maximumAge = maximumAge
        self.warn = warn
    }

    var path: String { directory + "/" + Self.fileName }

    /// The most entries the file may hold.
    var maximumEntries: Int { max(1, maximumBytes / Self.bytesPerEntry) }

    /// The entries the file holds that are younger than `maximumAge`, their times moved
    /// onto this process's clock. Empty, with a warning, when the file is unreadable.
    func load() -> [StableHash: CutLedger.Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { warn("cannot read the conversation state \(path); starting without it") }
            return [:]
        }
        guard let text = String(data: data, encoding: .utf8) else {
            warn("the conversation state \(path) is not text; ignored")
            return [:]
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard lines.first == Substring(Self.header) else {
            warn("the conversation state \(path) is of another format or version; ignored")
            return [:]
        }
        lines = lines.dropFirst()
        let (wallNow, instantNow) = (Self.unixMilliseconds(), ContinuousClock.now)
        let oldest = wallNow - Self.milliseconds(maximumAge)
        var entries: [StableHash: CutLedger.Entry] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            // A fourth field, the verbatim prefix, only when there is one.
            guard fields.count == 3 || fields.count == 4, fields[0].utf8.count == 32,
                let high = UInt64(fields[0].prefix(16), radix: 16), let low = UInt64(fields[0].suffix(16), radix: 16),
                let boundary = Int(fields[1]), boundary >= 0, let forwarded = Int64(fields[2]),
                let verbatim = fields.count == 4 ? Int(fields[3]) : 0, verbatim >= 0
            else {
                warn("the conversation state \(path) is corrupt; ignored")
                return [:]
            }
            guard forwarded >= oldest else { continue }
            // A time in the future (the wall clock was set back) counts as now.
            let age = Duration.milliseconds(max(0, wallNow - forwarded))
            entries[StableHash(high: high, low: low)] = CutLedger.Entry(
                boundary: boundary, lastForwarded: instantNow - age, verbatimPrefix: verbatim)
        }
        return entries
    }

    /// Writes the entries `snapshot` returns when the queue gets to it: a burst of
    /// records costs one write, of the state after the burst.
    func scheduleSave(_ snapshot: @escaping @Sendable () -> [StableHash: CutLedger.Entry]) {
        guard saveQueued.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        queue.async { [self] in
            saveQueued.store(false, ordering: .releasing)
            save(snapshot())
        }
    }

    /// Waits until every scheduled write is on disk (at shutdown, and for tests).
    func flush() {
        queue.sync {}
    }

    /// Writes `entries` (within the bounds) to a temporary file and renames it over the state file.
    func save(_ entries: [StableHash: CutLedger.Entry]) {
        let (wallNow, instantNow) = (Self.unixMilliseconds(), ContinuousClock.now)
        let maximumAge = self.maximumAge
        let kept = entries.filter { instantNow - $0.value.lastForwarded <= maximumAge }
            .sorted { $0.value.lastForwarded > $1.value.lastForwarded }
            .prefix(maximumEntries)
        var text = Self.header + "\n"
        text.reserveCapacity(Self.bytesPerEntry * (kept.count + 1))
        for (key, entry) in kept {
            let forwarded = wallNow - Self.milliseconds(instantNow - entry.lastForwarded)
            text += "\(key.description) \(entry.boundary) \(forwarded)"
            text += entry.verbatimPrefix > 0 ? " \(entry.verbatimPrefix)\n" : "\n"
        }
        do {
            try writeAtomically(Data(text.utf8))
            writeFailing.store(false, ordering: .relaxed)
        } catch {
            if !writeFailing.exchange(true, ordering: .relaxed) {
                warn("cannot write the conversation state in \(directory) (\(error)); conversations will be cut anew after a restart")
            }
        }
    }

    private func writeAtomically(_ data: Data) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError(call: "open", code: errno) }
        var failure: StateError?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = StateError(call: "write", code: errno)
                    return
                }
                offset += written
            }
        }
        // The data must be on disk before the rename makes it the state: after a crash the
        // file is the old state or the new one, never a torn one.
        if failure == nil, fsync(fd) != 0 { failure = StateError(call: "fsync", code: errno) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = StateError(call: "rename", code: errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    struct StateError: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    static func unixMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The directory a daemon keeps its state in when the configuration names none:
    /// systemd's `$STATE_DIRECTORY` (`StateDirectory=condenser`; its first entry), else
    /// `$XDG_STATE_HOME/condenser`, else `~/.local/state/condenser`. Nil without any of
    /// those (no home to write into).
    package static func defaultDirectory(environment: [String: String]) -> String? {
        if let systemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !systemd.isEmpty {
            return String(systemd)
        }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/condenser" }
        if let home = environment["HOME"], home.hasPrefix("/"), home != "/" { return home + "/.local/state/condenser" }
        return nil
    }
}
