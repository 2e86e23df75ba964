/// A date of the proleptic Gregorian calendar, and the arithmetic between dates and days since
/// 1970-01-01, without Foundation (fast, and identical on every platform). Every module that
/// reads or writes UTC times (AccessLog's Insights timestamps, planning's time expressions,
/// the catalog-facing `UTCFormat`, the simulator's `InsightsTime`) counts days with these two
/// functions, Howard Hinnant's "days from civil" and its inverse: years are taken to start on
/// March 1 so the leap day falls at the end of a year, and whole 400-year eras (146,097 days)
/// are counted first, so the same formulas hold for any year, before 1970 and before year 0.
public struct CivilDate: Equatable, Hashable, Sendable {
    public var year: Int64
    /// 1…12
    public var month: Int64
    /// 1…31
    public var day: Int64

    @inlinable
    public init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    @inlinable
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468  // 719468 = days from 0000-03-01 to 1970-01-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097  // 0…146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0…399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0…365, from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153  // March = 0 … February = 11
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to this date (negative before it).
    @inlinable
    public var daysSinceEpoch: Int64 { Self.daysSinceEpoch(year: year, month: month, day: day) }

    /// Days from 1970-01-01 to the given date. Fields are not checked: callers that read dates
    /// range-check them first (`daysInMonth`), as a month outside 1…12 gives a meaningless count.
    @inlinable
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400  // 0…399
        let monthFromMarch = month > 2 ? month - 3 : month + 9  // March = 0 … February = 11
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1  // 0…365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0…146096
        return era * 146_097 + dayOfEra - 719_468
    }

    @inlinable
    public static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days in `month` (1…12) of `year`.
    @inlinable
    public static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
