// Files of the kinds the tool has always written (timestamps, strings, int16) must keep their
// exact bytes when the writer learns new kinds: downstream checksums and the catalog's recorded
// sizes depend on it. Each case writes a deterministic file and compares its length and FNV-1a
// hash with the values recorded from the writer before BOOLEAN/INT32/INT64 columns existed.
// Uncompressed (and one Snappy) so a different zstd library version cannot change the bytes.
import Testing
@testable import Parquet
import TestRandom

@Suite struct ExistingKindsGoldenTests {
    /// FNV-1a, 64 bits: enough to notice any changed byte, no dependency needed.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static let schema = ParquetSchema([
        ParquetColumn("ts_ns", .timestampNanos), ParquetColumn("ts_us", .timestampMicros), ParquetColumn("ts_ms", .timestampMillis),
        ParquetColumn("low", .string), ParquetColumn("unique", .string), ParquetColumn("status", .int16),
        ParquetColumn("status_unique", .int16), ParquetColumn("nothing", .string),
    ])

    /// Rows with nulls, a dictionary-friendly string, unique strings, int16 with its extremes,
    /// a run of equal values and an all-null column.
    static func batch(rows: Range<Int>, seed: UInt64) throws -> ColumnBatch {
        var rng = TestRandom(seed: seed)
        var ns = Int64ColumnBuilder(), us = Int64ColumnBuilder(), ms = Int64ColumnBuilder()
        var low = StringColumnBuilder(), unique = StringColumnBuilder(), nothing = StringColumnBuilder()
        var status = Int32ColumnBuilder(), statusUnique = Int32ColumnBuilder()
        var t: Int64 = 1_764_000_000_000_000_000
        for i in rows {
            t += Int64.random(in: 0...3_000_000_000, using: &rng)
            let null = Int.random(in: 0..<8, using: &rng) == 0
            ns.append(null ? nil : t)
            us.append(null ? nil : t / 1_000)
            ms.append(i % 13 == 0 ? nil : t / 1_000_000)
            low.append(i % 11 == 0 ? nil : ["alice", "bob", "", "zoë", "é"][Int.random(in: 0..<5, using: &rng)])
            unique.append(i % 17 == 0 ? nil : "row \(i) " + String(repeating: "x", count: Int.random(in: 0...60, using: &rng)))
            let code: Int16 = i >= 100 && i < 140 ? 200 : [200, 304, 404, -32768, 32767][Int.random(in: 0..<5, using: &rng)]
            status.append(i % 9 == 0 ? nil : code)
            statusUnique.append(Int16(truncatingIfNeeded: i &* 7))
            nothing.appendNull()
        }
        return try ColumnBatch([.int64(ns), .int64(us), .int64(ms), .string(low), .string(unique), .int32(status), .int32(statusUnique), .string(nothing)])
    }

    static func write(rows: Int, options: ParquetWriterOptions, batchSize: Int = 500) throws -> [UInt8] {
        let output = ParquetMemoryOutput()
        let writer = try ParquetFileWriter(output: output, schema: schema, options: options)
        var start = 0
        while start < rows {
            let end = min(rows, start + batchSize)
            try writer.append(batch(rows: start..<end, seed: UInt64(start)))
            start = end
        }
        try writer.close()
        return output.bytes
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var rows: Int
        var compression: ParquetCompression
        var rowGroupRowLimit = 1_048_576
        var dataPageByteLimit = 1 << 20
        var dictionaryByteLimit = 1 << 20
        var length: Int
        var hash: UInt64
        var description: String { name }
    }

    static let cases: [Case] = [
        // Several row groups and pages, dictionaries where they pay off.
        Case(name: "groups-and-pages", rows: 3_000, compression: .none, rowGroupRowLimit: 1_100, dataPageByteLimit: 2_000,
             length: 209_341, hash: 0x319A_77A8_CBA1_F71A),
        // Tiny dictionary limit: strings PLAIN (the five status codes still fit).
        Case(name: "plain-fallback", rows: 2_000, compression: .none, dictionaryByteLimit: 20, length: 148_033, hash: 0x4930_8BA3_3182_27EC),
        // One row group, Snappy.
        Case(name: "snappy", rows: 1_500, compression: .snappy, length: 44_337, hash: 0xDD8D_B295_28C1_38B3),
        // Only the schema.
        Case(name: "zero-rows", rows: 0, compression: .none, length: 263, hash: 0xF0FD_282D_3F32_E6E3),
    ]

    @Test(arguments: cases)
    func bytesAreUnchanged(_ item: Case) throws {
        var options = ParquetWriterOptions(createdBy: "pulp-backfill version 2026.11.29.0", compression: item.compression)
        options.rowGroupRowLimit = item.rowGroupRowLimit
        options.dataPageByteLimit = item.dataPageByteLimit
        options.dictionaryByteLimit = item.dictionaryByteLimit
        let bytes = try Self.write(rows: item.rows, options: options)
        // Fails when any byte of a file of the existing kinds changed (encoding, statistics,
        // footer layout): the printed values are the new ones, to record only if the change is meant.
        #expect(bytes.count == item.length && Self.fnv1a(bytes) == item.hash,
                "\(item.name): length \(bytes.count), hash 0x\(String(Self.fnv1a(bytes), radix: 16, uppercase: true))")
    }
}
