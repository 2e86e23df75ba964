import Foundation
import GRDB
import GRDBSQLite

extension Catalog {
    /// Gives every `failed` chunk another chance: back to `pending`. A `run` calls this once
    /// at its start, so each run retries what earlier runs could not finish, while within one
    /// run a chunk that failed (after its own retries) is not claimed again and again.
    @discardableResult
    public func requeueFailedChunks(backfillID: Int64? = nil) throws -> Int {
        try write { db in
            let filter = backfillID == nil ? "" : "AND backfill_id = \(backfillID!)"
            try db.execute(sql: "UPDATE chunk SET state = 'pending' WHERE state = 'failed' \(filter)")
            return db.changesCount
        }
    }
}

extension Catalog {
    /// Gives one chunk back to `pending` without counting the claim as an attempt (a run
    /// claimed a chunk it cannot work on, e.g. of a backfill planned after the run started).
    public func releaseChunk(id: Int64, owner: String) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE chunk SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL,
                                 lease_host = NULL, lease_pid = NULL, lease_process_start = NULL,
                                 attempts = max(attempts - 1, 0), started_at_ms = NULL
                WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [id, owner])
        }
    }
}

extension CatalogError {
    /// The chunk's lease passed to another owner: stop working on it, someone else finishes it.
    public var isLeaseLost: Bool {
        if case .leaseLost = self { return true }
        return false
    }
}

extension Catalog {
    /// Chunks not yet `done`, of one backfill or of all (one indexed count, not a chunk list).
    public func unfinishedChunkCount(backfillID: Int64? = nil) throws -> Int {
        try read { db in
            let filter = backfillID == nil ? "" : "AND backfill_id = \(backfillID!)"
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE state <> 'done' \(filter)") ?? 0
        }
    }
}

/// A string bound as a BLOB of its UTF-8 bytes, so every byte (U+0000 too) is stored, and
/// read back from the column's bytes (BLOB or TEXT alike) with their length, never as a
/// NUL-terminated C string.
struct ExactText: DatabaseValueConvertible, StatementColumnConvertible {
    let value: String?
    init(_ value: String?) { self.value = value }

    var databaseValue: DatabaseValue {
        guard let value else { return .null }
        return Data(value.utf8).databaseValue
    }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ExactText? {
        switch dbValue.storage {
        case .null: ExactText(nil)
        case .blob(let data): ExactText(String(decoding: data, as: UTF8.self))
        case .string(let text): ExactText(text)
        default: nil
        }
    }

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        // The pointer first, then the length (SQLite's documented order).
        let bytes = sqlite3_column_blob(sqliteStatement, index)
        let count = Int(sqlite3_column_bytes(sqliteStatement, index))
        guard let bytes, count > 0 else { value = ""; return }
        value = String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

extension Catalog {
    /// Unfinished chunks of some backfills: failed ones, and running ones (any lease).
    public func unfinishedChunkCounts(backfillIDs: [Int64]) throws -> (pending: Int, running: Int, failed: Int) {
        try read { db in
            let ids = backfillIDs.map(String.init).joined(separator: ",")
            let row = try Row.fetchOne(db, sql: """
                SELECT sum(state = 'pending') AS pending, sum(state = 'running') AS running, sum(state = 'failed') AS failed
                FROM chunk WHERE backfill_id IN (\(ids))
                """)
            return (row?["pending"] ?? 0, row?["running"] ?? 0, row?["failed"] ?? 0)
        }
    }

    /// Records that exporting an hour failed (after `attempts` tries in this run).
    public func failHour(_ hour: HourKey, attempts: Int, error message: String,
                         now: Int64 = CatalogClock.nowMillis()) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO hour_failure (backfill_id, hour_ms, attempts, last_error, failed_at_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (backfill_id, hour_ms) DO UPDATE SET
                    attempts = hour_failure.attempts + excluded.attempts, last_error = excluded.last_error,
                    failed_at_ms = excluded.failed_at_ms
                """, arguments: [hour.backfillID, hour.hourStartMillis, attempts, message, now])
        }
    }

    /// Hours whose export failed and has not succeeded since, most recent first.
    public func hourFailures(backfillID: Int64? = nil, limit: Int = 1000) throws -> [HourFailure] {
        try read { db in
            let filter = backfillID.map { "WHERE backfill_id = \($0)" } ?? ""
            return try Row.fetchAll(db, sql: """
                SELECT * FROM hour_failure \(filter) ORDER BY failed_at_ms DESC, hour_ms LIMIT \(limit)
                """).map {
                    HourFailure(hour: HourKey(backfillID: $0["backfill_id"], hourStartMillis: $0["hour_ms"]),
                                attempts: $0["attempts"], lastError: $0["last_error"], failedAtMillis: $0["failed_at_ms"])
                }
        }
    }

    /// Hours of some backfills whose chunks are all done but which are not exported yet.
    func unexportedHourCount(backfillIDs: [Int64]) throws -> Int {
        try read { db in
            let ids = backfillIDs.map(String.init).joined(separator: ",")
            return try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM chunk WHERE backfill_id IN (\(ids))
                                      GROUP BY backfill_id, hour_ms
                                      HAVING sum(state <> 'done') = 0 AND sum(compacted = 0) > 0)
                """) ?? 0
        }
    }
}

extension Catalog {
    /// Plans exported hours again (`verify --repair`): their chunks go back to `pending`, so the
    /// next run queries and exports them anew (to every destination; the new partition replaces
    /// the old one). Returns how many chunks were reopened.
    @discardableResult
    public func reopenHours(_ hours: [HourKey]) throws -> Int {
        try write { db in
            var reopened = 0
            for hour in hours {
                try Self.reopenCompactedChunks(db, backfillID: hour.backfillID, hourStartMillis: hour.hourStartMillis)
                reopened += db.changesCount
            }
            return reopened
        }
    }

    /// One hour's compacted chunks back to `pending` (their staged rows are gone, so the whole
    /// hour is queried again). Shared by re-planning into an exported hour and by repair.
    static func reopenCompactedChunks(_ db: Database, backfillID: Int64, hourStartMillis: Int64) throws {
        try db.execute(sql: """
            UPDATE chunk SET state = 'pending', compacted = 0, attempts = 0, rows = 0, skipped = 0, malformed = 0,
                             lease_owner = NULL, lease_expires_ms = NULL, lease_host = NULL, lease_pid = NULL,
                             lease_process_start = NULL, started_at_ms = NULL, finished_at_ms = NULL
            WHERE backfill_id = ? AND hour_ms = ? AND compacted = 1
            """, arguments: [backfillID, hourStartMillis])
    }
}

extension Catalog {
    /// Hours of these backfills never exported by this catalog and not finished yet: the ones
    /// `--if-exists` looks up at their destinations before querying. (An hour exported before
    /// and planned again — re-planned, repaired — is exported again, whatever exists.)
    public func hoursToLookUp(backfillIDs: [Int64]) throws -> [HourKey] {
        try read { db in
            let ids = backfillIDs.map(String.init).joined(separator: ",")
            return try Row.fetchAll(db, sql: """
                SELECT c.backfill_id, c.hour_ms FROM chunk c
                WHERE c.backfill_id IN (\(ids)) AND c.compacted = 0
                  AND NOT EXISTS (SELECT 1 FROM partition p WHERE p.backfill_id = c.backfill_id AND p.hour_ms = c.hour_ms)
                GROUP BY c.backfill_id, c.hour_ms ORDER BY c.hour_ms, c.backfill_id
                """).map { HourKey(backfillID: $0["backfill_id"], hourStartMillis: $0["hour_ms"]) }
        }
    }
}
