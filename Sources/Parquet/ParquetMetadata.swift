// The Parquet metadata structures this writer emits, with the field ids of parquet.thrift.
// Only the fields the writer sets are modelled; every optional field is written only when set.

/// `TimeUnit` union: 1 MILLIS, 2 MICROS, 3 NANOS (each an empty struct).
/// `TimestampType`: 1 isAdjustedToUTC (bool), 2 unit (TimeUnit).
/// `IntType`: 1 bitWidth (i8), 2 isSigned (bool).
/// `LogicalType` union: 1 STRING (empty struct), 8 TIMESTAMP, 10 INTEGER.
enum ParquetLogicalType: Sendable, Equatable, ThriftCompactStruct {
    case string
    case timestamp(unit: TimeUnit, isAdjustedToUTC: Bool)
    case integer(bitWidth: Int8, isSigned: Bool)

    func writeFields(to writer: inout ThriftCompactWriter) {
        switch self {
        case .string:
            writer.writeField(1, struct: EmptyThriftStruct())
        case .timestamp(let unit, let adjusted):
            writer.writeField(8) { timestampType in
                timestampType.writeField(1, bool: adjusted)
                timestampType.writeField(2, struct: unit)
            }
        case .integer(let width, let signed):
            writer.writeField(10) { intType in
                intType.writeField(1, i8: width)
                intType.writeField(2, bool: signed)
            }
        }
    }

    enum TimeUnit: Int16, Sendable, Equatable, ThriftCompactStruct {
        case millis = 1, micros = 2, nanos = 3
        func writeFields(to writer: inout ThriftCompactWriter) {
            writer.writeField(rawValue, struct: EmptyThriftStruct())
        }
    }
}

/// A struct without fields (StringType, NanoSeconds, TypeDefinedOrder...).
struct EmptyThriftStruct: ThriftCompactStruct {
    func writeFields(to writer: inout ThriftCompactWriter) {}
}

/// `SchemaElement`: 1 type, 3 repetition_type, 4 name, 5 num_children, 6 converted_type, 10 logicalType.
struct SchemaElement: ThriftCompactStruct {
    var type: ParquetPhysicalType?
    var repetition: ParquetRepetition?
    var name: String
    var numChildren: Int32?
    var convertedType: ParquetConvertedType?
    var logicalType: ParquetLogicalType?

    func writeFields(to writer: inout ThriftCompactWriter) {
        if let type { writer.writeField(1, i32: type.rawValue) }
        if let repetition { writer.writeField(3, i32: repetition.rawValue) }
        writer.writeField(4, string: name)
        if let numChildren { writer.writeField(5, i32: numChildren) }
        if let convertedType { writer.writeField(6, i32: convertedType.rawValue) }
        if let logicalType { writer.writeField(10, struct: logicalType) }
    }
}

/// `Statistics`: 3 null_count, 5 max_value, 6 min_value, 7 is_max_value_exact, 8 is_min_value_exact.
/// The deprecated fields 1/2 (min/max with undefined ordering) are never written.
struct ParquetStatistics: Sendable, Equatable, ThriftCompactStruct {
    var nullCount: Int64
    var minValue: [UInt8]?
    var maxValue: [UInt8]?
    var isMinValueExact: Bool = true
    var isMaxValueExact: Bool = true

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(3, i64: nullCount)
        if let maxValue { writer.writeField(5, binary: maxValue) }
        if let minValue { writer.writeField(6, binary: minValue) }
        if maxValue != nil { writer.writeField(7, bool: isMaxValueExact) }
        if minValue != nil { writer.writeField(8, bool: isMinValueExact) }
    }
}

/// `DataPageHeader` (v1): 1 num_values, 2 encoding, 3 definition_level_encoding, 4 repetition_level_encoding.
struct DataPageHeader: ThriftCompactStruct {
    var numValues: Int32
    var encoding: ParquetEncoding

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: numValues)
        writer.writeField(2, i32: encoding.rawValue)
        writer.writeField(3, i32: ParquetEncoding.rle.rawValue)
        writer.writeField(4, i32: ParquetEncoding.rle.rawValue)
    }
}

/// `DictionaryPageHeader`: 1 num_values, 2 encoding, 3 is_sorted.
struct DictionaryPageHeader: ThriftCompactStruct {
    var numValues: Int32

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: numValues)
        writer.writeField(2, i32: ParquetEncoding.plain.rawValue)
        writer.writeField(3, bool: false)
    }
}

/// `PageHeader`: 1 type, 2 uncompressed_page_size, 3 compressed_page_size,
/// 5 data_page_header, 7 dictionary_page_header.
struct PageHeader: ThriftCompactStruct {
    enum Body {
        case data(DataPageHeader)
        case dictionary(DictionaryPageHeader)
    }
    var uncompressedSize: Int32
    var compressedSize: Int32
    var body: Body

    func writeFields(to writer: inout ThriftCompactWriter) {
        switch body {
        case .data: writer.writeField(1, i32: ParquetPageType.dataPage.rawValue)
        case .dictionary: writer.writeField(1, i32: ParquetPageType.dictionaryPage.rawValue)
        }
        writer.writeField(2, i32: uncompressedSize)
        writer.writeField(3, i32: compressedSize)
        switch body {
        case .data(let header): writer.writeField(5, struct: header)
        case .dictionary(let header): writer.writeField(7, struct: header)
        }
    }
}

/// `PageEncodingStats`: 1 page_type, 2 encoding, 3 count. Lets readers see that a chunk is
/// entirely dictionary-encoded without scanning its pages.
struct PageEncodingStats: Sendable, ThriftCompactStruct {
    var pageType: ParquetPageType
    var encoding: ParquetEncoding
    var count: Int32

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: pageType.rawValue)
        writer.writeField(2, i32: encoding.rawValue)
        writer.writeField(3, i32: count)
    }
}

/// `ColumnMetaData`: 1 type, 2 encodings, 3 path_in_schema, 4 codec, 5 num_values,
/// 6 total_uncompressed_size, 7 total_compressed_size, 9 data_page_offset,
/// 11 dictionary_page_offset, 12 statistics, 13 encoding_stats.
/// A plain record of those fields, one property each, like every struct of this file.
struct ColumnMetaData: Sendable, ThriftCompactStruct {
    var type: ParquetPhysicalType
    var encodings: [ParquetEncoding]
    var pathInSchema: [String]
    var codec: ParquetCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics?
    var encodingStats: [PageEncodingStats]

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: type.rawValue)
        writer.writeField(2, i32s: encodings.map(\.rawValue))
        writer.writeField(3, strings: pathInSchema)
        writer.writeField(4, i32: codec.rawValue)
        writer.writeField(5, i64: numValues)
        writer.writeField(6, i64: totalUncompressedSize)
        writer.writeField(7, i64: totalCompressedSize)
        writer.writeField(9, i64: dataPageOffset)
        if let dictionaryPageOffset { writer.writeField(11, i64: dictionaryPageOffset) }
        if let statistics { writer.writeField(12, struct: statistics) }
        if !encodingStats.isEmpty { writer.writeField(13, structs: encodingStats) }
    }
}

/// `ColumnChunk`: 2 file_offset, 3 meta_data. `file_offset` is deprecated; we store the offset
/// of the chunk's first page, which is what most writers historically put there.
struct ColumnChunk: Sendable, ThriftCompactStruct {
    var fileOffset: Int64
    var metaData: ColumnMetaData

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(2, i64: fileOffset)
        writer.writeField(3, struct: metaData)
    }
}

/// `RowGroup`: 1 columns, 2 total_byte_size, 3 num_rows, 5 file_offset, 6 total_compressed_size, 7 ordinal.
struct RowGroup: Sendable, ThriftCompactStruct {
    var columns: [ColumnChunk]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64
    var totalCompressedSize: Int64
    /// Position of the row group in the file; omitted past Int16.max (the field is an i16).
    var ordinal: Int16?

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, structs: columns)
        writer.writeField(2, i64: totalByteSize)
        writer.writeField(3, i64: numRows)
        writer.writeField(5, i64: fileOffset)
        writer.writeField(6, i64: totalCompressedSize)
        if let ordinal { writer.writeFieldI16(7, ordinal) }
    }
}

extension ThriftCompactWriter {
    mutating func writeFieldI16(_ id: Int16, _ value: Int16) {
        writeRawFieldHeader(id, ThriftCompactType.i16)
        writeZigzag(Int64(value))
    }
}

/// `KeyValue`: 1 key, 2 value.
public struct ParquetKeyValue: Sendable, Equatable, ThriftCompactStruct {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, string: key)
        if let value { writer.writeField(2, string: value) }
    }
}

/// `ColumnOrder` union with its only member TYPE_ORDER (field 1, empty `TypeDefinedOrder`):
/// min/max follow the type's natural order (signed ints, unsigned bytewise byte arrays).
struct TypeDefinedColumnOrder: ThriftCompactStruct {
    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, struct: EmptyThriftStruct())
    }
}

/// `FileMetaData`: 1 version, 2 schema, 3 num_rows, 4 row_groups, 5 key_value_metadata,
/// 6 created_by, 7 column_orders.
struct FileMetaData: ThriftCompactStruct {
    var version: Int32
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var keyValueMetadata: [ParquetKeyValue]
    var createdBy: String?
    var columnOrderCount: Int

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: version)
        writer.writeField(2, structs: schema)
        writer.writeField(3, i64: numRows)
        writer.writeField(4, structs: rowGroups)
        if !keyValueMetadata.isEmpty { writer.writeField(5, structs: keyValueMetadata) }
        if let createdBy { writer.writeField(6, string: createdBy) }
        writer.writeField(7, structs: Array(repeating: TypeDefinedColumnOrder(), count: columnOrderCount))
    }
}
