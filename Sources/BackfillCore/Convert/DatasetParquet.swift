import AccessLog
import Parquet

/// The Parquet side of a dataset: its schema (the declared columns, each mapped to one
/// Parquet type) and the writer options every file of the tool uses.
public enum DatasetParquet {
    /// The schema of `dataset`'s files with the timestamp column in `unit`.
    public static func schema(_ dataset: Dataset, timestampUnit unit: TimestampUnit = .ns) -> ParquetSchema {
        ParquetSchema(dataset.columns.map { ParquetColumn($0.name, kind($0.type, unit: unit)) })
    }

    /// The one place a column type becomes a Parquet type.
    public static func kind(_ type: ColumnType, unit: TimestampUnit) -> ParquetColumnKind {
        switch type {
        case .timestamp: unit.columnKind
        case .string: .string
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .bool: .bool
        }
    }

    /// A number column's values (integers, booleans as 0/1) as the writer takes that type.
    static func columnData(_ type: ColumnType, _ values: Int64ColumnBuilder) -> ColumnData {
        switch type {
        case .int64:
            return .int64(values)
        case .int16, .int32:
            var column = Int32ColumnBuilder(reservingCapacity: values.count)
            for (value, level) in zip(values.values, values.definitionLevels) {
                column.append(level == 0 ? nil : Int32(truncatingIfNeeded: value) as Int32?)
            }
            return .int32(column)
        case .bool:
            var column = BoolColumnBuilder(reservingCapacity: values.count)
            for (value, level) in zip(values.values, values.definitionLevels) { column.append(level == 0 ? nil : value != 0) }
            return .bool(column)
        case .timestamp, .string:
            preconditionFailure("not a number column")
        }
    }

    /// Rows per batch handed to the writer: large enough to amortize per-batch work, small
    /// enough that a batch's column copies stay a few tens of megabytes.
    static let batchRows = 16_384

    /// Writer options with the tool's `created_by`.
    public static func writerOptions(
        compression: ParquetCompression,
        rowGroupRows: Int? = nil,
        dataPageBytes: Int? = nil
    ) -> ParquetWriterOptions {
        var options = ParquetWriterOptions(createdBy: ToolVersion.createdBy, compression: compression)
        if let rowGroupRows { options.rowGroupRowLimit = rowGroupRows }
        if let dataPageBytes { options.dataPageByteLimit = dataPageBytes }
        return options
    }
}
