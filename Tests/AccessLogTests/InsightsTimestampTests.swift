import Testing
@testable import AccessLog

@Suite struct InsightsTimestampTests {
    let base = TestSupport.feb4At1430  // 2026-02-04T14:30:00Z, computed by hand

    @Test func insightsForm() {
        #expect(InsightsTimestamp.parseNanos("2026-02-04 14:30:00.123") == base + 123_000_000)
        #expect(InsightsTimestamp.parseNanos("2026-02-04 14:30:00") == base)
        #expect(InsightsTimestamp.parseNanos("2026-02-04 14:30:00.1") == base + 100_000_000)
    }

    @Test func isoForms() {
        #expect(InsightsTimestamp.parseNanos("2026-02-04T14:30:00Z") == base)
        #expect(InsightsTimestamp.parseNanos("2026-02-04T14:30:00.123456789Z") == base + 123_456_789)
        #expect(InsightsTimestamp.parseNanos("2026-02-04t14:30:00.000001z") == base + 1_000)
        #expect(InsightsTimestamp.parseNanos("2026-02-04T14:30:00") == base)  // no zone: UTC
        #expect(InsightsTimestamp.parseNanos("2026-02-04T16:30:00+02:00") == base)
        #expect(InsightsTimestamp.parseNanos("2026-02-04T16:30:00+0200") == base)
        #expect(InsightsTimestamp.parseNanos("2026-02-04T16:30:00+02") == base)
        #expect(InsightsTimestamp.parseNanos("2026-02-04T09:00:00.5-05:30") == base + 500_000_000)
        #expect(InsightsTimestamp.parseNanos("2026-02-04 14:30:00.123+00:00") == base + 123_000_000)
        // Offsets that move across a day and a year boundary.
        #expect(InsightsTimestamp.parseNanos("2026-02-05T00:30:00+10:00") == base)
        #expect(InsightsTimestamp.parseNanos("2025-12-31T23:00:00-01:00") == 1_767_225_600_000_000_000)
    }

    @Test func calendar() {
        #expect(InsightsTimestamp.parseNanos("1970-01-01T00:00:00Z") == 0)
        #expect(InsightsTimestamp.parseNanos("1969-12-31T23:59:59.999999999Z") == -1)
        #expect(InsightsTimestamp.parseNanos("2000-03-01T00:00:00Z") == 951_868_800_000_000_000)  // after a 400-year leap day
        #expect(InsightsTimestamp.parseNanos("2024-02-29T00:00:00Z") == 1_709_164_800_000_000_000)
        #expect(InsightsTimestamp.parseNanos("2023-02-29T00:00:00Z") == nil)
        #expect(InsightsTimestamp.parseNanos("1900-02-29T00:00:00Z") == nil)  // century, not leap
        // Beyond Int64 nanoseconds (≈ 1677-09-21 … 2262-04-11): unreadable, not wrapped.
        #expect(InsightsTimestamp.parseNanos("2262-04-11T23:47:16.854775807Z") == Int64.max)
        #expect(InsightsTimestamp.parseNanos("2262-04-11T23:47:16.854775808Z") == nil)
        #expect(InsightsTimestamp.parseNanos("9999-12-31T23:59:59Z") == nil)
        #expect(InsightsTimestamp.parseNanos("1677-09-21T00:12:43.145224192Z") == Int64.min)
        #expect(InsightsTimestamp.parseNanos("0001-01-01T00:00:00Z") == nil)
    }

    @Test(arguments: [
        "", "2026-02-04", "2026-02-04 14:30", "2026-02-04 14:30:00.", "2026-02-04 14:30:00.1234567891",
        "2026-02-04 14:30:00 ", " 2026-02-04 14:30:00", "2026-2-04 14:30:00", "2026-02-04_14:30:00",
        "2026-13-01 00:00:00", "2026-00-01 00:00:00", "2026-04-31 00:00:00", "2026-02-04 24:00:00",
        "2026-02-04 14:60:00", "2026-02-04 14:30:60", "2026-02-04T14:30:00+24:00", "2026-02-04T14:30:00+02:60",
        "2026-02-04T14:30:00+2", "2026-02-04T14:30:00+02:0", "2026-02-04T14:30:00ZZ", "2026-02-04T14:30:00 Z",
        "１２３４-02-04 14:30:00", "04/Feb/2026:14:30:00 +0000",
    ])
    func unreadable(_ text: String) {
        #expect(InsightsTimestamp.parseNanos(text) == nil)
    }

    @Test func accessLineFallback() {
        #expect(InsightsTimestamp.parseAccessLineNanos("x [04/Feb/2026:14:30:00 +0000] y") == base)
        #expect(InsightsTimestamp.parseAccessLineNanos("[04/Feb/2026:16:30:00 +0200]") == base)
        #expect(InsightsTimestamp.parseAccessLineNanos("[04/Feb/2026:09:00:00 -0530]") == base)
        // Earlier brackets that do not parse are passed over.
        #expect(InsightsTimestamp.parseAccessLineNanos("pulp [abc-123]: [bad] [04/Feb/2026:14:30:00 +0000]") == base)
        for month in ["Jan": 20_454, "Dec": 20_788] {  // days from 1970-01-01 to the 1st of that month, 2026
            let expected = Int64(month.value) * 86_400_000_000_000
            #expect(InsightsTimestamp.parseAccessLineNanos("[01/\(month.key)/2026:00:00:00 +0000]") == expected)
        }
        for bad in ["[04/feb/2026:14:30:00 +0000]", "[04/Feb/2026:14:30:00]", "[04/Feb/2026 14:30:00 +0000]",
                    "[4/Feb/2026:14:30:00 +0000]", "[31/Feb/2026:14:30:00 +0000]", "[04/Feb/2026:14:30:00 +0000",
                    "04/Feb/2026:14:30:00 +0000]", "[04/Feb/2026:14:30:00 0000]", ""]
        {
            #expect(InsightsTimestamp.parseAccessLineNanos(bad) == nil, "\(bad)")
        }
    }
}
