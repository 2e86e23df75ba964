import Foundation
import GRDB

/// Creating, extending and listing backfills.
extension Catalog {
    public static let hourMillis: Int64 = 3_600_000

    /// Creates the backfill for `spec` (or finds the existing one with the same identity) and
    /// adds the chunks that `planChunks` returns for `range`, all in one transaction.
    ///
    /// `planChunks` receives the already planned chunks that overlap `range` (sorted) and
    /// returns the new ones; it runs inside the write transaction, so two concurrent `plan`s
    /// cannot both add the same interval. New chunks must not overlap existing ones and must
    /// each lie inside one UTC hour; otherwise nothing is written.
    ///
    /// Reopening rule: when a new chunk lands in an hour that was already compacted, that
    /// hour's staged rows are gone, so its done chunks go back to `pending` and the whole hour
    /// is queried and exported again (the new partition replaces the old one).
    public func createOrExtendBackfill(
        _ spec: BackfillSpec,
        range: TimeRange,
        now: Int64 = CatalogClock.nowMillis(),
        planChunks: ([TimeRange]) throws -> [TimeRange]
    ) throws -> PlanOutcome {
        try write { db in
            var created = false
            var backfillID = try Int64.fetchOne(db, sql: "SELECT id FROM backfill WHERE identity = ?", arguments: [spec.identity])
            if backfillID == nil {
                created = true
                try db.execute(sql: """
                    INSERT INTO backfill (identity, log_group, aws_region, log_stream, filter_paths, exclude_paths,
                                          compression, layout, timestamp_unit, dataset, created_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [spec.identity, spec.logGroup, spec.awsRegion, spec.logStream,
                                     jsonArray(spec.filterPaths), jsonArray(spec.excludePaths),
                                     spec.compression, spec.layout, spec.timestampUnit, spec.dataset, now])
                backfillID = db.lastInsertedRowID
                for (position, uri) in spec.destinations.enumerated() {
                    try db.execute(sql: "INSERT OR IGNORE INTO backfill_destination (backfill_id, position, uri) VALUES (?, ?, ?)",
                                   arguments: [backfillID, position, uri])
                }
            } else {
                try db.execute(sql: "UPDATE backfill SET compression = ?, layout = ? WHERE id = ?",
                               arguments: [spec.compression, spec.layout, backfillID])
            }
            let id = backfillID!
            try db.execute(sql: "INSERT INTO backfill_range (backfill_id, start_ms, end_ms, planned_at_ms) VALUES (?, ?, ?, ?)",
                           arguments: [id, range.startMillis, range.endMillis, now])

            let existing = try Self.chunkRanges(db, backfillID: id, overlapping: range)
            let added = try planChunks(existing).sorted()
            try Self.validate(newChunks: added, existing: existing)

            var touchedHours = Set<Int64>()
            let insert = try db.cachedStatement(sql: "INSERT INTO chunk (backfill_id, start_ms, end_ms, hour_ms) VALUES (?, ?, ?, ?)")
            for chunk in added {
                let hour = Self.hourStart(chunk.startMillis)
                touchedHours.insert(hour)
                try insert.execute(arguments: [id, chunk.startMillis, chunk.endMillis, hour])
            }
            var reopened: [Int64] = []
            let compactedCount = try db.cachedStatement(sql: """
                SELECT count(*) FROM chunk WHERE backfill_id = ? AND hour_ms = ? AND compacted = 1
                """)
            for hour in touchedHours.sorted() {
                let compacted = try Int.fetchOne(compactedCount, arguments: [id, hour]) ?? 0
                guard compacted > 0 else { continue }
                reopened.append(hour)
                try Self.reopenCompactedChunks(db, backfillID: id, hourStartMillis: hour)
            }
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE backfill_id = ?", arguments: [id]) ?? 0
            let backfill = try Self.fetchBackfill(db, id: id)!
            return PlanOutcome(backfill: backfill, created: created, addedChunks: added, reopenedHours: reopened, totalChunks: total)
        }
    }

    /// The backfill with these settings, if one was planned.
    public func backfill(matching spec: BackfillSpec) throws -> Backfill? {
        try read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM backfill WHERE identity = ?", arguments: [spec.identity]) else {
                return nil
            }
            return try Self.fetchBackfill(db, id: id)
        }
    }

    public func backfill(id: Int64) throws -> Backfill? {
        try read { db in try Self.fetchBackfill(db, id: id) }
    }

    public func listBackfills() throws -> [Backfill] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM backfill ORDER BY id").compactMap { try Self.fetchBackfill(db, id: $0) }
        }
    }

    /// Planned chunk intervals of a backfill that overlap `range`, sorted by start.
    public func chunkRanges(backfillID: Int64, overlapping range: TimeRange) throws -> [TimeRange] {
        try read { db in try Self.chunkRanges(db, backfillID: backfillID, overlapping: range) }
    }

    /// All chunks of a backfill, sorted by start (tests and small tools; the executor claims instead).
    public func chunks(backfillID: Int64) throws -> [Chunk] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM chunk WHERE backfill_id = ? ORDER BY start_ms", arguments: [backfillID])
                .map(Self.chunk(from:))
        }
    }

    // MARK: - helpers shared by the extensions

    /// Start of the UTC hour containing `millis`.
    public static func hourStart(_ millis: Int64) -> Int64 {
        millis - ((millis % hourMillis) + hourMillis) % hourMillis
    }

    static func chunkRanges(_ db: Database, backfillID: Int64, overlapping range: TimeRange) throws -> [TimeRange] {
        // Chunks never cross an hour, so candidates start at most one hour before the range.
        try Row.fetchAll(db, sql: """
            SELECT start_ms, end_ms FROM chunk
            WHERE backfill_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ?
            ORDER BY start_ms
            """, arguments: [backfillID, range.startMillis - hourMillis, range.endMillis, range.startMillis])
            .map { TimeRange(startMillis: $0["start_ms"], endMillis: $0["end_ms"]) }
    }

    static func validate(newChunks: [TimeRange], existing: [TimeRange]) throws {
        for chunk in newChunks where hourStart(chunk.startMillis) != hourStart(chunk.endMillis - 1) {
            throw CatalogError.invalidPlan("chunk [\(chunk.startMillis), \(chunk.endMillis)) crosses an hour boundary")
        }
        // Both lists are sorted; a merged sweep finds any overlap.
        let all = (newChunks + existing).sorted()
        for (a, b) in zip(all, all.dropFirst()) where a.endMillis > b.startMillis {
            throw CatalogError.invalidPlan("chunks [\(a.startMillis), \(a.endMillis)) and [\(b.startMillis), \(b.endMillis)) overlap")
        }
    }

    static func fetchBackfill(_ db: Database, id: Int64) throws -> Backfill? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM backfill WHERE id = ?", arguments: [id]) else { return nil }
        let destinations = try String.fetchAll(db, sql: "SELECT uri FROM backfill_destination WHERE backfill_id = ? ORDER BY position",
                                               arguments: [id])
        let spec = BackfillSpec(
            logGroup: row["log_group"], awsRegion: row["aws_region"], logStream: row["log_stream"],
            filterPaths: decodeList(row["filter_paths"]), excludePaths: decodeList(row["exclude_paths"]),
            destinations: destinations, compression: row["compression"], layout: row["layout"],
            timestampUnit: row["timestamp_unit"], dataset: row["dataset"])
        return Backfill(id: id, spec: spec, createdAtMillis: row["created_at_ms"])
    }

    static func decodeList(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func chunk(from row: Row) -> Chunk {
        Chunk(id: row["id"], backfillID: row["backfill_id"],
              range: TimeRange(startMillis: row["start_ms"], endMillis: row["end_ms"]),
              hourStartMillis: row["hour_ms"], state: ChunkState(rawValue: row["state"]) ?? .pending,
              attempts: row["attempts"], lastError: row["last_error"], leaseOwner: row["lease_owner"],
              leaseExpiresMillis: row["lease_expires_ms"], leaseHolder: leaseHolder(from: row),
              expectedRows: row["expected_rows"])
    }

    static func leaseHolder(from row: Row) -> LeaseHolder? {
        guard let host: String = row["lease_host"], let pid: Int64 = row["lease_pid"],
              let start: String = row["lease_process_start"] else { return nil }
        return LeaseHolder(host: host, pid: pid, processStart: start)
    }
}
