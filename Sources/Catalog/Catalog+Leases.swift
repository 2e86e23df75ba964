import GRDB

/// How executors take, keep and give back chunks.
///
/// A claimed chunk is `running` with `lease_owner` and `lease_expires_ms`. A lease that is
/// past its expiry belongs to nobody: another process may claim the chunk (a SIGKILLed run's
/// chunks come back this way). Completing or failing a chunk checks that the caller still
/// holds the lease, so a chunk that was taken over is never written twice.
extension Catalog {
    /// Claims up to `limit` chunks for `owner`, in one transaction, oldest first: pending ones,
    /// failed ones with fewer than `maxAttempts` attempts, and running ones whose lease expired.
    /// Each claim counts as an attempt.
    public func claimChunks(
        owner: String, limit: Int, leaseMillis: Int64, maxAttempts: Int = 5,
        backfillID: Int64? = nil, now: Int64 = CatalogClock.nowMillis()
    ) throws -> [Chunk] {
        guard limit > 0 else { return [] }
        return try write { db in
            let filter = backfillID == nil ? "" : "AND backfill_id = \(backfillID!)"
            // Three index-friendly SELECTs (chunk_by_state) instead of one OR, merged by start.
            var candidates: [(Int64, Int64)] = []
            for (condition, args) in [
                ("state = 'pending'", StatementArguments()),
                ("state = 'failed' AND attempts < ?", [maxAttempts] as StatementArguments),
                ("state = 'running' AND lease_expires_ms <= ?", [now] as StatementArguments),
            ] {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, start_ms FROM chunk WHERE \(condition) \(filter) ORDER BY start_ms LIMIT \(limit)
                    """, arguments: args)
                candidates += rows.map { ($0["start_ms"], $0["id"]) }
            }
            let chosen = candidates.sorted { $0 < $1 }.prefix(limit).map(\.1)
            var claimed: [Chunk] = []
            for id in chosen {
                try db.execute(sql: """
                    UPDATE chunk SET state = 'running', lease_owner = ?, lease_expires_ms = ?,
                                     attempts = attempts + 1, started_at_ms = ?
                    WHERE id = ?
                    """, arguments: [owner, now + leaseMillis, now, id])
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM chunk WHERE id = ?", arguments: [id]) {
                    claimed.append(Self.chunk(from: row))
                }
            }
            return claimed
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
        try write { db in
            let chunk = try Self.leasedChunk(db, id: id, owner: owner)
            let startNanos = chunk.range.startMillis * 1_000_000
            let endNanos = chunk.range.endMillis * 1_000_000
            // Rows a previous, interrupted attempt might have left cannot exist (completion is
            // atomic), but a reopened hour may hold none either; clear defensively anyway.
            try db.execute(sql: "DELETE FROM staged_row WHERE chunk_id = ?", arguments: [id])
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO staged_row
                    (backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, message, user, org_id, domain,
                     distribution, package, status_code, user_agent, x_forwarded_for)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var stored = 0
            for row in rows {
                guard row.timestampNanos >= startNanos && row.timestampNanos < endNanos else {
                    throw CatalogError.rowOutsideChunk(chunkID: id, timestampNanos: row.timestampNanos)
                }
                try insert.execute(arguments: [
                    chunk.backfillID, chunk.hourStartMillis, row.timestampNanos, row.ptr, id, row.message, row.user,
                    row.orgID, row.domain, row.distribution, row.package, row.statusCode.map { Int($0) },
                    row.userAgent, row.xForwardedFor,
                ])
                stored += db.changesCount
            }
            try db.execute(sql: """
                UPDATE chunk SET state = 'done', lease_owner = NULL, lease_expires_ms = NULL, last_error = NULL,
                                 finished_at_ms = ?, rows = ?, skipped = ?, malformed = ?,
                                 queries = queries + ?, records_matched = records_matched + ?, bytes_scanned = bytes_scanned + ?
                WHERE id = ?
                """, arguments: [now, stored, statistics.skipped, statistics.malformed, statistics.queries,
                                 statistics.recordsMatched, statistics.bytesScanned, id])
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
                                 finished_at_ms = ?, queries = queries + ?, records_matched = records_matched + ?,
                                 bytes_scanned = bytes_scanned + ?
                WHERE id = ?
                """, arguments: [message, now, statistics.queries, statistics.recordsMatched, statistics.bytesScanned, id])
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
