import CZlib

/// zlib and gzip streams, for the shipped rank files and `Content-Encoding: gzip` bodies.
package enum Zlib {
    package enum Format: Sendable {
        /// RFC 1950 (what Python's `zlib.compress` writes).
        case zlib
        /// RFC 1952 (`Content-Encoding: gzip`).
        case gzip
    }

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The inflated data would exceed the limit: refuse rather than fill memory.
        case tooLarge(limit: Int)
        case corrupt(String)

        package var description: String {
            switch self {
            case .tooLarge(let limit): return "the decompressed body exceeds \(limit) bytes"
            case .corrupt(let why): return "the compressed data is invalid (\(why))"
            }
        }
    }

    /// Inflates a whole stream, failing once more than `limit` bytes come out.
    package static func inflate(_ input: [UInt8], format: Format, limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = format == .gzip ? 15 + 16 : 15
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(4096, input.count * 4)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        let result: Result<Void, Failure> = input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if output.count + produced > limit { return .failure(.tooLarge(limit: limit)) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return .success(())
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0: return .failure(.corrupt("truncated stream"))
                case Z_BUF_ERROR: continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    return .failure(.corrupt(message))
                }
            }
        }
        try result.get()
        return output
    }

    /// Deflates bytes into a zlib or gzip stream.
    static func deflate(_ input: [UInt8], format: Format = .zlib, level: Int32 = 9) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = format == .gzip ? 15 + 16 : 15
        guard
            deflateInit2_(&stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else {
            return []
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let written: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                _ = CZlib.deflate(&stream, Z_FINISH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }
}
