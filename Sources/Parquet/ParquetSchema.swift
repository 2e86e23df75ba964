// The public description of a file's columns: a flat list of OPTIONAL (nullable) columns.

/// What a column holds. Each kind fixes the physical type and the annotations written to the file.
public enum ParquetColumnKind: Sendable, Equatable, CaseIterable {
    /// INT64 annotated TIMESTAMP(NANOS, isAdjustedToUTC=false); pyarrow reads `timestamp[ns]`.
    case timestampNanos
    /// INT64 annotated TIMESTAMP(MICROS, isAdjustedToUTC=false); Spark reads `timestamp_ntz`.
    case timestampMicros
    /// INT64 annotated TIMESTAMP(MILLIS, isAdjustedToUTC=false).
    case timestampMillis
    /// BYTE_ARRAY annotated STRING (and ConvertedType UTF8); pyarrow reads `string`.
    case string
    /// INT32 annotated INTEGER(16, signed) (and ConvertedType INT_16); pyarrow reads `int16`.
    case int16
    /// BOOLEAN, no annotation; pyarrow reads `bool`. Always PLAIN (bit-packed), never a dictionary.
    case bool
    /// INT32 without annotation, as pyarrow writes an `int32` column (and reads it back as such).
    case int32
    /// INT64 without annotation, as pyarrow writes an `int64` column (and reads it back as such).
    case int64

    var physicalType: ParquetPhysicalType {
        switch self {
        case .timestampNanos, .timestampMicros, .timestampMillis, .int64: .int64
        case .string: .byteArray
        case .int16, .int32: .int32
        case .bool: .boolean
        }
    }

    var convertedType: ParquetConvertedType? {
        switch self {
        // ConvertedType has no nanosecond timestamp, and its TIMESTAMP_MICROS/MILLIS mean
        // UTC-adjusted: a local (not adjusted) timestamp carries the logical type only.
        case .timestampNanos, .timestampMicros, .timestampMillis: nil
        case .string: .utf8
        case .int16: .int16
        // The physical type says it all; pyarrow writes neither annotation for these.
        case .bool, .int32, .int64: nil
        }
    }

    var logicalType: ParquetLogicalType? {
        switch self {
        case .timestampNanos: .timestamp(unit: .nanos, isAdjustedToUTC: false)
        case .timestampMicros: .timestamp(unit: .micros, isAdjustedToUTC: false)
        case .timestampMillis: .timestamp(unit: .millis, isAdjustedToUTC: false)
        case .string: .string
        case .int16: .integer(bitWidth: 16, isSigned: true)
        case .bool, .int32, .int64: nil
        }
    }
}

public struct ParquetColumn: Sendable, Equatable {
    public var name: String
    public var kind: ParquetColumnKind

    public init(_ name: String, _ kind: ParquetColumnKind) {
        self.name = name
        self.kind = kind
    }
}

public struct ParquetSchema: Sendable, Equatable {
    public var columns: [ParquetColumn]

    public init(_ columns: [ParquetColumn]) {
        self.columns = columns
    }

    /// What `rows` rows whose string values total `stringBytes` count against
    /// `ParquetWriterOptions.rowGroupByteLimit`: the same measure `append` cuts row groups by.
    public func bufferedBytes(rows: Int, stringBytes: Int) -> Int {
        stringBytes + rows * columns.reduce(0) { $0 + ColumnData.bytesPerRow($1.kind) }
    }

    /// The flattened schema tree of the footer: a root group, then one leaf per column.
    var schemaElements: [SchemaElement] {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(columns.count))]
        for column in columns {
            elements.append(SchemaElement(
                type: column.kind.physicalType,
                repetition: .optional,
                name: column.name,
                convertedType: column.kind.convertedType,
                logicalType: column.kind.logicalType))
        }
        return elements
    }
}
