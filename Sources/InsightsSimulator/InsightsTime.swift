// UTC calendar arithmetic without Foundation: Insights timestamps ("YYYY-MM-DD HH:MM:SS.fff"),
// ISO 8601 for flags, and the gunicorn "[dd/Mon/yyyy:HH:MM:SS +0000]" form.

import Basics

public enum InsightsTime {
    struct Civil: Equatable, Sendable {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func civil(fromMilliseconds ms: Int64) -> Civil {
        let msOfDay = Int(((ms % 86_400_000) + 86_400_000) % 86_400_000)
        let date = CivilDate(daysSinceEpoch: (ms - Int64(msOfDay)) / 86_400_000)
        let (year, month, day) = (Int(date.year), Int(date.month), Int(date.day))
        return Civil(year: year, month: month, day: day, hour: msOfDay / 3_600_000,
                     minute: msOfDay / 60000 % 60, second: msOfDay / 1000 % 60, millisecond: msOfDay % 1000)
    }

    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var v = value
        var i = width - 1
        while i >= 0 { digits[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; i -= 1 }
        out.append(contentsOf: digits)
    }

    /// "2026-02-04 14:30:00.123" — the form Insights returns in `@timestamp`.
    static func appendInsights(_ ms: Int64, to out: inout [UInt8], separator: UInt8 = UInt8(ascii: " ")) {
        let c = civil(fromMilliseconds: ms)
        appendPadded(c.year, width: 4, to: &out); out.append(UInt8(ascii: "-"))
        appendPadded(c.month, width: 2, to: &out); out.append(UInt8(ascii: "-"))
        appendPadded(c.day, width: 2, to: &out); out.append(separator)
        appendPadded(c.hour, width: 2, to: &out); out.append(UInt8(ascii: ":"))
        appendPadded(c.minute, width: 2, to: &out); out.append(UInt8(ascii: ":"))
        appendPadded(c.second, width: 2, to: &out); out.append(UInt8(ascii: "."))
        appendPadded(c.millisecond, width: 3, to: &out)
    }

    static func insightsString(_ ms: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(23)
        appendInsights(ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// "2026-02-04T14:30:00.123Z" (OpenShift wrapper).
    static func appendISO(_ ms: Int64, to out: inout [UInt8]) {
        appendInsights(ms, to: &out, separator: UInt8(ascii: "T"))
        out.append(UInt8(ascii: "Z"))
    }

    /// "04/Feb/2026:14:30:00 +0000" (gunicorn %(t)s without brackets).
    static func appendAccessLog(_ ms: Int64, to out: inout [UInt8]) {
        let c = civil(fromMilliseconds: ms)
        appendPadded(c.day, width: 2, to: &out); out.append(UInt8(ascii: "/"))
        out.append(contentsOf: monthNames[c.month - 1].utf8); out.append(UInt8(ascii: "/"))
        appendPadded(c.year, width: 4, to: &out); out.append(UInt8(ascii: ":"))
        appendPadded(c.hour, width: 2, to: &out); out.append(UInt8(ascii: ":"))
        appendPadded(c.minute, width: 2, to: &out); out.append(UInt8(ascii: ":"))
        appendPadded(c.second, width: 2, to: &out)
        out.append(contentsOf: " +0000".utf8)
    }

    /// Reads "YYYY-MM-DD HH:MM:SS(.fff)", "YYYY-MM-DDTHH:MM:SS(.f*)(Z|±hh:mm)", "YYYY-MM-DD",
    /// or plain epoch seconds. Returns epoch milliseconds.
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        if !s.isEmpty, s.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) || (s.first == UInt8(ascii: "-") && s.count > 1 && s.dropFirst().allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })) {
            guard let secs = Int64(text) else { return nil }
            return secs * 1000
        }
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= s.count else { return nil }
            var v = 0
            for k in i..<i + width {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[k]) else { return nil }
                v = v * 10 + Int(s[k] - UInt8(ascii: "0"))
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var ms = CivilDate.daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day)) * 86_400_000
        if i == s.count { return ms }
        guard i < s.count, s[i] == UInt8(ascii: " ") || s[i] == UInt8(ascii: "T") else { return nil }
        i += 1
        guard let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              hour < 24, minute < 60, second < 61 else { return nil }
        ms += Int64(hour * 3_600_000 + minute * 60000 + second * 1000)
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100
            var frac = 0
            var digits = 0
            while i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]) {
                if scale > 0 { frac += Int(s[i] - UInt8(ascii: "0")) * scale; scale /= 10 }
                i += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            ms += Int64(frac)
        }
        if i == s.count { return ms }
        if s[i] == UInt8(ascii: "Z") { return i + 1 == s.count ? ms : nil }
        guard s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = s[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let oh = number(2) else { return nil }
        _ = expect(":")
        guard let om = number(2), i == s.count else { return nil }
        return ms - sign * Int64(oh * 3_600_000 + om * 60000)
    }
}
