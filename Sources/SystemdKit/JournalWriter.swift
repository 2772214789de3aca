import CSystemd
import Glibc
import Synchronization

/// Writes structured entries to the systemd journal with `sd_journal_sendv`.
///
/// A failed write is counted and reported to the caller, never fatal: the journal is
/// where savings go, not something a request may fail on.
package final class JournalWriter: Sendable {
    private let failures = Atomic<Int>(0)

    package init() {}

    /// How many entries could not be written since this writer was made.
    var failedWrites: Int { failures.load(ordering: .relaxed) }

    /// Whether journald keeps a field of this name.
    ///
    /// journald silently drops fields whose names are not `[A-Z0-9_]`, start with `_`
    /// (reserved for trusted fields) or a digit, or are longer than 64 characters.
    static func isValidFieldName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, first != UInt8(ascii: "_"),
            !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }

    /// Sends one entry made of `fields`, in order.
    ///
    /// Values may hold any bytes, newlines included. Throws, and counts the failure,
    /// when a name is invalid or journald cannot be reached (no journal socket, or
    /// nobody listening on it).
    package func send(_ fields: [(name: String, value: String)]) throws(JournalWriteError) {
        guard !fields.isEmpty else {
            failures.add(1, ordering: .relaxed)
            throw .sendFailed(errno: EINVAL)
        }
        if let bad = fields.first(where: { !Self.isValidFieldName($0.name) }) {
            failures.add(1, ordering: .relaxed)
            throw .invalidFieldName(bad.name)
        }
        // One buffer for every "NAME=value", with iovecs pointing into it.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        let result: Int32 = buffer.withUnsafeMutableBytes { raw in
            var iovecs = ranges.map { range in
                iovec(iov_base: raw.baseAddress! + range.lowerBound, iov_len: range.count)
            }
            return sd_journal_sendv(&iovecs, Int32(iovecs.count))
        }
        if result < 0 {
            failures.add(1, ordering: .relaxed)
            throw .sendFailed(errno: -result)
        }
    }
}

/// Why an entry did not reach the journal.
package enum JournalWriteError: Error, Equatable, CustomStringConvertible {
    /// A field name journald would drop.
    case invalidFieldName(String)
    /// `sd_journal_sendv` failed with this errno, typically `ENOENT` or `ECONNREFUSED`
    /// when no journald runs.
    case sendFailed(errno: Int32)

    package var description: String {
        switch self {
        case .invalidFieldName(let name): "invalid journal field name '\(name)'"
        case .sendFailed(let code): "journal write failed: \(String(cString: strerror(code)))"
        }
    }
}
