// Writer behaviour that needs no external reader: layout, row-group cutting, failure handling.
import Foundation
import Testing
@testable import Parquet

private let schema = ParquetSchema([ParquetColumn("t", .timestampNanos), ParquetColumn("s", .string), ParquetColumn("n", .int16)])

private func batch(_ rows: Range<Int>) throws -> ColumnBatch {
    var t = Int64ColumnBuilder(), s = StringColumnBuilder(), n = Int32ColumnBuilder()
    for i in rows {
        t.append(Int64(i) * 1_000)
        s.append(i % 4 == 0 ? nil : "row-\(i % 3)")
        n.append(Int16(i % 100))
    }
    return try ColumnBatch([.int64(t), .string(s), .int32(n)])
}

private func footerLength(_ bytes: [UInt8]) -> Int {
    let at = bytes.count - 8
    return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
}

@Test func fileStartsAndEndsWithMagicAndFooterLength() throws {
    let output = ParquetMemoryOutput()
    let writer = try ParquetFileWriter(output: output, schema: schema, options: ParquetWriterOptions(createdBy: "test"))
    try writer.append(batch(0..<50))
    let summary = try writer.close()
    let bytes = output.bytes
    #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8))
    #expect(Array(bytes.suffix(4)) == Array("PAR1".utf8))
    #expect(summary == ParquetFileSummary(rows: 50, rowGroups: 1, bytes: Int64(bytes.count)))
    let footer = footerLength(bytes)
    #expect(footer > 0 && footer < bytes.count - 12)
    // The footer is a FileMetaData struct: it starts with field 1 (version, i32) = 2.
    #expect(Array(bytes[(bytes.count - 8 - footer)...].prefix(2)) == [0x15, 0x04])
}

@Test func zeroRowFileHasNoRowGroups() throws {
    let output = ParquetMemoryOutput()
    let summary = try ParquetFileWriter(output: output, schema: schema, options: ParquetWriterOptions(createdBy: "test")).close()
    #expect(summary == ParquetFileSummary(rows: 0, rowGroups: 0, bytes: Int64(output.bytes.count)))
    #expect(output.bytes.count == 4 + footerLength(output.bytes) + 8)
}

@Test func rowGroupsAreCutByRowCountAcrossBatches() throws {
    var options = ParquetWriterOptions(createdBy: "test")
    options.rowGroupRowLimit = 10
    let writer = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: schema, options: options)
    for start in stride(from: 0, to: 25, by: 7) { try writer.append(batch(start..<min(start + 7, 25))) }
    let summary = try writer.close()
    #expect(summary.rows == 25)
    #expect(summary.rowGroups == 3)  // 10 + 10 + 5
}

@Test func rowGroupsAreCutByBufferedBytes() throws {
    var options = ParquetWriterOptions(createdBy: "test")
    options.rowGroupByteLimit = 1_000  // ~25 bytes per row here
    let writer = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: schema, options: options)
    try writer.append(batch(0..<400))  // one large batch, cut in place
    let summary = try writer.close()
    #expect(summary.rows == 400)
    #expect(summary.rowGroups >= 8)
}

@Test func mismatchedBatchFailsTheWriterForGood() throws {
    let output = ParquetMemoryOutput()
    let writer = try ParquetFileWriter(output: output, schema: schema, options: ParquetWriterOptions(createdBy: "test"))
    var s = StringColumnBuilder()
    s.append("x")
    let wrong = try ColumnBatch([.string(s), .string(s), .string(s)])
    #expect(throws: ParquetError.self) { try writer.append(wrong) }
    #expect(throws: ParquetError.writerFailed) { try writer.append(batch(0..<3)) }
    #expect(throws: ParquetError.writerFailed) { try writer.close() }
    #expect(Array(output.bytes.suffix(4)) != Array("PAR1".utf8) || output.bytes.count == 4)
}

@Test func batchColumnsMustHaveEqualLengths() throws {
    var a = Int64ColumnBuilder(), b = StringColumnBuilder(), c = Int32ColumnBuilder()
    a.append(1)
    b.append("x")
    b.append("y")
    c.append(1)
    #expect(throws: ParquetError.self) { try ColumnBatch([.int64(a), .string(b), .int32(c)]) }
}

/// Accepts a number of bytes, then fails like a full disk.
private final class FailingOutput: ParquetOutput {
    var accepted: [UInt8] = []
    let capacity: Int
    init(capacity: Int) { self.capacity = capacity }
    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard accepted.count + bytes.count <= capacity else { throw .io("disk full") }
        accepted.append(contentsOf: bytes)
    }
    func flush() throws(ParquetError) {}
}

@Test func outputErrorsNeverLeadToAFooter() throws {
    let output = FailingOutput(capacity: 600)
    var options = ParquetWriterOptions(createdBy: "test")
    options.rowGroupRowLimit = 100
    let writer = try ParquetFileWriter(output: output, schema: schema, options: options)
    #expect(throws: ParquetError.io("disk full")) {
        for start in stride(from: 0, to: 2_000, by: 100) { try writer.append(batch(start..<(start + 100))) }
    }
    #expect(throws: ParquetError.writerFailed) { try writer.close() }
    #expect(Array(output.accepted.suffix(4)) != Array("PAR1".utf8) || output.accepted.count == 4)
}

@Test func closingTwiceIsAnError() throws {
    let writer = try ParquetFileWriter(output: ParquetMemoryOutput(), schema: schema, options: ParquetWriterOptions(createdBy: "test"))
    try writer.close()
    #expect(throws: ParquetError.writerClosed) { try writer.close() }
    #expect(throws: ParquetError.writerClosed) { try writer.append(batch(0..<1)) }
}

@Test func fileOutputWritesAndSyncs() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-\(UUID().uuidString).parquet").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let file = try ParquetFileOutput(path: path)
    let writer = try ParquetFileWriter(output: file, schema: schema, options: ParquetWriterOptions(createdBy: "test", compression: .zstd))
    try writer.append(batch(0..<1_000))
    let summary = try writer.close()
    try file.sync()
    try file.close()
    let written = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(Int64(written.count) == summary.bytes)
    #expect(Array(written.suffix(4)) == Array("PAR1".utf8))
    #expect(throws: ParquetError.self) { try ParquetFileOutput(path: "/nonexistent-dir/x.parquet") }
}

@Test func dictionaryChoicePerChunk() {
    var options = ParquetWriterOptions(createdBy: "test")
    var column = StringColumnBuilder()
    for i in 0..<1_000 { column.append("value-\(i % 7)") }
    let lowCardinality = ColumnChunkEncoder.plan(column: .string(column), kind: .string, rows: 0..<1_000, policy: .automatic, options: options)
    #expect(lowCardinality.dictionary?.entryCount == 7)
    #expect(lowCardinality.dictionary?.bitWidth == 3)
    // Too big for the dictionary limit: PLAIN for the whole chunk.
    options.dictionaryByteLimit = 30
    let overLimit = ColumnChunkEncoder.plan(column: .string(column), kind: .string, rows: 0..<1_000, policy: .automatic, options: options)
    #expect(overLimit.dictionary == nil)
    // Once a file's column uses dictionaries, later chunks keep using them whatever the limit.
    let sticky = ColumnChunkEncoder.plan(column: .string(column), kind: .string, rows: 0..<1_000, policy: .always, options: options)
    #expect(sticky.dictionary?.entryCount == 7)
    // Unique values: a dictionary would not pay off.
    var unique = Int64ColumnBuilder()
    for i in 0..<1_000 { unique.append(Int64(i)) }
    options.dictionaryByteLimit = 1 << 20
    #expect(ColumnChunkEncoder.plan(column: .int64(unique), kind: .timestampNanos, rows: 0..<1_000, policy: .automatic, options: options).dictionary == nil)
}

@Test func pagesAreCutAtTheByteLimit() {
    var column = StringColumnBuilder()
    for i in 0..<100 { column.append(i % 10 == 0 ? nil : String(repeating: "x", count: 96)) }  // 100 bytes PLAIN each
    let pages = ColumnChunkEncoder.cutPages(column: .string(column), rows: 0..<100, dictionaryBitWidth: nil, pageByteLimit: 1_000)
    #expect(pages.count > 1)
    #expect(pages.first?.rows.lowerBound == 0)
    #expect(pages.last?.rows.upperBound == 100)
    #expect(pages.reduce(0) { $0 + $1.nonNullCount } == 90)
    for (previous, next) in zip(pages, pages.dropFirst()) {
        #expect(previous.rows.upperBound == next.rows.lowerBound)
        #expect(next.firstValueIndex == previous.firstValueIndex + previous.nonNullCount)
        #expect(previous.nonNullCount * 100 <= 1_000)
    }
}

@Test func parallelAndSerialEncodingWriteTheSameBytes() throws {
    func write(parallel: Bool) throws -> [UInt8] {
        let output = ParquetMemoryOutput()
        var options = ParquetWriterOptions(createdBy: "test", parallelEncoding: parallel)
        options.rowGroupRowLimit = 700
        options.dataPageByteLimit = 2_000
        let writer = try ParquetFileWriter(output: output, schema: schema, options: options)
        try writer.append(batch(0..<3_000))
        try writer.close()
        return output.bytes
    }
    let parallel = try write(parallel: true)
    #expect(parallel == (try write(parallel: false)))
    #expect(parallel.count > 1_000)
}

@Test func buildersCanBeReusedAcrossBatches() throws {
    let output = ParquetMemoryOutput()
    let writer = try ParquetFileWriter(output: output, schema: schema, options: ParquetWriterOptions(createdBy: "test"))
    var t = Int64ColumnBuilder(), s = StringColumnBuilder(), n = Int32ColumnBuilder()
    for round in 0..<3 {
        for i in 0..<100 {
            t.append(Int64(round * 100 + i))
            s.append("round \(round) row \(i)")
            n.append(nil)
        }
        try writer.append(ColumnBatch([.int64(t), .string(s), .int32(n)]))
        let capacity = s.bytes.capacity
        t.removeAll()
        s.removeAll()
        n.removeAll()
        #expect(t.count == 0 && s.count == 0 && n.count == 0)
        #expect(s.offsets == [0])
        #expect(s.bytes.capacity >= capacity)
    }
    #expect(try writer.close().rows == 300)
}
