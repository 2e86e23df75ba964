import AccessLog
import Catalog
import Foundation
import Parquet
import Testing
@testable import BackfillCore

/// Compaction against a real catalog file and a real directory.
@Suite struct HourCompactorTests {
    let hour: Int64 = 1_770_213_600_000  // 2026-02-04T14:00:00Z

    func setUp() throws -> (Catalog, String, HourKey) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("compactor-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let catalog = try Catalog(path: dir + "/c.sqlite", mode: .createIfMissing)
        let spec = BackfillSpec(logGroup: "g", destinations: [dir + "/out"])
        let outcome = try catalog.createOrExtendBackfill(spec, range: TimeRange(startMillis: hour, endMillis: hour + 3_600_000)) { existing in
            ChunkPlanner.newChunks(requested: TimeRange(startMillis: hour, endMillis: hour + 3_600_000), existing: existing)
        }
        let chunks = try catalog.claimChunks(owner: "t", limit: 100, leaseMillis: 60_000)
        #expect(chunks.count == 12)
        for chunk in chunks {
            let rows = (0..<50).map { i in
                // The access dataset's values, in its column order.
                var record = StagedRecordWriter()
                for text in ["m", nil, nil, "d", "x", "pkg\(i % 3)"] as [String?] { record.appendText(text) }
                record.appendInt(200)
                record.appendNull()
                record.appendNull()
                return StagedRow(timestampNanos: (chunk.range.startMillis + Int64(i) * 1000) * 1_000_000, ptr: "p\(chunk.id)-\(i)",
                                 record: record.bytes)
            }
            try catalog.completeChunk(id: chunk.id, owner: "t", rows: rows, statistics: ChunkStatistics())
        }
        return (catalog, dir, HourKey(backfillID: outcome.backfill.id, hourStartMillis: hour))
    }

    func compactor(_ catalog: Catalog, _ dir: String) -> HourCompactor {
        HourCompactor(catalog: catalog, dataset: .access(), destinations: [LocalDirectoryDestination(directory: dir + "/out")], layout: .hive,
                      compression: .snappy, writeEmpty: false, workDirectory: dir)
    }

    @Test func exportsTheHourOnceAndASecondExporterChangesNothing() async throws {
        let (catalog, dir, key) = try setUp()
        guard case .exported(let first) = try await compactor(catalog, dir).compact(key) else {
            Issue.record("the hour was not exported")
            return
        }
        #expect(first.rows == 600 && first.files.count == 1)
        let path = dir + "/out/date=2026-02-04/hour=14/pulp_access_logs_20260204T140000Z.parquet"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(first.bytes == Int64(bytes.count))
        // A worker that saw the hour as ready before the first export finished comes too late.
        guard case .alreadyExported = try await compactor(catalog, dir).compact(key) else {
            Issue.record("a second exporter wrote the hour again")
            return
        }
        let listed = try catalog.partitions()
        #expect(listed.count == 1 && listed[0].rows == 600 && listed[0].sha256 == first.sha256)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try catalog.stagedRowCount(hour: key) == 0)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func registeringTwiceIsRefusedByTheCatalog() throws {
        let (catalog, _, key) = try setUp()
        let registration = PartitionRegistration(hour: key, rows: 600, bytes: 1, sha256: "x", minTimestampNanos: nil,
                                                 maxTimestampNanos: nil, exportedAtMillis: 0, writerVersion: "v", files: [])
        try catalog.registerPartition(registration)
        #expect(throws: CatalogError.hourAlreadyExported(backfillID: key.backfillID, hourStartMillis: hour)) {
            var empty = registration
            empty.rows = 0
            try catalog.registerPartition(empty)
        }
    }
}
