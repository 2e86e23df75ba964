#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Word-at-a-time ("SWAR") byte tests used by the hot loops: eight bytes are checked with a
/// handful of integer operations instead of eight compare-and-branch steps.
///
/// The zero-byte test `(v - 0x01…01) & ~v & 0x80…80` is non-zero exactly when some byte of `v`
/// is zero, and its lowest set bit marks the *first* such byte (borrows only corrupt the bytes
/// above a real zero). On a little-endian load, `trailingZeroBitCount / 8` is that byte's index.
enum ByteSearch {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let quotes: UInt64 = ones &* UInt64(UInt8(ascii: "\""))
    static let backslashes: UInt64 = ones &* UInt64(UInt8(ascii: "\\"))
    static let spaces: UInt64 = ones &* 0x20

    @inline(__always)
    static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in each byte of `word` that is zero (exact for the lowest one).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    /// Non-zero when a byte is `"`, `\` or a control character (< 0x20): the bytes a JSON
    /// string scanner must stop at.
    @inline(__always)
    static func jsonStringStops(_ word: UInt64) -> UInt64 {
        zeroBytes(word ^ quotes) | zeroBytes(word ^ backslashes) | ((word &- spaces) & ~word & highs)
    }

    /// Index of the first byte at or after `from` for which the mask function fires, else `end`.
    @inline(__always)
    static func firstStop(
        _ bytes: UnsafePointer<UInt8>, from: Int, end: Int, mask: (UInt64) -> UInt64, isStop: (UInt8) -> Bool
    ) -> Int {
        var index = from
        while index + 8 <= end {
            let hits = mask(load(bytes + index))
            if hits != 0 { return index + hits.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < end, !isStop(bytes[index]) { index += 1 }
        return index
    }

    /// Index of the first `byte` in `bytes[from..<end]`, or nil (libc memchr).
    @inline(__always)
    static func index(of byte: UInt8, in bytes: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        guard from < end, let found = memchr(bytes + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(bytes)
    }
}
