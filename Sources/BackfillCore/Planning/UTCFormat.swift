import Basics

/// ISO 8601 UTC text for catalog times, without Foundation formatters (fast, and identical on
/// every platform): `2026-02-04T14:00:00Z`, `…14:00:00.250Z` (ms), `…14:00:00.123456789Z` (ns).
/// `status` and `catalog` print thousands of these, so they are built from bytes directly.
public enum UTCFormat {
    public static func iso(millis: Int64) -> String {
        let (seconds, ms) = floorDivide(millis, 1000)
        return format(seconds: seconds, fraction: ms, digits: 3)
    }

    public static func iso(nanos: Int64) -> String {
        let (seconds, ns) = floorDivide(nanos, 1_000_000_000)
        return format(seconds: seconds, fraction: ns, digits: 9)
    }

    /// `2026-02-04T14`: the hour label of a millisecond time.
    public static func hour(millis: Int64) -> String {
        String(iso(millis: floorDivide(millis, 3_600_000).0 * 3_600_000).prefix(13))
    }

    static func format(seconds: Int64, fraction: Int64, digits: Int) -> String {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        let (year, month, day) = (date.year, date.month, date.day)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        if year < 0 || year > 9999 {
            bytes += Array(String(year).utf8) // outside ISO's 4 digits: print as is
        } else {
            append(year, width: 4, to: &bytes)
        }
        bytes.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, width: 2, to: &bytes)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            append(fraction, width: digits, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a non-negative number zero-padded to `width` digits.
    static func append(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        let start = bytes.count
        var rest = value
        for _ in 0..<width {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}
