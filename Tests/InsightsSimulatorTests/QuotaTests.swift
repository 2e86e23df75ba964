import Testing
@testable import InsightsSimulator

/// Requests-per-second quotas keyed by operation (`SimulatorConfiguration.requestsPerSecond`).
@Suite struct QuotaTests {
    static let body = Array(#"{"logGroupName":"/aws/containerinsights/pulp-prod/application","startTime":1770213600,"endTime":1770213601,"queryString":"fields @message"}"#.utf8)

    /// Sends 12 StartQuery at once and returns how many were throttled.
    func throttledStarts(_ configure: (inout SimulatorConfiguration) -> Void) -> Int {
        var c = SimulatorConfiguration()
        c.latencyMs = 0...0
        c.queryBaseMs = 600_000  // nothing finishes during the test
        configure(&c)
        let service = SimulatorService(configuration: c, source: EventFileSource(events: [LogEvent(timestampMs: 1_770_213_600_000, message: "m", ptr: "p")]))
        let statuses = (0..<12).map { _ in service.handle(target: SimulatorService.apiPrefix + "StartQuery", body: QuotaTests.body).status }
        return statuses.filter { $0 == 400 }.count
    }

    @Test func defaultsAreAWSQuotasAndALeftOutOperationIsUnlimited() {
        // Fails if a default rate changed (the backfill's pacing tests are tuned to AWS's 5 and 10).
        #expect(SimulatorConfiguration().requestsPerSecond == [.startQuery: 5, .getQueryResults: 5, .stopQuery: 5, .describeLogGroups: 10])
        // 12 requests against a bucket of 5 within microseconds: 7 throttled, at least 5 even if a
        // stalled machine refills a token or two. Fails if the default bucket were not applied.
        #expect(throttledStarts { _ in } >= 5)
        // Left out, or 0: unlimited. Fails if a missing entry meant "no requests" or a default.
        #expect(throttledStarts { $0.requestsPerSecond = [:] } == 0)
        #expect(throttledStarts { $0.requestsPerSecond[.startQuery] = 0 } == 0)
        // Another operation's quota does not apply to StartQuery.
        #expect(throttledStarts { $0.requestsPerSecond = [.getQueryResults: 1] } == 0)
    }

    @Test func operationsAreRoutedByTheirTargetOnly() {
        // Fails if a target without the API prefix, or an unknown name, were routed.
        #expect(SimulatorOperation(target: "Logs_20140328.StartQuery") == .startQuery)
        #expect(SimulatorOperation(target: "StartQuery") == nil)
        #expect(SimulatorOperation(target: "Logs_20140328.FilterLogEvents") == nil)
        #expect(SimulatorOperation(target: nil) == nil)
        #expect(SimulatorOperation.statisticsName(nil) == "Unknown")
    }
}
