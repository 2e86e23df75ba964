// Dictionary building for RLE_DICTIONARY column chunks.
//
// The dictionary is kept directly in its PLAIN page form, and an open-addressing hash table maps
// a value to its entry index. Slots store `tag << 32 | (index + 1)` (tag = upper hash bits), so most probes are settled by
// comparing hashes, and 0 means empty. Building stops (returns nil) as soon as the dictionary page
// would exceed the byte limit: the caller then writes the whole chunk PLAIN.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of dictionary-encoding one column chunk.
struct DictionaryEncoded: Sendable {
    /// The dictionary page body (PLAIN-encoded entries).
    var pageBody: [UInt8]
    var entryCount: Int
    /// One index per non-null value, in row order.
    var indices: [UInt32]

    /// Bit width of the indices (at least 1: some readers mishandle width 0).
    var bitWidth: Int { max(1, RLEBitPackedHybrid.bitWidth(forMaxValue: UInt64(max(entryCount - 1, 0)))) }
}

enum ValueHash {
    /// A fast non-cryptographic hash of a byte string. Four independent lanes consume 32 bytes
    /// per step so the multiplies overlap (long user agents are hashed for every row); the final
    /// `mix` spreads every input bit over the result.
    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func step(_ lane: UInt64, _ word: UInt64) -> UInt64 {
            let x = (lane ^ word) &* k
            return (x << 31) | (x >> 33)
        }
        @inline(__always) func word(_ offset: Int) -> UInt64 { p.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        var h: UInt64 = k ^ UInt64(count)
        var i = 0
        if count >= 32 {
            var a = h, b = h &+ 1, c = h &+ 2, d = h &+ 3
            while i + 32 <= count {
                a = step(a, word(i))
                b = step(b, word(i + 8))
                c = step(c, word(i + 16))
                d = step(d, word(i + 24))
                i += 32
            }
            h = mix(a) ^ mix(b &+ 0x5555) ^ mix(c &+ 0xAAAA) ^ mix(d &+ 0xFFFF)
        }
        while i + 8 <= count {
            h = step(h, word(i))
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < count {
                tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = step(h, tail)
        }
        return mix(h)
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 31
        x = x &* 0x94D0_49BB_1331_11EB
        x ^= x >> 29
        return x
    }
}

enum DictionaryBuilder {
    /// Dictionary-encodes the non-null strings of `rows`, or returns nil when the dictionary page
    /// would grow beyond `byteLimit`.
    static func encodeStrings(_ column: StringColumnBuilder, rows: Range<Int>, nonNullCount: Int, byteLimit: Int) -> DictionaryEncoded? {
        var table = StringDictionaryTable(byteLimit: byteLimit)
        var indices = [UInt32](repeating: 0, count: nonNullCount)
        let completed = column.bytes.withUnsafeBytes { bytes in
            column.offsets.withUnsafeBufferPointer { offsets in
                column.definitionLevels.withUnsafeBufferPointer { levels in
                    indices.withUnsafeMutableBufferPointer { out in
                        // An empty column has no byte buffer; any non-null pointer works for length 0.
                        let base = bytes.baseAddress ?? UnsafeRawPointer(out.baseAddress!)
                        var written = 0
                        for row in rows where levels[row] != 0 {
                            let begin = offsets[row]
                            guard let index = table.index(of: base + begin, offsets[row + 1] - begin) else { return false }
                            out[written] = index
                            written += 1
                        }
                        return true
                    }
                }
            }
        }
        guard completed else { return nil }
        return DictionaryEncoded(pageBody: table.page, entryCount: table.entryStart.count, indices: indices)
    }

    /// Dictionary-encodes the non-null fixed-width values of `rows` (same contract as strings).
    static func encodeFixedWidth<T: FixedWidthInteger>(_ values: [T], levels: [UInt8], rows: Range<Int>, nonNullCount: Int, byteLimit: Int) -> DictionaryEncoded? {
        var entries: [T] = []
        var slots = [UInt64](repeating: 0, count: 1024)
        var mask = slots.count - 1
        var indices = [UInt32](repeating: 0, count: nonNullCount)
        var written = 0
        let maxEntries = byteLimit / MemoryLayout<T>.size

        let completed = values.withUnsafeBufferPointer { values in
            levels.withUnsafeBufferPointer { levels in
                indices.withUnsafeMutableBufferPointer { out in
                    for row in rows where levels[row] != 0 {
                        let value = values[row]
                        let h = ValueHash.mix(UInt64(truncatingIfNeeded: value) ^ 0x9E37_79B9_7F4A_7C15)
                        let tag = h >> 32
                        var slot = homeSlot(tag, mask)
                        var found: UInt32? = nil
                        while slots[slot] != 0 {
                            let index = Int(slots[slot] & 0xFFFF_FFFF) - 1
                            if entries[index] == value { found = UInt32(index); break }
                            slot = (slot + 1) & mask
                        }
                        if let found {
                            out[written] = found
                        } else {
                            if entries.count >= maxEntries { return false }
                            let index = entries.count
                            entries.append(value)
                            slots[slot] = tag << 32 | UInt64(index + 1)
                            out[written] = UInt32(index)
                            if entries.count * 2 > slots.count { grow(&slots, &mask) }
                        }
                        written += 1
                    }
                    return true
                }
            }
        }
        guard completed else { return nil }
        var page = [UInt8]()
        page.reserveCapacity(entries.count * MemoryLayout<T>.size)
        for entry in entries { withUnsafeBytes(of: entry.littleEndian) { page.append(contentsOf: $0) } }
        return DictionaryEncoded(pageBody: page, entryCount: entries.count, indices: indices)
    }

    /// The first slot to probe for a value whose tag (upper 32 hash bits) is `tag`. Only the tag
    /// decides it, so the table can be rebuilt from the slots alone when it grows.
    @inline(__always)
    static func homeSlot(_ tag: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: tag) & mask }

    /// Doubles the table and re-inserts every occupied slot.
    static func grow(_ slots: inout [UInt64], _ mask: inout Int) {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        let newMask = bigger.count - 1
        for entry in slots where entry != 0 {
            var slot = homeSlot(entry >> 32, newMask)
            while bigger[slot] != 0 { slot = (slot + 1) & newMask }
            bigger[slot] = entry
        }
        slots = bigger
        mask = newMask
    }
}

/// The string dictionary being built: the PLAIN page plus the hash table over it.
private struct StringDictionaryTable {
    let byteLimit: Int
    /// The dictionary page body: 4-byte length + bytes per entry.
    var page: [UInt8] = []
    /// Offset of each entry's bytes inside `page`.
    var entryStart: [Int] = []
    /// `tag << 32 | (entry + 1)`, 0 = empty.
    var slots = [UInt64](repeating: 0, count: 1024)
    var mask = 1023

    init(byteLimit: Int) {
        self.byteLimit = byteLimit
        page.reserveCapacity(min(byteLimit, 1 << 16))
    }

    /// The entry index of the value, adding it if new; nil when adding would pass the byte limit.
    @inline(__always)
    mutating func index(of value: UnsafeRawPointer, _ length: Int) -> UInt32? {
        let h = ValueHash.hash(value, length)
        let tag = h >> 32
        var slot = DictionaryBuilder.homeSlot(tag, mask)
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                let start = entryStart[index]
                let same = page.withUnsafeBytes { raw in
                    Int(raw.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self)) == length
                        && memcmp(raw.baseAddress! + start, value, length) == 0
                }
                if same { return UInt32(index) }
            }
            slot = (slot + 1) & mask
        }
        if page.count + 4 + length > byteLimit { return nil }
        let index = entryStart.count
        withUnsafeBytes(of: UInt32(length).littleEndian) { page.append(contentsOf: $0) }
        entryStart.append(page.count)
        page.append(contentsOf: UnsafeRawBufferPointer(start: value, count: length))
        slots[slot] = tag << 32 | UInt64(index + 1)
        if entryStart.count * 2 > slots.count { DictionaryBuilder.grow(&slots, &mask) }
        return UInt32(index)
    }
}
