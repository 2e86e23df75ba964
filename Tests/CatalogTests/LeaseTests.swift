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

/// Leases that know their owner, and staging that keeps every byte.
@Suite struct LeaseOwnerAndExactStagingTests {
    let me = LeaseHolder(host: "h", pid: 1, processStart: "b:1")
    let gone = LeaseHolder(host: "h", pid: 2, processStart: "b:2")

    @Test func aDeadHoldersChunksAreClaimableBeforeTheirLeaseExpires() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 15)
        let taken = try catalog.claimChunks(owner: "dead", holder: gone, limit: 2, leaseMillis: 300_000, now: t0)
        #expect(taken.count == 2 && taken.allSatisfy { $0.leaseHolder == gone })
        // Without knowing the owner is gone, only the third chunk is free (leases run 5 minutes).
        #expect(try catalog.claimChunks(owner: "other", holder: me, limit: 3, leaseMillis: 300_000, now: t0 + 1).map(\.id)
                == [try catalog.chunks(backfillID: backfill.id)[2].id])
        // Told it is gone, a run takes its chunks over at once; fails if dead holders are ignored.
        let takenOver = try catalog.claimChunks(owner: "me", holder: me, limit: 3, leaseMillis: 300_000, deadHolders: [gone], now: t0 + 2)
        #expect(Set(takenOver.map(\.id)) == Set(taken.map(\.id)))
        #expect(takenOver.allSatisfy { $0.leaseHolder == me && $0.leaseOwner == "me" })
        let groups = try catalog.leaseGroups(backfillIDs: [backfill.id])
        #expect(groups.map(\.owner).sorted() == ["me", "other"])
        #expect(groups.first { $0.owner == "me" }?.chunks == 2)
    }

    @Test func stagedStringsKeepEveryByteIncludingNUL() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 5)
        let chunk = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0)[0]
        var first = row(chunk.range.startMillis, "ptr\u{0}a")
        first.userAgent = "nul\u{0}char"
        first.message = "GET /x \u{0} é 😀"
        first.user = "\u{0}"
        let second = row(chunk.range.startMillis, "ptr\u{0}b")  // same timestamp: ordered by the bytes after NUL
        try catalog.completeChunk(id: chunk.id, owner: "w", rows: [second, first], statistics: ChunkStatistics(), now: t0)
        let read = try catalog.stagedRows(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0), after: nil, limit: 10)
        // Fails if strings pass through SQLite as C strings (everything after U+0000 lost) or
        // if "ptr\0a" and "ptr\0b" collapse into one key.
        #expect(read == [first, second])
        let page = try catalog.stagedRows(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0),
                                          after: StagedRowCursor(after: first), limit: 10)
        #expect(page == [second])
    }

    @Test func attemptsAreRecordedWhoeverHoldsTheChunk() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 5)
        let chunk = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0)[0]
        try catalog.recordUsage(chunkID: chunk.id, ChunkStatistics(queries: 2, polls: 5, recordsMatched: 7, bytesScanned: 100))
        try catalog.completeChunk(id: chunk.id, owner: "w", rows: [], statistics: ChunkStatistics(queries: 1, polls: 2, bytesScanned: 50), now: t0)
        let progress = try #require(try catalog.progress(now: t0).first { $0.backfill.id == backfill.id })
        #expect(progress.queries == 3 && progress.polls == 7 && progress.bytesScanned == 150)
    }

    @Test func aFailedHourIsRecordedUntilItIsExported() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 5)
        let hour = HourKey(backfillID: backfill.id, hourStartMillis: t0)
        try catalog.failHour(hour, attempts: 3, error: "s3://b: AccessDenied", now: t0)
        try catalog.failHour(hour, attempts: 3, error: "s3://b: AccessDenied again", now: t0 + 1)
        #expect(try catalog.hourFailures() == [HourFailure(hour: hour, attempts: 6, lastError: "s3://b: AccessDenied again", failedAtMillis: t0 + 1)])
        let chunk = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0)[0]
        try catalog.completeChunk(id: chunk.id, owner: "w", rows: [], statistics: ChunkStatistics(), now: t0)
        try catalog.registerPartition(PartitionRegistration(hour: hour, rows: 0, bytes: 0, sha256: "", minTimestampNanos: nil,
                                                            maxTimestampNanos: nil, exportedAtMillis: t0, writerVersion: "v", files: []))
        #expect(try catalog.hourFailures().isEmpty)
    }
}
