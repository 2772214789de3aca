import CondenserTestSupport
import Foundation
import Testing

@testable import CondenserCore

@Suite struct RankFileTests {
    /// The hashes tiktoken checks (see ../shared/tokenizers/README.md).
    @Test(arguments: [
        (TokenEncoding.o200kBase, "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
        (.cl100kBase, "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
    ])
    func shippedFileInflatesToTheOfficialRankFile(encoding: TokenEncoding, sha256: String) throws {
        let file = try RankFileLocator.rankFile(for: encoding)
        #expect(RankFileSHA256.hex(file) == sha256)
    }

    @Test(arguments: TokenEncoding.allCases)
    func shippedFileIsTheSharedOriginal(encoding: TokenEncoding) throws {
        let original = try Data(contentsOf: SharedMaterial.url("tokenizers/\(encoding.rawValue).tiktoken"))
        #expect(try RankFileLocator.rankFile(for: encoding) == [UInt8](original))
    }

    @Test func findsTheFilesInTheResourceBundleNextToTheExecutable() {
        for encoding in TokenEncoding.allCases {
            let found = RankFileLocator.candidatePaths(for: encoding.resourceName).first { FileManager.default.fileExists(atPath: $0) }
            #expect(found?.contains("_CondenserCore.resources/Resources/") == true, "\(found ?? "nothing")")
        }
    }

    @Test func aMissingFileThrowsAnErrorThatSaysWhereItLooked() {
        #expect {
            try RankFileLocator.rankFile(named: "p50k_base.tiktoken.zlib", encoding: "p50k_base")
        } throws: { error in
            let message = (error as? TokenizerError)?.description ?? ""
            return message.contains("p50k_base") && message.contains("CONDENSER_DATA_DIR") && message.contains("Looked in")
        }
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(RankFileSHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(RankFileSHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(RankFileSHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func ranksAreDenseAndEveryByteIsAToken() throws {
        let o200k = try Tokenizer.shared(.o200kBase)
        let cl100k = try Tokenizer.shared(.cl100kBase)
        #expect(o200k.table.count == 199_998)
        #expect(cl100k.table.count == 100_256)
        for tokenizer in [o200k, cl100k] {
            for byte in 0...255 {
                let rank = Int(tokenizer.table.lookup.byteRanks[byte])
                #expect(tokenizer.decode([rank]) == [UInt8(byte)])
            }
        }
    }
}

/// SHA-256 (FIPS 180-4), for checking the shipped files: Foundation on Linux has no CommonCrypto.
enum RankFileSHA256 {
    static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    static func hex(_ message: [UInt8]) -> String {
        var h: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        var data = message
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        for block in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = block + i * 4
                w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
                let choice = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
                let s0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ majority
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] &+= a
            h[1] &+= b
            h[2] &+= c
            h[3] &+= d
            h[4] &+= e
            h[5] &+= f
            h[6] &+= g
            h[7] &+= hh
        }
        return h.map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 8 - digits.count) + digits
        }.joined()
    }

    private static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
