// Test data: columns of optional values that can be written with the Parquet writer and
// serialized as the "expected" JSON the Python reader script compares against.
import Foundation
@testable import Parquet

enum ExpectedColumn {
    case timestamps([Int64?])
    case strings([String?])
    case int16s([Int16?])
    case bools([Bool?])
    case int32s([Int32?])
    case int64s([Int64?])

    var count: Int {
        switch self {
        case .timestamps(let v): v.count
        case .strings(let v): v.count
        case .int16s(let v): v.count
        case .bools(let v): v.count
        case .int32s(let v): v.count
        case .int64s(let v): v.count
        }
    }

    var kind: ParquetColumnKind {
        switch self {
        case .timestamps: .timestampNanos
        case .strings: .string
        case .int16s: .int16
        case .bools: .bool
        case .int32s: .int32
        case .int64s: .int64
        }
    }

    /// Builder contents for rows `rows`.
    func columnData(_ rows: Range<Int>) -> ColumnData {
        switch self {
        case .timestamps(let values):
            var b = Int64ColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .int64(b)
        case .strings(let values):
            var b = StringColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .string(b)
        case .int16s(let values):
            var b = Int32ColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .int32(b)
        case .bools(let values):
            var b = BoolColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .bool(b)
        case .int32s(let values):
            var b = Int32ColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .int32(b)
        case .int64s(let values):
            var b = Int64ColumnBuilder()
            for v in values[rows] { b.append(v) }
            return .int64(b)
        }
    }

    var jsonValues: [Any] {
        switch self {
        case .timestamps(let v): v.map { $0.map { NSNumber(value: $0) } ?? NSNull() }
        case .strings(let v): v.map { $0.map { $0 as NSString } ?? NSNull() }
        case .int16s(let v): v.map { $0.map { NSNumber(value: $0) } ?? NSNull() }
        // JSON true/false (not 1/0), so the script can tell a bool from an integer.
        case .bools(let v): v.map { $0.map { NSNumber(value: $0) } ?? NSNull() }
        case .int32s(let v): v.map { $0.map { NSNumber(value: $0) } ?? NSNull() }
        // Exact past 2^53: JSONSerialization writes an Int64 NSNumber as an integer literal.
        case .int64s(let v): v.map { $0.map { NSNumber(value: $0) } ?? NSNull() }
        }
    }
}

struct TestTable {
    var names: [String]
    var columns: [ExpectedColumn]

    var rowCount: Int { columns.first?.count ?? 0 }
    var schema: ParquetSchema { ParquetSchema(zip(names, columns).map { ParquetColumn($0, $1.kind) }) }

    func batch(_ rows: Range<Int>) throws -> ColumnBatch {
        try ColumnBatch(columns.map { $0.columnData(rows) })
    }

    /// Writes the table in batches of the given sizes (cycled) and returns the summary.
    @discardableResult
    func write(to path: String, options: ParquetWriterOptions, batchSizes: [Int] = [Int.max]) throws -> ParquetFileSummary {
        let writer = try ParquetFileWriter(path: path, schema: schema, options: options)
        var start = 0
        var turn = 0
        while start < rowCount {
            let size = min(batchSizes[turn % batchSizes.count], rowCount - start)
            try writer.append(batch(start..<(start + size)))
            start += size
            turn += 1
        }
        return try writer.close()
    }

    func writeExpectedJSON(to path: String) throws {
        let document: [String: Any] = [
            "columns": zip(names, columns).map { ["name": $0, "values": $1.jsonValues] as [String: Any] },
        ]
        let data = try JSONSerialization.data(withJSONObject: document)
        try data.write(to: URL(fileURLWithPath: path))
    }
}

