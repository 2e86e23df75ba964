import Basics
import Foundation

/// `--start-time` / `--end-time` values, as the seed exporter accepted them:
///
/// * ISO 8601: `2026-02-04`, `2026-02-04T14:00Z`, `2026-02-04T14:00:00Z`,
///   `2026-02-04T14:00:00.250+01:00` (`T` or a space between date and time; `Z`, `±HH:MM`
///   or `±HHMM`; no zone means UTC; a date alone is its midnight UTC).
/// * Relative: `now`, `N minutes ago`, `N hours ago`, `N days ago` (singular too, any case).
///
/// "now" is a parameter so that tests are deterministic.
public enum TimeExpression {
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public let text: String
        public var description: String {
            "unreadable time \"\(text)\": use ISO 8601 (2026-02-04T14:00:00Z, 2026-02-04T14:00+01:00, 2026-02-04) or relative (now, 15 minutes ago, 2 hours ago, 3 days ago)"
        }
    }

    /// Milliseconds since the Unix epoch.
    public static func parseMillis(_ text: String, now: Date) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let relative = parseRelative(trimmed.lowercased(), now: now) { return relative }
        if let absolute = parseISO(trimmed) { return absolute }
        throw ParseError(text: text)
    }

    public static func parse(_ text: String, now: Date) throws -> Date {
        Date(timeIntervalSince1970: Double(try parseMillis(text, now: now)) / 1000)
    }

    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    // MARK: relative

    static func parseRelative(_ text: String, now: Date) -> Int64? {
        let nowMillis = millis(now)
        if text == "now" { return nowMillis }
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, words[2] == "ago", let count = Int64(words[0]), count >= 0 else { return nil }
        let unit: Int64
        switch words[1] {
        case "minute", "minutes": unit = 60_000
        case "hour", "hours": unit = 3_600_000
        case "day", "days": unit = 86_400_000
        default: return nil
        }
        let (delta, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : nowMillis - delta
    }

    // MARK: ISO 8601

    /// A small hand parser: Foundation's ISO8601DateFormatter needs one option set per shape
    /// and is lenient in ways we do not want (it accepts out-of-range fields on Linux).
    static func parseISO(_ text: String) -> Int64? {
        var scanner = Digits(Array(text.utf8))
        guard let year = scanner.number(4), scanner.take("-"), let month = scanner.number(2), scanner.take("-"),
              let day = scanner.number(2) else { return nil }
        var hour = 0, minute = 0, second = 0, fractionMillis = 0, offsetMinutes = 0
        if !scanner.atEnd {
            guard scanner.take("T") || scanner.take("t") || scanner.take(" ") else { return nil }
            guard let h = scanner.number(2), scanner.take(":"), let m = scanner.number(2) else { return nil }
            hour = h; minute = m
            if scanner.take(":") {
                guard let s = scanner.number(2) else { return nil }
                second = s
                if scanner.take(".") || scanner.take(",") {
                    let digits = scanner.digitRun()
                    guard !digits.isEmpty else { return nil }
                    // Keep millisecond precision; extra digits are truncated.
                    let padded = (digits + [48, 48, 48]).prefix(3)
                    fractionMillis = padded.reduce(0) { $0 * 10 + Int($1 - 48) }
                }
            }
            if scanner.take("Z") || scanner.take("z") {
                offsetMinutes = 0
            } else if let sign = scanner.sign() {
                guard let oh = scanner.number(2) else { return nil }
                _ = scanner.take(":")
                guard let om = scanner.number(2), oh <= 23, om <= 59 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
        }
        guard scanner.atEnd else { return nil }
        guard (1...12).contains(month), (1...CivilDate.daysInMonth(Int64(month), year: Int64(year))).contains(Int64(day)),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        let days = CivilDate.daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(fractionMillis)
    }

    /// Reads fixed-width numbers and single characters from ASCII bytes.
    struct Digits {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Character) -> Bool {
            guard !atEnd, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }

        mutating func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }

        mutating func digitRun() -> [UInt8] {
            let start = index
            while !atEnd, (48...57).contains(bytes[index]) { index += 1 }
            return Array(bytes[start..<index])
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}

/// The `[start, end)` a `plan` asks for, with the rules of the CLI applied.
public struct PlanningRange: Sendable, Equatable {
    public let startMillis: Int64
    public let endMillis: Int64
    /// Set when the end was in the future and clamped to now: a notice for stderr.
    public let notice: String?

    public enum Problem: Error, Equatable, CustomStringConvertible, Sendable {
        case endNotAfterStart(start: String, end: String)
        case startInFuture(String)

        public var description: String {
            switch self {
            case .endNotAfterStart(let start, let end): return "--end-time (\(end)) must be after --start-time (\(start))"
            case .startInFuture(let start): return "--start-time (\(start)) is in the future"
            }
        }
    }

    /// Parses both ends; an end in the future is clamped to `now` (with a notice), an end that
    /// is not after the start is a usage error.
    public static func resolve(start: String, end: String, now: Date) throws -> PlanningRange {
        let nowMillis = TimeExpression.millis(now)
        let startMillis = try TimeExpression.parseMillis(start, now: now)
        var endMillis = try TimeExpression.parseMillis(end, now: now)
        guard endMillis > startMillis else { throw Problem.endNotAfterStart(start: start, end: end) }
        guard startMillis < nowMillis else { throw Problem.startInFuture(start) }
        var notice: String?
        if endMillis > nowMillis {
            notice = "notice: --end-time \(end) is in the future; clamped to now (\(UTCFormat.iso(millis: nowMillis)))"
            endMillis = nowMillis
        }
        return PlanningRange(startMillis: startMillis, endMillis: endMillis, notice: notice)
    }
}
