// bool, int32 and int64 columns without an external reader: schema annotations, bit packing,
// statistics (read back through our footer reader), dictionaries, pages, row groups and the
// int16 guard on Int32ColumnBuilder. ReaderInteropTests has pyarrow & co. read the values.
import Testing
@testable import Parquet

@Suite struct NewColumnKindsTests {
    static let schema = ParquetSchema([ParquetColumn("b", .bool), ParquetColumn("i", .int32), ParquetColumn("l", .int64)])

    static func batch(_ b: [Bool?], _ i: [Int32?], _ l: [Int64?]) throws -> ColumnBatch {
        var bools = BoolColumnBuilder(), ints = Int32ColumnBuilder(), longs = Int64ColumnBuilder()
        for v in b { bools.append(v) }
        for v in i { ints.append(v) }
        for v in l { longs.append(v) }
        return try ColumnBatch([.bool(bools), .int32(ints), .int64(longs)])
    }

    static func write(_ batches: [ColumnBatch], configure: (inout ParquetWriterOptions) -> Void = { _ in }) throws -> ParquetFooter {
        var options = ParquetWriterOptions(createdBy: "test", compression: .none)
        configure(&options)
        let output = ParquetMemoryOutput()
        let writer = try ParquetFileWriter(output: output, schema: schema, options: options)
        for batch in batches { try writer.append(batch) }
        try writer.close()
        return try ParquetFooterReader.read(bytes: output.bytes)
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    @Test func physicalTypesWithoutAnnotations() throws {
        // pyarrow writes int32/int64/bool columns with neither a logical nor a converted type; an
        // annotation (e.g. INTEGER(32,true)) would still read as int32 but differ from pyarrow's files.
        for element in Self.schema.schemaElements.dropFirst() {
            #expect(element.convertedType == nil && element.logicalType == nil, "\(element.name)")
            #expect(element.repetition == .optional, "\(element.name)")
        }
        #expect(Self.schema.schemaElements.dropFirst().map(\.type) == [.boolean, .int32, .int64])
        let footer = try Self.write([])
        #expect(footer.columns.map(\.typeDescription) == ["BOOLEAN", "INT32", "INT64"])
        #expect(footer.columns.allSatisfy { $0.logicalType == nil && $0.convertedType == nil })
        // verify compares these two descriptions; a mismatch would reject every content file.
        #expect(footer.schemaDescription.elementsEqual(Self.schema.footerSchemaDescription, by: ==))
        #expect(Self.schema.footerSchemaDescription.map(\.type) == ["BOOLEAN", "INT32", "INT64"])
    }

    @Test func booleansArePackedLeastSignificantBitFirst() {
        // Non-null values T F T T F F F T | T → 0b1000_1101, 0b0000_0001; nulls take no bit.
        let values: [Bool] = [true, false, true, true, false, false, false, false, true, true, true]
        let levels: [UInt8] = [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]
        var out = [UInt8](repeating: 0xFF, count: 4)  // garbage that must be overwritten, not OR-ed
        let written = values.withUnsafeBufferPointer { v in
            levels.withUnsafeBufferPointer { l in
                out.withUnsafeMutableBytes { PlainEncoding.writeBooleans(values: v, levels: l, rows: 0..<11, nonNullCount: 9, to: $0.baseAddress!) }
            }
        }
        #expect(written == 2)
        #expect(out == [0x8D, 0x01, 0xFF, 0xFF])  // nothing written past the two bytes

        // Runs: 16 true, 16 false, 3 true over a sub-range of rows.
        let runs = [false] + Array(repeating: true, count: 16) + Array(repeating: false, count: 16) + [true, true, true]
        let all = [UInt8](repeating: 1, count: runs.count)
        var packed = [UInt8](repeating: 0xAA, count: 6)
        let n = runs.withUnsafeBufferPointer { v in
            all.withUnsafeBufferPointer { l in
                packed.withUnsafeMutableBytes { PlainEncoding.writeBooleans(values: v, levels: l, rows: 1..<runs.count, nonNullCount: 35, to: $0.baseAddress!) }
            }
        }
        #expect(n == 5)
        #expect(packed == [0xFF, 0xFF, 0x00, 0x00, 0x07, 0xAA])
    }

    @Test func booleanStatisticsAreOneByte() {
        func stats(_ values: [Bool?]) -> ParquetStatistics {
            var b = BoolColumnBuilder()
            for v in values { b.append(v) }
            let present = values.filter { $0 != nil }.count
            return b.values.withUnsafeBufferPointer { v in
                b.definitionLevels.withUnsafeBufferPointer { ColumnStatistics.booleans(values: v, levels: $0, rows: 0..<values.count, nonNullCount: present) }
            }
        }
        // Min is false unless every value is true; max is true unless every value is false. A
        // null row holds `false` in the builder and must not count as a value.
        #expect(stats([true, nil, true]) == ParquetStatistics(nullCount: 1, minValue: [1], maxValue: [1]))
        #expect(stats([false, false]) == ParquetStatistics(nullCount: 0, minValue: [0], maxValue: [0]))
        #expect(stats([true, false, nil]) == ParquetStatistics(nullCount: 1, minValue: [0], maxValue: [1]))
        #expect(stats([nil, nil]) == ParquetStatistics(nullCount: 2))
        #expect(stats([]) == ParquetStatistics(nullCount: 0))
    }

    @Test func statisticsInTheFooterCoverNullsAndExtremes() throws {
        let footer = try Self.write([
            Self.batch([true, nil, true], [Int32.min, nil, Int32.max], [Int64.max, Int64.min, nil]),
            Self.batch([nil, nil], [nil, nil], [nil, nil]),
            Self.batch([false, false], [-1, 0], [0, -1]),
        ]) { $0.rowGroupRowLimit = 3 }  // groups: 3 rows, 3 rows (one all-null), 1 row
        #expect(footer.rowGroups.map(\.numRows) == [3, 3, 1])
        let stats = footer.rowGroups.map { $0.columns.map(\.statistics) }
        // Group 0: the extremes of both integer types, signed (Int32.min is the minimum, not 0x80000000 > 0x7FFFFFFF).
        #expect(stats[0][0] == ParquetFooter.Statistics(min: [1], max: [1], nullCount: 1, isMinExact: true, isMaxExact: true))
        #expect(stats[0][1]?.min == Self.le(Int32.min) && stats[0][1]?.max == Self.le(Int32.max) && stats[0][1]?.nullCount == 1)
        #expect(stats[0][2]?.min == Self.le(Int64.min) && stats[0][2]?.max == Self.le(Int64.max) && stats[0][2]?.nullCount == 1)
        // Group 1: rows 3..<5 are null in every column, row 5 is (false, -1, 0).
        #expect(stats[1][0]?.min == [0] && stats[1][0]?.max == [0] && stats[1][0]?.nullCount == 2)
        #expect(stats[1][1]?.min == Self.le(Int32(-1)) && stats[1][1]?.max == Self.le(Int32(-1)))
        #expect(stats[1][2]?.min == Self.le(Int64(0)) && stats[1][2]?.nullCount == 2)
        // Group 2: one row.
        #expect(stats[2][1]?.min == Self.le(Int32(0)) && stats[2][2]?.max == Self.le(Int64(-1)))
        // The int64 column's range over every row group (what verify reads for timestamps).
        #expect(footer.int64Range(column: "l")?.min == Int64.min && footer.int64Range(column: "l")?.max == Int64.max)
        #expect(footer.int64Range(column: "i") == nil)  // INT32: no int64 range
    }

    @Test func allNullChunksHaveNoMinMax() throws {
        let footer = try Self.write([Self.batch([nil, nil, nil], [nil, nil, nil], [nil, nil, nil])])
        for chunk in footer.rowGroups[0].columns {
            // min/max on an all-null chunk would claim a value that is not there.
            #expect(chunk.statistics?.min == nil && chunk.statistics?.max == nil, "\(chunk.path)")
            #expect(chunk.statistics?.nullCount == 3 && chunk.numValues == 3, "\(chunk.path)")
            #expect(chunk.dictionaryPageOffset == nil, "\(chunk.path)")
        }
    }

    @Test func integersGetDictionariesBooleansNever() throws {
        let rows = 1_000
        let footer = try Self.write([Self.batch(
            (0..<rows).map { $0 % 3 == 0 },
            (0..<rows).map { [7, -7, Int32.max][$0 % 3] },
            (0..<rows).map { $0 % 10 == 0 ? nil : Int64($0) * 1_000_003 })])  // unique: PLAIN pays off
        let chunks = footer.rowGroups[0].columns
        // bool: PLAIN + RLE levels only; int32 low-cardinality: dictionary; int64 unique: PLAIN.
        #expect(chunks[0].dictionaryPageOffset == nil && Set(chunks[0].encodings) == [0, 3])
        #expect(chunks[1].dictionaryPageOffset != nil && Set(chunks[1].encodings) == [0, 3, 8])
        #expect(chunks[2].dictionaryPageOffset == nil && Set(chunks[2].encodings) == [0, 3])

        // Even when asked to, a bool chunk is planned without a dictionary.
        var b = BoolColumnBuilder()
        for i in 0..<100 { b.append(i % 2 == 0) }
        let options = ParquetWriterOptions(createdBy: "test")
        #expect(ColumnChunkEncoder.plan(column: .bool(b), kind: .bool, rows: 0..<100, policy: .always, options: options).dictionary == nil)
        // And int64 low-cardinality is dictionary-encoded like timestamps are.
        var l = Int64ColumnBuilder()
        for i in 0..<100 { l.append(Int64(i % 4) - 2) }
        #expect(ColumnChunkEncoder.plan(column: .int64(l), kind: .int64, rows: 0..<100, policy: .automatic, options: options).dictionary?.entryCount == 4)
    }

    @Test func booleanPagesAreCutByBits() throws {
        var b = BoolColumnBuilder()
        for i in 0..<1_000 { b.append(i % 5 == 0 ? nil : i % 2 == 0) }
        // 16 bytes = 128 bits per page; a value costs 1 bit, and its row's level bit counts too
        // (the cut is checked before a row's level bit is added, so a page may reach 129 bits).
        let pages = ColumnChunkEncoder.cutPages(column: .bool(b), rows: 0..<1_000, dictionaryBitWidth: nil, pageByteLimit: 16)
        #expect(pages.count > 10)
        #expect(pages.first?.rows.lowerBound == 0 && pages.last?.rows.upperBound == 1_000)
        #expect(pages.reduce(0) { $0 + $1.nonNullCount } == 800)
        for (previous, next) in zip(pages, pages.dropFirst()) {
            #expect(previous.rows.upperBound == next.rows.lowerBound)
            #expect(next.firstValueIndex == previous.firstValueIndex + previous.nonNullCount)
            // Neither overfull (a cost of 8 bits per value, as for bytes, would still pass the
            // count above but not this) nor cut early.
            #expect((127...129).contains(previous.rows.count + previous.nonNullCount))
        }
    }

    @Test func rowGroupsAreCutForEveryKind() throws {
        let rows = 250
        let footer = try Self.write([Self.batch(
            (0..<rows).map { $0 < 100 ? true : $0 < 200 ? false : nil },
            (0..<rows).map { Int32($0) - 125 },
            (0..<rows).map { Int64($0) << 40 })]) { $0.rowGroupRowLimit = 100 }
        #expect(footer.rowGroups.map(\.numRows) == [100, 100, 50])
        // Runs of true, then false, then nulls: each group's statistics describe only its rows.
        #expect(footer.rowGroups.map { $0.columns[0].statistics?.min } == [[1], [0], nil])
        #expect(footer.rowGroups.map { $0.columns[0].statistics?.nullCount } == [0, 0, 50])
        #expect(footer.rowGroups.map { $0.columns[1].statistics?.min } == [Self.le(Int32(-125)), Self.le(Int32(-25)), Self.le(Int32(75))])
        #expect(footer.rowGroups.map { $0.columns[2].statistics?.max } == [Self.le(Int64(99) << 40), Self.le(Int64(199) << 40), Self.le(Int64(249) << 40)])
    }

    @Test func bufferedBytesCountEveryKind() {
        // The row-group byte limit counts a bool row as 2 bytes (value + level), int32 5, int64 9.
        #expect(Self.schema.bufferedBytes(rows: 10, stringBytes: 0) == 10 * (2 + 5 + 9))
        var b = BoolColumnBuilder()
        for _ in 0..<7 { b.append(true) }
        #expect(ColumnData.bool(b).bufferedBytes(0..<7) == 14)
    }

    @Test func int32BuilderGuardsInt16Columns() throws {
        let int16Schema = ParquetSchema([ParquetColumn("n", .int16)])
        var wide = Int32ColumnBuilder()
        wide.append(Int32(200))
        #expect(!wide.exceedsInt16)
        #expect(ColumnData.int32(wide).matches(.int16))  // in range: fine for an int16 column
        wide.append(Int32(40_000))
        #expect(wide.exceedsInt16)
        #expect(!ColumnData.int32(wide).matches(.int16) && ColumnData.int32(wide).matches(.int32))
        // The writer refuses it for int16 (INTEGER(16) cannot hold 40000) and accepts it for int32.
        let refusing = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: int16Schema, options: ParquetWriterOptions(createdBy: "t"))
        #expect(throws: ParquetError.batchMismatch("column n is int16 but holds values outside Int16's range")) {
            try refusing.append(ColumnBatch([.int32(wide)]))
        }
        let accepting = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: ParquetSchema([ParquetColumn("n", .int32)]), options: ParquetWriterOptions(createdBy: "t"))
        try accepting.append(ColumnBatch([.int32(wide)]))
        #expect(try accepting.close().rows == 2)
        // Rows copied from a wide builder make the copy wide; emptying the builder clears it.
        var copy = ColumnData.empty(for: .int32)
        copy.append(rowsOf: .int32(wide), 0..<1)
        if case .int32(let c) = copy { #expect(c.exceedsInt16) } else { Issue.record("not int32") }
        wide.removeAll()
        #expect(!wide.exceedsInt16 && wide.count == 0)
        // Int32 extremes are stored as given, nulls as 0 with level 0.
        var edges = Int32ColumnBuilder()
        edges.append(Int32.min)
        edges.append(Int32?.none)
        edges.append(Int32.max)
        #expect(edges.values == [.min, 0, .max] && edges.definitionLevels == [1, 0, 1])
    }

    @Test func wrongBuildersAreRefused() throws {
        // A bool column must get a BoolColumnBuilder, int64 an Int64ColumnBuilder, and so on.
        #expect(!ColumnData.int32(Int32ColumnBuilder()).matches(.bool))
        #expect(!ColumnData.bool(BoolColumnBuilder()).matches(.int32))
        #expect(!ColumnData.int32(Int32ColumnBuilder()).matches(.int64))
        #expect(!ColumnData.int64(Int64ColumnBuilder()).matches(.int32))
        #expect(ColumnData.int64(Int64ColumnBuilder()).matches(.int64) && ColumnData.bool(BoolColumnBuilder()).matches(.bool))
        let writer = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: Self.schema, options: ParquetWriterOptions(createdBy: "t"))
        var i = Int32ColumnBuilder(), l = Int64ColumnBuilder()
        i.append(Int32(1))
        l.append(1)
        #expect(throws: ParquetError.self) { try writer.append(ColumnBatch([.int32(i), .int32(i), .int64(l)])) }
    }
}
