import GRDB

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
