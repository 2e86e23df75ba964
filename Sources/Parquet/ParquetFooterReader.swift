// Reads the footer of a Parquet file — the Thrift `FileMetaData` between the last row group and
// the trailing "<4-byte little-endian length>PAR1" — without decoding any page. Used to verify a
// written file (rows, schema, min/max timestamp) and to register files found at a destination.
//
// Field ids are those of parquet.thrift (the same ones ParquetMetadata.swift writes). Fields this
// reader does not model are skipped, so footers of any writer (pyarrow, parquet-mr, ours) decode.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a Parquet footer says about its file.
public struct ParquetFooter: Sendable, Equatable {
    /// `FileMetaData.version` (1 or 2).
    public var version: Int32
    public var numRows: Int64
    public var createdBy: String?
    public var keyValueMetadata: [ParquetKeyValue]
    /// The leaf columns of the schema, in file order (one column chunk each per row group).
    public var columns: [Column]
    public var rowGroups: [RowGroup]
    /// Bytes of the Thrift-encoded `FileMetaData`.
    public var footerLength: Int

    /// A leaf of the schema tree.
    public struct Column: Sendable, Equatable {
        /// Path components below the root (one for a flat schema).
        public var path: [String]
        /// `path` joined with ".", as pyarrow names nested columns.
        public var name: String { path.joined(separator: ".") }
        public var physicalType: PhysicalType
        public var repetition: Repetition?
        public var convertedType: ConvertedType?
        public var logicalType: LogicalType?
        /// FIXED_LEN_BYTE_ARRAY width.
        public var typeLength: Int32?

        /// "INT64 TIMESTAMP(NANOS,false)", "BYTE_ARRAY STRING", "INT32 INTEGER(16,true)"; the
        /// converted type stands in when there is no logical type, and a column with neither
        /// (BOOLEAN, or INT32/INT64 as pyarrow writes `int32`/`int64`) is its physical type alone.
        public var typeDescription: String {
            if let logicalType { return "\(physicalType) \(logicalType)" }
            if let convertedType { return "\(physicalType) \(convertedType)" }
            return physicalType.description
        }
    }

    public struct RowGroup: Sendable, Equatable {
        public var numRows: Int64
        /// Uncompressed bytes of all the row group's column data.
        public var totalByteSize: Int64
        /// One chunk per leaf column, in `ParquetFooter.columns` order.
        public var columns: [ColumnChunk]
    }

    public struct ColumnChunk: Sendable, Equatable {
        public var path: [String]
        public var physicalType: PhysicalType
        public var codec: Codec
        /// `Encoding` numbers of parquet.thrift (0 PLAIN, 3 RLE, 8 RLE_DICTIONARY...).
        public var encodings: [Int32]
        /// Values including nulls.
        public var numValues: Int64
        public var totalUncompressedSize: Int64
        public var totalCompressedSize: Int64
        public var dataPageOffset: Int64
        public var dictionaryPageOffset: Int64?
        public var statistics: Statistics?
    }

    /// Statistics as raw bytes (PLAIN encoding of the physical type: little-endian integers,
    /// unprefixed bytes for BYTE_ARRAY).
    public struct Statistics: Sendable, Equatable {
        /// `min_value` (field 6), else the deprecated `min` (field 2).
        public var min: [UInt8]?
        /// `max_value` (field 5), else the deprecated `max` (field 1).
        public var max: [UInt8]?
        public var nullCount: Int64?
        public var distinctCount: Int64?
        /// false when a writer truncated a long string bound (`is_min_value_exact`).
        public var isMinExact: Bool?
        public var isMaxExact: Bool?
    }

    /// `Type` of parquet.thrift; unknown numbers are kept, not rejected.
    public struct PhysicalType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let boolean = Self(rawValue: 0), int32 = Self(rawValue: 1), int64 = Self(rawValue: 2)
        public static let int96 = Self(rawValue: 3), float = Self(rawValue: 4), double = Self(rawValue: 5)
        public static let byteArray = Self(rawValue: 6), fixedLenByteArray = Self(rawValue: 7)
        private static let names = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"]
        public var description: String { name(rawValue, Self.names, "TYPE") }
    }

    /// `FieldRepetitionType`.
    public struct Repetition: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let required = Self(rawValue: 0), optional = Self(rawValue: 1), repeated = Self(rawValue: 2)
        public var description: String { name(rawValue, ["REQUIRED", "OPTIONAL", "REPEATED"], "REPETITION") }
    }

    /// `ConvertedType` (the legacy annotation).
    public struct ConvertedType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let utf8 = Self(rawValue: 0), int16 = Self(rawValue: 16)
        public static let timestampMillis = Self(rawValue: 9), timestampMicros = Self(rawValue: 10)
        private static let names = [
            "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
            "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
            "INT_32", "INT_64", "JSON", "BSON", "INTERVAL",
        ]
        public var description: String { name(rawValue, Self.names, "CONVERTED") }
    }

    /// `CompressionCodec`; descriptions are the names pyarrow prints.
    public struct Codec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let uncompressed = Self(rawValue: 0), snappy = Self(rawValue: 1), gzip = Self(rawValue: 2)
        public static let zstd = Self(rawValue: 6)
        private static let names = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"]
        public var description: String { name(rawValue, Self.names, "CODEC") }
    }

    public enum TimeUnit: Sendable, Hashable, CustomStringConvertible {
        case millis, micros, nanos
        public var description: String {
            switch self {
            case .millis: "MILLIS"
            case .micros: "MICROS"
            case .nanos: "NANOS"
            }
        }
    }

    /// The `LogicalType` union, modelled for the members this project writes.
    public enum LogicalType: Sendable, Hashable, CustomStringConvertible {
        case string
        case timestamp(unit: TimeUnit, isAdjustedToUTC: Bool)
        case integer(bitWidth: Int8, isSigned: Bool)
        /// Any other member, by its field id in the union (5 DECIMAL, 6 DATE, 12 JSON...); also a
        /// TIMESTAMP whose unit this reader does not know.
        case other(fieldID: Int16)

        private static let otherNames: [Int16: String] = [
            1: "STRING", 2: "MAP", 3: "LIST", 4: "ENUM", 5: "DECIMAL", 6: "DATE", 7: "TIME", 8: "TIMESTAMP",
            10: "INTEGER", 11: "UNKNOWN", 12: "JSON", 13: "BSON", 14: "UUID", 15: "FLOAT16", 16: "VARIANT",
            17: "GEOMETRY", 18: "GEOGRAPHY",
        ]

        public var description: String {
            switch self {
            case .string: "STRING"
            case .timestamp(let unit, let adjusted): "TIMESTAMP(\(unit),\(adjusted))"
            case .integer(let bits, let signed): "INTEGER(\(bits),\(signed))"
            case .other(let id): Self.otherNames[id] ?? "LOGICAL(\(id))"
            }
        }
    }

    /// (column name, type) per leaf column, e.g. `("timestamp", "INT64 TIMESTAMP(NANOS,false)")`;
    /// compare with `ParquetSchema.footerSchemaDescription` via `elementsEqual(_:by: ==)`.
    public var schemaDescription: [(name: String, type: String)] {
        columns.map { ($0.name, $0.typeDescription) }
    }

    /// The index of the leaf column named `name` (dotted path for nested columns).
    func columnIndex(_ name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// The smallest and largest value of INT64 column `column` over all row groups, from the
    /// chunk statistics (8-byte little-endian). nil when the column is missing or not INT64,
    /// when no row group holds a non-null value, or when a chunk with non-null values lacks
    /// usable min/max statistics (the range would then be unknown, not merely narrower).
    public func int64Range(column: String) -> (min: Int64, max: Int64)? {
        guard let index = columnIndex(column), columns[index].physicalType == .int64 else { return nil }
        var result: (min: Int64, max: Int64)?
        for group in rowGroups {
            let chunk = group.columns[index]
            guard let stats = chunk.statistics else {
                if chunk.numValues == 0 { continue }
                return nil
            }
            guard let minBytes = stats.min, let maxBytes = stats.max else {
                // All values null: nothing to widen the range with.
                if let nulls = stats.nullCount, nulls == chunk.numValues { continue }
                return nil
            }
            guard let lo = Self.int64(littleEndian: minBytes), let hi = Self.int64(littleEndian: maxBytes) else { return nil }
            result = result.map { (Swift.min($0.min, lo), Swift.max($0.max, hi)) } ?? (lo, hi)
        }
        return result
    }

    static func int64(littleEndian bytes: [UInt8]) -> Int64? {
        guard bytes.count == 8 else { return nil }
        var bits: UInt64 = 0
        for (i, b) in bytes.enumerated() { bits |= UInt64(b) << (8 * UInt64(i)) }
        return Int64(bitPattern: bits)
    }
}

private func name(_ value: Int32, _ names: [String], _ fallback: String) -> String {
    value >= 0 && Int(value) < names.count ? names[Int(value)] : "\(fallback)(\(value))"
}

extension ParquetSchema {
    /// What `ParquetFooter.schemaDescription` reports for a file written with this schema.
    public var footerSchemaDescription: [(name: String, type: String)] {
        columns.map { column in
            let physical = ParquetFooter.PhysicalType(rawValue: column.kind.physicalType.rawValue)
            let logical: ParquetFooter.LogicalType? = switch column.kind.logicalType {
            case .string: .string
            case .integer(let bits, let signed): .integer(bitWidth: bits, isSigned: signed)
            case .timestamp(let unit, let adjusted):
                .timestamp(unit: unit == .millis ? .millis : unit == .micros ? .micros : .nanos, isAdjustedToUTC: adjusted)
            case nil: nil  // bool, int32, int64: the bare physical type, as `typeDescription` prints it
            }
            return (column.name, logical.map { "\(physical) \($0)" } ?? physical.description)
        }
    }
}

public enum ParquetFooterReader {
    /// Reads only the footer of the file at `path` (the last 8 bytes, the first 4, the footer).
    public static func read(path: String) throws(ParquetFooterError) -> ParquetFooter {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io("open \(path): \(errnoText())") }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw .io("stat \(path): \(errnoText())") }
        let size = Int(info.st_size)
        guard size >= 12 else { throw .tooShort(max(size, 0)) }
        let head = try readExactly(fd, path: path, offset: 0, count: 4)
        let tail = try readExactly(fd, path: path, offset: size - 8, count: 8)
        let length = try checkFrame(head: head, tail: tail, fileSize: size)
        let footer = try readExactly(fd, path: path, offset: size - 8 - length, count: length)
        return try decode(footer: footer)
    }

    /// Reads the footer of a whole file held in memory.
    public static func read(bytes: [UInt8]) throws(ParquetFooterError) -> ParquetFooter {
        guard bytes.count >= 12 else { throw .tooShort(bytes.count) }
        let length = try checkFrame(head: Array(bytes[0..<4]), tail: Array(bytes[(bytes.count - 8)...]), fileSize: bytes.count)
        return try decode(bytes, range: (bytes.count - 8 - length)..<(bytes.count - 8))
    }

    /// Decodes a Thrift-encoded `FileMetaData` on its own (the bytes before the length and "PAR1").
    public static func decode(footer: [UInt8]) throws(ParquetFooterError) -> ParquetFooter {
        try decode(footer, range: 0..<footer.count)
    }

    /// Checks both magics and returns the footer length, which must leave room for the head magic.
    private static func checkFrame(head: [UInt8], tail: [UInt8], fileSize: Int) throws(ParquetFooterError) -> Int {
        let magic = tail[4..<8]
        if magic.elementsEqual(Array("PARE".utf8)) { throw .badMagic("encrypted footer (PARE) is not supported") }
        guard magic.elementsEqual(parquetMagic) else { throw .badMagic("tail is \(printable(magic)), not PAR1") }
        guard head.elementsEqual(parquetMagic) else { throw .badMagic("head is \(printable(head[...])), not PAR1") }
        let length = UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24
        guard length > 0, Int(length) <= fileSize - 12 else { throw .badFooterLength(length: length, fileSize: fileSize) }
        return Int(length)
    }

    private static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Reads exactly `count` bytes at `offset` (retrying short reads and EINTR).
    private static func readExactly(_ fd: Int32, path: String, offset: Int, count: Int) throws(ParquetFooterError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        // Each pass reads at least one byte or fails, so this ends after at most `count` passes.
        while done < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("read \(path): \(errnoText())")
            }
            if n == 0 { throw .io("read \(path): file shrank while reading its footer") }
            done += n
        }
        return buffer
    }

    // MARK: FileMetaData

    private static func decode(_ bytes: [UInt8], range: Range<Int>) throws(ParquetFooterError) -> ParquetFooter {
        var r = ThriftCompactReader(bytes, range: range)
        var version: Int32?, schema: [SchemaNode]?, numRows: Int64?, rowGroups: [RawRowGroup]?
        var keyValues: [ParquetKeyValue] = [], createdBy: String?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.i32.rawValue): version = try r.readI32()
            case (2, ThriftCompactType.list.rawValue): schema = try r.readList(expecting: .structure, readSchemaElement)
            case (3, ThriftCompactType.i64.rawValue): numRows = try r.readI64()
            case (4, ThriftCompactType.list.rawValue): rowGroups = try r.readList(expecting: .structure, readRowGroup)
            case (5, ThriftCompactType.list.rawValue): keyValues = try r.readList(expecting: .structure, readKeyValue)
            case (6, ThriftCompactType.binary.rawValue): createdBy = try r.readString()
            default: try r.skip(f)
            }
        }
        guard let version else { throw .missingField(structure: "FileMetaData", field: "version") }
        guard let schema else { throw .missingField(structure: "FileMetaData", field: "schema") }
        guard let numRows else { throw .missingField(structure: "FileMetaData", field: "num_rows") }
        guard let rowGroups else { throw .missingField(structure: "FileMetaData", field: "row_groups") }

        let columns = try leafColumns(schema)
        guard numRows >= 0 else { throw .invalidMetadata("num_rows is \(numRows)") }
        var groups: [ParquetFooter.RowGroup] = []
        var rowSum: Int64 = 0
        for (g, group) in rowGroups.enumerated() {
            guard group.numRows >= 0 else { throw .invalidMetadata("row group \(g) has num_rows \(group.numRows)") }
            let (sum, overflow) = rowSum.addingReportingOverflow(group.numRows)
            guard !overflow else { throw .invalidMetadata("row counts overflow") }
            rowSum = sum
            guard group.columns.count == columns.count else {
                throw .invalidMetadata("row group \(g) has \(group.columns.count) column chunks for \(columns.count) columns")
            }
            for (chunk, column) in zip(group.columns, columns) {
                guard chunk.path == column.path, chunk.physicalType == column.physicalType else {
                    throw .invalidMetadata("row group \(g): chunk \(chunk.path.joined(separator: ".")) (\(chunk.physicalType)) where the schema has \(column.name) (\(column.physicalType))")
                }
                guard chunk.numValues >= 0 else { throw .invalidMetadata("row group \(g): chunk \(column.name) has num_values \(chunk.numValues)") }
            }
            groups.append(ParquetFooter.RowGroup(numRows: group.numRows, totalByteSize: group.totalByteSize, columns: group.columns))
        }
        guard rowSum == numRows else { throw .invalidMetadata("num_rows is \(numRows) but the row groups hold \(rowSum)") }
        return ParquetFooter(
            version: version, numRows: numRows, createdBy: createdBy, keyValueMetadata: keyValues,
            columns: columns, rowGroups: groups, footerLength: range.count)
    }

    // MARK: Schema

    /// One `SchemaElement`: 1 type, 2 type_length, 3 repetition_type, 4 name, 5 num_children,
    /// 6 converted_type, 10 logicalType.
    private struct SchemaNode {
        var type: Int32?
        var typeLength: Int32?
        var repetition: Int32?
        var name: String?
        var numChildren: Int32?
        var convertedType: Int32?
        var logicalType: ParquetFooter.LogicalType?
    }

    private static func readSchemaElement(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> SchemaNode {
        var node = SchemaNode()
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.i32.rawValue): node.type = try r.readI32()
            case (2, ThriftCompactType.i32.rawValue): node.typeLength = try r.readI32()
            case (3, ThriftCompactType.i32.rawValue): node.repetition = try r.readI32()
            case (4, ThriftCompactType.binary.rawValue): node.name = try r.readString()
            case (5, ThriftCompactType.i32.rawValue): node.numChildren = try r.readI32()
            case (6, ThriftCompactType.i32.rawValue): node.convertedType = try r.readI32()
            case (10, ThriftCompactType.structure.rawValue): node.logicalType = try readLogicalType(&r)
            default: try r.skip(f)
            }
        }
        guard node.name != nil else { throw .missingField(structure: "SchemaElement", field: "name") }
        return node
    }

    /// The `LogicalType` union: the member is the (first) field set.
    private static func readLogicalType(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.LogicalType? {
        var result: ParquetFooter.LogicalType?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            guard result == nil, f.type == ThriftCompactType.structure.rawValue else { return try r.skip(f) }
            switch f.id {
            case 1:
                try r.skip(f)
                result = .string
            case 8: result = try readTimestampType(&r)
            case 10: result = try readIntType(&r)
            default:
                try r.skip(f)
                result = .other(fieldID: f.id)
            }
        }
        return result
    }

    /// `TimestampType`: 1 isAdjustedToUTC, 2 unit (`TimeUnit` union: 1 MILLIS, 2 MICROS, 3 NANOS).
    private static func readTimestampType(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.LogicalType {
        var adjusted: Bool?, unit: ParquetFooter.TimeUnit?, unitSeen = false
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.boolValue) {
            case (1, let value?): adjusted = value
            case (2, nil) where f.type == ThriftCompactType.structure.rawValue:
                unitSeen = true
                try r.readStruct { (r, u) throws(ParquetFooterError) in
                    if unit == nil, u.type == ThriftCompactType.structure.rawValue {
                        unit = switch u.id { case 1: .millis; case 2: .micros; case 3: .nanos; default: nil }
                    }
                    try r.skip(u)
                }
            default: try r.skip(f)
            }
        }
        guard let adjusted else { throw .missingField(structure: "TimestampType", field: "isAdjustedToUTC") }
        guard unitSeen else { throw .missingField(structure: "TimestampType", field: "unit") }
        guard let unit else { return .other(fieldID: 8) }  // a unit newer than this reader
        return .timestamp(unit: unit, isAdjustedToUTC: adjusted)
    }

    /// `IntType`: 1 bitWidth (i8), 2 isSigned.
    private static func readIntType(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.LogicalType {
        var bits: Int8?, signed: Bool?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.byte.rawValue): bits = try r.readI8()
            case (2, _) where f.boolValue != nil: signed = f.boolValue
            default: try r.skip(f)
            }
        }
        guard let bits else { throw .missingField(structure: "IntType", field: "bitWidth") }
        guard let signed else { throw .missingField(structure: "IntType", field: "isSigned") }
        return .integer(bitWidth: bits, isSigned: signed)
    }

    /// Flattens the depth-first schema list (root first) into its leaves with their paths.
    private static func leafColumns(_ nodes: [SchemaNode]) throws(ParquetFooterError) -> [ParquetFooter.Column] {
        guard let root = nodes.first else { throw .invalidMetadata("empty schema") }
        guard let rootChildren = root.numChildren, rootChildren >= 0 else {
            throw .invalidMetadata("schema root \(root.name ?? "") is not a group")
        }
        var columns: [ParquetFooter.Column] = []
        // Open groups: children still expected, and the group's path. Bounded by the number of
        // nodes (each push consumes one), so no recursion depth to worry about.
        var stack: [(remaining: Int32, path: [String])] = [(rootChildren, [])]
        var index = 1
        while !stack.isEmpty {
            if stack[stack.count - 1].remaining == 0 {
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].remaining -= 1
            guard index < nodes.count else {
                throw .invalidMetadata("schema ends inside group \(stack.last!.path.joined(separator: ".")) (\(nodes.count) elements)")
            }
            let node = nodes[index]
            index += 1
            let path = stack[stack.count - 1].path + [node.name ?? ""]
            if let type = node.type, (node.numChildren ?? 0) == 0 {
                columns.append(ParquetFooter.Column(
                    path: path, physicalType: .init(rawValue: type), repetition: node.repetition.map { .init(rawValue: $0) },
                    convertedType: node.convertedType.map { .init(rawValue: $0) }, logicalType: node.logicalType,
                    typeLength: node.typeLength))
            } else {
                let children = node.numChildren ?? 0
                guard children >= 0 else { throw .invalidMetadata("schema element \(path.joined(separator: ".")) has \(children) children") }
                stack.append((children, path))
            }
        }
        guard index == nodes.count else {
            throw .invalidMetadata("schema has \(nodes.count - index) elements past the root's children")
        }
        return columns
    }

    // MARK: Row groups

    private struct RawRowGroup {
        var columns: [ParquetFooter.ColumnChunk]
        var totalByteSize: Int64
        var numRows: Int64
    }

    /// `RowGroup`: 1 columns, 2 total_byte_size, 3 num_rows.
    private static func readRowGroup(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> RawRowGroup {
        var columns: [ParquetFooter.ColumnChunk]?, totalByteSize: Int64?, numRows: Int64?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.list.rawValue): columns = try r.readList(expecting: .structure, readColumnChunk)
            case (2, ThriftCompactType.i64.rawValue): totalByteSize = try r.readI64()
            case (3, ThriftCompactType.i64.rawValue): numRows = try r.readI64()
            default: try r.skip(f)
            }
        }
        guard let columns else { throw .missingField(structure: "RowGroup", field: "columns") }
        guard let totalByteSize else { throw .missingField(structure: "RowGroup", field: "total_byte_size") }
        guard let numRows else { throw .missingField(structure: "RowGroup", field: "num_rows") }
        return RawRowGroup(columns: columns, totalByteSize: totalByteSize, numRows: numRows)
    }

    /// `ColumnChunk`: 3 meta_data (absent only for encrypted columns, which are not supported).
    private static func readColumnChunk(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.ColumnChunk {
        var chunk: ParquetFooter.ColumnChunk?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            if f.id == 3, f.type == ThriftCompactType.structure.rawValue {
                chunk = try readColumnMetaData(&r)
            } else {
                try r.skip(f)
            }
        }
        guard let chunk else { throw .missingField(structure: "ColumnChunk", field: "meta_data") }
        return chunk
    }

    /// `ColumnMetaData`: 1 type, 2 encodings, 3 path_in_schema, 4 codec, 5 num_values,
    /// 6 total_uncompressed_size, 7 total_compressed_size, 9 data_page_offset,
    /// 11 dictionary_page_offset, 12 statistics.
    private static func readColumnMetaData(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.ColumnChunk {
        var type: Int32?, encodings: [Int32]?, path: [String]?, codec: Int32?, numValues: Int64?
        var uncompressed: Int64?, compressed: Int64?, dataPageOffset: Int64?, dictionaryPageOffset: Int64?
        var statistics: ParquetFooter.Statistics?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.i32.rawValue): type = try r.readI32()
            case (2, ThriftCompactType.list.rawValue): encodings = try r.readList(expecting: .i32) { (r) throws(ParquetFooterError) in try r.readI32() }
            case (3, ThriftCompactType.list.rawValue): path = try r.readList(expecting: .binary) { (r) throws(ParquetFooterError) in try r.readString() }
            case (4, ThriftCompactType.i32.rawValue): codec = try r.readI32()
            case (5, ThriftCompactType.i64.rawValue): numValues = try r.readI64()
            case (6, ThriftCompactType.i64.rawValue): uncompressed = try r.readI64()
            case (7, ThriftCompactType.i64.rawValue): compressed = try r.readI64()
            case (9, ThriftCompactType.i64.rawValue): dataPageOffset = try r.readI64()
            case (11, ThriftCompactType.i64.rawValue): dictionaryPageOffset = try r.readI64()
            case (12, ThriftCompactType.structure.rawValue): statistics = try readStatistics(&r)
            default: try r.skip(f)
            }
        }
        let s = "ColumnMetaData"
        guard let type else { throw .missingField(structure: s, field: "type") }
        guard let encodings else { throw .missingField(structure: s, field: "encodings") }
        guard let path else { throw .missingField(structure: s, field: "path_in_schema") }
        guard let codec else { throw .missingField(structure: s, field: "codec") }
        guard let numValues else { throw .missingField(structure: s, field: "num_values") }
        guard let uncompressed else { throw .missingField(structure: s, field: "total_uncompressed_size") }
        guard let compressed else { throw .missingField(structure: s, field: "total_compressed_size") }
        guard let dataPageOffset else { throw .missingField(structure: s, field: "data_page_offset") }
        return ParquetFooter.ColumnChunk(
            path: path, physicalType: .init(rawValue: type), codec: .init(rawValue: codec), encodings: encodings,
            numValues: numValues, totalUncompressedSize: uncompressed, totalCompressedSize: compressed,
            dataPageOffset: dataPageOffset, dictionaryPageOffset: dictionaryPageOffset, statistics: statistics)
    }

    /// `Statistics`: 1 max, 2 min (deprecated), 3 null_count, 4 distinct_count, 5 max_value,
    /// 6 min_value, 7 is_max_value_exact, 8 is_min_value_exact.
    private static func readStatistics(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetFooter.Statistics {
        var stats = ParquetFooter.Statistics()
        var legacyMin: [UInt8]?, legacyMax: [UInt8]?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.binary.rawValue): legacyMax = try r.readBinary()
            case (2, ThriftCompactType.binary.rawValue): legacyMin = try r.readBinary()
            case (3, ThriftCompactType.i64.rawValue): stats.nullCount = try r.readI64()
            case (4, ThriftCompactType.i64.rawValue): stats.distinctCount = try r.readI64()
            case (5, ThriftCompactType.binary.rawValue): stats.max = try r.readBinary()
            case (6, ThriftCompactType.binary.rawValue): stats.min = try r.readBinary()
            case (7, _) where f.boolValue != nil: stats.isMaxExact = f.boolValue
            case (8, _) where f.boolValue != nil: stats.isMinExact = f.boolValue
            default: try r.skip(f)
            }
        }
        if stats.min == nil { stats.min = legacyMin }
        if stats.max == nil { stats.max = legacyMax }
        return stats
    }

    /// `KeyValue`: 1 key, 2 value.
    private static func readKeyValue(_ r: inout ThriftCompactReader) throws(ParquetFooterError) -> ParquetKeyValue {
        var key: String?, value: String?
        try r.readStruct { (r, f) throws(ParquetFooterError) in
            switch (f.id, f.type) {
            case (1, ThriftCompactType.binary.rawValue): key = try r.readString()
            case (2, ThriftCompactType.binary.rawValue): value = try r.readString()
            default: try r.skip(f)
            }
        }
        guard let key else { throw .missingField(structure: "KeyValue", field: "key") }
        return ParquetKeyValue(key: key, value: value)
    }
}
