#if canImport(Glibc)
import Glibc
#endif

/// A `Host` header value parsed strictly as RFC 9110 §7.2 `uri-host [ ":" port ]`: a
/// registered name or IPv4 address, or an IPv6 address in brackets, then at most a
/// numeric port. Anything else (userinfo, a path, text after the brackets, an empty or
/// non-numeric port, zone identifiers) is not a host, so no later check can be fooled
/// by how another parser would split it.
struct HostHeader: Equatable {
    /// Lowercased, without brackets.
    var host: String
    var port: Int?
    var isIPv6: Bool
}

extension HostHeader {
    init?(_ value: String) {
        var text = Substring(value)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let literal = text[text.index(after: text.startIndex)..<close]
            guard Self.isIPv6Address(literal) else { return nil }
            host = literal.lowercased()
            isIPv6 = true
            text = text[text.index(after: close)...]
        } else {
            let end = text.firstIndex(of: ":") ?? text.endIndex
            let name = text[..<end]
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isRegisteredNameByte) else { return nil }
            host = name.lowercased()
            isIPv6 = false
            text = text[end...]
        }
        if text.isEmpty {
            port = nil
            return
        }
        guard text.first == ":" else { return nil }
        let digits = text.dropFirst()
        guard (1...5).contains(digits.utf8.count), digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let number = Int(digits), number <= 65535
        else { return nil }
        port = number
    }

    /// Letters, digits, `-`, `.`, `_` and `~`: the unreserved characters of a
    /// registered name, which also cover IPv4 dotted quads. Percent-encoding and the
    /// sub-delimiters RFC 3986 would allow name no host a client means to reach here.
    static func isRegisteredNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isIPv6Address(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 45,
            text.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
        else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(text), &address) == 1
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// 127.0.0.0/8, ::1 (also IPv4-mapped loopback) and `localhost`.
    var isLoopback: Bool {
        if isIPv6 {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
            return Self.isLoopback(address)
        }
        return host == "localhost" || host == "localhost." || Self.isLoopbackIPv4(host)
    }

    /// A dotted quad in 127.0.0.0/8, written plainly (no shortened or octal forms).
    static func isLoopbackIPv4(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }
    }

    static func isLoopback(_ address: in6_addr) -> Bool {
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // ::ffff:127.x.y.z
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
