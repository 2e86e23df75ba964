import Foundation
import Testing
@testable import Catalog

/// Same settings → same backfill; re-planning never duplicates; reopening compacted hours.
@Suite struct BackfillIdentityTests {
    @Test func sameSettingsInAnyOrderReuseTheBackfill() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog(path: dir.file("c.sqlite"), mode: .createIfMissing)
        let range = TimeRange(startMillis: t0, endMillis: t0 + 30 * minute)
        let a = BackfillSpec(logGroup: "/g", filterPaths: ["/api/pypi/", "/x"], destinations: ["/out", "s3://b/p"])
        let b = BackfillSpec(logGroup: "/g", filterPaths: ["/x", "/api/pypi/"], destinations: ["s3://b/p", "/out", "/out"])
        let first = try catalog.createOrExtendBackfill(a, range: range, now: t0) { simpleChunks(range, existing: $0) }
        let second = try catalog.createOrExtendBackfill(b, range: range, now: t0) { simpleChunks(range, existing: $0) }
        #expect(first.created && !second.created)
        #expect(first.backfill.id == second.backfill.id)
        #expect(second.addedChunks.isEmpty && second.totalChunks == 6)
        for different in [BackfillSpec(logGroup: "/g", awsRegion: "eu-west-1", destinations: ["/out"]),
                          BackfillSpec(logGroup: "/g", logStream: "s", destinations: ["/out"]),
                          BackfillSpec(logGroup: "/g", excludePaths: [], destinations: ["/out"]),
                          BackfillSpec(logGroup: "/g", destinations: ["/out", "/out2"])] {
            let outcome = try catalog.createOrExtendBackfill(different, range: range, now: t0) { simpleChunks(range, existing: $0) }
            #expect(outcome.created)
        }
        #expect(try catalog.listBackfills().count == 5)
        #expect(try catalog.backfill(id: first.backfill.id)?.spec.destinations == ["/out", "s3://b/p"])
    }

    @Test func overlappingPlanIsRejectedWholeAndWritesNothing() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 10)
        let range = TimeRange(startMillis: t0, endMillis: t0 + 20 * minute)
        #expect(throws: CatalogError.self) {
            try catalog.createOrExtendBackfill(makeSpec(), range: range, now: t0) { _ in
                [TimeRange(startMillis: t0 + 15 * minute, endMillis: t0 + 20 * minute),
                 TimeRange(startMillis: t0 + 4 * minute, endMillis: t0 + 6 * minute)] // overlaps [0,5)
            }
        }
        #expect(throws: CatalogError.self) {
            try catalog.createOrExtendBackfill(makeSpec(), range: range, now: t0) { _ in
                [TimeRange(startMillis: t0 + 55 * minute, endMillis: t0 + 65 * minute)] // crosses an hour
            }
        }
        #expect(try catalog.chunks(backfillID: backfill.id).count == 2)
    }

    @Test func newChunkInACompactedHourReopensThatHour() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 32) // ends at 00:32
        try CompactionTests.completeAll(catalog, perChunk: 2)
        for hour in try catalog.hoursReadyForCompaction() {
            try catalog.registerPartition(CompactionTests.registration(hour))
        }
        let range = TimeRange(startMillis: t0 + 30 * minute, endMillis: t0 + 40 * minute)
        let outcome = try catalog.createOrExtendBackfill(makeSpec(), range: range, now: t0) { simpleChunks(range, existing: $0) }
        #expect(outcome.addedChunks == [TimeRange(startMillis: t0 + 32 * minute, endMillis: t0 + 35 * minute),
                                        TimeRange(startMillis: t0 + 35 * minute, endMillis: t0 + 40 * minute)])
        #expect(outcome.reopenedHours == [t0])
        let chunks = try catalog.chunks(backfillID: backfill.id)
        #expect(chunks.count == 9 && chunks.allSatisfy { $0.state == .pending })
        // The old partition stays listed until the hour is exported again.
        #expect(try catalog.partitions().count == 1)
    }
}
