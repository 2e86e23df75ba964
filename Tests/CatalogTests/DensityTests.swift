import Foundation
import Testing
@testable import Catalog

/// Density counts stored with chunks, runs of adjacent sparse chunks claimed together, and a
/// claim's chunks completed in one transaction.
@Suite struct DensityTests {
    /// Counts for the 12 chunks of t0's first hour: chunk k holds counts[k] events.
    func counted(_ catalog: Catalog, _ backfill: Backfill, _ counts: [Int]) throws {
        var cells: [Int64: Int] = [:]
        for (k, n) in counts.enumerated() where n > 0 { cells[t0 + Int64(k) * 5 * minute] = n }
        try catalog.recordDensity(backfillID: backfill.id, dayStartMillis: t0, counts: cells,
                                  statistics: ChunkStatistics(queries: 1, polls: 2), now: t0)
    }

    @Test func aCountedDayIsNotCountedAgainAndItsCostIsKept() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        #expect(try catalog.uncountedDays(backfillIDs: [backfill.id])
                == [UncountedDay(backfillID: backfill.id, dayStartMillis: t0, range: TimeRange(startMillis: t0, endMillis: t0 + 60 * minute))])
        try counted(catalog, backfill, [100, 0, 300])
        // Fails if counts are not stored per chunk (a cell without a count holds 0, not nil).
        #expect(try catalog.chunks(backfillID: backfill.id).map(\.expectedRows) == [100, 0, 300] + Array(repeating: 0, count: 9))
        #expect(try catalog.uncountedDays(backfillIDs: [backfill.id]).isEmpty)
        // The count's StartQuery is part of the backfill's Insights usage.
        #expect(try catalog.progress(now: t0).first?.queries == 1)
        #expect(try catalog.densitySummaries()[backfill.id]?.densityQueries == 1)
    }

    @Test func aDayCountedInPiecesCountsOnlyEachPiecesChunks() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        let day = try #require(catalog.uncountedDays(backfillIDs: [backfill.id]).first)
        let pieces = day.pieces(every: 30 * minute)
        #expect(pieces.map(\.range) == [TimeRange(startMillis: t0, endMillis: t0 + 30 * minute),
                                         TimeRange(startMillis: t0 + 30 * minute, endMillis: t0 + 60 * minute)])
        // The first piece's count: 100 events in each of its 6 chunks. Fails if the chunks of
        // the other piece are given a count of 0 (they were not counted yet).
        var cells: [Int64: Int] = [:]
        for k in 0..<6 { cells[t0 + Int64(k) * 5 * minute] = 100 }
        try catalog.recordDensity(backfillID: backfill.id, dayStartMillis: t0, range: pieces[0].range, counts: cells,
                                  statistics: ChunkStatistics(queries: 1), now: t0)
        #expect(try catalog.chunks(backfillID: backfill.id).map(\.expectedRows) == Array(repeating: 100, count: 6) + Array(repeating: nil, count: 6))
        // What is left to count is the second piece (a killed run counts only that).
        #expect(try catalog.uncountedDays(backfillIDs: [backfill.id]).map(\.range) == [pieces[1].range])
        try catalog.recordDensity(backfillID: backfill.id, dayStartMillis: t0, range: pieces[1].range, counts: [:],
                                  statistics: ChunkStatistics(queries: 1), now: t0)
        #expect(try catalog.chunks(backfillID: backfill.id).map(\.expectedRows) == Array(repeating: 100, count: 6) + Array(repeating: 0, count: 6))
        // One day, two count queries.
        let summary = try #require(catalog.densitySummaries()[backfill.id])
        #expect(summary.countedDays == 1 && summary.densityQueries == 2)
    }

    @Test func adjacentSparseChunksAreClaimedTogetherUpToTheBudget() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        try counted(catalog, backfill, [3000, 3000, 3000, 9000, 100, 100, 100, 100, 100, 100, 100, 100])
        // 3,000 + 3,000 fit 8,000; a third would not (fails if the budget is ignored).
        let first = try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(first.map(\.range.startMillis) == [t0, t0 + 5 * minute])
        // A chunk alone when the next one is above the budget.
        let second = try catalog.claimChunkRun(owner: "b", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(second.map(\.range.startMillis) == [t0 + 10 * minute])
        // A chunk counted above the budget is claimed alone.
        let dense = try catalog.claimChunkRun(owner: "c", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(dense.map(\.expectedRows) == [9000])
        // maxChunks caps a run; every chunk of it is leased.
        let capped = try catalog.claimChunkRun(owner: "d", budget: 8000, maxChunks: 5, leaseMillis: 60_000, now: t0)
        #expect(capped.count == 5 && capped.allSatisfy { $0.leaseOwner == "d" && $0.state == .running })
        // A run stops at a chunk another owner holds (the rest are claimed by the next claim).
        let rest = try catalog.claimChunkRun(owner: "e", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(rest.count == 3)
        #expect(try catalog.claimChunkRun(owner: "f", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0).isEmpty)
    }

    @Test func aClaimFetchedInPartsEndsWhereItsPartsAreFull() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        try counted(catalog, backfill, Array(repeating: 3000, count: 12))
        // Up to 32,000: 10 chunks (30,000) fit, but 4 parts of 8,000 would carry 7,500 each,
        // while 8 chunks (24,000) are 3 full parts. Fails if the run takes all that fits the
        // claim budget (a query short of a full part) or ignores the claim budget.
        let run = try catalog.claimChunkRun(owner: "a", budget: 32_000, partBudget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(run.count == 8)
        // Without parts, as many chunks as fit.
        let rest = try catalog.claimChunkRun(owner: "b", budget: 32_000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(rest.count == 4)
    }

    @Test func uncountedChunksAreClaimedOneByOne() throws {
        let dir = TemporaryDirectory()
        let (catalog, _) = try catalogWithBackfill(dir)
        // Without counts, a claim is one chunk (fails if uncounted chunks were merged blindly).
        #expect(try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0).count == 1)
    }

    @Test func aClaimEndsWhereThePartsItWillReallyTakeAreBestFilled() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        try counted(catalog, backfill, Array(repeating: 3000, count: 12))
        // By totals alone, 6 chunks (18,000) are two full parts of 9,000. But say the minute
        // counts are lumpy and cannot be cut into two parts beyond 3 chunks: 6 chunks then take
        // 3 parts (18,000 / 27,000), while 3 chunks fill one part exactly. Fails if the catalog
        // ignores `partsNeeded` (6 chunks) or is not handed the stored minutes.
        var seenMinutes = 0
        let run = try catalog.claimChunkRun(owner: "a", budget: 18_000, partBudget: 9_000, partsNeeded: { minutes, range in
            seenMinutes = max(seenMinutes, minutes.count)
            return range.endMillis - range.startMillis <= 15 * minute ? 1 : 3
        }, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(run.count == 3)
        #expect(seenMinutes == 6)  // the counts of the 6 chunks the claim could have covered
        let plain = try catalog.claimChunkRun(owner: "b", budget: 18_000, partBudget: 9_000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        #expect(plain.count == 6)
    }

    @Test func whileDaysAreCountedOnlyCountedChunksAreClaimed() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        // Nothing counted yet: a run still counting claims nothing (fails if an uncounted chunk
        // is handed out, to be fetched alone while its day's count is on its way).
        #expect(try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 60_000, countedOnly: true, now: t0).isEmpty)
        try counted(catalog, backfill, Array(repeating: 100, count: 12))
        // Counted: the whole hour in one claim.
        #expect(try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 60_000, countedOnly: true, now: t0).count == 12)
    }

    @Test func aClaimIsCompletedWholeOrNotAtAll() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 15)
        try counted(catalog, backfill, [10, 10, 10])
        let run = try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 1_000, now: t0)
        #expect(run.count == 3)
        // Another owner takes the first chunk over after the lease ran out: completing the claim
        // must write nothing at all (fails if the other two chunks were stored anyway).
        let taken = try catalog.claimChunks(owner: "b", limit: 1, leaseMillis: 60_000, now: t0 + 2_000)
        #expect(taken.map(\.id) == [run[0].id])
        let completions = run.enumerated().map { index, chunk in
            ChunkCompletion(id: chunk.id, rows: [row(chunk.range.startMillis + 1, "p\(index)")], statistics: ChunkStatistics(queries: 0))
        }
        #expect(throws: CatalogError.self) { try catalog.completeChunks(completions, owner: "a", now: t0 + 4_000) }
        #expect(try catalog.chunks(backfillID: backfill.id).allSatisfy { $0.state != .done })
        #expect(try catalog.stagedRowCount(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0)) == 0)
    }

    @Test func aCompletedClaimStoresEveryChunkWithItsFetchedEvents() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 10)
        try counted(catalog, backfill, [1, 2])
        let run = try catalog.claimChunkRun(owner: "a", budget: 8000, maxChunks: 288, leaseMillis: 60_000, now: t0)
        var first = ChunkStatistics(queries: 1)
        first.fetchedEvents = 1
        var second = ChunkStatistics(queries: 0)
        second.fetchedEvents = 3  // one more than counted: it arrived after the count
        let stored = try catalog.completeChunks([
            ChunkCompletion(id: run[0].id, rows: [row(t0 + 1, "a")], statistics: first),
            ChunkCompletion(id: run[1].id, rows: [row(t0 + 5 * minute, "b"), row(t0 + 6 * minute, "c"), row(t0 + 7 * minute, "d")],
                            statistics: second),
        ], owner: "a", now: t0 + 10)
        #expect(stored == [1, 3])
        let summary = try #require(try catalog.densitySummaries()[backfill.id])
        // Expected 3 vs fetched 4; one query per chunk would have been 2, 1 fetch + 1 count were spent.
        #expect(summary.expectedDoneRows == 3 && summary.fetchedDoneRows == 4)
        #expect(summary.oneQueryPerChunkQueries == 2 && summary.fetchQueries == 1 && summary.queriesSaved == 0)
    }
}
