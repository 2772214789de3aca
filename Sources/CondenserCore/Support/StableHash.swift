/// A 128-bit content hash that is the same in every process and on every run, unlike
/// Swift's `Hasher`, which is seeded per process. Used for memo keys and fingerprints,
/// where a collision would substitute one text for another, hence 128 bits.
public struct StableHash: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Hashes the UTF-8 bytes of a string.
    public init(_ string: String) {
        var string = string
        self = string.withUTF8 { StableHash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Hashes bytes, two independent 64-bit lanes of multiply-xorshift mixing.
    public init(bytes: UnsafeRawBufferPointer) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            a = StableHash.mix(a ^ word, 0xFF51_AFD7_ED55_8CCD)
            b = StableHash.mix(b &+ word, 0xC4CE_B9FE_1A85_EC53)
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        a = StableHash.mix(a ^ tail, 0xFF51_AFD7_ED55_8CCD)
        b = StableHash.mix(b &+ tail, 0xC4CE_B9FE_1A85_EC53)
        // The length gets a round of its own: folded into the tail, "b" and "a\0" collide.
        a = StableHash.mix(a ^ UInt64(count), 0xFF51_AFD7_ED55_8CCD)
        b = StableHash.mix(b &+ UInt64(count) &* 0x9E37_79B9_7F4A_7C15, 0xC4CE_B9FE_1A85_EC53)
        high = StableHash.finalize(a ^ (b >> 7))
        low = StableHash.finalize(b ^ (a << 9))
    }

    /// Combines this hash with another, order-sensitively (for keys made of parts).
    public func combined(with other: StableHash) -> StableHash {
        StableHash(
            high: StableHash.finalize(high &* 31 ^ other.high &+ 0x632B_E59B_D9B4_E019),
            low: StableHash.finalize(low &* 37 ^ other.low &+ 0x9E37_79B9_7F4A_7C15)
        )
    }

    static func mix(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        var x = value &* multiplier
        x ^= x >> 29
        return x &* 0xBF58_476D_1CE4_E5B9
    }

    static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// 32 lowercase hex digits.
    public var description: String {
        let h = String(high, radix: 16)
        let l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}
