import Catalog
import Testing
@testable import BackfillCore

/// `SettledHours`: whole hours only, and none younger than the settle time.
@Suite struct SettledHoursTests {
    let hour: Int64 = 3_600_000
    let t0: Int64 = 1_770_163_200_000  // 2026-02-04T00:00:00Z
    let settle = SettledHours(settleMillis: 15 * 60_000)

    func range(_ start: Int64, _ end: Int64) -> TimeRange { TimeRange(startMillis: start, endMillis: end) }

    @Test func wholeHoursInThePastAreKeptAsTheyAre() {
        let window = settle.window(range(t0, t0 + 3 * hour), nowMillis: t0 + 30 * hour)
        #expect(window.range == range(t0, t0 + 3 * hour) && window.notices.isEmpty)
    }

    @Test func aStartOrEndInsideAnHourIsWidenedToTheWholeHour() {
        let window = settle.window(range(t0 + 30 * 60_000, t0 + 2 * hour + 1), nowMillis: t0 + 30 * hour)
        // Fails if a file could hold part of its hour.
        #expect(window.range == range(t0, t0 + 3 * hour))
        #expect(window.notices.count == 2 && window.notices.allSatisfy { $0.contains("widened") })
    }

    @Test func theEndIsCutAtTheLastHourThatEndedAtLeastTheSettleTimeAgo() {
        // 05:10: hour 04 ended 10 minutes ago (not settled), hour 03 ended 70 minutes ago.
        let now = t0 + 5 * hour + 10 * 60_000
        let window = settle.window(range(t0, now), nowMillis: now)
        #expect(window.range == range(t0, t0 + 4 * hour))
        // 05:15 exactly: hour 04 has settled.
        #expect(settle.window(range(t0, now), nowMillis: t0 + 5 * hour + 15 * 60_000).range == range(t0, t0 + 5 * hour))
        #expect(window.notices.contains { $0.contains("end cut to 2026-02-04T04:00:00Z") })
    }

    @Test func aRangeWithNoSettledHourIsNothing() {
        let now = t0 + 5 * hour + 10 * 60_000
        #expect(settle.window(range(t0 + 4 * hour + 30 * 60_000, now), nowMillis: now).range == nil)
        #expect(SettledHours(settleMillis: 0).window(range(t0 + 4 * hour, t0 + 5 * hour), nowMillis: t0 + 5 * hour).range
                == range(t0 + 4 * hour, t0 + 5 * hour))
    }

    @Test func settleDurationsParse() {
        #expect(SettledHours.parseDuration("15m") == 900_000)
        #expect(SettledHours.parseDuration("1h") == 3_600_000)
        #expect(SettledHours.parseDuration("90s") == 90_000)
        #expect(SettledHours.parseDuration("0") == 0)
        #expect(SettledHours.parseDuration("soon") == nil && SettledHours.parseDuration("-5m") == nil && SettledHours.parseDuration("") == nil)
    }
}
