// Compact-protocol bytes of known structs, computed by hand from the Thrift compact protocol spec.
import Testing
@testable import Parquet

private struct Fields: ThriftCompactStruct {
    var write: (inout ThriftCompactWriter) -> Void
    func writeFields(to writer: inout ThriftCompactWriter) { write(&writer) }
}

private func encode(_ body: @escaping (inout ThriftCompactWriter) -> Void) -> [UInt8] {
    ThriftCompactWriter.encode(Fields(write: body))
}

@Test func zigzagAndVarints() {
    #expect(ThriftCompactWriter.zigzag(0) == 0)
    #expect(ThriftCompactWriter.zigzag(-1) == 1)
    #expect(ThriftCompactWriter.zigzag(1) == 2)
    #expect(ThriftCompactWriter.zigzag(-2) == 3)
    #expect(ThriftCompactWriter.zigzag(Int64.min) == UInt64.max)
    var writer = ThriftCompactWriter()
    writer.writeVarint(300)
    writer.writeVarint(127)
    writer.writeVarint(128)
    #expect(writer.bytes == [0xAC, 0x02, 0x7F, 0x80, 0x01])
}

@Test func integerFieldsUseDeltaHeadersAndZigzag() {
    // field 1 i32 1 → 0x15 0x02; field 3 i64 300 → delta 2: 0x26, zigzag 600 = 0xD8 0x04;
    // field 4 i32 -1 → 0x15, 0x01; stop.
    #expect(encode { w in
        w.writeField(1, i32: 1)
        w.writeField(3, i64: 300)
        w.writeField(4, i32: -1)
    } == [0x15, 0x02, 0x26, 0xD8, 0x04, 0x15, 0x01, 0x00])
}

@Test func longFieldJumpUsesExplicitID() {
    // field 1 then field 20: delta 19 > 15, so type byte 0x05 then zigzag(20) = 40 = 0x28.
    #expect(encode { w in
        w.writeField(1, i32: 0)
        w.writeField(20, i32: 2)
    } == [0x15, 0x00, 0x05, 0x28, 0x04, 0x00])
}

@Test func boolsBinaryAndI8() {
    #expect(encode { w in
        w.writeField(1, bool: true)
        w.writeField(2, bool: false)
        w.writeField(3, string: "ab")
        w.writeField(4, i8: -1)
    } == [0x11, 0x12, 0x18, 0x02, 0x61, 0x62, 0x13, 0xFF, 0x00])
}

@Test func listsShortAndLong() {
    #expect(encode { w in w.writeField(1, i32s: [1, 2, 3]) } == [0x19, 0x35, 0x02, 0x04, 0x06, 0x00])
    let fifteen = encode { w in w.writeField(1, i32s: Array(repeating: 0, count: 15)) }
    #expect(Array(fifteen.prefix(3)) == [0x19, 0xF5, 0x0F])
    #expect(fifteen.count == 3 + 15 + 1)
    #expect(encode { w in w.writeField(2, strings: ["x"]) } == [0x29, 0x18, 0x01, 0x78, 0x00])
}

@Test func nestedStructsRestartFieldDeltas() {
    let inner = Fields { w in w.writeField(1, i32: 5) }
    // outer field 1 struct {1: 5}, outer field 2 i32 7 (delta from 1, not from the inner field).
    #expect(encode { w in
        w.writeField(1, struct: inner)
        w.writeField(2, i32: 7)
    } == [0x1C, 0x15, 0x0A, 0x00, 0x15, 0x0E, 0x00])
    #expect(encode { w in w.writeField(1, structs: [inner, inner]) } == [0x19, 0x2C, 0x15, 0x0A, 0x00, 0x15, 0x0A, 0x00, 0x00])
}

@Test func schemaElementsWithLogicalTypes() {
    let string = SchemaElement(type: .byteArray, repetition: .optional, name: "m", convertedType: .utf8, logicalType: .string)
    #expect(ThriftCompactWriter.encode(string) == [
        0x15, 0x0C,        // 1: type BYTE_ARRAY (6)
        0x25, 0x02,        // 3: repetition OPTIONAL (1)
        0x18, 0x01, 0x6D,  // 4: name "m"
        0x25, 0x00,        // 6: converted_type UTF8 (0)
        0x4C,              // 10: logicalType
        0x1C, 0x00,        //   1: STRING {}
        0x00,              // end LogicalType
        0x00,
    ])
    let timestamp = SchemaElement(type: .int64, repetition: .optional, name: "t", logicalType: .timestamp(unit: .nanos, isAdjustedToUTC: false))
    #expect(ThriftCompactWriter.encode(timestamp) == [
        0x15, 0x04, 0x25, 0x02, 0x18, 0x01, 0x74,
        0x6C,              // 10: logicalType (delta 6, no converted_type)
        0x8C,              //   8: TIMESTAMP
        0x12,              //     1: isAdjustedToUTC false
        0x1C,              //     2: unit
        0x3C, 0x00,        //       3: NANOS {}
        0x00, 0x00, 0x00, 0x00,
    ])
    let int16 = SchemaElement(type: .int32, repetition: .optional, name: "s", convertedType: .int16, logicalType: .integer(bitWidth: 16, isSigned: true))
    #expect(ThriftCompactWriter.encode(int16) == [
        0x15, 0x02, 0x25, 0x02, 0x18, 0x01, 0x73,
        0x25, 0x20,        // 6: converted_type INT_16 (16)
        0x4C,              // 10: logicalType
        0xAC,              //   10: INTEGER
        0x13, 0x10,        //     1: bitWidth 16 (i8)
        0x11,              //     2: isSigned true
        0x00, 0x00, 0x00,
    ])
}

@Test func statisticsAndPageHeader() {
    let statistics = ParquetStatistics(nullCount: 2, minValue: [0x61], maxValue: [0x7A])
    #expect(ThriftCompactWriter.encode(statistics) == [
        0x36, 0x04,        // 3: null_count 2
        0x28, 0x01, 0x7A,  // 5: max_value "z"
        0x18, 0x01, 0x61,  // 6: min_value "a"
        0x11, 0x11,        // 7, 8: exact
        0x00,
    ])
    #expect(ThriftCompactWriter.encode(ParquetStatistics(nullCount: 3)) == [0x36, 0x06, 0x00])
    let header = PageHeader(uncompressedSize: 100, compressedSize: 64, body: .data(DataPageHeader(numValues: 10, encoding: .rleDictionary)))
    #expect(ThriftCompactWriter.encode(header) == [
        0x15, 0x00,        // 1: DATA_PAGE
        0x15, 0xC8, 0x01,  // 2: 100
        0x15, 0x80, 0x01,  // 3: 64
        0x2C,              // 5: data_page_header
        0x15, 0x14,        //   1: num_values 10
        0x15, 0x10,        //   2: RLE_DICTIONARY (8)
        0x15, 0x06,        //   3: RLE (3)
        0x15, 0x06,        //   4: RLE (3)
        0x00, 0x00,
    ])
    let row = RowGroup(columns: [], totalByteSize: 1, numRows: 1, fileOffset: 4, totalCompressedSize: 1, ordinal: 3)
    #expect(ThriftCompactWriter.encode(row) == [0x19, 0x0C, 0x16, 0x02, 0x16, 0x02, 0x26, 0x08, 0x16, 0x02, 0x14, 0x06, 0x00])
}
