import Foundation
import GRDB
import GRDBSQLite

/// What the compactor needs: finished hours, their rows in order, and registering the file.
extension Catalog {
    /// Hours whose chunks are all done and not yet compacted, oldest first.
    public func hoursReadyForCompaction(backfillID: Int64? = nil, limit: Int = 1000) throws -> [HourKey] {
        try read { db in
            let filter = backfillID.map { "WHERE backfill_id = \($0)" } ?? ""
            return try Row.fetchAll(db, sql: """
                SELECT backfill_id, hour_ms FROM chunk \(filter)
                GROUP BY backfill_id, hour_ms
                HAVING sum(state <> 'done') = 0 AND sum(compacted = 0) > 0
                ORDER BY hour_ms, backfill_id
                LIMIT \(limit)
                """).map { HourKey(backfillID: $0["backfill_id"], hourStartMillis: $0["hour_ms"]) }
        }
    }

    /// Whether this one hour is ready (all its chunks done, not yet compacted). Cheap (uses
    /// the hour index): the executor can ask after each completed chunk instead of scanning.
    public func isReadyForCompaction(_ hour: HourKey) throws -> Bool {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS total, sum(state <> 'done') AS not_done, sum(compacted = 0) AS open
                FROM chunk WHERE backfill_id = ? AND hour_ms = ?
                """, arguments: [hour.backfillID, hour.hourStartMillis])
            guard let row, (row["total"] as Int) > 0 else { return false }
            return (row["not_done"] as Int? ?? 0) == 0 && (row["open"] as Int? ?? 0) > 0
        }
    }

    /// One page of an hour's staged rows in (timestamp, @ptr) order, starting after `cursor`.
    /// Pages are read by key, not by OFFSET, so each costs the same however deep it is.
    public func stagedRows(hour: HourKey, after cursor: StagedRowCursor?, limit: Int) throws -> [StagedRow] {
        try read { db in try Self.stagedRows(db, hour: hour, after: cursor, limit: limit) }
    }

    static func stagedRows(_ db: Database, hour: HourKey, after cursor: StagedRowCursor?, limit: Int) throws -> [StagedRow] {
        do {
            var sql = "SELECT \(stagedRowColumns) FROM staged_row WHERE backfill_id = ? AND hour_ms = ?"
            var arguments: StatementArguments = [hour.backfillID, hour.hourStartMillis]
            if let cursor {
                sql += " AND (timestamp_ns, ptr) > (?, ?)"
                arguments += [cursor.timestampNanos, ExactText(cursor.ptr)]
            }
            sql += " ORDER BY timestamp_ns, ptr LIMIT ?"
            arguments += [limit]
            // A cursor reads each row in place; fetchAll would copy every row first.
            let found = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var rows: [StagedRow] = []
            rows.reserveCapacity(min(limit, 10_000))
            while let row = try found.next() { rows.append(Self.stagedRow(from: row)) }
            return rows
        }
    }

    /// Calls `body` with consecutive pages of at most `batchSize` rows until the hour is read.
    /// Memory stays bounded by one page whatever the hour's size. All pages come from ONE read
    /// transaction (a snapshot): if another process exports the hour and deletes its rows
    /// meanwhile, this reader still sees the whole hour, never a part of it.
    ///
    /// The pages are read on a connection of their own, opened for this call: `body` encodes
    /// them (tens of milliseconds, hundreds for a dense hour), and on the catalog's one
    /// connection that would hold up every claim and every completed chunk meanwhile. In WAL
    /// mode a reader and the writer do not wait for each other. (Closing it is not the last
    /// close of the file, so it leaves the WAL to the main connection.)
    public func forEachStagedRowBatch(hour: HourKey, batchSize: Int = 10_000,
                                      _ body: ([StagedRow]) throws -> Void) throws {
        precondition(batchSize > 0)
        try readOnOwnConnection { db in
            var cursor: StagedRowCursor?
            while true {
                let page = try Self.stagedRows(db, hour: hour, after: cursor, limit: batchSize)
                if page.isEmpty { return }
                try body(page)
                cursor = StagedRowCursor(after: page[page.count - 1])
                if page.count < batchSize { return }
            }
        }
    }

    /// Number of staged rows of an hour.
    public func stagedRowCount(hour: HourKey) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM staged_row WHERE backfill_id = ? AND hour_ms = ?",
                             arguments: [hour.backfillID, hour.hourStartMillis]) ?? 0
        }
    }

    /// Records an exported hour (replacing an earlier export of the same hour), marks its
    /// chunks compacted and deletes its staged rows — one transaction, so a crash leaves
    /// either the rows (and the hour is exported again) or the partition.
    public func registerPartition(_ partition: PartitionRegistration) throws {
        try write { db in
            let hour = partition.hour
            if partition.found {
                // Found at every destination: the hour's chunks are settled without a query.
                let held = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM chunk WHERE backfill_id = ? AND hour_ms = ? AND state = 'running'
                    """, arguments: [hour.backfillID, hour.hourStartMillis]) ?? 0
                guard held == 0 else {
                    throw CatalogError.hourNotComplete(backfillID: hour.backfillID, hourStartMillis: hour.hourStartMillis)
                }
                // Chunks done before (a run killed after writing the file, before registering
                // it) keep what they counted; the others counted nothing, skips included.
                try db.execute(sql: """
                    DELETE FROM chunk_skip WHERE chunk_id IN (
                        SELECT id FROM chunk WHERE backfill_id = ? AND hour_ms = ? AND compacted = 0 AND state <> 'done')
                    """, arguments: [hour.backfillID, hour.hourStartMillis])
                try db.execute(sql: """
                    UPDATE chunk SET state = 'done', last_error = NULL, rows = 0, skipped = 0, malformed = 0,
                                     finished_at_ms = ?
                    WHERE backfill_id = ? AND hour_ms = ? AND compacted = 0 AND state <> 'done'
                    """, arguments: [partition.exportedAtMillis, hour.backfillID, hour.hourStartMillis])
            }
            let notDone = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM chunk WHERE backfill_id = ? AND hour_ms = ? AND state <> 'done'
                """, arguments: [hour.backfillID, hour.hourStartMillis]) ?? 0
            guard notDone == 0 else {
                throw CatalogError.hourNotComplete(backfillID: hour.backfillID, hourStartMillis: hour.hourStartMillis)
            }
            // Two exporters of one hour (workers, or processes sharing the catalog): the first
            // registration wins; a later one must not replace it (it may have read no rows).
            let open = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM chunk WHERE backfill_id = ? AND hour_ms = ? AND compacted = 0
                """, arguments: [hour.backfillID, hour.hourStartMillis]) ?? 0
            guard open > 0 else {
                throw CatalogError.hourAlreadyExported(backfillID: hour.backfillID, hourStartMillis: hour.hourStartMillis)
            }
            try db.execute(sql: """
                INSERT INTO partition (backfill_id, hour_ms, rows, bytes, sha256, min_timestamp_ns, max_timestamp_ns,
                                       exported_at_ms, writer_version, found)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (backfill_id, hour_ms) DO UPDATE SET
                    rows = excluded.rows, bytes = excluded.bytes, sha256 = excluded.sha256,
                    min_timestamp_ns = excluded.min_timestamp_ns, max_timestamp_ns = excluded.max_timestamp_ns,
                    exported_at_ms = excluded.exported_at_ms, writer_version = excluded.writer_version,
                    found = excluded.found
                """, arguments: [hour.backfillID, hour.hourStartMillis, partition.rows, partition.bytes, partition.sha256,
                                 partition.minTimestampNanos, partition.maxTimestampNanos, partition.exportedAtMillis,
                                 partition.writerVersion, partition.found ? 1 : 0])
            let partitionID = try Int64.fetchOne(db, sql: "SELECT id FROM partition WHERE backfill_id = ? AND hour_ms = ?",
                                                 arguments: [hour.backfillID, hour.hourStartMillis])!
            try db.execute(sql: "DELETE FROM partition_file WHERE partition_id = ?", arguments: [partitionID])
            for file in partition.files {
                try db.execute(sql: "INSERT OR REPLACE INTO partition_file (partition_id, destination, uri) VALUES (?, ?, ?)",
                               arguments: [partitionID, file.destination, file.uri])
            }
            try db.execute(sql: "DELETE FROM staged_row WHERE backfill_id = ? AND hour_ms = ?",
                           arguments: [hour.backfillID, hour.hourStartMillis])
            try db.execute(sql: "UPDATE chunk SET compacted = 1 WHERE backfill_id = ? AND hour_ms = ?",
                           arguments: [hour.backfillID, hour.hourStartMillis])
            try db.execute(sql: "DELETE FROM hour_failure WHERE backfill_id = ? AND hour_ms = ?",
                           arguments: [hour.backfillID, hour.hourStartMillis])
        }
    }

    /// The columns `stagedRow(from:)` reads, in the order it reads them by position.
    static let stagedRowColumns = "timestamp_ns, ptr, record"

    /// By position, not by name: a name lookup lower-cases and compares column names for every
    /// value, which made reading an hour's rows cost more than encoding them.
    static func stagedRow(from row: Row) -> StagedRow {
        // `ptr` is stored as a BLOB (see `ExactText`): read as bytes, every one kept.
        StagedRow(timestampNanos: row[0], ptr: (row[1] as ExactText?)?.value ?? "", record: (row[2] as StagedBytes?)?.bytes ?? [])
    }
}

/// A BLOB column read straight into bytes.
struct StagedBytes: DatabaseValueConvertible, StatementColumnConvertible {
    let bytes: [UInt8]

    var databaseValue: DatabaseValue { Data(bytes).databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StagedBytes? {
        if case .blob(let data) = dbValue.storage { return StagedBytes(bytes: [UInt8](data)) }
        return nil
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        let pointer = sqlite3_column_blob(sqliteStatement, index)
        let count = Int(sqlite3_column_bytes(sqliteStatement, index))
        guard let pointer, count > 0 else { bytes = []; return }
        bytes = [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
