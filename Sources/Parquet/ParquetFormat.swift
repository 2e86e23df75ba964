// Enumerations of the Apache Parquet format (parquet-format, parquet.thrift).
// The raw values are the numbers the specification assigns; they go into the file as-is.

/// Physical storage type of a column (`Type` in parquet.thrift).
enum ParquetPhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5
    case byteArray = 6, fixedLenByteArray = 7
}

/// Legacy annotation kept for older readers (`ConvertedType` in parquet.thrift).
enum ParquetConvertedType: Int32, Sendable {
    case utf8 = 0
    case int16 = 16
}

/// `FieldRepetitionType` in parquet.thrift.
enum ParquetRepetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}

/// `Encoding` in parquet.thrift (only the ones this writer emits are listed).
enum ParquetEncoding: Int32, Sendable {
    case plain = 0
    case rle = 3
    case rleDictionary = 8
}

/// `CompressionCodec` in parquet.thrift.
enum ParquetCodec: Int32, Sendable {
    case uncompressed = 0, snappy = 1, zstd = 6
}

/// `PageType` in parquet.thrift.
enum ParquetPageType: Int32, Sendable {
    case dataPage = 0, dictionaryPage = 2
}

/// The four magic bytes at the start and at the end of every Parquet file.
let parquetMagic: [UInt8] = Array("PAR1".utf8)
