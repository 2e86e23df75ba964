import Foundation
import Testing
import Basics

@Suite struct CivilDateTests {
    /// Dates whose day numbers are known independently (by hand, or from `date -u -d … +%s`).
    @Test(arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (2026, 2, 4, 20_488), (2000, 2, 29, 11_016), (2000, 3, 1, 11_017),
        (1600, 3, 1, -135_080), (1900, 3, 1, -25_508), (0, 3, 1, -719_468), (-1, 12, 31, -719_529), (9999, 12, 31, 2_932_896),
    ] as [(Int64, Int64, Int64, Int64)])
    func knownDays(_ year: Int64, _ month: Int64, _ day: Int64, _ days: Int64) {
        // Fails if either direction of the arithmetic is off for this date (eras, March-based years, the epoch offset).
        #expect(CivilDate.daysSinceEpoch(year: year, month: month, day: day) == days)
        #expect(CivilDate(daysSinceEpoch: days) == CivilDate(year: year, month: month, day: day))
        #expect(CivilDate(year: year, month: month, day: day).daysSinceEpoch == days)
    }

    /// Walks every day from 1 Jan of year -801 to 31 Dec 2800 with a naive calendar (day + 1, roll
    /// over by `daysInMonth`) and checks both conversions on each: about 1.32 million days, four
    /// 400-year cycles on either side of year 0 and of 1970, every leap rule (-800, 1600, 2000:
    /// leap; -700, 1700, 1900, 2100: not). Fails on any day where the formulas and counting disagree.
    @Test func everyDayOverSixteenCenturies() {
        var date = CivilDate(year: -801, month: 1, day: 1)
        var days = CivilDate.daysSinceEpoch(year: -801, month: 1, day: 1)
        var mismatches: [String] = []
        while date.year <= 2800 {
            if CivilDate(daysSinceEpoch: days) != date || date.daysSinceEpoch != days {
                if mismatches.count < 5 { mismatches.append("\(date) ≠ day \(days)") }
            }
            days += 1
            date.day += 1
            if date.day > CivilDate.daysInMonth(date.month, year: date.year) {
                date.day = 1
                date.month += 1
                if date.month > 12 { date.month = 1; date.year += 1 }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        // The walk itself must have crossed the whole span: 1970-01-01 is day 0 on the way.
        #expect(days == CivilDate.daysSinceEpoch(year: 2801, month: 1, day: 1))
        #expect(CivilDate.daysSinceEpoch(year: -801, month: 1, day: 1) == -1_012_087)
    }

    /// Far from the epoch (millions of years both ways) the two directions still invert each
    /// other. Fails if an era computation truncates towards zero instead of down.
    @Test func roundTripsFarFromTheEpoch() {
        for days: Int64 in [-1_000_000_000, -146_097 * 1000 - 1, -719_469, -719_468, -1, 0, 146_096, 146_097, 1_000_000_007] {
            let date = CivilDate(daysSinceEpoch: days)
            #expect((1...12).contains(date.month) && (1...CivilDate.daysInMonth(date.month, year: date.year)).contains(date.day),
                    "\(days) → \(date)")
            #expect(date.daysSinceEpoch == days, "\(days) → \(date)")
        }
    }

    /// Fails if a leap rule is wrong (every 4th year, not centuries, but every 400th).
    @Test func leapYearsAndMonthLengths() {
        for year: Int64 in [2024, 2000, 1600, 0, -4, -400] { #expect(CivilDate.isLeapYear(year), "\(year)") }
        for year: Int64 in [2023, 1900, 2100, 1700, -1, -100] { #expect(!CivilDate.isLeapYear(year), "\(year)") }
        #expect(CivilDate.daysInMonth(2, year: 2024) == 29)
        #expect(CivilDate.daysInMonth(2, year: 1900) == 28)
        #expect((1...12).map { CivilDate.daysInMonth($0, year: 2026) } == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    }

    /// Foundation's Gregorian calendar (proleptic only after 1582, so compared from 1700) gives
    /// the same day for the 1st of every month over seven centuries. Fails if ours drifts from it.
    @Test func agreesWithFoundationOnMonthStarts() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for year in stride(from: 1700, through: 2400, by: 7) {
            for month in 1...12 {
                let date = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
                let days = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
                #expect(CivilDate.daysSinceEpoch(year: Int64(year), month: Int64(month), day: 1) == days, "\(year)-\(month)")
            }
        }
    }
}

extension CivilDate: CustomStringConvertible {
    public var description: String { "\(year)-\(month)-\(day)" }
}
