/// Input bytes may hold invalid UTF-8; a Swift `String` built from them carries U+FFFD in
/// place of each bad sequence (and Python's `errors="replace"` does the same). The byte-level
/// paths must produce exactly those bytes, so they check validity and repair only when needed.
enum UTF8Repair {
    /// Calls `body` with `bytes` when they are valid UTF-8, else with the bytes of
    /// `String(decoding: bytes, as: UTF8.self)`.
    @inline(__always)
    static func withValid<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if isValid(bytes) { return body(bytes) }
        var repaired = String(decoding: bytes, as: UTF8.self)
        return repaired.withUTF8(body)
    }

    /// True when `bytes` are well-formed UTF-8 (the Unicode Standard's table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF). ASCII runs are checked eight bytes at a time.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while index < count {
            if index + 32 <= count,
                (ByteSearch.load(base + index) | ByteSearch.load(base + index + 8) | ByteSearch.load(base + index + 16)
                    | ByteSearch.load(base + index + 24)) & ByteSearch.highs == 0
            {
                index += 32
                continue
            }
            if index + 8 <= count, ByteSearch.load(base + index) & ByteSearch.highs == 0 {
                index += 8
                continue
            }
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard index + length <= count, (low...high).contains(base[index + 1]) else { return false }
            for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
