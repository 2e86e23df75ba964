import Foundation
import GRDB
import Testing
@testable import Catalog

/// Claiming, renewing, completing, failing and releasing chunks.
@Suite struct LeaseTests {
    @Test func claimTakesOldestPendingChunksAndCountsAttempts() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir) // 12 chunks
        let first = try catalog.claimChunks(owner: "a", limit: 5, leaseMillis: 60_000, now: t0)
        #expect(first.map(\.range.startMillis) == (0..<5).map { t0 + Int64($0) * 5 * minute })
        #expect(first.allSatisfy { $0.state == .running && $0.leaseOwner == "a" && $0.leaseExpiresMillis == t0 + 60_000 && $0.attempts == 1 })
        let second = try catalog.claimChunks(owner: "b", limit: 100, leaseMillis: 60_000, now: t0)
        #expect(second.count == 7)
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        #expect(try catalog.claimChunks(owner: "c", limit: 100, leaseMillis: 60_000, now: t0 + 1).isEmpty)
        #expect(try catalog.chunks(backfillID: backfill.id).allSatisfy { $0.state == .running })
    }

    @Test func expiredLeaseMakesTheChunkClaimableAndTheOldOwnerLosesIt() throws {
        let dir = TemporaryDirectory()
        let (catalog, _) = try catalogWithBackfill(dir, minutes: 5)
        let chunk = try #require(try catalog.claimChunks(owner: "dead", limit: 1, leaseMillis: 1_000, now: t0).first)
        #expect(try catalog.claimChunks(owner: "live", limit: 1, leaseMillis: 1_000, now: t0 + 999).isEmpty)
        let retaken = try #require(try catalog.claimChunks(owner: "live", limit: 1, leaseMillis: 1_000, now: t0 + 1_000).first)
        #expect(retaken.id == chunk.id)
        #expect(retaken.attempts == 2)
        #expect(throws: CatalogError.leaseLost(chunkID: chunk.id, owner: "dead")) {
            try catalog.completeChunk(id: chunk.id, owner: "dead", rows: [row(t0, "p")], statistics: ChunkStatistics(), now: t0 + 2_000)
        }
        #expect(try catalog.renewLeases(chunkIDs: [chunk.id], owner: "dead", leaseMillis: 1_000, now: t0 + 2_000).isEmpty)
        #expect(try catalog.renewLeases(chunkIDs: [chunk.id], owner: "live", leaseMillis: 5_000, now: t0 + 2_000) == [chunk.id])
        // Renewed: not claimable at the old expiry any more.
        #expect(try catalog.claimChunks(owner: "other", limit: 1, leaseMillis: 1_000, now: t0 + 3_000).isEmpty)
        #expect(try catalog.completeChunk(id: chunk.id, owner: "live", rows: [row(t0, "p")], statistics: ChunkStatistics(), now: t0 + 3_000) == 1)
    }

    @Test func completeStoresRowsStatsAndDoneTogether() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 10)
        let chunk = try #require(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0).first)
        let rows = [row(t0 + 2, "b"), row(t0 + 1, "a"), row(t0 + 2, "a"), row(t0 + 1, "a")] // one duplicate event
        let stored = try catalog.completeChunk(id: chunk.id, owner: "w", rows: rows,
                                               statistics: ChunkStatistics(queries: 2, recordsMatched: 4, bytesScanned: 1234, skipped: 3, malformed: 1),
                                               now: t0 + 10)
        #expect(stored == 3)
        let done = try #require(try catalog.chunks(backfillID: backfill.id).first { $0.id == chunk.id })
        #expect(done.state == .done && done.leaseOwner == nil)
        let progress = try #require(try catalog.progress(now: t0 + 20).first)
        #expect(progress.rows == 3 && progress.skipped == 3 && progress.malformed == 1)
        #expect(progress.queries == 2 && progress.recordsMatched == 4 && progress.bytesScanned == 1234)
        #expect(progress.done == 1 && progress.pending == 1)
    }

    @Test func rowOutsideTheChunkRollsBackEverything() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 10)
        let chunk = try #require(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0).first)
        let outside = row(chunk.range.endMillis, "late") // end is exclusive
        #expect(throws: CatalogError.rowOutsideChunk(chunkID: chunk.id, timestampNanos: outside.timestampNanos)) {
            try catalog.completeChunk(id: chunk.id, owner: "w", rows: [row(t0, "ok"), outside], statistics: ChunkStatistics(), now: t0)
        }
        #expect(try catalog.stagedRowCount(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0)) == 0)
        #expect(try catalog.chunks(backfillID: backfill.id).first { $0.id == chunk.id }?.state == .running)
    }

    @Test func failedChunksAreRetriedUntilMaxAttempts() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 5)
        for attempt in 1...3 {
            let chunk = try #require(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, maxAttempts: 3, now: t0).first)
            #expect(chunk.attempts == attempt)
            try catalog.failChunk(id: chunk.id, owner: "w", error: "ThrottlingException \(attempt)",
                                  statistics: ChunkStatistics(queries: 1, bytesScanned: 100), now: t0 + Int64(attempt))
        }
        #expect(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, maxAttempts: 3, now: t0).isEmpty)
        let chunk = try #require(try catalog.chunks(backfillID: backfill.id).first)
        #expect(chunk.state == .failed && chunk.lastError == "ThrottlingException 3")
        let progress = try #require(try catalog.progress(now: t0 + 10).first)
        #expect(progress.failed == 1 && progress.queries == 3 && progress.bytesScanned == 300)
        #expect(progress.failures.map(\.lastError) == ["ThrottlingException 3"])
        // A higher limit (e.g. a new run with --max-attempts) picks it up again.
        #expect(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, maxAttempts: 4, now: t0).count == 1)
    }

    @Test func releaseGivesBackOnlyTheOwnersChunksWithoutBurningAttempts() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 20)
        _ = try catalog.claimChunks(owner: "a", limit: 2, leaseMillis: 60_000, now: t0)
        _ = try catalog.claimChunks(owner: "b", limit: 1, leaseMillis: 60_000, now: t0)
        #expect(try catalog.releaseLeases(owner: "a") == 2)
        let chunks = try catalog.chunks(backfillID: backfill.id)
        #expect(chunks.filter { $0.state == .pending }.count == 3)
        #expect(chunks.filter { $0.state == .running }.map(\.leaseOwner) == ["b"])
        #expect(chunks.filter { $0.state == .pending }.allSatisfy { $0.attempts == 0 && $0.leaseOwner == nil })
    }

    @Test func claimCanBeLimitedToOneBackfill() throws {
        let dir = TemporaryDirectory()
        let (catalog, first) = try catalogWithBackfill(dir, minutes: 10)
        let range = TimeRange(startMillis: t0, endMillis: t0 + 10 * minute)
        let second = try catalog.createOrExtendBackfill(makeSpec(group: "/other"), range: range, now: t0) { simpleChunks(range, existing: $0) }
        let claimed = try catalog.claimChunks(owner: "w", limit: 10, leaseMillis: 1_000, backfillID: second.backfill.id, now: t0)
        #expect(claimed.count == 2 && claimed.allSatisfy { $0.backfillID == second.backfill.id })
        #expect(second.backfill.id != first.id)
    }
}
