// A writer for the Thrift compact protocol, the encoding of all Parquet metadata
// (page headers and the file footer). Only the encoding side is needed here.
//
// Wire format summary (Thrift compact protocol specification):
//  * integers i16/i32/i64 are zigzag-encoded, then written as ULEB128 varints; i8 is one raw byte;
//  * binary/string: varint length, then the bytes;
//  * a field starts with a header byte `delta << 4 | type` when the field id is 1...15 above the
//    previous field id of the same struct, else the type byte followed by the zigzag varint id;
//  * booleans as fields carry their value in the type nibble (1 = true, 2 = false);
//  * a struct ends with a stop byte 0; field-id deltas restart at 0 inside every nested struct;
//  * list header: `size << 4 | elementType` for size < 15, else `0xF0 | elementType` + varint size.

/// Type nibbles of the compact protocol.
enum ThriftCompactType: UInt8 {
    case booleanTrue = 1, booleanFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6
    case double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// Something that can write its fields in the compact protocol.
protocol ThriftCompactStruct {
    /// Writes the fields (not the terminating stop byte) in increasing field-id order.
    func writeFields(to writer: inout ThriftCompactWriter)
}

struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    /// Field id of the previous field in the struct being written.
    private var lastFieldID: Int16 = 0
    /// Saved `lastFieldID`s of the enclosing structs.
    private var enclosingFieldIDs: [Int16] = []

    init() {}

    // MARK: Primitive encodings

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    mutating func writeZigzag(_ value: Int64) { writeVarint(Self.zigzag(value)) }

    mutating func writeBinary(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeString(_ value: String) { writeBinary(Array(value.utf8)) }

    // MARK: Fields

    mutating func writeRawFieldHeader(_ id: Int16, _ type: ThriftCompactType) {
        writeFieldHeader(id, type.rawValue)
    }

    private mutating func writeFieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            writeZigzag(Int64(id))
        }
        lastFieldID = id
    }

    mutating func writeField(_ id: Int16, bool value: Bool) {
        writeFieldHeader(id, value ? ThriftCompactType.booleanTrue.rawValue : ThriftCompactType.booleanFalse.rawValue)
    }

    mutating func writeField(_ id: Int16, i8 value: Int8) {
        writeFieldHeader(id, ThriftCompactType.byte.rawValue)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func writeField(_ id: Int16, i32 value: Int32) {
        writeFieldHeader(id, ThriftCompactType.i32.rawValue)
        writeZigzag(Int64(value))
    }

    mutating func writeField(_ id: Int16, i64 value: Int64) {
        writeFieldHeader(id, ThriftCompactType.i64.rawValue)
        writeZigzag(value)
    }

    mutating func writeField(_ id: Int16, binary value: [UInt8]) {
        writeFieldHeader(id, ThriftCompactType.binary.rawValue)
        writeBinary(value)
    }

    mutating func writeField(_ id: Int16, string value: String) {
        writeField(id, binary: Array(value.utf8))
    }

    mutating func writeField(_ id: Int16, struct value: some ThriftCompactStruct) {
        writeFieldHeader(id, ThriftCompactType.structure.rawValue)
        writeStruct(value)
    }

    /// A struct field whose fields `writeFields` writes: for a struct written in one place only,
    /// which then needs no type of its own.
    mutating func writeField(_ id: Int16, structFields writeFields: (inout ThriftCompactWriter) -> Void) {
        writeFieldHeader(id, ThriftCompactType.structure.rawValue)
        writeStruct(fields: writeFields)
    }

    mutating func writeField(_ id: Int16, structs values: [some ThriftCompactStruct]) {
        writeFieldHeader(id, ThriftCompactType.list.rawValue)
        writeListHeader(count: values.count, elementType: .structure)
        for value in values { writeStruct(value) }
    }

    mutating func writeField(_ id: Int16, i32s values: [Int32]) {
        writeFieldHeader(id, ThriftCompactType.list.rawValue)
        writeListHeader(count: values.count, elementType: .i32)
        for value in values { writeZigzag(Int64(value)) }
    }

    mutating func writeField(_ id: Int16, strings values: [String]) {
        writeFieldHeader(id, ThriftCompactType.list.rawValue)
        writeListHeader(count: values.count, elementType: .binary)
        for value in values { writeString(value) }
    }

    mutating func writeListHeader(count: Int, elementType: ThriftCompactType) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// Writes a whole struct: its fields, then the stop byte. Field ids restart inside it.
    mutating func writeStruct(_ value: some ThriftCompactStruct) {
        writeStruct(fields: value.writeFields(to:))
    }

    private mutating func writeStruct(fields writeFields: (inout ThriftCompactWriter) -> Void) {
        enclosingFieldIDs.append(lastFieldID)
        lastFieldID = 0
        writeFields(&self)
        bytes.append(0)  // stop
        lastFieldID = enclosingFieldIDs.removeLast()
    }

    /// The compact-protocol bytes of one top-level struct.
    static func encode(_ value: some ThriftCompactStruct) -> [UInt8] {
        var writer = ThriftCompactWriter()
        writer.writeStruct(value)
        return writer.bytes
    }
}
