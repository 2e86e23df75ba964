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
        let (year, month, day) = civil(fromDays: days)
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

    /// Inverse of TimeExpression.daysFromCivil (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Minimal JSON text building for the CLI's large outputs (Foundation's JSONEncoder is slow
/// on Linux for thousands of records).
public enum JSONText {
    public static func string(_ value: String) -> String {
        // Fast path: most values (times, URIs, hashes) need no escaping at all.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + value + "\""
        }
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func optional(_ value: String?) -> String { value.map(string) ?? "null" }
}
