// The hybrid encoder against an independent decoder written from Encodings.md.
import Testing
@testable import Parquet
import TestRandom

/// Decodes `count` values of the RLE/bit-packed hybrid encoding.
private func decodeHybrid(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
    struct Truncated: Error {}
    var values: [UInt32] = []
    var at = 0
    func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard at < bytes.count else { throw Truncated() }
            let b = bytes[at]; at += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
    while values.count < count {
        let header = try varint()
        if header & 1 == 0 {
            let runLength = Int(header >> 1)
            var value: UInt32 = 0
            for i in 0..<((bitWidth + 7) / 8) {
                guard at < bytes.count else { throw Truncated() }
                value |= UInt32(bytes[at]) << (8 * UInt32(i)); at += 1
            }
            values += Array(repeating: value, count: runLength)
        } else {
            let valueCount = Int(header >> 1) * 8
            var bitPosition = 0
            let start = at
            for _ in 0..<valueCount {
                var value: UInt32 = 0
                for bit in 0..<bitWidth {
                    let absolute = bitPosition + bit
                    guard start + absolute / 8 < bytes.count else { throw Truncated() }
                    if bytes[start + absolute / 8] >> (absolute % 8) & 1 == 1 { value |= 1 << UInt32(bit) }
                }
                bitPosition += bitWidth
                values.append(value)
            }
            at = start + valueCount * bitWidth / 8
        }
    }
    #expect(at == bytes.count, "trailing bytes after \(count) values")
    return Array(values.prefix(count))
}

private func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
    var out: [UInt8] = []
    values.withUnsafeBufferPointer { RLEBitPackedHybrid.encode($0, bitWidth: bitWidth, into: &out) }
    return out
}

@Test func specExampleBitPacked() {
    // Encodings.md: 0...7 with bit width 3 bit-pack to 10001000 11000110 11111010.
    #expect(encode(Array(0...7), bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
}

@Test func longRunsBecomeRLE() {
    // 1000 × 5 at width 3: one RLE run, header varint(2000) = 0xD0 0x0F, value in one byte.
    #expect(encode(Array(repeating: 5, count: 1000), bitWidth: 3) == [0xD0, 0x0F, 0x05])
    // All-present definition levels (width 1).
    #expect(encode(Array(repeating: 1, count: 10), bitWidth: 1) == [0x14, 0x01])
    // Width 0: values are all 0, the run carries no value bytes.
    #expect(encode(Array(repeating: 0, count: 9), bitWidth: 0) == [0x12])
    // Width 17 stores RLE values in 3 bytes.
    #expect(encode(Array(repeating: 0x1_0203, count: 8), bitWidth: 17) == [0x10, 0x03, 0x02, 0x01])
}

@Test(arguments: 0...20)
func randomRoundTrips(bitWidth: Int) throws {
    var rng = TestRandom(seed: UInt64(bitWidth) &* 7919 &+ 1)
    let maxValue: UInt32 = bitWidth == 0 ? 0 : UInt32((UInt64(1) << UInt64(bitWidth)) - 1)
    for trial in 0..<40 {
        var values: [UInt32] = []
        let target = Int.random(in: 0...600, using: &rng)
        while values.count < target {
            let value = UInt32.random(in: 0...maxValue, using: &rng)
            // Mix short and long runs with stretches of random values.
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: values += Array(repeating: value, count: Int.random(in: 1...40, using: &rng))
            case 1: values.append(value)
            default: values += (0..<Int.random(in: 1...20, using: &rng)).map { _ in UInt32.random(in: 0...maxValue, using: &rng) }
            }
        }
        let encoded = encode(values, bitWidth: bitWidth)
        let decoded = try decodeHybrid(encoded, bitWidth: bitWidth, count: values.count)
        #expect(decoded == values, "width \(bitWidth) trial \(trial)")
    }
}

@Test func bitWidthForMaxValue() {
    #expect(RLEBitPackedHybrid.bitWidth(forMaxValue: 0) == 0)
    #expect(RLEBitPackedHybrid.bitWidth(forMaxValue: 1) == 1)
    #expect(RLEBitPackedHybrid.bitWidth(forMaxValue: 255) == 8)
    #expect(RLEBitPackedHybrid.bitWidth(forMaxValue: 256) == 9)
}
