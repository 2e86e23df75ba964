// A growable byte buffer for the corpus hot path. Appending to [UInt8] through a stored
// property costs a uniqueness check per byte; this writes through a raw pointer instead
// (the generator must make ≥ 250,000 events per second on one core).

final class ByteWriter {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    func reset() { count = 0 }

    @inline(__always) private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: pointer, count: count)
        pointer.deallocate()
        pointer = bigger
        capacity = newCapacity
    }

    @inline(__always) func append(_ byte: UInt8) {
        reserve(1)
        pointer[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (pointer + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    func append(_ string: String) {
        var s = string
        s.withUTF8 { append($0) }
    }

    func append(_ string: StaticString) {
        append(UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    /// Decimal digits of a non-negative integer.
    func appendInt(_ value: Int) {
        var v = value
        var digits = 1
        var p = 10
        while v >= p && digits < 19 { digits += 1; p &*= 10 }
        reserve(digits)
        var i = count + digits - 1
        repeat {
            pointer[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        } while v > 0
        count += digits
    }

    /// Zero-padded to `width` digits.
    func appendPadded(_ value: Int, width: Int) {
        reserve(width)
        var v = value
        var i = count + width - 1
        while i >= count { pointer[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; i -= 1 }
        count += width
    }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: pointer, count: count) }

    func makeString() -> String { String(decoding: bytes, as: UTF8.self) }
}

extension InsightsTime {
    static func appendInsights(_ ms: Int64, to out: ByteWriter, separator: UInt8 = UInt8(ascii: " ")) {
        let c = civil(fromMilliseconds: ms)
        out.appendPadded(c.year, width: 4); out.append(UInt8(ascii: "-"))
        out.appendPadded(c.month, width: 2); out.append(UInt8(ascii: "-"))
        out.appendPadded(c.day, width: 2); out.append(separator)
        out.appendPadded(c.hour, width: 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(c.minute, width: 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(c.second, width: 2); out.append(UInt8(ascii: "."))
        out.appendPadded(c.millisecond, width: 3)
    }

    static func appendISO(_ ms: Int64, to out: ByteWriter) {
        appendInsights(ms, to: out, separator: UInt8(ascii: "T"))
        out.append(UInt8(ascii: "Z"))
    }

    static func appendAccessLog(_ ms: Int64, to out: ByteWriter) {
        let c = civil(fromMilliseconds: ms)
        out.appendPadded(c.day, width: 2); out.append(UInt8(ascii: "/"))
        out.append(monthNames[c.month - 1]); out.append(UInt8(ascii: "/"))
        out.appendPadded(c.year, width: 4); out.append(UInt8(ascii: ":"))
        out.appendPadded(c.hour, width: 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(c.minute, width: 2); out.append(UInt8(ascii: ":"))
        out.appendPadded(c.second, width: 2)
        out.append(" +0000" as StaticString)
    }
}
