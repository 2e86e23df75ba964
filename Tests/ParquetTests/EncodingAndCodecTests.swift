// PLAIN encoding, codecs (round trips through the libraries' own decompressors) and statistics.
import CSnappy
import CZstd
import Testing
@testable import Parquet
import TestRandom

@Test func plainFixedWidthSkipsNulls() {
    let values: [Int64] = [1, 0, -2, 0x0102_0304_0506_0708]
    let levels: [UInt8] = [1, 0, 1, 1]
    var out = [UInt8](repeating: 0xEE, count: 24)
    let written = values.withUnsafeBufferPointer { v in
        levels.withUnsafeBufferPointer { l in
            out.withUnsafeMutableBytes { PlainEncoding.writeFixedWidth(values: v, levels: l, rows: 0..<4, nonNullCount: 3, to: $0.baseAddress!) }
        }
    }
    #expect(written == 24)
    #expect(out == [1, 0, 0, 0, 0, 0, 0, 0,
                    0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                    8, 7, 6, 5, 4, 3, 2, 1])
}

@Test func plainByteArraysAreLengthPrefixed() {
    var column = StringColumnBuilder()
    column.append("ab")
    column.append(nil)
    column.append("")
    column.append("é")
    let size = column.offsets.withUnsafeBufferPointer { o in
        column.definitionLevels.withUnsafeBufferPointer { PlainEncoding.byteArraysSize(offsets: o, levels: $0, rows: 0..<4, nonNullCount: 3) }
    }
    #expect(size == 4 + 2 + 4 + 0 + 4 + 2)
    var out = [UInt8](repeating: 0, count: size)
    let written = column.bytes.withUnsafeBufferPointer { b in
        column.offsets.withUnsafeBufferPointer { o in
            column.definitionLevels.withUnsafeBufferPointer { l in
                out.withUnsafeMutableBytes { PlainEncoding.writeByteArrays(bytes: b, offsets: o, levels: l, rows: 0..<4, to: $0.baseAddress!) }
            }
        }
    }
    #expect(written == size)
    #expect(out == [2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 2, 0, 0, 0, 0xC3, 0xA9])
}

private func sampleBytes() -> [UInt8] {
    var rng = TestRandom(seed: 42)
    let words = ["GET", "/api/pypi/", "simple", "200", "pip/24.0", " "]
    var bytes: [UInt8] = []
    while bytes.count < 300_000 { bytes += Array(words.randomElement(using: &rng)!.utf8) }
    bytes += (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
    return bytes
}

@Test func snappyRoundTrip() throws {
    let input = sampleBytes()
    let compressed = try PageCompressor.compress(input, .snappy, zstdLevel: 1)
    #expect(compressed.count < input.count / 2)
    var length = 0
    let lengthStatus = compressed.withUnsafeBufferPointer { c in
        c.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, c.count, &length) }
    }
    #expect(lengthStatus == SNAPPY_OK)
    #expect(length == input.count)
    var output = [UInt8](repeating: 0, count: length)
    var outputLength = length
    let status = compressed.withUnsafeBufferPointer { c in
        c.withMemoryRebound(to: CChar.self) { cc in
            output.withUnsafeMutableBufferPointer { o in
                o.withMemoryRebound(to: CChar.self) { snappy_uncompress(cc.baseAddress, c.count, $0.baseAddress, &outputLength) }
            }
        }
    }
    #expect(status == SNAPPY_OK)
    #expect(output == input)
}

@Test(arguments: [Int32(1), 3, 9])
func zstdRoundTrip(level: Int32) throws {
    let input = sampleBytes()
    let compressed = try PageCompressor.compress(input, .zstd, zstdLevel: level)
    #expect(compressed.count < input.count / 2)
    let size = compressed.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
    #expect(size == UInt64(input.count))
    var output = [UInt8](repeating: 0, count: input.count)
    let result = compressed.withUnsafeBytes { c in
        output.withUnsafeMutableBytes { ZSTD_decompress($0.baseAddress, $0.count, c.baseAddress, c.count) }
    }
    #expect(ZSTD_isError(result) == 0)
    #expect(result == input.count)
    #expect(output == input)
}

@Test func uncompressedIsIdentity() throws {
    let input = sampleBytes()
    #expect(try PageCompressor.compress(input, .none, zstdLevel: 1) == input)
}

@Test func integerStatisticsAreSigned() {
    let values: [Int32] = [5, -32768, 0, 32767, -1, 99]
    let levels: [UInt8] = [1, 1, 1, 1, 1, 0]
    let statistics = values.withUnsafeBufferPointer { v in
        levels.withUnsafeBufferPointer { ColumnStatistics.fixedWidth(values: v, levels: $0, rows: 0..<6, nonNullCount: 5) }
    }
    #expect(statistics.nullCount == 1)
    #expect(statistics.minValue == ColumnStatistics.littleEndianBytes(Int32(-32768)))
    #expect(statistics.maxValue == ColumnStatistics.littleEndianBytes(Int32(32767)))
    // Range restricted to rows 4...5: only -1 is present (99 is null).
    let tail = values.withUnsafeBufferPointer { v in
        levels.withUnsafeBufferPointer { ColumnStatistics.fixedWidth(values: v, levels: $0, rows: 4..<6, nonNullCount: 1) }
    }
    #expect(tail.minValue == [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(tail.maxValue == [0xFF, 0xFF, 0xFF, 0xFF])
}

@Test func allNullChunksHaveNoMinMax() {
    var column = StringColumnBuilder()
    column.append(nil)
    column.append(nil)
    let statistics = ColumnStatistics.strings(column, rows: 0..<2, nonNullCount: 0)
    #expect(statistics == ParquetStatistics(nullCount: 2))
    #expect(ThriftCompactWriter.encode(statistics) == [0x36, 0x04, 0x00])
}

@Test func stringStatisticsAreUnsignedBytewise() {
    var column = StringColumnBuilder()
    for value in ["z", "é", "a", nil, "", "zz", "Z"] { column.append(value) }
    let statistics = ColumnStatistics.strings(column, rows: 0..<7, nonNullCount: 6)
    #expect(statistics.nullCount == 1)
    #expect(statistics.minValue == [])                 // "" sorts first
    #expect(statistics.maxValue == Array("é".utf8))    // 0xC3 > 'z' (0x7A) unsigned
    // The dictionary path gives the same answer.
    let dictionary = DictionaryBuilder.encodeStrings(column, rows: 0..<7, nonNullCount: 6, byteLimit: 1 << 20)!
    #expect(dictionary.entryCount == 6)
    #expect(ColumnStatistics.strings(dictionaryPage: dictionary.pageBody, entryCount: 6, nullCount: 1) == statistics)
}

@Test func longStringStatisticsAreTruncatedSafely() {
    let limit = ColumnStatistics.maxStatisticsValueLength
    let long = String(repeating: "a", count: limit + 10)
    var column = StringColumnBuilder()
    column.append(long)
    column.append("b")
    let statistics = ColumnStatistics.strings(column, rows: 0..<2, nonNullCount: 2)
    #expect(statistics.minValue == Array(String(repeating: "a", count: limit).utf8))
    #expect(statistics.isMinValueExact == false)
    #expect(statistics.maxValue == [0x62])
    #expect(statistics.isMaxValueExact == true)

    // Upper bounds: the last character goes up, the result is valid UTF-8 and above the value.
    let upper = ColumnStatistics.truncatedUpperBound(Array((String(repeating: "x", count: limit) + "yz").utf8), maxLength: limit)
    #expect(upper == Array((String(repeating: "x", count: limit - 1) + "y").utf8))
    let twoByte = Array(String(repeating: "ÿ", count: limit).utf8)  // 2-byte characters: cut on a boundary
    let twoByteBound = ColumnStatistics.truncatedUpperBound(twoByte, maxLength: limit + 1)!
    #expect(twoByteBound.count <= limit + 1)
    #expect(String(validating: twoByteBound, as: UTF8.self) != nil)
    #expect(twoByte.lexicographicallyPrecedes(twoByteBound))
    let maxScalars = Array(String(repeating: "\u{10FFFF}", count: limit).utf8)
    #expect(ColumnStatistics.truncatedUpperBound(maxScalars, maxLength: limit) == nil)
    // With no valid upper bound the chunk carries no min/max at all.
    var huge = StringColumnBuilder()
    huge.append(String(repeating: "\u{10FFFF}", count: limit))
    let none = ColumnStatistics.strings(huge, rows: 0..<1, nonNullCount: 1)
    #expect(none.minValue == nil && none.maxValue == nil && none.nullCount == 0)
}
