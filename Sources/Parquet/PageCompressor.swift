// Page compression with the system libsnappy and libzstd.
import CSnappy
import CZstd

/// The codec of every column chunk in a file.
public enum ParquetCompression: String, Sendable, CaseIterable {
    case snappy, zstd, none

    var codec: ParquetCodec {
        switch self {
        case .snappy: .snappy
        case .zstd: .zstd
        case .none: .uncompressed
        }
    }
}

enum PageCompressor {
    /// Compresses one page body. `.none` returns the input unchanged.
    static func compress(_ input: UnsafeRawBufferPointer, _ compression: ParquetCompression, zstdLevel: Int32) throws(ParquetError) -> [UInt8] {
        switch compression {
        case .none:
            return Array(input)
        case .snappy:
            let capacity = snappy_max_compressed_length(input.count)
            var status = SNAPPY_OK
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                var length = capacity
                status = out.withMemoryRebound(to: CChar.self) { outChars in
                    snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count, outChars.baseAddress, &length)
                }
                count = status == SNAPPY_OK ? length : 0
            }
            guard status == SNAPPY_OK else { throw .compression("snappy status \(status.rawValue)") }
            return output
        case .zstd:
            let capacity = ZSTD_compressBound(input.count)
            var errorName: String?
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                let result = ZSTD_compress(out.baseAddress, capacity, input.baseAddress, input.count, zstdLevel)
                if ZSTD_isError(result) != 0 {
                    errorName = String(cString: ZSTD_getErrorName(result))
                    count = 0
                } else {
                    count = result
                }
            }
            if let errorName { throw .compression("zstd: \(errorName)") }
            return output
        }
    }
}

extension PageCompressor {
    static func compress(_ input: [UInt8], _ compression: ParquetCompression, zstdLevel: Int32) throws(ParquetError) -> [UInt8] {
        let result: Result<[UInt8], ParquetError> = input.withUnsafeBytes { raw in
            do throws(ParquetError) { return .success(try compress(raw, compression, zstdLevel: zstdLevel)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
