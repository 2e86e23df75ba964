// ParquetFooterReader and ThriftCompactReader: the Thrift decoder on its own, footers of files
// written by ParquetFileWriter (every column kind, codec, 0 rows, many row groups) checked against
// the values that were written, footers of pyarrow-written files (and of ours) checked against
// pyarrow's `pq.read_metadata` and against min/max computed from the data itself, and malformed
// input (truncations, bad magic, bad lengths, thousands of random mutations) that must throw.
import Foundation
import Testing
@testable import Parquet
import TestRandom

// MARK: - Hand-built Thrift bytes

/// Compact-protocol bytes built by hand (independently of ThriftCompactWriter), so the reader is
/// also tested on encodings our writer never produces: long-form headers, maps, sets, doubles.
private struct RawThrift {
    var bytes: [UInt8] = []
    private var lastIDs: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// A field header; `long` forces the long form (type byte, then the zigzag id).
    mutating func field(_ id: Int16, _ type: UInt8, long: Bool = false) {
        let delta = Int(id) - Int(lastIDs[lastIDs.count - 1])
        if !long && delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            zigzag(Int64(id))
        }
        lastIDs[lastIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32, long: Bool = false) { field(id, 5, long: long); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64, long: Bool = false) { field(id, 6, long: long); zigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) { field(id, v ? 1 : 2) }
    mutating func binary(_ v: [UInt8]) { varint(UInt64(v.count)); bytes += v }
    mutating func binary(_ id: Int16, _ v: [UInt8], long: Bool = false) { field(id, 8, long: long); binary(v) }
    mutating func string(_ id: Int16, _ v: String, long: Bool = false) { binary(id, Array(v.utf8), long: long) }

    mutating func listHeader(_ count: Int, _ type: UInt8, long: Bool = false) {
        if count < 15 && !long { bytes.append(UInt8(count) << 4 | type) } else { bytes.append(0xF0 | type); varint(UInt64(count)) }
    }

    mutating func beginStruct() { lastIDs.append(0) }
    mutating func endStruct() { bytes.append(0); lastIDs.removeLast() }
    mutating func structField(_ id: Int16, long: Bool = false, _ body: (inout RawThrift) -> Void) {
        field(id, 12, long: long)
        beginStruct(); body(&self); endStruct()
    }
    /// A list of structs as field `id`.
    mutating func structList(_ id: Int16, _ count: Int, _ body: (inout RawThrift, Int) -> Void) {
        field(id, 9)
        listHeader(count, 12)
        for i in 0..<count { beginStruct(); body(&self, i); endStruct() }
    }
}

private func le64(_ v: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> (8 * UInt64($0))) } }
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
private let magic = Array("PAR1".utf8)

/// A whole "file" around `footer`: magic, footer, its length, magic.
private func frame(_ footer: [UInt8], length: UInt32? = nil) -> [UInt8] {
    magic + footer + le32(length ?? UInt32(footer.count)) + magic
}

private func footerBytes(of file: [UInt8]) -> [UInt8] {
    let n = file.count
    let length = Int(file[n - 8]) | Int(file[n - 7]) << 8 | Int(file[n - 6]) << 16 | Int(file[n - 5]) << 24
    return Array(file[(n - 8 - length)..<(n - 8)])
}

// MARK: - ThriftCompactReader

@Suite struct ThriftCompactReaderTests {
    @Test func primitivesDecode() throws {
        // Boundary values of every integer width; a wrong shift, sign or zigzag fails here.
        let i64s: [Int64] = [0, 1, -1, 63, -64, 64, 127, 128, Int64(Int32.max), Int64(Int32.min), .max, .min]
        var w = RawThrift()
        for v in i64s { w.zigzag(v) }
        w.varint(.max)
        w.zigzag(Int64(Int32.min)); w.zigzag(Int64(Int16.max))
        w.bytes.append(0xFE)  // i8 -2
        w.bytes += le64(Int64(bitPattern: (-2.5).bitPattern))  // double
        w.binary(Array("zoë".utf8)); w.binary([0xFF, 0x00])  // invalid UTF-8 is repaired, not fatal
        w.binary([])
        var r = ThriftCompactReader(w.bytes)
        for v in i64s { #expect(try r.readI64() == v) }
        #expect(try r.readVarint() == .max)
        #expect(try r.readI32() == .min)
        #expect(try r.readI16() == .max)
        #expect(try r.readI8() == -2)
        #expect(try r.readDouble() == -2.5)
        #expect(try r.readString() == "zoë")
        #expect(try r.readString() == "\u{FFFD}\u{0}")
        #expect(try r.readBinary() == [])
        #expect(r.isAtEnd)
    }

    @Test func fieldsOfEveryTypeAreSkippedAndDeltasFollowThem() throws {
        // A struct mixing fields the body reads (ids 1, 40, 3, 41) with fields of every type it
        // skips. If a skip consumed one byte too many or too few, or a long-form header did not
        // reset the delta base, the fields read after them would come out wrong.
        var w = RawThrift()
        w.beginStruct()
        w.i32(1, -7)
        w.field(2, 3); w.bytes.append(0x80)                       // i8
        w.field(4, 4); w.zigzag(-300)                             // i16
        w.i64(5, .min)
        w.field(6, 7); w.bytes += le64(0x4009_21FB_5444_2D18)     // double
        w.string(7, "skip me")
        w.bool(8, true); w.bool(9, false)
        w.field(10, 9); w.listHeader(20, 5, long: true)           // list<i32>, long size form
        for i in 0..<20 { w.zigzag(Int64(i) * -1000) }
        w.field(11, 10); w.listHeader(3, 1)                       // set<bool>: one byte per element
        w.bytes += [1, 2, 0]
        w.field(12, 11); w.varint(2); w.bytes.append(0x8C)        // map<binary, struct>
        for k in ["a", "b"] {
            w.binary(Array(k.utf8))
            w.beginStruct(); w.i32(1, 5); w.structField(2) { $0.string(1, "deep") }; w.endStruct()
        }
        w.field(13, 11); w.varint(0)                              // empty map: no type byte
        w.structField(14) { s in
            s.field(1, 9); s.listHeader(2, 9)                     // list<list<i64>>
            s.listHeader(1, 6); s.zigzag(1)
            s.listHeader(0, 6)
        }
        w.field(15, 9); w.listHeader(1, 7); w.bytes += le64(0)    // list<double>
        w.i64(40, 123_456_789_012)                                // delta 25: long form
        w.i32(3, 33)                                              // negative delta: long form
        w.string(41, "read me")                                   // delta 38: long form
        w.i32(42, 9)                                              // short form after a long one
        w.field(100, 1, long: true)                               // bool in a long-form header
        w.endStruct()

        var r = ThriftCompactReader(w.bytes)
        var seen: [Int16: String] = [:]
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch f.id {
            case 1: seen[1] = "\(try r.readI32())"
            case 40: seen[40] = "\(try r.readI64())"
            case 3: seen[3] = "\(try r.readI32())"
            case 41: seen[41] = try r.readString()
            case 42: seen[42] = "\(try r.readI32())"
            case 100: seen[100] = "\(f.boolValue!)"
            default: try r.skip(f)
            }
        }
        #expect(seen == [1: "-7", 40: "123456789012", 3: "33", 41: "read me", 42: "9", 100: "true"])
        #expect(r.isAtEnd)
    }

    @Test func malformedInputThrowsInsteadOfTrapping() {
        // Each input breaks one bound; a missing check would trap (crashing the test run) or
        // decode garbage instead of throwing.
        let cases: [(String, [UInt8], (inout ThriftCompactReader) throws(ParquetFooterError) -> Void)] = [
            ("empty varint", [], { (r) throws(ParquetFooterError) in _ = try r.readVarint() }),
            ("varint of 11 bytes", Array(repeating: 0x80, count: 10) + [0x01], { (r) throws(ParquetFooterError) in _ = try r.readVarint() }),
            ("varint past 64 bits", Array(repeating: 0xFF, count: 9) + [0x02], { (r) throws(ParquetFooterError) in _ = try r.readVarint() }),
            ("i32 out of range", [0x80, 0x80, 0x80, 0x80, 0x10], { (r) throws(ParquetFooterError) in _ = try r.readI32() }),
            ("i16 out of range", [0x80, 0x80, 0x04], { (r) throws(ParquetFooterError) in _ = try r.readI16() }),
            ("binary past the end", [0x05, 0x61], { (r) throws(ParquetFooterError) in _ = try r.readBinary() }),
            ("huge binary length", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], { (r) throws(ParquetFooterError) in _ = try r.readBinary() }),
            ("double past the end", [0, 0, 0], { (r) throws(ParquetFooterError) in _ = try r.readDouble() }),
            ("bad field type", [0x1D], { (r) throws(ParquetFooterError) in try r.readStruct { (r, f) throws(ParquetFooterError) in try r.skip(f) } }),
            ("field id past i16", [0x05, 0x80, 0x80, 0x08, 0x00], { (r) throws(ParquetFooterError) in try r.readStruct { (r, f) throws(ParquetFooterError) in try r.skip(f) } }),
            ("delta overflows i16", [0x05, 0xFC, 0xFF, 0x03, 0x02, 0xF5, 0x02, 0x00],
             { (r) throws(ParquetFooterError) in try r.readStruct { (r, f) throws(ParquetFooterError) in try r.skip(f) } }),
            ("struct without stop", [0x15, 0x02], { (r) throws(ParquetFooterError) in try r.readStruct { (r, f) throws(ParquetFooterError) in try r.skip(f) } }),
            ("list larger than the bytes", [0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x02], { (r) throws(ParquetFooterError) in try r.skipValue(type: 9) }),
            ("list size past i32", [0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], { (r) throws(ParquetFooterError) in try r.skipValue(type: 9) }),
            ("bad list element type", [0x10], { (r) throws(ParquetFooterError) in try r.skipValue(type: 9) }),
            ("map larger than the bytes", [0x40, 0x55, 0x02, 0x02], { (r) throws(ParquetFooterError) in try r.skipValue(type: 11) }),
            ("bad map types", [0x01, 0x0D, 0x02, 0x02], { (r) throws(ParquetFooterError) in try r.skipValue(type: 11) }),
            ("bad bool element", [0x11, 0x07], { (r) throws(ParquetFooterError) in try r.skipValue(type: 9) }),
            ("list of wrong element type", [0x18, 0x00], { (r) throws(ParquetFooterError) in
                _ = try r.readList(expecting: .i32) { (r) throws(ParquetFooterError) in try r.readI32() } }),
        ]
        for (name, bytes, body) in cases {
            var r = ThriftCompactReader(bytes)
            #expect(throws: ParquetFooterError.self, "\(name)") { try body(&r) }
        }
    }

    @Test func declaredSizesAreCheckedBeforeAnyElementIsRead() {
        // A list claiming 2^31-1 elements (or a map 64 entries) with a few bytes left must be
        // refused at its header, before the reader reserves room for it or loops over it: the
        // error's offset is the end of the header. Without the check the first element would be
        // decoded and the error would come later (after a multi-gigabyte reservation).
        var list = ThriftCompactReader([0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x02, 0x02])
        let listError = #expect(throws: ParquetFooterError.self) {
            _ = try list.readList(expecting: .i32) { (r) throws(ParquetFooterError) in try r.readI32() }
        }
        guard case .malformed(6, _) = listError else { Issue.record("\(String(describing: listError))"); return }
        var map = ThriftCompactReader([0x40, 0x55, 0x02, 0x02])
        let mapError = #expect(throws: ParquetFooterError.self) { try map.skipValue(type: 11) }
        guard case .malformed(2, _) = mapError else { Issue.record("\(String(describing: mapError))"); return }
    }

    @Test func nestingIsLimited() {
        // 100,000 nested structs, lists and maps: without the depth limit skipping them would
        // recurse until the stack overflows (a crash, not a failure).
        let deepStructs = [UInt8](repeating: 0x1C, count: 100_000)
        let deepLists = [UInt8](repeating: 0x19, count: 100_000)
        let deepMaps = Array([[UInt8]](repeating: [0x01, 0xBB, 0x00], count: 50_000).joined())
        for (bytes, type) in [(deepStructs, UInt8(12)), (deepLists, 9), (deepMaps, 11)] {
            var r = ThriftCompactReader(bytes)
            let error = #expect(throws: ParquetFooterError.self) { try r.skipValue(type: type) }
            guard case .nestingTooDeep = error else {
                Issue.record("type \(type): \(String(describing: error))")
                continue
            }
        }
        // Exactly at the limit is fine: 63 nested structs inside the outer one, each closed.
        let atLimit = [UInt8](repeating: 0x1C, count: ThriftCompactReader.maxDepth - 1) + [UInt8](repeating: 0, count: ThriftCompactReader.maxDepth)
        var r = ThriftCompactReader(atLimit)
        #expect(throws: Never.self) { try r.skipValue(type: 12) }
        #expect(r.isAtEnd)
    }
}

// MARK: - Footers of our own files

private let allKinds = ParquetColumnKind.allCases

/// Column data that `ParquetFileWriter` can take, with the nulls and values remembered so the
/// footer's statistics can be checked against them.
private enum Values {
    case int64([Int64?])
    case int16([Int16?])
    case int32([Int32?])
    case bools([Bool?])
    case strings([String?])

    func data(_ rows: Range<Int>) -> ColumnData {
        switch self {
        case .int64(let v): var b = Int64ColumnBuilder(); for x in v[rows] { b.append(x) }; return .int64(b)
        case .int16(let v): var b = Int32ColumnBuilder(); for x in v[rows] { b.append(x) }; return .int32(b)
        case .int32(let v): var b = Int32ColumnBuilder(); for x in v[rows] { b.append(x) }; return .int32(b)
        case .bools(let v): var b = BoolColumnBuilder(); for x in v[rows] { b.append(x) }; return .bool(b)
        case .strings(let v): var b = StringColumnBuilder(); for x in v[rows] { b.append(x) }; return .string(b)
        }
    }

    func nulls(_ rows: Range<Int>) -> Int64 {
        switch self {
        case .int64(let v): Int64(v[rows].filter { $0 == nil }.count)
        case .int16(let v): Int64(v[rows].filter { $0 == nil }.count)
        case .int32(let v): Int64(v[rows].filter { $0 == nil }.count)
        case .bools(let v): Int64(v[rows].filter { $0 == nil }.count)
        case .strings(let v): Int64(v[rows].filter { $0 == nil }.count)
        }
    }

    /// PLAIN bytes of the smallest and largest non-null value (nil when all are null).
    func minMax(_ rows: Range<Int>) -> (min: [UInt8], max: [UInt8])? {
        switch self {
        case .int64(let v):
            let present = v[rows].compactMap { $0 }
            guard let lo = present.min(), let hi = present.max() else { return nil }
            return (le64(lo), le64(hi))
        case .int16(let v):
            let present = v[rows].compactMap { $0 }
            guard let lo = present.min(), let hi = present.max() else { return nil }
            return (le32(UInt32(bitPattern: Int32(lo))), le32(UInt32(bitPattern: Int32(hi))))
        case .int32(let v):
            let present = v[rows].compactMap { $0 }
            guard let lo = present.min(), let hi = present.max() else { return nil }
            return (le32(UInt32(bitPattern: lo)), le32(UInt32(bitPattern: hi)))
        case .bools(let v):
            // One byte each, false < true (what pyarrow writes).
            let present = v[rows].compactMap { $0 }
            guard !present.isEmpty else { return nil }
            return ([present.contains(false) ? 0 : 1], [present.contains(true) ? 1 : 0])
        case .strings(let v):
            // Parquet orders BYTE_ARRAY statistics as unsigned bytes.
            let present = v[rows].compactMap { $0.map { Array($0.utf8) } }
            guard let lo = present.min(by: { $0.lexicographicallyPrecedes($1) }),
                  let hi = present.max(by: { $0.lexicographicallyPrecedes($1) }) else { return nil }
            return (lo, hi)
        }
    }
}

private struct OwnFile {
    var schema: ParquetSchema
    var values: [Values]
    var rows: Int
    var bytes: [UInt8]
    var summary: ParquetFileSummary
}

/// Every column kind (twice for timestamps: one column entirely null in some row groups), random
/// values with nulls, negative timestamps, non-ASCII strings.
private func writeOwnFile(rows: Int, seed: UInt64, options: ParquetWriterOptions, batchSize: Int = 97) throws -> OwnFile {
    var rng = TestRandom(seed: seed)
    var columns: [ParquetColumn] = []
    var values: [Values] = []
    for kind in allKinds {
        columns.append(ParquetColumn("c_\(kind)", kind))
        switch kind {
        case .timestampNanos, .timestampMicros, .timestampMillis, .int64:
            values.append(.int64((0..<rows).map { _ in
                Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int64.random(in: -4_000_000_000_000_000_000...4_000_000_000_000_000_000, using: &rng)
            }))
        case .int16:
            values.append(.int16((0..<rows).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int16.random(in: .min ... .max, using: &rng) }))
        case .int32:
            values.append(.int32((0..<rows).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int32.random(in: .min ... .max, using: &rng) }))
        case .bool:
            values.append(.bools((0..<rows).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? nil : Bool.random(using: &rng) }))
        case .string:
            let words = ["alice", "bob", "", "zoë", "é", "z", "ça-va", "\u{0}nul"]
            values.append(.strings((0..<rows).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? nil : words.randomElement(using: &rng)! }))
        }
    }
    // A timestamp column null in the first half: its early row groups have no min/max at all.
    columns.append(ParquetColumn("late", .timestampNanos))
    values.append(.int64((0..<rows).map { $0 < rows / 2 ? nil : 1_764_000_000_000_000_000 + Int64($0) }))

    let schema = ParquetSchema(columns)
    let output = ParquetMemoryOutput()
    let writer = try ParquetFileWriter(output: output, schema: schema, options: options)
    var start = 0
    while start < rows {
        let end = min(rows, start + batchSize)
        try writer.append(ColumnBatch(values.map { $0.data(start..<end) }))
        start = end
    }
    let summary = try writer.close()
    return OwnFile(schema: schema, values: values, rows: rows, bytes: output.bytes, summary: summary)
}

/// Checks a footer against what was written: every count, every chunk's null count and min/max.
private func checkFooter(_ footer: ParquetFooter, of file: OwnFile, options: ParquetWriterOptions) {
    #expect(footer.numRows == Int64(file.rows))
    #expect(footer.createdBy == options.createdBy)
    #expect(footer.keyValueMetadata == options.keyValueMetadata)
    #expect(footer.version == 2)
    #expect(footer.rowGroups.count == file.summary.rowGroups)
    // The schema as the writer describes it, and each leaf's annotations.
    #expect(footer.schemaDescription.elementsEqual(file.schema.footerSchemaDescription, by: ==))
    #expect(footer.columns.map(\.name) == file.schema.columns.map(\.name))
    for (column, definition) in zip(footer.columns, file.schema.columns) {
        #expect(column.repetition == .optional)
        #expect(column.convertedType?.rawValue == definition.kind.convertedType?.rawValue)
    }
    let expectedNames = ["INT64 TIMESTAMP(NANOS,false)", "INT64 TIMESTAMP(MICROS,false)", "INT64 TIMESTAMP(MILLIS,false)",
                         "BYTE_ARRAY STRING", "INT32 INTEGER(16,true)", "BOOLEAN", "INT32", "INT64"]
    #expect(Set(footer.columns.map(\.typeDescription)) == Set(expectedNames))

    var start = 0
    for (g, group) in footer.rowGroups.enumerated() {
        let rows = start..<(start + Int(group.numRows))
        start = rows.upperBound
        if g < footer.rowGroups.count - 1 { #expect(group.numRows == Int64(options.rowGroupRowLimit)) }
        #expect(group.totalByteSize > 0)
        for (c, chunk) in group.columns.enumerated() {
            #expect(chunk.path == [file.schema.columns[c].name])
            #expect(chunk.codec.rawValue == options.compression.codec.rawValue)
            #expect(chunk.numValues == group.numRows)
            #expect(chunk.totalCompressedSize > 0 && chunk.dataPageOffset >= 4)
            let stats = chunk.statistics
            #expect(stats?.nullCount == file.values[c].nulls(rows), "group \(g) column \(c)")
            let expected = file.values[c].minMax(rows)
            #expect(stats?.min == expected?.min, "group \(g) column \(c)")
            #expect(stats?.max == expected?.max, "group \(g) column \(c)")
        }
    }
    #expect(start == file.rows)

    // int64Range spans every row group, skipping the all-null chunks of "late".
    for (c, column) in file.schema.columns.enumerated() {
        guard case .int64(let v) = file.values[c] else {
            #expect(footer.int64Range(column: column.name) == nil)  // not INT64
            continue
        }
        let present = v.compactMap { $0 }
        let range = footer.int64Range(column: column.name)
        #expect(range?.min == present.min() && range?.max == present.max(), "\(column.name)")
        if present.isEmpty { #expect(range == nil) }
    }
    #expect(footer.int64Range(column: "no such column") == nil)
}

@Test(arguments: ParquetCompression.allCases)
func ownFilesRoundTripEveryCodec(_ compression: ParquetCompression) throws {
    var options = ParquetWriterOptions(createdBy: "pulp-backfill version 2026.11.29.0", compression: compression)
    options.rowGroupRowLimit = 300
    options.keyValueMetadata = [ParquetKeyValue(key: "source", value: "test ✓"), ParquetKeyValue(key: "no-value", value: nil)]
    let file = try writeOwnFile(rows: 1_000, seed: 7 + UInt64(ParquetCompression.allCases.firstIndex(of: compression)!), options: options)
    #expect(file.summary.rowGroups == 4)
    let footer = try ParquetFooterReader.read(bytes: file.bytes)
    checkFooter(footer, of: file, options: options)
    #expect(footer.keyValueMetadata.last == ParquetKeyValue(key: "no-value", value: nil))
}

@Test func ownFileWithManyRowGroups() throws {
    // 40 row groups: the row-group list (and the footer) take the long list-size form.
    var options = ParquetWriterOptions(createdBy: "many", compression: .snappy, parallelEncoding: false)
    options.rowGroupRowLimit = 50
    let file = try writeOwnFile(rows: 2_000, seed: 11, options: options, batchSize: 333)
    let footer = try ParquetFooterReader.read(bytes: file.bytes)
    #expect(footer.rowGroups.count == 40)
    checkFooter(footer, of: file, options: options)
}

@Test func ownFileWithZeroRows() throws {
    let options = ParquetWriterOptions(createdBy: "empty", compression: .zstd)
    let file = try writeOwnFile(rows: 0, seed: 1, options: options)
    let footer = try ParquetFooterReader.read(bytes: file.bytes)
    #expect(footer.numRows == 0 && footer.rowGroups.isEmpty)
    #expect(footer.columns.count == allKinds.count + 1)  // the schema is there without rows
    #expect(footer.int64Range(column: "late") == nil)    // no row group, no range
    checkFooter(footer, of: file, options: options)
}

@Test func readingAFileEqualsReadingItsBytes() throws {
    // read(path:) reads only the frame and the footer; it must agree with read(bytes:), and its
    // footer length must be the one in the file's last 8 bytes.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("footer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var options = ParquetWriterOptions(createdBy: "path")
    options.rowGroupRowLimit = 128
    let file = try writeOwnFile(rows: 500, seed: 3, options: options)
    let path = dir.appendingPathComponent("f.parquet").path
    try Data(file.bytes).write(to: URL(fileURLWithPath: path))
    let fromPath = try ParquetFooterReader.read(path: path)
    #expect(fromPath == (try ParquetFooterReader.read(bytes: file.bytes)))
    #expect(fromPath.footerLength == footerBytes(of: file.bytes).count)
    #expect(fromPath == (try ParquetFooterReader.decode(footer: footerBytes(of: file.bytes))))
    checkFooter(fromPath, of: file, options: options)

    // Errors from the file system and from short files.
    #expect(throws: ParquetFooterError.self) { try ParquetFooterReader.read(path: dir.appendingPathComponent("missing").path) }
    let short = dir.appendingPathComponent("short").path
    try Data(magic + magic).write(to: URL(fileURLWithPath: short))
    #expect(throws: ParquetFooterError.tooShort(8)) { try ParquetFooterReader.read(path: short) }
    let truncated = dir.appendingPathComponent("truncated").path
    try Data(file.bytes.dropLast(1)).write(to: URL(fileURLWithPath: truncated))
    #expect(throws: ParquetFooterError.self) { try ParquetFooterReader.read(path: truncated) }
}

// MARK: - Hand-built footers: legacy statistics, unknown fields, nested schemas

@Test func handBuiltFooterWithLegacyStatisticsAndUnknownFields() throws {
    // A footer no writer of ours produces: min/max only in the deprecated fields 1/2 (one chunk
    // has both: the new fields must win), unknown fields of every type at every level, long-form
    // headers, a TIMESTAMP(MICROS, adjusted) leaf under a nested group, and a DECIMAL leaf.
    var w = RawThrift()
    w.beginStruct()
    w.i32(1, 1, long: true)
    w.structList(2, 5) { s, i in
        switch i {
        case 0: s.string(4, "schema"); s.i32(5, 3)
        case 1: s.i32(3, 0); s.string(4, "event"); s.i32(5, 1)
        case 2:
            s.i32(1, 2); s.i32(3, 1); s.string(4, "at")
            s.field(9, 7); s.bytes += le64(0)                                   // unknown double
            s.structField(10) { l in l.structField(8) { t in t.bool(1, true); t.structField(2) { u in u.structField(2) { _ in } } } }
        case 3: s.string(4, "amount"); s.i32(5, 0); s.i32(1, 7); s.i32(2, 16)
            s.structField(10) { l in l.structField(5) { d in d.i32(1, 2); d.i32(2, 30) } }
        default: s.i32(1, 2); s.string(4, "n"); s.i32(6, 18)                   // INT_64, no logical type
        }
    }
    w.i64(3, 5)
    w.structList(4, 1) { g, _ in
        g.structList(1, 3) { c, i in
            c.i64(2, 4)
            c.structField(3) { m in
                m.i32(1, [2, 7, 2][i])
                m.field(2, 9); m.listHeader(1, 5); m.zigzag(0)
                m.field(3, 9); m.listHeader(i == 0 ? 2 : 1, 8)
                for p in i == 0 ? ["event", "at"] : i == 1 ? ["amount"] : ["n"] { m.binary(Array(p.utf8)) }
                m.i32(4, 2); m.i64(5, 5); m.i64(6, 100); m.i64(7, 90); m.i64(9, 4)
                m.field(10, 10); m.listHeader(2, 5); m.zigzag(1); m.zigzag(2)         // unknown set<i32>
                m.structField(12) { st in
                    if i == 0 { st.binary(1, le64(50)); st.binary(2, le64(-7)) }
                    if i == 2 { st.binary(1, le64(9)); st.binary(2, le64(1)); st.binary(5, le64(8)); st.binary(6, le64(2)) }
                    st.i64(3, i == 1 ? 5 : 0)
                    st.field(20, 11); st.varint(1); st.bytes.append(0x86); st.binary([0x61]); st.zigzag(1)  // map<binary,i64>
                }
            }
        }
        g.i64(2, 300); g.i64(3, 5)
    }
    w.field(5, 9); w.listHeader(1, 12); w.beginStruct(); w.string(1, "k"); w.string(2, "v"); w.endStruct()
    w.string(6, "hand-built", long: true)
    w.field(9, 10); w.listHeader(2, 7); w.bytes += le64(1) + le64(2)   // unknown set<double>
    w.field(200, 1)                                                      // unknown bool, long form
    w.structField(300, long: true) { s in s.structField(1) { $0.field(2, 9); $0.listHeader(0, 12) } }
    w.endStruct()

    let footer = try ParquetFooterReader.read(bytes: frame(w.bytes))
    #expect(footer.version == 1 && footer.numRows == 5 && footer.createdBy == "hand-built")
    #expect(footer.keyValueMetadata == [ParquetKeyValue(key: "k", value: "v")])
    #expect(footer.columns.map(\.path) == [["event", "at"], ["amount"], ["n"]])
    #expect(footer.columns[0].logicalType == .timestamp(unit: .micros, isAdjustedToUTC: true))
    #expect(footer.columns[0].repetition == .optional)
    #expect(footer.columns[1].logicalType == .other(fieldID: 5) && footer.columns[1].typeLength == 16)
    #expect(footer.schemaDescription.map(\.type) == ["INT64 TIMESTAMP(MICROS,true)", "FIXED_LEN_BYTE_ARRAY DECIMAL", "INT64 INT_64"])
    #expect(footer.schemaDescription.map(\.name) == ["event.at", "amount", "n"])
    let chunks = footer.rowGroups[0].columns
    #expect(chunks[0].statistics?.min == le64(-7) && chunks[0].statistics?.max == le64(50))
    #expect(chunks[2].statistics?.min == le64(2) && chunks[2].statistics?.max == le64(8))  // new fields win
    #expect(chunks[1].statistics?.min == nil && chunks[1].statistics?.nullCount == 5)
    #expect(chunks.map(\.codec) == [.gzip, .gzip, .gzip] && chunks[0].codec.description == "GZIP")
    #expect(footer.int64Range(column: "event.at")! == (-7, 50))
    #expect(footer.int64Range(column: "n")! == (2, 8))
    #expect(footer.int64Range(column: "amount") == nil)
}

@Test func structurallyInconsistentFootersAreRejected() throws {
    // Well-formed Thrift that does not describe a file: each must be refused, or `verify`
    // would accept a corrupt file.
    func footer(rows: Int64 = 1, groupRows: Int64 = 1, schemaCount: Int = 2, rootChildren: Int32 = 1,
                chunkPath: String = "t", chunkType: Int32 = 2, chunks: Int = 1, omitVersion: Bool = false) -> [UInt8] {
        var w = RawThrift()
        w.beginStruct()
        if !omitVersion { w.i32(1, 2) }
        w.structList(2, schemaCount) { s, i in
            if i == 0 { s.string(4, "schema"); s.i32(5, rootChildren) } else { s.i32(1, 2); s.string(4, "t") }
        }
        w.i64(3, rows)
        w.structList(4, 1) { g, _ in
            g.structList(1, chunks) { c, _ in
                c.structField(3) { m in
                    m.i32(1, chunkType); m.field(2, 9); m.listHeader(0, 5)
                    m.field(3, 9); m.listHeader(1, 8); m.binary(Array(chunkPath.utf8))
                    m.i32(4, 0); m.i64(5, groupRows); m.i64(6, 1); m.i64(7, 1); m.i64(9, 4)
                }
            }
            g.i64(2, 1); g.i64(3, groupRows)
        }
        w.endStruct()
        return frame(w.bytes)
    }
    #expect(throws: Never.self) { try ParquetFooterReader.read(bytes: footer()) }  // the baseline is valid
    let bad: [(String, [UInt8])] = [
        ("rows disagree", footer(rows: 2)),
        ("negative rows", footer(rows: -1, groupRows: -1)),
        ("schema ends early", footer(rootChildren: 2)),
        ("schema has extra elements", footer(schemaCount: 3)),
        ("negative children", footer(rootChildren: -1)),
        ("chunk path differs", footer(chunkPath: "u")),
        ("chunk type differs", footer(chunkType: 1)),
        ("too many chunks", footer(chunks: 2)),
        ("version missing", footer(omitVersion: true)),
    ]
    for (name, bytes) in bad {
        #expect(throws: ParquetFooterError.self, "\(name)") { try ParquetFooterReader.read(bytes: bytes) }
    }
    #expect(throws: ParquetFooterError.missingField(structure: "FileMetaData", field: "version")) {
        try ParquetFooterReader.read(bytes: footer(omitVersion: true))
    }
}

// MARK: - Frames: magic and length

@Test func truncatedFilesWrongMagicAndBadLengthsThrow() throws {
    var options = ParquetWriterOptions(createdBy: "frame")
    options.rowGroupRowLimit = 40
    let file = try writeOwnFile(rows: 100, seed: 5, options: options).bytes
    #expect(throws: Never.self) { try ParquetFooterReader.read(bytes: file) }

    // Every proper prefix (a partial upload or copy) and every proper suffix throws.
    var failures = 0
    for n in 0..<file.count {
        do { _ = try ParquetFooterReader.read(bytes: Array(file.prefix(n))) } catch { failures += 1 }
        do { _ = try ParquetFooterReader.read(bytes: Array(file.suffix(n))) } catch { failures += 1 }
    }
    #expect(failures == 2 * file.count)

    var wrongHead = file; wrongHead[3] = UInt8(ascii: "2")
    #expect(throws: ParquetFooterError.badMagic("head is PAR2, not PAR1")) { try ParquetFooterReader.read(bytes: wrongHead) }
    var wrongTail = file; wrongTail[file.count - 1] = 0
    #expect(throws: ParquetFooterError.badMagic("tail is PAR\\x0, not PAR1")) { try ParquetFooterReader.read(bytes: wrongTail) }
    var encrypted = file; encrypted[file.count - 1] = UInt8(ascii: "E")
    #expect(throws: ParquetFooterError.badMagic("encrypted footer (PARE) is not supported")) { try ParquetFooterReader.read(bytes: encrypted) }

    // Footer lengths past the file (or zero): refused before any decoding.
    for length in [UInt32(file.count - 11), UInt32(file.count), UInt32.max, 0] {
        var bad = file
        bad.replaceSubrange((file.count - 8)..<(file.count - 4), with: le32(length))
        #expect(throws: ParquetFooterError.badFooterLength(length: length, fileSize: file.count)) { try ParquetFooterReader.read(bytes: bad) }
    }
    // The longest footer that fits (the whole file between the magics) is decoded, and fails
    // as Thrift (the pages are not a FileMetaData), not as a frame error.
    var longest = file
    longest.replaceSubrange((file.count - 8)..<(file.count - 4), with: le32(UInt32(file.count - 12)))
    let error = #expect(throws: ParquetFooterError.self) { try ParquetFooterReader.read(bytes: longest) }
    if case .badFooterLength = error { Issue.record("decoding never started: \(String(describing: error))") }
}

@Test func randomMutationsOfAFooterNeverCrash() throws {
    // 4,000 footers with bytes replaced, bits flipped, bytes inserted, ranges deleted or copied,
    // framed with their new length so the decoder runs on them. A missing bounds check traps and
    // takes the test process down; a decoded result must still be self-consistent.
    var options = ParquetWriterOptions(createdBy: "mutations", compression: .snappy, parallelEncoding: false)
    options.rowGroupRowLimit = 60
    options.keyValueMetadata = [ParquetKeyValue(key: "k", value: "v")]
    let base = footerBytes(of: try writeOwnFile(rows: 300, seed: 9, options: options).bytes)
    var rng = TestRandom(seed: 2026)
    var decoded = 0, thrown = 0
    for _ in 0..<4_000 {
        var f = base
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0..<f.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: f[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: f[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2: f.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3: f.removeSubrange(at..<min(f.count, at + Int.random(in: 1...16, using: &rng)))
            case 4:
                let from = Int.random(in: 0..<f.count, using: &rng)
                f.insert(contentsOf: f[from..<min(f.count, from + Int.random(in: 1...32, using: &rng))], at: at)
            default: f[at] = [0x00, 0xFF, 0x7F, 0x80, 0x19, 0x1C, 0xF9][Int.random(in: 0..<7, using: &rng)]
            }
            if f.isEmpty { f = [0] }
        }
        do {
            let footer = try ParquetFooterReader.read(bytes: frame(f))
            decoded += 1
            #expect(footer.rowGroups.allSatisfy { $0.columns.count == footer.columns.count })
            #expect(footer.rowGroups.reduce(Int64(0)) { $0 + $1.numRows } == footer.numRows)
            _ = footer.schemaDescription
            for column in footer.columns { _ = footer.int64Range(column: column.name) }
        } catch {
            thrown += 1
        }
    }
    // Both outcomes happen: if nothing decoded, the mutations never reached the interesting
    // paths; if nothing threw, the checks are not running.
    #expect(decoded > 100, "decoded \(decoded), thrown \(thrown)")
    #expect(thrown > 100, "decoded \(decoded), thrown \(thrown)")
}

// MARK: - pyarrow agrees

/// Writes pyarrow files into the given directory, then prints pq.read_metadata of those and of
/// the given files of ours, plus the min/max of every flat INT64 column computed from the data.
private let footerInteropScript = #"""
import json, struct, sys
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import fastparquet

req = json.load(sys.stdin)
d = req["dir"]

def ts(n, unit, seed, tz=None, nulls=7):
    # Spread over +-5e14 units, negatives (before 1970) included.
    vals = [None if i % nulls == 3 else ((i * 2654435761 * seed) % 10**15) - 5 * 10**14 for i in range(n)]
    return pa.array(vals, pa.timestamp(unit, tz=tz))

n = 3500
users = ["alice", "bob", "", "zoë", None, "service-account"]
access = pa.table({
    "timestamp": ts(n, "ns", 1),
    "message": pa.array(["GET /p%d/ HTTP/1.1 ✓" % i if i % 11 else None for i in range(n)]),
    "user": pa.array([users[i % len(users)] for i in range(n)]),
    "status_code": pa.array([[200, 304, -32768, 32767, None][i % 5] for i in range(n)], pa.int16()),
})
access = access.replace_schema_metadata({**(access.schema.metadata or {}), "source": "pyarrow test", "clé": "välue"})
pq.write_table(access, d + "/pa_access.parquet", row_group_size=1000, compression="snappy", use_dictionary=["user", "status_code"])

m = 1200
units = pa.table({
    "ts_us": ts(m, "us", 3), "ts_ms": ts(m, "ms", 5), "ts_utc": ts(m, "us", 7, tz="UTC"),
    "i16": pa.array([(i * 37) % 65536 - 32768 for i in range(m)], pa.int16()),
})
pq.write_table(units, d + "/pa_units.parquet", row_group_size=500, compression="zstd", data_page_version="2.0")

k = 300
nested = pa.table({
    "id": pa.array(range(-k, k, 2), pa.int64()),
    "tags": pa.array([["a", "b"][: i % 3] if i % 5 else None for i in range(k)], pa.list_(pa.string())),
    "point": pa.array([{"x": i, "y": i * 0.5 + 0.25} for i in range(k)], pa.struct([("x", pa.int32()), ("y", pa.float64())])),
})
pq.write_table(nested, d + "/pa_nested.parquet", row_group_size=100, compression="gzip")

pq.write_table(pa.table({"timestamp": pa.array([], pa.timestamp("ns")), "s": pa.array([], pa.string())}), d + "/pa_empty.parquet")

# Statistics only for "s": the timestamp chunks carry none, so no range can be known.
nostats = pa.table({"timestamp": ts(200, "ns", 11), "s": pa.array([str(i) for i in range(200)])})
pq.write_table(nostats, d + "/pa_nostats.parquet", row_group_size=100, write_statistics=["s"])

# The first row group's timestamps are all null (no min/max), the second's are not.
nullgroup = pa.table({"timestamp": pa.array([None] * 100 + list(range(-50, 50)), pa.timestamp("ns"))})
pq.write_table(nullgroup, d + "/pa_nullgroup.parquet", row_group_size=100)

# bool, int32 and int64 as pyarrow writes them (no annotations; bool statistics one byte each),
# with a row group where the bool column is all null and one with extremes.
kinds = pa.table({
    "b": pa.array([None] * 100 + [i % 3 == 0 for i in range(100)], pa.bool_()),
    "i32": pa.array([None if i % 9 == 4 else [-2**31, 2**31 - 1, i][i % 3] for i in range(200)], pa.int32()),
    "i64": pa.array([None if i % 7 == 2 else [-2**63, 2**63 - 1, i * 10**12][i % 3] for i in range(200)], pa.int64()),
})
pq.write_table(kinds, d + "/pa_kinds.parquet", row_group_size=100)

UNITS = {"milliseconds": "MILLIS", "microseconds": "MICROS", "nanoseconds": "NANOS"}

def logical(lt):
    j = json.loads(lt.to_json())
    t = j["Type"]
    if t == "None":
        return None
    if t == "String":
        return "STRING"
    if t == "Timestamp":
        return "TIMESTAMP(%s,%s)" % (UNITS[j["timeUnit"]], "true" if j["isAdjustedToUTC"] else "false")
    if t == "Int":
        return "INTEGER(%d,%s)" % (j["bitWidth"], "true" if j["isSigned"] else "false")
    return t.upper()

PACK = {"INT64": "<q", "INT32": "<i", "DOUBLE": "<d", "FLOAT": "<f", "BOOLEAN": "<?"}

def raw_hex(v, physical):
    return bytes(v).hex() if physical in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY") else struct.pack(PACK[physical], v).hex()

def meta(path):
    md = pq.read_metadata(path)
    out = {"num_rows": md.num_rows, "created_by": md.created_by,
           "kv": {k.decode(): v.decode() for k, v in (md.metadata or {}).items()},
           "columns": [], "row_groups": [], "data_int64_range": {}}
    for i in range(md.num_columns):
        c = md.schema.column(i)
        out["columns"].append({"path": c.path, "physical": c.physical_type, "logical": logical(c.logical_type),
                               "converted": c.converted_type})
    # pyarrow reports a converted type derived from the logical type (NONE for a local
    # TIMESTAMP(MICROS) even when the file carries TIMESTAMP_MICROS); fastparquet's own Thrift
    # parser gives the raw field, leaves in schema order.
    leaves = [el for el in fastparquet.ParquetFile(path).fmd.schema if el.type is not None and not el.num_children]
    assert len(leaves) == len(out["columns"]), (path, len(leaves), len(out["columns"]))
    for c, el in zip(out["columns"], leaves):
        c["converted_raw"] = el.converted_type
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        cols = []
        for j in range(rg.num_columns):
            cc = rg.column(j)
            e = {"path": cc.path_in_schema, "physical": cc.physical_type, "compression": cc.compression,
                 "num_values": cc.num_values, "encodings": sorted(cc.encodings),
                 "total_compressed_size": cc.total_compressed_size, "total_uncompressed_size": cc.total_uncompressed_size,
                 "data_page_offset": cc.data_page_offset,
                 "dictionary_page_offset": cc.dictionary_page_offset if cc.has_dictionary_page else None,
                 "stats": None}
            if cc.is_stats_set:
                s = cc.statistics
                e["stats"] = {"null_count": s.null_count if s.has_null_count else None,
                              "min": raw_hex(s.min_raw, cc.physical_type) if s.has_min_max else None,
                              "max": raw_hex(s.max_raw, cc.physical_type) if s.has_min_max else None}
            cols.append(e)
        out["row_groups"].append({"num_rows": rg.num_rows, "total_byte_size": rg.total_byte_size, "columns": cols})
    # From the data, not from any statistics: an oracle independent of both footers.
    table = pq.read_table(path)
    for c in out["columns"]:
        if c["physical"] == "INT64" and "." not in c["path"]:
            col = table.column(c["path"])
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.int64())
            mm = pc.min_max(col).as_py()
            # As strings: JSON numbers past 2**53 may not survive as integers.
            out["data_int64_range"][c["path"]] = None if mm["min"] is None else [str(mm["min"]), str(mm["max"])]
    return out

files = sorted(["pa_access", "pa_units", "pa_nested", "pa_empty", "pa_nostats", "pa_nullgroup", "pa_kinds"])
result = {name: meta(d + "/" + name + ".parquet") for name in files}
for name, path in req["own"].items():
    result[name] = meta(path)
json.dump(result, sys.stdout)
"""#

private let encodingNames: [Int32: String] = [
    0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED",
    6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT",
]

private func hex(_ bytes: [UInt8]?) -> String? {
    bytes.map { $0.map { String(format: "%02x", $0) }.joined() }
}

@Test func footersAgreeWithPyarrow() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("footer-py-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    // Two files of ours next to pyarrow's, so our writer's footers are also checked by pyarrow.
    var own: [String: String] = [:]
    for (name, compression) in [("own_snappy", ParquetCompression.snappy), ("own_zstd", .zstd)] {
        var options = ParquetWriterOptions(createdBy: "pulp-backfill version 2026.11.29.0", compression: compression)
        options.rowGroupRowLimit = 250
        options.keyValueMetadata = [ParquetKeyValue(key: "source", value: name)]
        let path = dir.appendingPathComponent("\(name).parquet").path
        try Data(try writeOwnFile(rows: 1_000, seed: 21, options: options).bytes).write(to: URL(fileURLWithPath: path))
        own[name] = path
    }
    let request = try JSONSerialization.data(withJSONObject: ["dir": dir.path, "own": own])
    let output = try PythonRunner.run(script: footerInteropScript, stdin: request)
    let files = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [String: Any]])
    #expect(files.count == 9)

    for (name, meta) in files.sorted(by: { $0.key < $1.key }) {
        let path = own[name] ?? dir.appendingPathComponent("\(name).parquet").path
        let footer = try ParquetFooterReader.read(path: path)
        #expect(footer.numRows == (meta["num_rows"] as? Int).map(Int64.init), "\(name)")
        #expect(footer.createdBy == meta["created_by"] as? String, "\(name)")
        let kv = Dictionary(footer.keyValueMetadata.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(kv == meta["kv"] as? [String: String], "\(name)")

        let columns = meta["columns"] as! [[String: Any]]
        #expect(footer.columns.map(\.name) == columns.map { $0["path"] as! String }, "\(name)")
        #expect(footer.columns.map(\.physicalType.description) == columns.map { $0["physical"] as! String }, "\(name)")
        #expect(footer.columns.map { $0.logicalType?.description } == columns.map { $0["logical"] as? String }, "\(name)")
        #expect(footer.columns.map { $0.convertedType.map { Int($0.rawValue) } } == columns.map { $0["converted_raw"] as? Int }, "\(name)")

        let groups = meta["row_groups"] as! [[String: Any]]
        #expect(footer.rowGroups.count == groups.count, "\(name)")
        // Expected int64 range per column from pyarrow's statistics: nil once a chunk with
        // values has none.
        var statsRange: [String: (min: Int64, max: Int64)?] = [:]
        for (group, py) in zip(footer.rowGroups, groups) {
            #expect(group.numRows == Int64(py["num_rows"] as! Int), "\(name)")
            #expect(group.totalByteSize == Int64(py["total_byte_size"] as! Int), "\(name)")
            let chunks = py["columns"] as! [[String: Any]]
            for (chunk, pc) in zip(group.columns, chunks) {
                let label = "\(name) \(chunk.path)"
                #expect(chunk.path.joined(separator: ".") == pc["path"] as? String, "\(label)")
                #expect(chunk.physicalType.description == pc["physical"] as? String, "\(label)")
                #expect(chunk.codec.description == pc["compression"] as? String, "\(label)")
                #expect(chunk.numValues == Int64(pc["num_values"] as! Int), "\(label)")
                #expect(Set(chunk.encodings.map { encodingNames[$0] ?? "?" }) == Set(pc["encodings"] as! [String]), "\(label)")
                #expect(chunk.totalCompressedSize == Int64(pc["total_compressed_size"] as! Int), "\(label)")
                #expect(chunk.totalUncompressedSize == Int64(pc["total_uncompressed_size"] as! Int), "\(label)")
                #expect(chunk.dataPageOffset == Int64(pc["data_page_offset"] as! Int), "\(label)")
                #expect(chunk.dictionaryPageOffset == (pc["dictionary_page_offset"] as? Int).map(Int64.init), "\(label)")
                let pyStats = pc["stats"] as? [String: Any]
                #expect((chunk.statistics == nil) == (pyStats == nil), "\(label)")
                #expect(chunk.statistics?.nullCount == (pyStats?["null_count"] as? Int).map(Int64.init), "\(label)")
                #expect(hex(chunk.statistics?.min) == pyStats?["min"] as? String, "\(label)")
                #expect(hex(chunk.statistics?.max) == pyStats?["max"] as? String, "\(label)")

                let column = chunk.path.joined(separator: ".")
                guard chunk.physicalType == .int64, chunk.path.count == 1 else { continue }
                if statsRange.keys.contains(column) && statsRange[column]! == nil { continue }
                if let lo = (pyStats?["min"] as? String).flatMap(int64FromHex), let hi = (pyStats?["max"] as? String).flatMap(int64FromHex) {
                    let old = statsRange[column] ?? nil
                    statsRange[column] = old.map { (Swift.min($0.min, lo), Swift.max($0.max, hi)) } ?? (lo, hi)
                } else if pyStats == nil || (pyStats?["null_count"] as? Int) != pc["num_values"] as? Int {
                    statsRange[column] = .some(nil)  // values without bounds: unknown
                }
            }
        }
        let dataRanges = meta["data_int64_range"] as! [String: Any]
        for (column, data) in dataRanges {
            let range = footer.int64Range(column: column)
            let fromStats = statsRange[column] ?? nil
            #expect(range?.min == fromStats?.min && range?.max == fromStats?.max, "\(name) \(column)")
            // Where the statistics give a range, it is the data's true range.
            if let range {
                let pair = (data as? [String])?.compactMap { Int64($0) }
                #expect([range.min, range.max] == pair, "\(name) \(column)")
            }
        }
    }
    // The cases that make int64Range nil really are there (else the checks above prove little).
    #expect(try ParquetFooterReader.read(path: dir.appendingPathComponent("pa_nostats.parquet").path).int64Range(column: "timestamp") == nil)
    #expect(try ParquetFooterReader.read(path: dir.appendingPathComponent("pa_nullgroup.parquet").path).int64Range(column: "timestamp")! == (-50, 49))
    let units = try ParquetFooterReader.read(path: dir.appendingPathComponent("pa_units.parquet").path)
    #expect(units.schemaDescription.map(\.type) == ["INT64 TIMESTAMP(MICROS,false)", "INT64 TIMESTAMP(MILLIS,false)",
                                                    "INT64 TIMESTAMP(MICROS,true)", "INT32 INTEGER(16,true)"])
    let access = try ParquetFooterReader.read(path: dir.appendingPathComponent("pa_access.parquet").path)
    #expect(access.rowGroups.count == 4 && access.rowGroups.allSatisfy { $0.columns[2].dictionaryPageOffset != nil })
    // pyarrow's bool/int32/int64 columns describe themselves exactly as a schema of our kinds
    // does (verify compares the two), and the bool statistics are one byte each.
    let kinds = try ParquetFooterReader.read(path: dir.appendingPathComponent("pa_kinds.parquet").path)
    let ours = ParquetSchema([ParquetColumn("b", .bool), ParquetColumn("i32", .int32), ParquetColumn("i64", .int64)])
    #expect(kinds.schemaDescription.elementsEqual(ours.footerSchemaDescription, by: ==))
    #expect(kinds.schemaDescription.map(\.type) == ["BOOLEAN", "INT32", "INT64"])
    #expect(kinds.rowGroups.map { $0.columns[0].statistics?.min } == [nil, [0]])
    #expect(kinds.rowGroups.map { $0.columns[0].statistics?.max } == [nil, [1]])
    #expect(kinds.int64Range(column: "i64")! == (Int64.min, Int64.max))
}

private func int64FromHex(_ s: String) -> Int64? {
    var bytes: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
        bytes.append(b)
        i = j
    }
    return ParquetFooter.int64(littleEndian: bytes)
}
