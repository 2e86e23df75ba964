import Testing
@testable import InsightsSimulator

/// The counters of `/_sim/stats` that tests of the backfill rely on: the busiest second per API
/// and the injected faults by kind.
@Suite struct SimulatorStatisticsTests {
    static let second: UInt64 = 1_000_000_000
    static let logGroup = "/aws/containerinsights/pulp-prod/application"

    /// Arrival times in milliseconds → the peak of one API.
    func peak(_ arrivalsMs: [UInt64], outcome: String = "ok") -> Int {
        var stats = SimulatorStatistics()
        for ms in arrivalsMs { stats.count(api: "StartQuery", outcome: outcome, nowNs: ms * 1_000_000) }
        return stats.peakRequestsPerSecond["StartQuery"] ?? 0
    }

    @Test func peakIsTheBusiestOneSecondWindowOverAllArrivals() {
        // Fails if the window keeps arrivals of exactly one second ago (→ 7 instead of 6)…
        #expect(peak([0, 0, 0, 0, 0, 500, 1000]) == 6)
        // …or drops arrivals less than one second old (→ 1 instead of 2).
        #expect(peak([0, 999]) == 2)
        // A burst straddling a clock-second boundary is one window: fixed whole-second buckets
        // would report 3 here.
        #expect(peak([900, 900, 900, 1100, 1100, 1100]) == 6)
        // Fails if old arrivals are never dropped (the peak would grow with the run: 20).
        #expect(peak((0..<20).map { UInt64($0) * 1500 }) == 1)
        // A long steady stream, 100 per second (10 ms apart), with the window's storage compacted
        // along the way: exactly 100, not more (stale arrivals kept) and not fewer (lost ones).
        #expect(peak((0..<10_000).map { UInt64($0) * 10 }) == 100)
        // Refused and throttled requests count as received: fails if only successes were counted.
        #expect(peak([0, 1, 2], outcome: "ThrottlingException") == 3)
    }

    @Test func peaksAreKeptPerAPIAndShownInTheJSON() throws {
        var stats = SimulatorStatistics()
        for i in 0..<4 { stats.count(api: "StartQuery", outcome: "ok", nowNs: UInt64(i)) }
        for i in 0..<7 { stats.count(api: "GetQueryResults", outcome: i < 3 ? "ok" : "ThrottlingException", nowNs: UInt64(i)) }
        // Fails if one API's requests were counted in another's window.
        #expect(stats.peakRequestsPerSecond == ["StartQuery": 4, "GetQueryResults": 7])
        let json = stats.json(activeQueries: 0, uptimeSeconds: 1)
        #expect(json["peakRequestsPerSecond"]?["StartQuery"]?.numberValue == 4)
        #expect(json["peakRequestsPerSecond"]?["GetQueryResults"]?.numberValue == 7)
        // Every fault kind is listed before it fires, at 0.
        for kind in SimulatorStatistics.faultKinds {
            #expect(json["faults"]?[kind]?.numberValue == 0, "\(kind)")
        }
        #expect(stats.summary(activeQueries: 0, uptimeSeconds: 1).contains("GetQueryResults: ThrottlingException=4 ok=3 peakPerSecond=7"))
    }

    func service(_ configure: (inout SimulatorConfiguration) -> Void) -> SimulatorService {
        var c = SimulatorConfiguration()
        c.latencyMs = 0...0
        c.queryBaseMs = 600_000  // nothing finishes during a test
        configure(&c)
        return SimulatorService(configuration: c, source: EventFileSource(events: [LogEvent(timestampMs: 1_770_213_600_000, message: "m", ptr: "p")]))
    }

    func startQuery(_ service: SimulatorService) -> APIResponse {
        let body = #"{"logGroupName":"\#(Self.logGroup)","startTime":1770213600,"endTime":1770213601,"queryString":"fields @message"}"#
        return service.handle(target: SimulatorService.apiPrefix + "StartQuery", body: Array(body.utf8))
    }

    @Test func throttledRequestsCountTowardsThePeak() {
        // 12 StartQuery against the default 5/s bucket (5 tokens): 5 answered, 7 throttled, and
        // all 12 were received. The calls take microseconds; the clock check only guards the
        // window's premise on a stalled machine.
        let sim = service { _ in }
        let clock = ContinuousClock()
        let began = clock.now
        let statuses = (0..<12).map { _ in startQuery(sim).status }
        let elapsed = clock.now - began
        let stats = sim.statistics
        #expect(statuses.filter { $0 == 200 }.count >= 5)
        #expect(stats.requests["StartQuery"]?["ThrottlingException"] == statuses.filter { $0 != 200 }.count)
        // Fails if throttled requests were left out of the window (→ 5).
        if elapsed < .seconds(1) { #expect(stats.peakRequestsPerSecond["StartQuery"] == 12) }
        #expect(stats.peakConcurrentQueries == statuses.filter { $0 == 200 }.count)
    }

    @Test func eachInjectedFaultIsCountedUnderItsKind() {
        // One service per kind, that kind at probability 1 and the others at 0: the kind's
        // counter equals the requests sent and no other kind moves. Fails if a kind is not
        // counted, is counted under another name, or is counted twice.
        let kinds: [(String, (inout SimulatorConfiguration) -> Void)] = [
            ("throttle", { $0.faultProbability[.throttle] = 1 }),
            ("5xx", { $0.faultProbability[.serverError] = 1 }),
            ("reset", { $0.faultProbability[.reset] = 1 }),
            ("slow", { $0.faultProbability[.slow] = 1; $0.slowResponseMs = 1 }),
            ("query-failed", { $0.faultProbability[.queryFailed] = 1; $0.requestsPerSecond[.startQuery] = 0 }),
        ]
        for (kind, configure) in kinds {
            let sim = service(configure)
            let responses = (0..<9).map { _ in startQuery(sim) }
            let stats = sim.statistics
            #expect(stats.faults[kind] == 9, "\(kind)")
            for other in SimulatorStatistics.faultKinds where other != kind {
                #expect(stats.faults[other] == 0, "\(kind) moved \(other)")
            }
            switch kind {
            case "throttle":
                #expect(responses.allSatisfy { $0.status == 400 })
                #expect(stats.throttles == 9)
            case "5xx":
                #expect(responses.allSatisfy { $0.status >= 500 })
            case "reset":
                #expect(responses.allSatisfy { $0.resetMidResponse })
            case "slow":
                #expect(responses.allSatisfy { $0.delayMs >= 1 })
            default:
                // A forced query end is accepted first (200) and ends Failed, Timeout or Cancelled;
                // the outcomes add up to the kind's count.
                #expect(responses.allSatisfy { $0.status == 200 })
                #expect(stats.faultQueryOutcomes.values.reduce(0, +) == 9)
                #expect(Set(stats.faultQueryOutcomes.keys).isSubset(of: ["Failed", "Timeout", "Cancelled"]))
            }
        }
    }
}
