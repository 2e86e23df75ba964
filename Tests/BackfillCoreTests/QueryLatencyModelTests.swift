import Testing
@testable import BackfillCore

@Suite struct QueryLatencyModelTests {
    @Test func firstPollWaitsUntilNineteenQueriesInTwentyAreDone() async {
        let model = QueryLatencyModel(initialGuess: 1.0)
        // Fewer than five durations: the initial guess.
        for seconds in [5.0, 5.0, 5.0, 5.0] { await model.record(seconds: seconds) }
        #expect(await model.firstPoll() == 1.0)
        // 1.0 ... 20.0 s: the 95th percentile is 20 s. Fails at the 90th (19 s) or the old 70th
        // (15 s), which sent one query in three a second GetQueryResults.
        let fresh = QueryLatencyModel(initialGuess: 1.0)
        for seconds in (1...20).map(Double.init).shuffled() { await fresh.record(seconds: seconds) }
        #expect(await fresh.firstPoll() == 20.0)
        // Later polls step by a quarter of the median (11 s here).
        #expect(await fresh.nextPollStep() == 2.75)
    }

    @Test func fetchesAndCountsAreLearntApart() async {
        let pacing = InsightsPacing(startQueryRate: 5, getQueryResultsRate: 5, concurrentQueries: 4)
        for _ in 0..<10 { await pacing.statisticsLatency.record(seconds: 20) }
        // Fails if day counts (20 s) share the fetches' model: every fetch would wait 20 s.
        #expect(await pacing.latency.firstPoll() == 1.0)
        #expect(await pacing.statisticsLatency.firstPoll() == 20)
    }
}
