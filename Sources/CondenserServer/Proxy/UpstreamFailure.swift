import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A failure to reach the upstream, worded for a person. NIO's own descriptions of
/// socket errors read "connect(...): Connection refused) (errno: 111)", with an
/// unbalanced parenthesis, so the common ones are worded here.
enum UpstreamFailure {
    static func reason(for error: any Error) -> String {
        switch error {
        case let error as IOError:
            return errnoText(error.errnoCode)
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "looking up \(error.host) failed: \(reason(for: dns))"
            }
            let attempts = error.connectionErrors.map { "\($0.target.condenserDescription): \(reason(for: $0.error))" }
            return attempts.isEmpty ? "connecting to \(error.host):\(error.port) failed" : attempts.joined(separator: "; ")
        default:
            return String(describing: error)
        }
    }

    /// `Connection refused (errno 111)`.
    static func errnoText(_ code: CInt) -> String {
        let text = strerror(code).map { String(cString: $0) } ?? "error"
        return "\(text) (errno \(code))"
    }

    /// `text` with every parenthesis matched: a stray `)` is dropped and an open `(` closed,
    /// so a message built around a reason someone else worded still reads right.
    static func balanced(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var open = 0
        for character in text {
            if character == "(" {
                open += 1
            } else if character == ")" {
                guard open > 0 else { continue }
                open -= 1
            }
            out.append(character)
        }
        return out + String(repeating: ")", count: open)
    }
}
