import Foundation
import Testing
@testable import Catalog
import TestRandom

/// Ready hours, paging staged rows in (timestamp, ptr) order, registering partitions.
@Suite struct CompactionTests {
    /// Completes every chunk of the backfill with `perChunk` rows (shuffled), returns all rows.
    @discardableResult
    static func completeAll(_ catalog: Catalog, perChunk: Int, seed: UInt64 = 1) throws -> [StagedRow] {
        var generator = TestRandom(seed: seed)
        var all: [StagedRow] = []
        while let chunk = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0).first {
            let span = chunk.range.endMillis - chunk.range.startMillis
            var rows = (0..<perChunk).map { i in
                // Few distinct timestamps so that @ptr decides the order often.
                row(chunk.range.startMillis + Int64.random(in: 0..<min(span, 3), using: &generator), "ptr-\(chunk.id)-\(i)")
            }
            rows.shuffle(using: &generator)
            try catalog.completeChunk(id: chunk.id, owner: "w", rows: rows, statistics: ChunkStatistics(), now: t0)
            all += rows
        }
        return all
    }

    @Test func hourIsReadyOnlyWhenAllItsChunksAreDone() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 90) // hour 0: 12 chunks, hour 1: 6 chunks
        let claimed = try catalog.claimChunks(owner: "w", limit: 17, leaseMillis: 60_000, now: t0)
        for chunk in claimed { try catalog.completeChunk(id: chunk.id, owner: "w", rows: [], statistics: ChunkStatistics(), now: t0) }
        #expect(try catalog.hoursReadyForCompaction() == [HourKey(backfillID: backfill.id, hourStartMillis: t0)])
        let last = try #require(try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0).first)
        #expect(throws: CatalogError.hourNotComplete(backfillID: backfill.id, hourStartMillis: t0 + 60 * minute)) {
            try catalog.registerPartition(Self.registration(HourKey(backfillID: backfill.id, hourStartMillis: t0 + 60 * minute)))
        }
        #expect(try !catalog.isReadyForCompaction(last.hour))
        #expect(try catalog.isReadyForCompaction(HourKey(backfillID: backfill.id, hourStartMillis: t0)))
        try catalog.completeChunk(id: last.id, owner: "w", rows: [], statistics: ChunkStatistics(), now: t0)
        #expect(try catalog.isReadyForCompaction(last.hour))
        #expect(try !catalog.isReadyForCompaction(HourKey(backfillID: backfill.id, hourStartMillis: t0 + 120 * minute)))
        #expect(try catalog.hoursReadyForCompaction(backfillID: backfill.id).map(\.hourStartMillis) == [t0, t0 + 60 * minute])
        try catalog.registerPartition(Self.registration(last.hour))
        #expect(try !catalog.isReadyForCompaction(last.hour))
    }

    @Test(arguments: [1, 7, 250, 10_000])
    func pagesReturnEveryRowOnceInTimestampPtrOrder(batchSize: Int) throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 60)
        let rows = try Self.completeAll(catalog, perChunk: 40)
        var read: [StagedRow] = []
        var pages = 0
        try catalog.forEachStagedRowBatch(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0), batchSize: batchSize) { page in
            #expect(page.count <= batchSize)
            pages += 1
            read += page
        }
        let expected = rows.sorted { ($0.timestampNanos, $0.ptr) < ($1.timestampNanos, $1.ptr) }
        #expect(read == expected)
        #expect(pages >= (rows.count + batchSize - 1) / batchSize)
    }

    static func registration(_ hour: HourKey, rows: Int64 = 480, sha: String = String(repeating: "a", count: 64)) -> PartitionRegistration {
        PartitionRegistration(
            hour: hour, rows: rows, bytes: 9_000, sha256: sha, minTimestampNanos: hour.hourStartMillis * 1_000_000,
            maxTimestampNanos: hour.hourStartMillis * 1_000_000 + 5, exportedAtMillis: t0 + 99, writerVersion: "2026.11.29.0",
            files: [.init(destination: "/tmp/out", uri: "/tmp/out/date=2026-01-01/hour=00/pulp_access_logs_20260101T000000Z.parquet"),
                    .init(destination: "s3://b/p", uri: "s3://b/p/date=2026-01-01/hour=00/pulp_access_logs_20260101T000000Z.parquet")])
    }

    @Test func registerPartitionDeletesTheHoursRowsAndIsListed() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 60)
        try Self.completeAll(catalog, perChunk: 40)
        let hour = HourKey(backfillID: backfill.id, hourStartMillis: t0)
        #expect(try catalog.stagedRowCount(hour: hour) == 480)
        try catalog.registerPartition(Self.registration(hour))
        #expect(try catalog.stagedRowCount(hour: hour) == 0)
        #expect(try catalog.hoursReadyForCompaction().isEmpty)
        let listed = try catalog.partitions()
        #expect(listed.count == 1)
        #expect(listed[0].uris.count == 2 && listed[0].uris[1].hasPrefix("s3://b/p/"))
        #expect(listed[0].rows == 480 && listed[0].logGroup == "/aws/pulp" && listed[0].writerVersion == "2026.11.29.0")
        // A second exporter of the same hour (it saw the hour ready before the first finished)
        // is refused: the first registration stays, nothing is duplicated. Re-exports happen
        // through re-planning, which reopens the hour.
        #expect(throws: CatalogError.hourAlreadyExported(backfillID: backfill.id, hourStartMillis: t0)) {
            try catalog.registerPartition(Self.registration(hour, rows: 0, sha: String(repeating: "b", count: 64)))
        }
        let again = try catalog.partitions()
        #expect(again.count == 1 && again[0].rows == 480)
        #expect(try catalog.progress(now: t0).first?.partitionsDone == 1)
    }

    @Test func partitionFiltersByHourAndLogGroup() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog(path: dir.file("c.sqlite"), mode: .createIfMissing)
        let range = TimeRange(startMillis: t0, endMillis: t0 + 180 * minute)
        for group in ["/g/one", "/g/two"] {
            let outcome = try catalog.createOrExtendBackfill(makeSpec(group: group), range: range, now: t0) { simpleChunks(range, existing: $0) }
            while let chunk = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 1_000, backfillID: outcome.backfill.id, now: t0).first {
                try catalog.completeChunk(id: chunk.id, owner: "w", rows: [], statistics: ChunkStatistics(), now: t0)
            }
            for hour in try catalog.hoursReadyForCompaction(backfillID: outcome.backfill.id) {
                try catalog.registerPartition(Self.registration(hour))
            }
        }
        #expect(try catalog.partitions().count == 6)
        #expect(try catalog.partitions(logGroup: "/g/two").map(\.hourStartMillis) == [t0, t0 + 60 * minute, t0 + 120 * minute])
        #expect(try catalog.partitions(fromMillis: t0 + 60 * minute, toMillis: t0 + 120 * minute).map(\.logGroup) == ["/g/one", "/g/two"])
    }
}
