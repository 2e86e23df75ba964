// encoder-bench dump DUMP OUTPUT.parquet [repetitions] [snappy|zstd|none] [parallel|serial]
//
// Loads a column dump made by Benchmarks/bench_parquet_encoder.py, then times
//   fill:   copying the rows one by one into the column builders (what the tool does per row),
//   encode: ParquetFileWriter.append + close into a file (what pyarrow.parquet.write_table does).
// Prints one JSON object with the best times of the repetitions.
import Foundation
import Parquet

struct DumpReader {
    let data: [UInt8]
    var at = 0
    mutating func u8() -> UInt8 { defer { at += 1 }; return data[at] }
    mutating func u64() -> Int {
        let v = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        at += 8
        return Int(v)
    }
    mutating func bytes(_ n: Int) -> ArraySlice<UInt8> { defer { at += n }; return data[at..<(at + n)] }
}

/// One dumped column: validity, and either fixed-width values or offsets + bytes.
struct DumpedColumn {
    var name: String
    var kind: ParquetColumnKind
    var valid: [UInt8]
    var ints: [Int64] = []
    var offsets: [Int] = []
    var bytes: [UInt8] = []
}

func loadDump(_ path: String) throws -> [DumpedColumn] {
    var reader = DumpReader(data: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    let columnCount = reader.u64()
    var columns: [DumpedColumn] = []
    for _ in 0..<columnCount {
        let name = String(decoding: reader.bytes(reader.u64()), as: UTF8.self)
        let kind: ParquetColumnKind = [.timestampNanos, .string, .int16][Int(reader.u8())]
        let rows = reader.u64()
        var column = DumpedColumn(name: name, kind: kind, valid: Array(reader.bytes(rows)))
        switch kind {
        case .timestampNanos, .timestampMicros, .timestampMillis, .int16:
            column.ints = reader.bytes(rows * 8).withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        case .bool, .int32, .int64:
            preconditionFailure("the dump format has no \(kind) columns")
        case .string:
            column.offsets = reader.bytes((rows + 1) * 8).withUnsafeBytes { $0.bindMemory(to: Int64.self).map { Int($0) } }
            column.bytes = Array(reader.bytes(reader.u64()))
        }
        columns.append(column)
    }
    return columns
}

/// Row-by-row fill, as the tool's converter does it.
func fill(_ columns: [DumpedColumn]) throws -> ColumnBatch {
    let rows = columns[0].valid.count
    var data: [ColumnData] = []
    for column in columns {
        switch column.kind {
        case .timestampNanos, .timestampMicros, .timestampMillis:
            var b = Int64ColumnBuilder(reservingCapacity: rows)
            for i in 0..<rows { b.append(column.valid[i] != 0 ? column.ints[i] : nil) }
            data.append(.int64(b))
        case .int16:
            var b = Int32ColumnBuilder(reservingCapacity: rows)
            for i in 0..<rows { b.append(column.valid[i] != 0 ? Int16(column.ints[i]) : nil) }
            data.append(.int32(b))
        case .string:
            var b = StringColumnBuilder(reservingCapacity: rows, bytesCapacity: column.bytes.count)
            column.bytes.withUnsafeBufferPointer { bytes in
                for i in 0..<rows {
                    if column.valid[i] != 0 {
                        b.append(utf8: UnsafeBufferPointer(rebasing: bytes[column.offsets[i]..<column.offsets[i + 1]]))
                    } else {
                        b.appendNull()
                    }
                }
            }
            data.append(.string(b))
        case .bool, .int32, .int64:
            preconditionFailure("loadDump makes no \(column.kind) columns")
        }
    }
    return try ColumnBatch(data)
}

/// User + system CPU seconds of the whole process so far (all threads).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func runDumpMode(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail(Usage.text) }
    let repetitions = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
    let compression = arguments.count > 3 ? ParquetCompression(rawValue: arguments[3]) ?? .snappy : .snappy
    do {
        let columns = try loadDump(arguments[0])
        let schema = ParquetSchema(columns.map { ParquetColumn($0.name, $0.kind) })
        let parallel = arguments.count > 4 ? arguments[4] != "serial" : true
        let options = ParquetWriterOptions(createdBy: "pulp-backfill version 2026.11.29.0", compression: compression, parallelEncoding: parallel)
        var bestFill = Double.infinity
        var bestEncode = Double.infinity
        var bestEncodeCPU = Double.infinity
        var summary: ParquetFileSummary?
        var batch: ColumnBatch?
        for _ in 0..<repetitions {
            // BENCH_REUSE_BATCH=1 fills once (for profiling the encoder alone).
            if batch == nil || ProcessInfo.processInfo.environment["BENCH_REUSE_BATCH"] == nil {
                batch = nil
                bestFill = min(bestFill, try seconds { batch = try fill(columns) })
            }
            let cpuBefore = cpuSeconds()
            defer { bestEncodeCPU = min(bestEncodeCPU, cpuSeconds() - cpuBefore) }
            bestEncode = min(bestEncode, try seconds {
                let writer = try ParquetFileWriter(path: arguments[1], schema: schema, options: options)
                try writer.append(batch!)
                summary = try writer.close()
            })
        }
        print("{\"fill_seconds\": \(bestFill), \"encode_seconds\": \(bestEncode), \"encode_cpu_seconds\": \(bestEncodeCPU), \"bytes\": \(summary!.bytes), \"rows\": \(summary!.rows), \"row_groups\": \(summary!.rowGroups)}")
    } catch {
        fail("\(error)", status: 1)
    }
}
