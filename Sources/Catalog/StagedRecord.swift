/// The values of one staged row, in its dataset's column order, as the bytes of
/// `staged_row.record`. The catalog stores and returns them without knowing any column;
/// the stage that parses rows writes them, the stage that compacts hours reads them.
///
/// Encoding, value after value: `0` null · `1` + 8 bytes little-endian integer · `2` false ·
/// `3` true · `4` + LEB128 length + the text's bytes (any bytes, NUL included).
public struct StagedRecordWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func appendNull() { bytes.append(0) }

    public mutating func appendInt(_ value: Int64) {
        bytes.append(1)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func appendBool(_ value: Bool) { bytes.append(value ? 3 : 2) }

    public mutating func appendText(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(4)
        var length = UInt(value.count)
        repeat {
            let low = UInt8(length & 0x7F)
            length >>= 7
            bytes.append(length == 0 ? low : low | 0x80)
        } while length != 0
        bytes.append(contentsOf: value)
    }

    public mutating func appendText(_ value: String?) {
        guard var value else { return appendNull() }
        value.withUTF8 { appendText($0) }
    }
}

/// One value read back from a record; text borrows the record's bytes.
public enum StagedValue {
    case null
    case int(Int64)
    case bool(Bool)
    case text(UnsafeBufferPointer<UInt8>)
}

/// Reads a record's values in order.
public struct StagedRecordReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The next value; nil at the end, or when the record is damaged (truncated or an unknown
    /// tag) — the caller then sees fewer values than its columns.
    public mutating func next() -> StagedValue? {
        guard at < bytes.count else { return nil }
        let tag = bytes[at]
        at += 1
        switch tag {
        case 0: return .null
        case 1:
            guard at + 8 <= bytes.count else { return nil }
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
            at += 8
            return .int(Int64(bitPattern: value))
        case 2: return .bool(false)
        case 3: return .bool(true)
        case 4:
            var length = 0, shift = 0
            while true {
                guard at < bytes.count, shift < 63 else { return nil }
                let byte = bytes[at]
                at += 1
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard length <= bytes.count - at else { return nil }
            defer { at += length }
            return .text(UnsafeBufferPointer(rebasing: bytes[at..<(at + length)]))
        default: return nil
        }
    }
}
