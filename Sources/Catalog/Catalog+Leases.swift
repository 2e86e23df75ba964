import Foundation
import GRDB

/// One chunk's part of a claim being completed: its rows and what it cost.
public struct ChunkCompletion: Sendable {
    public let id: Int64
    public let rows: [StagedRow]
    public let statistics: ChunkStatistics

    // Written out (public) because BackfillExecutor builds one per chunk of a claim.
    public init(id: Int64, rows: [StagedRow], statistics: ChunkStatistics) {
        self.id = id
        self.rows = rows
        self.statistics = statistics
    }
}

/// How executors take, keep and give back chunks.
///
/// A claimed chunk is `running` with `lease_owner` and `lease_expires_ms`. A lease that is
/// past its expiry belongs to nobody: another process may claim the chunk (a SIGKILLed run's
/// chunks come back this way). Completing or failing a chunk checks that the caller still
/// holds the lease, so a chunk that was taken over is never written twice.
extension Catalog {
    /// Claims up to `limit` chunks for `owner` (held by the process `holder`), in one
    /// transaction, oldest first: pending ones, failed ones with fewer than `maxAttempts`
    /// attempts, running ones whose lease expired, and running ones held by `deadHolders`
    /// (processes the caller found gone: their leases need not run out). Each claim counts
    /// as an attempt.
    public func claimChunks(
        owner: String, holder: LeaseHolder? = nil, limit: Int, leaseMillis: Int64, maxAttempts: Int = 5,
        backfillID: Int64? = nil, backfillIDs: [Int64]? = nil, deadHolders: [LeaseHolder] = [],
        now: Int64 = CatalogClock.nowMillis()
    ) throws -> [Chunk] {
        guard limit > 0 else { return [] }
        return try write { db in
            // Index-friendly SELECTs (chunk_by_state) instead of one OR, merged by start.
            let within = backfillID.map { one in backfillIDs.map { $0.filter { $0 == one } } ?? [one] } ?? backfillIDs
            let chosen = try Self.claimableChunkIDs(db, limit: limit, maxAttempts: maxAttempts, backfillIDs: within,
                                                    deadHolders: deadHolders, now: now)
            var claimed: [Chunk] = []
            for id in chosen {
                if let chunk = try Self.take(db, id: id, owner: owner, holder: holder, leaseMillis: leaseMillis, now: now) {
                    claimed.append(chunk)
                }
            }
            return claimed
        }
    }

    /// Leases one chunk to `owner` (counting an attempt) and returns it as now stored.
    static func take(_ db: Database, id: Int64, owner: String, holder: LeaseHolder?, leaseMillis: Int64, now: Int64) throws -> Chunk? {
        try db.execute(sql: """
            UPDATE chunk SET state = 'running', lease_owner = ?, lease_expires_ms = ?,
                             lease_host = ?, lease_pid = ?, lease_process_start = ?,
                             attempts = attempts + 1, started_at_ms = ?
            WHERE id = ?
            """, arguments: [owner, now + leaseMillis, holder?.host, holder?.pid, holder?.processStart, now, id])
        return try Row.fetchOne(db, sql: "SELECT * FROM chunk WHERE id = ?", arguments: [id]).map(Self.chunk(from:))
    }

    /// The running chunks of one backfill (or all), grouped by lease owner: who holds what,
    /// until when. Expired leases are included; the caller decides what is stale.
    public func leaseGroups(backfillIDs: [Int64]? = nil) throws -> [LeaseGroup] {
        try read { db in
            let filter = backfillIDs.map { "AND backfill_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try Row.fetchAll(db, sql: """
                SELECT lease_owner, lease_host, lease_pid, lease_process_start, count(*) AS chunks,
                       max(coalesce(lease_expires_ms, 0)) AS expires
                FROM chunk WHERE state = 'running' \(filter)
                GROUP BY lease_owner, lease_host, lease_pid, lease_process_start
                ORDER BY expires
                """).map {
                    LeaseGroup(owner: $0["lease_owner"] ?? "", holder: Self.leaseHolder(from: $0),
                               chunks: $0["chunks"], expiresMillis: $0["expires"])
                }
        }
    }

    /// Extends `owner`'s leases on these chunks; returns the ids it still holds (a chunk whose
    /// lease was taken over is missing from the result: stop working on it).
    @discardableResult
    public func renewLeases(chunkIDs: [Int64], owner: String, leaseMillis: Int64,
                            now: Int64 = CatalogClock.nowMillis()) throws -> [Int64] {
        try write { db in
            var held: [Int64] = []
            for id in chunkIDs {
                try db.execute(sql: """
                    UPDATE chunk SET lease_expires_ms = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """, arguments: [now + leaseMillis, id, owner])
                if db.changesCount > 0 { held.append(id) }
            }
            return held
        }
    }

    /// Stores a finished chunk: its rows, its statistics and `done`, in ONE transaction, and
    /// only if `owner` still holds the lease (else `CatalogError.leaseLost`, nothing written).
    /// Every row must lie inside the chunk. Duplicate events (same timestamp and @ptr) are
    /// stored once. Returns the number of rows stored.
    @discardableResult
    public func completeChunk(id: Int64, owner: String, rows: [StagedRow], statistics: ChunkStatistics,
                              now: Int64 = CatalogClock.nowMillis()) throws -> Int {
        try write { db in try Self.complete(db, id: id, owner: owner, rows: rows, statistics: statistics, now: now) }
    }

    /// Stores several finished chunks (the chunks of one claim, fetched by one query) in ONE
    /// transaction: all of them are `done` with their rows, or — if `owner` lost the lease on
    /// any — none is (`CatalogError.leaseLost`, nothing written). Returns the rows stored per chunk.
    @discardableResult
    public func completeChunks(_ chunks: [ChunkCompletion], owner: String, now: Int64 = CatalogClock.nowMillis()) throws -> [Int] {
        try write { db in
            try chunks.map { try Self.complete(db, id: $0.id, owner: owner, rows: $0.rows, statistics: $0.statistics, now: now) }
        }
    }

    static func complete(_ db: Database, id: Int64, owner: String, rows: [StagedRow], statistics: ChunkStatistics,
                         now: Int64) throws -> Int {
        do {
            let chunk = try Self.leasedChunk(db, id: id, owner: owner)
            let startNanos = chunk.range.startMillis * 1_000_000
            let endNanos = chunk.range.endMillis * 1_000_000
            // Rows a previous, interrupted attempt might have left cannot exist (completion is
            // atomic), but a reopened hour may hold none either; clear defensively anyway.
            try db.execute(sql: "DELETE FROM staged_row WHERE chunk_id = ?", arguments: [id])
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO staged_row (backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, record)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            var stored = 0
            for row in rows {
                guard row.timestampNanos >= startNanos && row.timestampNanos < endNanos else {
                    throw CatalogError.rowOutsideChunk(chunkID: id, timestampNanos: row.timestampNanos)
                }
                // `ptr` goes in as a BLOB of its UTF-8 bytes: bound as TEXT, SQLite would end
                // it at the first U+0000.
                try insert.execute(arguments: [
                    chunk.backfillID, chunk.hourStartMillis, row.timestampNanos, ExactText(row.ptr), id, Data(row.record),
                ])
                stored += db.changesCount
            }
            try db.execute(sql: """
                UPDATE chunk SET state = 'done', lease_owner = NULL, lease_expires_ms = NULL, last_error = NULL,
                                 lease_host = NULL, lease_pid = NULL, lease_process_start = NULL,
                                 finished_at_ms = ?, rows = ?, skipped = ?, malformed = ?,
                                 queries = queries + ?, polls = polls + ?, records_matched = records_matched + ?,
                                 bytes_scanned = bytes_scanned + ?, fetched_events = ?
                WHERE id = ?
                """, arguments: [now, stored, statistics.skipped, statistics.malformed, statistics.queries, statistics.polls,
                                 statistics.recordsMatched, statistics.bytesScanned, statistics.fetchedEvents, id])
            try db.execute(sql: "DELETE FROM chunk_skip WHERE chunk_id = ?", arguments: [id])
            for (reason, count) in statistics.skippedByReason where count > 0 {
                try db.execute(sql: "INSERT INTO chunk_skip (chunk_id, reason, rows) VALUES (?, ?, ?)", arguments: [id, reason, count])
            }
            return stored
        }
    }

    /// Marks a chunk failed with its error (one line is best); it is claimed again while its
    /// attempts are below the claimer's `maxAttempts`. Queries and bytes spent still count.
    public func failChunk(id: Int64, owner: String, error message: String,
                          statistics: ChunkStatistics = ChunkStatistics(queries: 0),
                          now: Int64 = CatalogClock.nowMillis()) throws {
        try write { db in
            _ = try Self.leasedChunk(db, id: id, owner: owner)
            try db.execute(sql: """
                UPDATE chunk SET state = 'failed', lease_owner = NULL, lease_expires_ms = NULL, last_error = ?,
                                 lease_host = NULL, lease_pid = NULL, lease_process_start = NULL,
                                 finished_at_ms = ?, queries = queries + ?, polls = polls + ?,
                                 records_matched = records_matched + ?, bytes_scanned = bytes_scanned + ?
                WHERE id = ?
                """, arguments: [message, now, statistics.queries, statistics.polls, statistics.recordsMatched,
                                 statistics.bytesScanned, id])
        }
    }

    /// Adds what an attempt spent on a chunk (StartQuery and GetQueryResults calls, records
    /// and bytes scanned) whoever holds it now: a retried attempt, or one whose lease was taken
    /// over, cost as much as a successful one.
    public func recordUsage(chunkID: Int64, _ statistics: ChunkStatistics) throws {
        guard statistics.queries != 0 || statistics.polls != 0 || statistics.bytesScanned != 0 || statistics.recordsMatched != 0 else { return }
        try write { db in
            try db.execute(sql: """
                UPDATE chunk SET queries = queries + ?, polls = polls + ?, records_matched = records_matched + ?,
                                 bytes_scanned = bytes_scanned + ?
                WHERE id = ?
                """, arguments: [statistics.queries, statistics.polls, statistics.recordsMatched, statistics.bytesScanned, chunkID])
        }
    }

    /// Gives back every chunk `owner` holds (graceful shutdown): they become pending again and
    /// the interrupted claim does not count as an attempt. Returns how many were released.
    @discardableResult
    public func releaseLeases(owner: String) throws -> Int {
        try write { db in
            try db.execute(sql: """
                UPDATE chunk SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL,
                                 attempts = max(attempts - 1, 0), started_at_ms = NULL
                WHERE state = 'running' AND lease_owner = ?
                """, arguments: [owner])
            return db.changesCount
        }
    }

    static func leasedChunk(_ db: Database, id: Int64, owner: String) throws -> Chunk {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM chunk WHERE id = ?", arguments: [id]) else {
            throw CatalogError.leaseLost(chunkID: id, owner: owner)
        }
        let chunk = chunk(from: row)
        guard chunk.state == .running, chunk.leaseOwner == owner else {
            throw CatalogError.leaseLost(chunkID: id, owner: owner)
        }
        return chunk
    }
}
