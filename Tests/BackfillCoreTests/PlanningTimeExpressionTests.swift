import Foundation
import Testing
@testable import BackfillCore
import TestRandom

/// `--start-time` / `--end-time` parsing, with a fixed "now".
@Suite struct PlanningTimeExpressionTests {
    /// 2026-02-04T15:30:45.500Z
    static let now = Date(timeIntervalSince1970: 1_770_219_045.5)
    static let nowMillis: Int64 = 1_770_219_045_500

    @Test(arguments: [
        ("2026-02-04T14:00:00Z", Int64(1_770_213_600_000)),
        ("2026-02-04T14:00Z", 1_770_213_600_000),
        ("2026-02-04 14:00:00Z", 1_770_213_600_000),
        ("2026-02-04T14:00:00", 1_770_213_600_000), // no zone: UTC
        ("2026-02-04T15:00:00+01:00", 1_770_213_600_000),
        ("2026-02-04T15:00+0100", 1_770_213_600_000),
        ("2026-02-04T09:30:00-04:30", 1_770_213_600_000),
        ("2026-02-04T14:00:00.25Z", 1_770_213_600_250),
        ("2026-02-04T14:00:00.123456789Z", 1_770_213_600_123),
        ("2026-02-04", 1_770_163_200_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func iso8601(text: String, expected: Int64) throws {
        #expect(try TimeExpression.parseMillis(text, now: Self.now) == expected)
    }

    @Test(arguments: [
        ("now", Int64(0)),
        ("NOW", 0),
        ("1 minute ago", 60_000),
        ("15 minutes ago", 900_000),
        ("1 hour ago", 3_600_000),
        ("2 hours ago", 7_200_000),
        ("1 day ago", 86_400_000),
        ("30 days ago", 2_592_000_000),
        ("  3  Hours   ago ", 10_800_000),
        ("0 minutes ago", 0),
    ])
    func relative(text: String, secondsBeforeNowMillis: Int64) throws {
        #expect(try TimeExpression.parseMillis(text, now: Self.now) == Self.nowMillis - secondsBeforeNowMillis)
    }

    @Test(arguments: ["", "yesterday", "2026-02-30", "2026-13-01", "2026-02-04T24:00Z", "2026-02-04T14:60Z",
                      "2026-02-04T14Z", "2026-2-4", "2026-02-04T14:00:00+25:00", "1 fortnight ago", "-1 hours ago",
                      "hours ago", "1.5 hours ago", "2026-02-04T14:00:00.Z", "2026-02-04T14:00:00Zjunk", "1 hours"])
    func unreadable(text: String) {
        #expect(throws: TimeExpression.ParseError(text: text)) { try TimeExpression.parseMillis(text, now: Self.now) }
    }

    @Test func parseErrorIsOneLineNamingTheInput() {
        let message = TimeExpression.ParseError(text: "tomorrowish").description
        #expect(message.contains("\"tomorrowish\"") && !message.contains("\n"))
    }

    @Test func rangeRules() throws {
        let range = try PlanningRange.resolve(start: "2 hours ago", end: "1 hour ago", now: Self.now)
        #expect(range.endMillis - range.startMillis == 3_600_000 && range.notice == nil)
        #expect(throws: PlanningRange.Problem.endNotAfterStart(start: "1 hour ago", end: "2 hours ago")) {
            try PlanningRange.resolve(start: "1 hour ago", end: "2 hours ago", now: Self.now)
        }
        #expect(throws: PlanningRange.Problem.endNotAfterStart(start: "now", end: "now")) {
            try PlanningRange.resolve(start: "now", end: "now", now: Self.now)
        }
        let clamped = try PlanningRange.resolve(start: "2026-02-04", end: "2027-01-01", now: Self.now)
        #expect(clamped.endMillis == Self.nowMillis)
        #expect(clamped.notice?.contains("clamped to now (2026-02-04T15:30:45.500Z)") == true)
        #expect(throws: PlanningRange.Problem.startInFuture("2027-01-01")) {
            try PlanningRange.resolve(start: "2027-01-01", end: "2027-01-02", now: Self.now)
        }
    }

    @Test func utcFormatRoundTripsThroughTheParser() throws {
        var generator = TestRandom(seed: 42)
        for _ in 0..<2_000 {
            let millis = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let text = UTCFormat.iso(millis: millis)
            #expect(try TimeExpression.parseMillis(text, now: Self.now) == millis, "\(text)")
        }
        #expect(UTCFormat.iso(nanos: 1_770_213_600_000_000_001) == "2026-02-04T14:00:00.000000001Z")
        #expect(UTCFormat.hour(millis: 1_770_213_600_000) == "2026-02-04T14")
    }
}
