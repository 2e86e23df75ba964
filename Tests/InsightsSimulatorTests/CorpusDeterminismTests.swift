import Testing
@testable import InsightsSimulator

@Suite struct CorpusDeterminismTests {
    let hourStart: Int64 = 1_770_213_600_000  // 2026-02-04 14:00:00 UTC

    func generator(seed: UInt64 = 7, eventsPerHour: Double = 20000) -> PulpCorpusGenerator {
        PulpCorpusGenerator(.init(seed: seed, startMs: 0, endMs: 4_000_000_000_000, eventsPerHour: eventsPerHour))
    }

    @Test func sameSeedSameBytes() {
        let a = generator().events(from: hourStart, to: hourStart + 600_000).map(\.ndjsonLine)
        let b = generator().events(from: hourStart, to: hourStart + 600_000).map(\.ndjsonLine)
        #expect(!a.isEmpty)
        #expect(a == b)
        let other = generator(seed: 8).events(from: hourStart, to: hourStart + 600_000).map(\.ndjsonLine)
        #expect(a != other)
    }

    @Test func subRangeIsSliceOfFullRange() {
        let full = generator().events(from: hourStart, to: hourStart + 900_000)
        for (lo, hi) in [(Int64(0), Int64(300_000)), (123_456, 456_789), (299_999, 300_001), (600_000, 900_000)] {
            let part = generator().events(from: hourStart + lo, to: hourStart + hi)
            let slice = full.filter { $0.timestampMs >= hourStart + lo && $0.timestampMs < hourStart + hi }
            #expect(part == slice)
        }
    }

    @Test func eventsAreOrderedUniqueAndOnBoundaries() {
        let events = generator().events(from: hourStart, to: hourStart + 3_600_000)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestampMs <= $1.timestampMs })
        #expect(Set(events.map(\.ptr)).count == events.count)
        // Every 5-minute mark carries an event at exactly .000.
        for k in 0..<12 {
            #expect(events.contains { $0.timestampMs == hourStart + Int64(k) * 300_000 })
        }
        // Several events share one millisecond somewhere.
        #expect(zip(events, events.dropFirst()).contains { $0.timestampMs == $1.timestampMs })
    }

    @Test func corpusHasTheVarietyTheRowRulesNeed() {
        let messages = generator().events(from: hourStart, to: hourStart + 3_600_000).map(\.message)
        let wanted = ["user:- org_id:-", "org_id:42", "/livez", "/status/", "django.request:WARNING", "/simple/statuspage/",
                      "/simple/status-client/", "?format=json", "rhoai/3.5-EA2/cpu-ubi9", #"uv/0.9.26 {\\\"installer"#,
                      "poetry/1.8.3", "Mozilla/5.0", "curl/8.5.0", "x_forwarded_for:\\\"2001:db8:", "/pulp/content/",
                      "/api/v3/", "\" 304 -", "\" 500 ", "\" 404 "]
        for needle in wanted {
            #expect(messages.contains { $0.contains(needle) }, "no event contains \(needle)")
        }
        #expect(messages.contains { $0.hasPrefix("pulp [") }, "some events are unwrapped")
        #expect(messages.contains { $0.hasPrefix("{\"@timestamp\"") })
        // Every wrapped message is valid JSON with a string `message` member.
        for m in messages.prefix(2000) where m.hasPrefix("{") {
            let parsed = try? JSONParser.parse(m)
            #expect(parsed?["message"]?.stringValue != nil)
        }
    }

    @Test func burstWindowsExceedTenThousandEventsPerFiveMinutes() {
        let g = generator()
        let day = hourStart - 14 * 3_600_000
        let windows = (0..<288).map { day / 1000 + Int64($0) * 300 }.filter { g.isBurstWindow(second: $0) }
        #expect(!windows.isEmpty)
        let w = windows[0] * 1000
        #expect(g.events(from: w, to: w + 300_000).count > 10000)
    }
}
