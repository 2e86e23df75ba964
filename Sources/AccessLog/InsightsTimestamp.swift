import Basics

/// Timestamp parsing for docs/row-rules.md rule 10, without Foundation (DateFormatter is far too
/// slow for millions of rows). All results are UTC nanoseconds since the Unix epoch.
///
/// Accepted `@timestamp` forms (one grammar covers both):
///
///     YYYY-MM-DD(' '|'T'|'t')HH:MM:SS[.f{1,9}][Z|z|±hh|±hh:mm|±hhmm]
///
/// * no zone means UTC (that is how Insights prints `@timestamp`);
/// * an offset is subtracted: `10:00:00+02:00` is `08:00:00Z`;
/// * fields are range-checked (month 1…12, day within the month, hour ≤ 23, minute and
///   second ≤ 59 — no leap second 60, like Python's `datetime`), offsets up to ±23:59;
/// * anything else, including surrounding spaces or more than 9 fraction digits, is unreadable.
///
/// The access-line fallback is the gunicorn/CLF form `[dd/Mon/yyyy:HH:MM:SS ±hhmm]`.
/// Instants outside Int64 nanoseconds (about 1677…2262) are unreadable.
public enum InsightsTimestamp {
    /// Parses an `@timestamp` value; nil when it is not in one of the accepted forms.
    public static func parseNanos(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parseNanos($0) }
    }

    public static func parseNanos(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cursor = DigitCursor(bytes)
        guard let year = cursor.number(digits: 4), cursor.take(UInt8(ascii: "-")),
            let month = cursor.number(digits: 2), cursor.take(UInt8(ascii: "-")),
            let day = cursor.number(digits: 2)
        else { return nil }
        guard cursor.take(UInt8(ascii: " ")) || cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: "t"))
        else { return nil }
        guard let hour = cursor.number(digits: 2), cursor.take(UInt8(ascii: ":")),
            let minute = cursor.number(digits: 2), cursor.take(UInt8(ascii: ":")),
            let second = cursor.number(digits: 2)
        else { return nil }

        var fractionNanos: Int64 = 0
        if cursor.take(UInt8(ascii: ".")) {
            var digits = 0
            while let digit = cursor.digit() {
                digits += 1
                guard digits <= 9 else { return nil }
                fractionNanos = fractionNanos * 10 + Int64(digit)
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fractionNanos *= 10 }
        }

        var offsetSeconds: Int64 = 0
        if cursor.take(UInt8(ascii: "Z")) || cursor.take(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if let sign = cursor.sign() {
            guard let offsetHours = cursor.number(digits: 2) else { return nil }
            var offsetMinutes: Int64 = 0
            if cursor.take(UInt8(ascii: ":")) {
                guard let minutes = cursor.number(digits: 2) else { return nil }
                offsetMinutes = minutes
            } else if !cursor.isAtEnd {
                guard let minutes = cursor.number(digits: 2) else { return nil }
                offsetMinutes = minutes
            }
            guard offsetHours <= 23, offsetMinutes <= 59 else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard cursor.isAtEnd else { return nil }
        return nanos(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fractionNanos: fractionNanos, offsetSeconds: offsetSeconds)
    }

    /// Finds the first `[dd/Mon/yyyy:HH:MM:SS ±hhmm]` in an access line and parses it.
    public static func parseAccessLineNanos(_ line: String) -> Int64? {
        var line = line
        return line.withUTF8 { parseAccessLineNanos($0) }
    }

    public static func parseAccessLineNanos(_ line: UnsafeBufferPointer<UInt8>) -> Int64? {
        // "[04/Feb/2026:14:30:00 +0000]" is 28 bytes.
        let length = 28
        guard line.count >= length else { return nil }
        for start in 0...(line.count - length) where line[start] == UInt8(ascii: "[") {
            let candidate = UnsafeBufferPointer(rebasing: line[(start + 1)..<(start + length)])
            if let nanos = parseCommonLogNanos(candidate) { return nanos }
        }
        return nil
    }

    /// `dd/Mon/yyyy:HH:MM:SS ±hhmm]` (the bytes after the opening bracket).
    static func parseCommonLogNanos(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cursor = DigitCursor(bytes)
        guard let day = cursor.number(digits: 2), cursor.take(UInt8(ascii: "/")),
            let month = cursor.monthName(), cursor.take(UInt8(ascii: "/")),
            let year = cursor.number(digits: 4), cursor.take(UInt8(ascii: ":")),
            let hour = cursor.number(digits: 2), cursor.take(UInt8(ascii: ":")),
            let minute = cursor.number(digits: 2), cursor.take(UInt8(ascii: ":")),
            let second = cursor.number(digits: 2), cursor.take(UInt8(ascii: " ")),
            let sign = cursor.sign(),
            let offsetHours = cursor.number(digits: 2), let offsetMinutes = cursor.number(digits: 2),
            cursor.take(UInt8(ascii: "]")), cursor.isAtEnd,
            offsetHours <= 23, offsetMinutes <= 59
        else { return nil }
        return nanos(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fractionNanos: 0, offsetSeconds: sign * (offsetHours * 3600 + offsetMinutes * 60))
    }

    /// Range-checks the fields and combines them, or nil when invalid or out of Int64 range.
    static func nanos(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64,
        fractionNanos: Int64, offsetSeconds: Int64
    ) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(month, year: year),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        var seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        var fraction = fractionNanos
        if seconds < 0 && fraction > 0 {
            // Borrow a second so the product cannot overflow just below Int64.min.
            seconds += 1
            fraction -= 1_000_000_000
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflowAdd) = scaled.addingReportingOverflow(fraction)
        return overflowAdd ? nil : total
    }
}

/// A cursor over ASCII bytes for the fixed-width timestamp grammars.
private struct DigitCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard position < bytes.count else { return nil }
        let value = bytes[position] &- UInt8(ascii: "0")
        guard value < 10 else { return nil }
        position += 1
        return Int64(value)
    }

    /// Exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// `+` → 1, `-` → -1.
    mutating func sign() -> Int64? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    /// English three-letter month abbreviation as CLF writes it (`Jan` … `Dec`) → 1…12.
    mutating func monthName() -> Int64? {
        guard bytes.count - position >= 3 else { return nil }
        let key = UInt32(bytes[position]) << 16 | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2])
        for (index, name) in DigitCursor.monthKeys.enumerated() where name == key {
            position += 3
            return Int64(index + 1)
        }
        return nil
    }

    private static let monthKeys: [UInt32] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { name in
        name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
