// PLAIN encoding (Parquet Encodings.md): fixed-width values little endian back to back;
// BYTE_ARRAY values as a 4-byte little-endian length followed by the bytes; BOOLEAN values one
// bit each, least significant bit first, the last byte padded with zeros. Nulls are not stored.
//
// The functions write into memory the caller sized beforehand (page sizes are known before
// encoding), so a page is one allocation and one pass.

enum PlainEncoding {
    /// Writes the non-null values of `rows` (definition level 1) of a fixed-width column to `dst`;
    /// returns the number of bytes written (`nonNullCount * size`).
    static func writeFixedWidth<T: FixedWidthInteger>(
        values: UnsafeBufferPointer<T>, levels: UnsafeBufferPointer<UInt8>, rows: Range<Int>,
        nonNullCount: Int, to dst: UnsafeMutableRawPointer
    ) -> Int {
        let byteCount = nonNullCount * MemoryLayout<T>.size
        if nonNullCount == rows.count {
            // No nulls: one copy (the host is little endian like the format).
            dst.copyMemory(from: UnsafeRawPointer(values.baseAddress! + rows.lowerBound), byteCount: byteCount)
        } else {
            var at = 0
            for row in rows where levels[row] != 0 {
                dst.storeBytes(of: values[row].littleEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
        }
        return byteCount
    }

    /// Writes the non-null strings of `rows` as length-prefixed byte arrays; returns bytes written.
    static func writeByteArrays(
        bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>, levels: UnsafeBufferPointer<UInt8>,
        rows: Range<Int>, to start: UnsafeMutableRawPointer
    ) -> Int {
        var dst = start
        let src = UnsafeRawPointer(bytes.baseAddress)
        for row in rows where levels[row] != 0 {
            let begin = offsets[row]
            let length = offsets[row + 1] - begin
            dst.storeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian, as: UInt32.self)
            if length > 0 { (dst + 4).copyMemory(from: src! + begin, byteCount: length) }
            dst += 4 + length
        }
        return dst - start
    }

    /// Size of the PLAIN encoding of the non-null strings of `rows`.
    static func byteArraysSize(
        offsets: UnsafeBufferPointer<Int>, levels: UnsafeBufferPointer<UInt8>, rows: Range<Int>, nonNullCount: Int
    ) -> Int {
        // Null rows have empty ranges, so the bytes are just the offset difference.
        offsets[rows.upperBound] - offsets[rows.lowerBound] + 4 * nonNullCount
    }

    /// Writes the non-null booleans of `rows` bit-packed (LSB first) to `dst`; returns the number
    /// of bytes written, `(nonNullCount + 7) / 8`. Every byte is stored whole, so `dst` need not be
    /// zeroed beforehand.
    static func writeBooleans(
        values: UnsafeBufferPointer<Bool>, levels: UnsafeBufferPointer<UInt8>, rows: Range<Int>,
        nonNullCount: Int, to dst: UnsafeMutableRawPointer
    ) -> Int {
        var at = 0
        var byte: UInt8 = 0
        var bit: UInt8 = 0
        for row in rows where levels[row] != 0 {
            if values[row] { byte |= 1 << bit }
            bit += 1
            if bit == 8 {
                dst.storeBytes(of: byte, toByteOffset: at, as: UInt8.self)
                at += 1
                byte = 0
                bit = 0
            }
        }
        if bit > 0 {
            dst.storeBytes(of: byte, toByteOffset: at, as: UInt8.self)
            at += 1
        }
        assert(at == (nonNullCount + 7) / 8)
        return at
    }
}
