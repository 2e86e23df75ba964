import AccessLog
@testable import Catalog
import Testing
@testable import BackfillCore

/// A stand-in answering `stats count(*) by bin(…)` queries from a fixed list of event times.
private struct CountingInsights: InsightsQueryRunning {
    let eventMillis: [Int64]

    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult {
        guard let open = query.queryString.range(of: "bin("), let close = query.queryString[open.upperBound...].firstIndex(of: ")") else {
            Issue.record("not a density query: \(query.queryString)")
            return InsightsQueryResult(rows: [], recordsMatched: 0, bytesScanned: 0)
        }
        let bin = String(query.queryString[open.upperBound..<close])
        let binMillis: Int64 = bin.hasSuffix("m") ? Int64(bin.dropLast())! * 60_000 : Int64(bin.dropLast())! * 1_000
        var counts: [Int64: Int] = [:]
        for ms in eventMillis where ms >= query.startSecond * 1000 && ms < (query.endSecond + 1) * 1000 {
            counts[ms - ms % binMillis, default: 0] += 1
        }
        let rows = counts.keys.sorted().map { start -> [String: String] in
            ["bin(\(bin))": UTCFormat.iso(millis: start).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ".000"),
             "events": String(counts[start]!)]
        }
        return InsightsQueryResult(rows: [], recordsMatched: counts.values.reduce(0, +), bytesScanned: 0, fieldRows: rows)
    }
}

@Suite struct DensityPlanningTests {
    static let hour: Int64 = 1_770_213_600_000  // 2026-02-04T14:00:00Z

    @Test func cellsAreCutIntoEqualSharesOfAboutTheBudget() {
        func cells(_ counts: [Int]) -> [(TimeRange, Int)] {
            counts.enumerated().map { (TimeRange(startMillis: Int64($0.offset) * 10, endMillis: Int64($0.offset + 1) * 10), $0.element) }
        }
        func cuts(_ parts: [TimeRange]) -> [[Int64]] { parts.map { [$0.startMillis, $0.endMillis] } }
        // 18 events, budget 8 and slack 1: 2 parts of 9 (3+4+2 | 9+0), each within budget + slack.
        // Fails if parts are counted by the budget alone (3 parts, a third query).
        #expect(cuts(DensityCounter.group(cells([3, 4, 2, 9, 0]), budget: 8, slack: 1)) == [[0, 30], [30, 50]])
        // 20 events: 2 equal shares of 10 do not fit 9; 3 parts of about 7 do.
        #expect(cuts(DensityCounter.group(cells([3, 4, 4, 9, 0]), budget: 8, slack: 1)) == [[0, 20], [20, 30], [30, 50]])
        // Without slack: the fewest parts of at most 8 are 3 (the cell of 9 alone, with the empty
        // cell after it), and the most even such cut is 3 | 4+2 | 9+0. Fails if cut at equal
        // shares regardless of cells (a part per cell) or if an empty cell makes a part.
        #expect(cuts(DensityCounter.group(cells([3, 4, 2, 9, 0]), budget: 8)) == [[0, 10], [10, 30], [30, 50]])
        // A burst at the end: the fewest parts that fit 9 are 2 (1+1+7 | 8); fails if a third
        // part is added or a part goes above 9.
        #expect(cuts(DensityCounter.group(cells([1, 1, 7, 8]), budget: 8, slack: 1)) == [[0, 30], [30, 40]])
        // Empty cells at the start join the first part with events (no query for nothing).
        #expect(cuts(DensityCounter.group(cells([0, 0, 12, 0]), budget: 8, slack: 1)) == [[0, 40]])
        // 16 cells of 500 (8,000 a claim's worth twice): 2 equal parts, not 8,000 + 0 remainder.
        #expect(cuts(DensityCounter.group(cells(Array(repeating: 500, count: 16)), budget: 8000, slack: 1000)) == [[0, 160]])
        #expect(cuts(DensityCounter.group(cells(Array(repeating: 500, count: 20)), budget: 8000, slack: 1000)) == [[0, 100], [100, 200]])
        // Fails if parts are filled greedily (16 + 4 cells: a small remainder query).
    }

    @Test func aDenseChunkIsCutByMinuteAndADenseMinuteByTenSeconds() async throws {
        // 100 events in each of minutes 0..3 of the chunk; minute 4 holds 600 (10 a second).
        // Budget 250.
        var events: [Int64] = []
        for minute in 0..<4 { for i in 0..<100 { events.append(Self.hour + Int64(minute) * 60_000 + Int64(i) * 600) } }
        for i in 0..<600 { events.append(Self.hour + 4 * 60_000 + Int64(i) * 100) }
        let counter = DensityCounter(runner: CountingInsights(eventMillis: events), logGroups: ["g"],
                                     dataset: .access(), logStream: nil)
        let parts = try await counter.parts(startMillis: Self.hour, endMillis: Self.hour + 300_000, budget: 250)
        // 1,000 events, budget 250 (+ slack 31): cells of 100 (4 minutes, then minute 4's six
        // 10 s bins), so parts of 2 cells: 5 parts of 200. Fails if the dense minute is left
        // whole (600 in one part) or a part goes above 281.
        let offsets = parts.map { [($0.startMillis - Self.hour) / 1000, ($0.endMillis - Self.hour) / 1000] }
        #expect(offsets == [[0, 120], [120, 240], [240, 260], [260, 280], [280, 300]])
        // The parts cover the chunk exactly, without gaps or overlaps.
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.endMillis == $1.startMillis })
    }

    @Test func theFirstDayIsCountedInQuartersAndTheOthersWhole() {
        let day0: Int64 = 1_770_163_200_000  // 2026-02-04T00:00:00Z
        let days = [
            UncountedDay(backfillID: 1, dayStartMillis: day0, range: TimeRange(startMillis: day0 + 3_600_000, endMillis: day0 + 86_400_000)),
            UncountedDay(backfillID: 1, dayStartMillis: day0 + 86_400_000, range: TimeRange(startMillis: day0 + 86_400_000, endMillis: day0 + 2 * 86_400_000)),
        ]
        let planned = BackfillExecutor.firstDayInPieces(days)
        // 01:00-06:00, then 6-hour quarters; the second day whole. Fails if the first count
        // covers the whole day (fetching waits ~4 times longer) or later days are cut too
        // (each piece is one more StartQuery).
        #expect(planned.map { ($0.range.startMillis - day0) / 3_600_000 } == [1, 6, 12, 18, 24])
        #expect(planned.map { ($0.range.endMillis - day0) / 3_600_000 } == [6, 12, 18, 24, 48])
        #expect(BackfillExecutor.firstDayInPieces([]).isEmpty)
    }

    @Test func dryRunEstimatePlansQueriesAsTheExecutorClaims() {
        func chunk(_ k: Int64, _ expected: Int?, _ state: ChunkState = .pending) -> CountedChunk {
            CountedChunk(range: TimeRange(startMillis: k * 300_000, endMillis: (k + 1) * 300_000), expectedRows: expected, state: state)
        }
        var planning = DensityPlanning()
        planning.budget = 8000  // parts of up to 9,000, claims of up to 18,000
        let estimate = DensityEstimate(chunks: [
            chunk(0, 3000), chunk(1, 3000), chunk(2, 3000),  // one claim of 9,000: 1 query
            chunk(3, 30_000),                                // 39,000 > 18,000: a claim of its own, 4 queries
            chunk(4, 100, .done),                            // done: not fetched again
            chunk(5, nil), chunk(6, 10),                     // one uncounted; then 10: 1 query
        ], planning: planning)
        #expect(estimate.countedChunks == 5 && estimate.expectedRows == 39_010 && estimate.uncountedChunks == 1)
        // Fails if claims are planned at one budget each (3 + 4 + 1), at the budget rather than
        // a part's capacity (2 + 4 + 1), or ignore the claim budget.
        #expect(estimate.expectedQueries == 1 + 4 + 1)
    }
}
