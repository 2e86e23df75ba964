// The RLE / bit-packing hybrid encoding (Parquet Encodings.md, "Run Length Encoding /
// Bit-Packing Hybrid"), used for definition levels and dictionary indices.
//
//   encoded-data := run*
//   run          := rle-run | bit-packed-run
//   rle-run      := varint(count << 1), then the repeated value in ceil(bitWidth/8) bytes, little endian
//   bit-packed   := varint(groups << 1 | 1), then groups*8 values packed LSB-first, bitWidth bits each
//
// A bit-packed run always holds a multiple of 8 values; only the last run of the data may be padded
// with zeros (the reader knows the value count from the page header). Runs of 8 or more equal values
// become RLE runs; everything in between is bit-packed.

enum RLEBitPackedHybrid {
    /// Bit-packed runs are limited to 63 groups so their header is one byte (and readers with
    /// small buffers are happy).
    static let maxGroupsPerBitPackedRun = 63

    /// Smallest bit width that can hold `maxValue`.
    static func bitWidth(forMaxValue maxValue: UInt64) -> Int {
        maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount
    }

    /// Appends the hybrid encoding of `values` (each < 2^bitWidth) to `out`.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]
    ) {
        precondition(bitWidth >= 0 && bitWidth <= 32)
        let n = values.count
        var pendingStart = 0  // values [pendingStart, i) still have to be bit-packed
        var i = 0
        while i < n {
            let value = values[i]
            var j = i &+ 1
            while j < n && values[j] == value { j &+= 1 }
            if j - i >= 8 {
                // Complete the pending values to a multiple of 8 with the start of this run.
                let remainder = (i - pendingStart) % 8
                if remainder != 0 { i += 8 - remainder }
                if i > pendingStart {
                    writeBitPacked(values, pendingStart..<i, bitWidth: bitWidth, into: &out)
                }
                if j > i { writeRLERun(value, count: j - i, bitWidth: bitWidth, into: &out) }
                pendingStart = j
            }
            i = j
        }
        if n > pendingStart {
            writeBitPacked(values, pendingStart..<n, bitWidth: bitWidth, into: &out)
        }
    }

    static func writeRLERun<T: FixedWidthInteger & UnsignedInteger>(
        _ value: T, count: Int, bitWidth: Int, into out: inout [UInt8]
    ) {
        writeVarint(UInt64(count) << 1, into: &out)
        var v = UInt64(value)
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Bit-packs `range` of `values`; a range that is not a multiple of 8 is padded with zeros,
    /// which is only valid at the end of the data.
    static func writeBitPacked<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]
    ) {
        var start = range.lowerBound
        while start < range.upperBound {
            let groups = min((range.upperBound - start + 7) / 8, maxGroupsPerBitPackedRun)
            let end = min(start + groups * 8, range.upperBound)
            writeVarint(UInt64(groups) << 1 | 1, into: &out)
            var accumulator: UInt64 = 0
            var bits = 0
            for k in start..<(start + groups * 8) {
                let v: UInt64 = k < end ? UInt64(values[k]) : 0
                accumulator |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator >>= 8
                    bits -= 8
                }
            }
            start = end
        }
    }

    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
