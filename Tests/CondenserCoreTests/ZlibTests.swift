import Testing

@testable import CondenserCore

@Suite struct ZlibTests {
    let text = Array(String(repeating: "condenser keeps facts; ", count: 400).utf8)

    @Test(arguments: [Zlib.Format.zlib, .gzip])
    func roundTrips(format: Zlib.Format) throws {
        let packed = Zlib.deflate(text, format: format)
        #expect(packed.count < text.count / 10)
        #expect(try Zlib.inflate(packed, format: format, limit: 1 << 20) == text)
    }

    @Test func refusesOutputOverTheLimit() {
        let bomb = Zlib.deflate([UInt8](repeating: 0, count: 10_000_000), format: .gzip)
        #expect(throws: Zlib.Failure.tooLarge(limit: 1_000_000)) {
            try Zlib.inflate(bomb, format: .gzip, limit: 1_000_000)
        }
    }

    @Test func refusesCorruptAndTruncatedInput() {
        let packed = Zlib.deflate(text, format: .gzip)
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(Array(packed.prefix(packed.count / 2)), format: .gzip, limit: 1 << 20) }
        #expect(throws: Zlib.Failure.self) { try Zlib.inflate(Array("not gzip at all".utf8), format: .gzip, limit: 1 << 20) }
    }
}
