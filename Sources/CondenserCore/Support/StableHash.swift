import Crypto

/// A 128-bit content hash that is the same in every process and on every run, unlike
/// Swift's `Hasher`, which is seeded per process: SHA-256, truncated to its first 128 bits.
///
/// Memo keys and ledger keys are made of these, and a collision would put one text in
/// place of another, so the hash is a vetted cryptographic one rather than a fast mixer.
package struct StableHash: Sendable, Hashable, CustomStringConvertible {
    var high: UInt64
    var low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Hashes the UTF-8 bytes of a string.
    package init(_ string: String) {
        var string = string
        self = string.withUTF8 { StableHash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Hashes bytes.
    package init(bytes: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        self.init(digest: hasher.finalize())
    }

    private init(digest: SHA256.Digest) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        digest.withUnsafeBytes { bytes in
            high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        self.high = high
        self.low = low
    }

    /// Combines this hash with another, order-sensitively (for keys made of parts): the
    /// hash of the two hashes' 32 bytes.
    package func combined(with other: StableHash) -> StableHash {
        var words = (high.bigEndian, low.bigEndian, other.high.bigEndian, other.low.bigEndian)
        var hasher = SHA256()
        withUnsafeBytes(of: &words) { hasher.update(bufferPointer: $0) }
        return StableHash(digest: hasher.finalize())
    }

    /// Hashes a sequence of parts in one pass, each part's length before its bytes so that
    /// parts can't run into each other: one SHA-256 for a whole structure, rather than one
    /// per part and one per `combined(with:)`.
    package struct Builder {
        private var hasher = SHA256()

        package init() {}

        /// Adds a string's UTF-8 bytes, after their length.
        package mutating func add(_ string: String) {
            var string = string
            string.withUTF8 { bytes in
                add(UInt64(bytes.count))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            }
        }

        /// Adds whether there is a string, then the string if there is.
        package mutating func addOptional(_ string: String?) {
            if let string {
                add(1)
                add(string)
            } else {
                add(0)
            }
        }

        /// Adds a number (a tag, a count), as 8 little-endian bytes.
        package mutating func add(_ value: UInt64) {
            var value = value.littleEndian
            withUnsafeBytes(of: &value) { hasher.update(bufferPointer: $0) }
        }

        /// The hash of everything added.
        package func finalize() -> StableHash {
            StableHash(digest: hasher.finalize())
        }
    }

    /// 32 lowercase hex digits: the first 32 of the SHA-256 hex digest, for a hash of bytes.
    package var description: String {
        let h = String(high, radix: 16)
        let l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}
