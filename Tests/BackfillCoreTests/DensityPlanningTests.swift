import AccessLog
import Catalog
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

    @Test func cellsAreJoinedWhileTheirCountsFitTheBudget() {
        let cells = [(0, 3), (1, 4), (2, 2), (3, 9), (4, 0)].map { (TimeRange(startMillis: Int64($0.0) * 10, endMillis: Int64($0.0 + 1) * 10), $0.1) }
        // 3+4 fit 8, +2 would not; 2 alone (9 would not fit); 9 alone above the budget; then 0.
        #expect(DensityCounter.group(cells, budget: 8).map { [$0.startMillis, $0.endMillis] } == [[0, 20], [20, 30], [30, 40], [40, 50]])
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
        // Minutes 0-1 (200), 2-3 (200), then minute 4 by 10 s cells of 100: 2 cells (200) per part.
        // Fails if a part exceeds the budget, or a dense minute is left whole (600 > 250).
        let offsets = parts.map { [($0.startMillis - Self.hour) / 1000, ($0.endMillis - Self.hour) / 1000] }
        #expect(offsets == [[0, 120], [120, 240], [240, 260], [260, 280], [280, 300]])
        // The parts cover the chunk exactly, without gaps or overlaps.
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.endMillis == $1.startMillis })
    }

    @Test func dryRunEstimatePlansQueriesAsTheExecutorClaims() {
        func chunk(_ k: Int64, _ expected: Int?, _ state: ChunkState = .pending) -> CountedChunk {
            CountedChunk(range: TimeRange(startMillis: k * 300_000, endMillis: (k + 1) * 300_000), expectedRows: expected, state: state)
        }
        var planning = DensityPlanning()
        planning.budget = 8000  // claims of up to 32,000
        let estimate = DensityEstimate(chunks: [
            chunk(0, 3000), chunk(1, 3000), chunk(2, 3000),  // one claim of 9,000: 2 queries
            chunk(3, 30_000),                                // 39,000 > 32,000: a claim of its own, 4 queries
            chunk(4, 100, .done),                            // done: not fetched again
            chunk(5, nil), chunk(6, 10),                     // one uncounted; then 10: 1 query
        ], planning: planning)
        #expect(estimate.countedChunks == 5 && estimate.expectedRows == 39_010 && estimate.uncountedChunks == 1)
        // Fails if claims are planned at one budget each (3 + 4 + 1) or ignore the claim budget.
        #expect(estimate.expectedQueries == 2 + 4 + 1)
    }
}
