/// ISO 8601 UTC text for catalog times, without Foundation formatters (fast and identical
/// on every platform): `2026-02-04T14:00:00Z`, or with nanoseconds `…14:00:00.123456789Z`.
public enum UTCFormat {
    public static func iso(millis: Int64) -> String {
        let (seconds, ms) = floorDivide(millis, 1000)
        return dateTime(seconds: seconds) + (ms == 0 ? "" : "." + pad(ms, 3)) + "Z"
    }

    public static func iso(nanos: Int64) -> String {
        let (seconds, ns) = floorDivide(nanos, 1_000_000_000)
        return dateTime(seconds: seconds) + (ns == 0 ? "" : "." + pad(ns, 9)) + "Z"
    }

    /// `2026-02-04T14:00Z`-style hour label used by tables: `2026-02-04T14`.
    public static func hour(millis: Int64) -> String {
        String(dateTime(seconds: floorDivide(millis, 1000).0).prefix(13))
    }

    static func dateTime(seconds: Int64) -> String {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
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
