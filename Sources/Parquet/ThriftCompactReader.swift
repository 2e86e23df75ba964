// A reader for the Thrift compact protocol (the encoding of Parquet metadata; the wire format is
// summarized at the top of ThriftCompactWriter.swift). It decodes untrusted bytes: every read is
// bounds-checked, every integer range-checked, nesting is limited, and a declared element count
// is checked against the bytes left before anything is allocated or looped over, so malformed
// input always ends in a thrown `ParquetFooterError`, never in a trap or a huge allocation.

/// Why a Parquet footer could not be read. Apart from `ParquetError` (the writer's) on purpose:
/// reading fails in other ways, and neither side's typed throws should list the other's cases.
public enum ParquetFooterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read; carries the path and the errno text.
    case io(String)
    /// Too short to be a Parquet file (needs "PAR1" + footer + length + "PAR1").
    case tooShort(Int)
    /// "PAR1" is missing at the start or at the end ("head"/"tail"), or the file is encrypted ("PARE").
    case badMagic(String)
    /// The footer length in the last 8 bytes does not fit the file.
    case badFooterLength(length: UInt32, fileSize: Int)
    /// The Thrift bytes are not a valid encoding: the byte offset (within the footer) and why.
    case malformed(offset: Int, reason: String)
    /// Structures nested deeper than `ThriftCompactReader.maxDepth`.
    case nestingTooDeep(offset: Int)
    /// A field that parquet.thrift marks required is absent (or of the wrong type).
    case missingField(structure: String, field: String)
    /// Well-formed Thrift that does not describe a consistent Parquet file.
    case invalidMetadata(String)

    public var description: String {
        switch self {
        case .io(let s): "parquet footer: I/O error: \(s)"
        case .tooShort(let n): "parquet footer: file of \(n) bytes is too short to be Parquet"
        case .badMagic(let s): "parquet footer: bad magic: \(s)"
        case .badFooterLength(let length, let size): "parquet footer: footer length \(length) does not fit a file of \(size) bytes"
        case .malformed(let offset, let reason): "parquet footer: malformed Thrift at footer byte \(offset): \(reason)"
        case .nestingTooDeep(let offset): "parquet footer: structures nested too deep at footer byte \(offset)"
        case .missingField(let structure, let field): "parquet footer: \(structure) lacks required field \(field)"
        case .invalidMetadata(let s): "parquet footer: invalid metadata: \(s)"
        }
    }
}

/// A field header read by `ThriftCompactReader.readFieldHeader`.
struct ThriftFieldHeader: Equatable {
    var id: Int16
    /// The compact type nibble (1...12); 1/2 are booleans whose value is the nibble itself.
    var type: UInt8
    /// The value of a boolean field (it lives in the header), nil for other types.
    var boolValue: Bool? {
        switch type {
        case ThriftCompactType.booleanTrue.rawValue: true
        case ThriftCompactType.booleanFalse.rawValue: false
        default: nil
        }
    }
}

struct ThriftCompactReader {
    /// Deepest nesting of structs/lists/sets/maps accepted. Parquet footers nest about 6 deep.
    static let maxDepth = 64

    private let bytes: [UInt8]
    /// Where the decoded range begins: error offsets are relative to it.
    private let start: Int
    private(set) var position: Int
    private let end: Int
    private var depth = 0
    /// Field id of the previous field in the struct being read (deltas are relative to it).
    private var lastFieldID: Int16 = 0
    private var enclosingFieldIDs: [Int16] = []

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: 0..<bytes.count)
    }

    /// Reads `bytes[range]`; offsets in errors are relative to `range.lowerBound`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.start = range.lowerBound
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position == end }

    private func fail(_ reason: String) -> ParquetFooterError {
        .malformed(offset: position - start, reason: reason)
    }

    // MARK: Primitives

    mutating func readByte() throws(ParquetFooterError) -> UInt8 {
        guard position < end else { throw fail("unexpected end of data") }
        let b = bytes[position]
        position += 1
        return b
    }

    /// An unsigned LEB128 varint of at most 10 bytes whose value fits 64 bits.
    mutating func readVarint() throws(ParquetFooterError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    mutating func readI64() throws(ParquetFooterError) -> Int64 {
        Self.unzigzag(try readVarint())
    }

    mutating func readI32() throws(ParquetFooterError) -> Int32 {
        let value = try readI64()
        guard let narrow = Int32(exactly: value) else { throw fail("i32 out of range: \(value)") }
        return narrow
    }

    mutating func readI16() throws(ParquetFooterError) -> Int16 {
        let value = try readI64()
        guard let narrow = Int16(exactly: value) else { throw fail("i16 out of range: \(value)") }
        return narrow
    }

    mutating func readI8() throws(ParquetFooterError) -> Int8 {
        Int8(bitPattern: try readByte())
    }

    /// A double: 8 bytes, little-endian.
    mutating func readDouble() throws(ParquetFooterError) -> Double {
        guard remaining >= 8 else { throw fail("unexpected end of data in double") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// A boolean list/set element or map key/value: one byte, 1 = true (0 or 2 = false).
    mutating func readBoolElement() throws(ParquetFooterError) -> Bool {
        switch try readByte() {
        case 1: return true
        case 0, 2: return false
        case let b: throw fail("bad boolean byte \(b)")
        }
    }

    mutating func readBinary() throws(ParquetFooterError) -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(remaining) else { throw fail("binary of \(length) bytes past the end (\(remaining) left)") }
        let n = Int(length)
        let value = Array(bytes[position..<(position + n)])
        position += n
        return value
    }

    /// A string; invalid UTF-8 is repaired with U+FFFD rather than rejected.
    mutating func readString() throws(ParquetFooterError) -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    // MARK: Structs and fields

    /// Enters a nested struct: field-id deltas restart at 0 inside it.
    mutating func beginStruct() throws(ParquetFooterError) {
        try enter()
        enclosingFieldIDs.append(lastFieldID)
        lastFieldID = 0
    }

    mutating func endStruct() {
        lastFieldID = enclosingFieldIDs.popLast() ?? 0
        leave()
    }

    private mutating func enter() throws(ParquetFooterError) {
        guard depth < Self.maxDepth else { throw .nestingTooDeep(offset: position - start) }
        depth += 1
    }

    private mutating func leave() { depth -= 1 }

    /// The next field header of the current struct, or nil at its stop byte.
    mutating func readFieldHeader() throws(ParquetFooterError) -> ThriftFieldHeader? {
        let b = try readByte()
        if b == 0 { return nil }
        let type = b & 0x0F
        let delta = b >> 4
        guard (1...12).contains(type) else { throw fail("bad field type \(type)") }
        let id: Int16
        if delta == 0 {
            id = try readI16()
        } else {
            // A delta past Int16.max is malformed, not a wrap-around.
            let sum = Int(lastFieldID) + Int(delta)
            guard let narrow = Int16(exactly: sum) else { throw fail("field id overflows i16") }
            id = narrow
        }
        lastFieldID = id
        return ThriftFieldHeader(id: id, type: type)
    }

    /// Reads a whole struct: `body` is called for every field and must consume its value
    /// (e.g. by `skip(field)` for a field it does not know).
    mutating func readStruct(_ body: (inout ThriftCompactReader, ThriftFieldHeader) throws(ParquetFooterError) -> Void) throws(ParquetFooterError) {
        try beginStruct()
        while let field = try readFieldHeader() {
            try body(&self, field)
        }
        endStruct()
    }

    /// A list or set header: element type nibble and size (checked against the bytes left,
    /// since every element takes at least one byte).
    mutating func readListHeader() throws(ParquetFooterError) -> (elementType: UInt8, count: Int) {
        let b = try readByte()
        let elementType = b & 0x0F
        guard (1...12).contains(elementType) else { throw fail("bad list element type \(elementType)") }
        var size = UInt64(b >> 4)
        if size == 15 { size = try readVarint() }
        guard size <= UInt64(Int32.max) else { throw fail("list size \(size) out of range") }
        guard size <= UInt64(remaining) else { throw fail("list of \(size) elements past the end (\(remaining) bytes left)") }
        return (elementType, Int(size))
    }

    /// A map header: size, then (when not empty) one byte of key and value type nibbles.
    mutating func readMapHeader() throws(ParquetFooterError) -> (keyType: UInt8, valueType: UInt8, count: Int) {
        let size = try readVarint()
        guard size <= UInt64(Int32.max) else { throw fail("map size \(size) out of range") }
        if size == 0 { return (0, 0, 0) }
        let types = try readByte()
        let keyType = types >> 4, valueType = types & 0x0F
        guard (1...12).contains(keyType), (1...12).contains(valueType) else { throw fail("bad map types \(keyType)/\(valueType)") }
        // Every key and every value takes at least one byte.
        guard size <= UInt64(remaining / 2) else { throw fail("map of \(size) entries past the end (\(remaining) bytes left)") }
        return (keyType, valueType, Int(size))
    }

    /// Reads a list whose elements `element` decodes one by one.
    mutating func readList<T>(
        expecting elementType: ThriftCompactType,
        _ element: (inout ThriftCompactReader) throws(ParquetFooterError) -> T
    ) throws(ParquetFooterError) -> [T] {
        try enter()
        let header = try readListHeader()
        guard Self.sameType(header.elementType, elementType.rawValue) else {
            throw fail("list of type \(header.elementType) where \(elementType) was expected")
        }
        var values: [T] = []
        values.reserveCapacity(header.count)
        for _ in 0..<header.count { values.append(try element(&self)) }
        leave()
        return values
    }

    /// Booleans have two type nibbles (1 and 2) that both mean "bool".
    static func sameType(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || ((a == 1 || a == 2) && (b == 1 || b == 2))
    }

    /// Whether `field` holds a value of `type` (booleans: either nibble).
    static func fieldIs(_ field: ThriftFieldHeader, _ type: ThriftCompactType) -> Bool {
        sameType(field.type, type.rawValue)
    }

    // MARK: Skipping

    /// Skips the value of a field this reader does not decode.
    mutating func skip(_ field: ThriftFieldHeader) throws(ParquetFooterError) {
        if field.boolValue != nil { return }  // the value was in the header
        try skipValue(type: field.type)
    }

    /// Skips one value of compact type `type` (a list/set/map element when `type` is 1 or 2).
    mutating func skipValue(type: UInt8) throws(ParquetFooterError) {
        switch type {
        case 1, 2: _ = try readBoolElement()
        case ThriftCompactType.byte.rawValue: _ = try readByte()
        case ThriftCompactType.i16.rawValue, ThriftCompactType.i32.rawValue, ThriftCompactType.i64.rawValue:
            _ = try readVarint()
        case ThriftCompactType.double.rawValue:
            guard remaining >= 8 else { throw fail("unexpected end of data in double") }
            position += 8
        case ThriftCompactType.binary.rawValue:
            let length = try readVarint()
            guard length <= UInt64(remaining) else { throw fail("binary of \(length) bytes past the end") }
            position += Int(length)
        case ThriftCompactType.list.rawValue, ThriftCompactType.set.rawValue:
            try enter()
            let header = try readListHeader()
            for _ in 0..<header.count { try skipValue(type: header.elementType) }
            leave()
        case ThriftCompactType.map.rawValue:
            try enter()
            let header = try readMapHeader()
            for _ in 0..<header.count {
                try skipValue(type: header.keyType)
                try skipValue(type: header.valueType)
            }
            leave()
        case ThriftCompactType.structure.rawValue:
            try readStruct { (reader, field) throws(ParquetFooterError) in try reader.skip(field) }
        default:
            throw fail("cannot skip a value of type \(type)")
        }
    }
}
