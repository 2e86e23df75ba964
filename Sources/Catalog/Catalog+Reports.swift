import GRDB

/// Read-only summaries behind `pulp-backfill status` and `pulp-backfill catalog`.
public struct BackfillProgress: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        public let chunkID: Int64
        public let range: TimeRange
        public let attempts: Int
        public let lastError: String
    }

    public let backfill: Backfill
    /// Earliest planned start and latest planned end (nil without chunks).
    public let firstMillis: Int64?
    public let lastMillis: Int64?
    public let pending: Int
    /// Running with a lease that has not expired: a run is working on them now.
    public let running: Int
    /// Running but the lease expired: its owner died; claimable again (shown as pending-ish).
    public let expiredLeases: Int
    public let done: Int
    public let failed: Int
    public let rows: Int64
    public let skipped: Int64
    public let malformed: Int64
    public let queries: Int64
    /// GetQueryResults calls.
    public var polls: Int64 = 0
    /// Of `partitionsDone`, the hours found at their destinations rather than exported.
    public var partitionsFound = 0
    /// `skipped` by reason label, for the done chunks that recorded reasons.
    public var skippedByReason: [String: Int64] = [:]
    public let recordsMatched: Int64
    public let bytesScanned: Int64
    /// Failed chunks, most recent first (at most the requested number).
    public let failures: [Failure]
    public let partitionsDone: Int
    public let hoursTotal: Int
    /// Chunks finished (done or failed) within the recent window, to estimate a rate.
    public let recentlyFinished: Int

    public var totalChunks: Int { pending + running + expiredLeases + done + failed }
}

/// One exported hourly file as `pulp-backfill catalog` lists it.
public struct PartitionListing: Sendable, Equatable {
    public let backfillID: Int64
    public let logGroup: String
    public let hourStartMillis: Int64
    public let rows: Int64
    public let bytes: Int64
    public let uris: [String]
    /// The backfill's dataset (`access`, `content-python`, …).
    public var dataset = "access"
    public let sha256: String
    public let minTimestampNanos: Int64?
    public let maxTimestampNanos: Int64?
    public let exportedAtMillis: Int64
    public let writerVersion: String
    /// Found at its destinations (`--if-exists skip`), not exported by this catalog.
    public var found = false
    /// Exported from chunks covering part of the hour only (planned by a version that did not
    /// widen ranges to whole hours): planning the hour again re-exports it whole.
    public var partial = false
}

extension Catalog {
    /// Progress of every backfill. `recentWindowMillis` is the window for `recentlyFinished`.
    public func progress(now: Int64 = CatalogClock.nowMillis(), recentWindowMillis: Int64 = 15 * 60_000,
                         maxFailures: Int = 10) throws -> [BackfillProgress] {
        try read { db in
            // One pass over chunk for all counters (uses no index: a scan of ~100k narrow rows).
            let sums = try Row.fetchAll(db, sql: """
                SELECT backfill_id,
                       min(start_ms) AS first_ms, max(end_ms) AS last_ms,
                       sum(state = 'pending') AS pending,
                       sum(state = 'running' AND lease_expires_ms > :now) AS running,
                       sum(state = 'running' AND (lease_expires_ms IS NULL OR lease_expires_ms <= :now)) AS expired,
                       sum(state = 'done') AS done,
                       sum(state = 'failed') AS failed,
                       sum(rows) AS rows, sum(skipped) AS skipped, sum(malformed) AS malformed,
                       sum(queries) AS queries, sum(polls) AS polls, sum(records_matched) AS records, sum(bytes_scanned) AS bytes,
                       count(DISTINCT hour_ms) AS hours,
                       sum(finished_at_ms > :recent) AS recent
                FROM chunk GROUP BY backfill_id
                """, arguments: ["now": now, "recent": now - recentWindowMillis])
            var byBackfill: [Int64: Row] = [:]
            for row in sums { byBackfill[row["backfill_id"]] = row }
            // What density counts cost is part of the Insights usage (they are StartQuery calls too).
            var counting: [Int64: Row] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT backfill_id, sum(queries) AS queries, sum(polls) AS polls, sum(records_matched) AS records,
                       sum(bytes_scanned) AS bytes FROM density_day GROUP BY backfill_id
                """) { counting[row["backfill_id"]] = row }
            let partitionCounts = try Row.fetchAll(db, sql: """
                SELECT backfill_id, count(*) AS n, sum(found) AS found FROM partition GROUP BY backfill_id
                """)
            var skips: [Int64: [String: Int64]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT c.backfill_id, s.reason, sum(s.rows) AS n FROM chunk_skip s JOIN chunk c ON c.id = s.chunk_id
                GROUP BY c.backfill_id, s.reason
                """) {
                skips[row["backfill_id"], default: [:]][row["reason"]] = row["n"]
            }
            var partitions: [Int64: Int] = [:]
            var foundPartitions: [Int64: Int] = [:]
            for row in partitionCounts {
                partitions[row["backfill_id"]] = row["n"]
                foundPartitions[row["backfill_id"]] = row["found"]
            }

            return try Int64.fetchAll(db, sql: "SELECT id FROM backfill ORDER BY id").compactMap { id in
                guard let backfill = try Self.fetchBackfill(db, id: id) else { return nil }
                let failures = try Row.fetchAll(db, sql: """
                    SELECT id, start_ms, end_ms, attempts, last_error FROM chunk
                    WHERE state = 'failed' AND backfill_id = ? ORDER BY finished_at_ms DESC, start_ms LIMIT ?
                    """, arguments: [id, maxFailures]).map {
                        BackfillProgress.Failure(chunkID: $0["id"], range: TimeRange(startMillis: $0["start_ms"], endMillis: $0["end_ms"]),
                                                 attempts: $0["attempts"], lastError: $0["last_error"] ?? "")
                    }
                let row = byBackfill[id]
                let density = counting[id]
                func int(_ key: String) -> Int64 {
                    (row?[key] ?? 0) + (["queries", "polls", "records", "bytes"].contains(key) ? density?[key] ?? 0 : 0)
                }
                var progress = BackfillProgress(
                    backfill: backfill, firstMillis: row?["first_ms"], lastMillis: row?["last_ms"],
                    pending: Int(int("pending")), running: Int(int("running")), expiredLeases: Int(int("expired")),
                    done: Int(int("done")), failed: Int(int("failed")), rows: int("rows"), skipped: int("skipped"),
                    malformed: int("malformed"), queries: int("queries"), recordsMatched: int("records"),
                    bytesScanned: int("bytes"), failures: failures, partitionsDone: partitions[id] ?? 0,
                    hoursTotal: Int(int("hours")), recentlyFinished: Int(int("recent")))
                progress.polls = int("polls")
                progress.partitionsFound = foundPartitions[id] ?? 0
                progress.skippedByReason = skips[id] ?? [:]
                return progress
            }
        }
    }

    /// Exported partitions with an hour in `[fromMillis, toMillis)`, optionally of one log group,
    /// sorted by hour then log group.
    public func partitions(fromMillis: Int64? = nil, toMillis: Int64? = nil, logGroup: String? = nil,
                           dataset: String? = nil) throws -> [PartitionListing] {
        try read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let fromMillis { conditions.append("p.hour_ms >= ?"); arguments += [fromMillis] }
            if let toMillis { conditions.append("p.hour_ms < ?"); arguments += [toMillis] }
            if let logGroup { conditions.append("b.log_group = ?"); arguments += [logGroup] }
            if let dataset { conditions.append("b.dataset = ?"); arguments += [dataset] }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            // group_concat keeps this one query; \u{1F} (unit separator) cannot occur in a URI.
            // Columns are read by position (fast for thousands of rows); keep the list in sync.
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT p.backfill_id, b.log_group, p.hour_ms, p.rows, p.bytes, p.sha256, p.min_timestamp_ns,
                       p.max_timestamp_ns, p.exported_at_ms, p.writer_version, p.found,
                       (SELECT coalesce(sum(c.end_ms - c.start_ms), 0) FROM chunk c
                        WHERE c.backfill_id = p.backfill_id AND c.hour_ms = p.hour_ms) < 3600000 AS partial,
                       (SELECT group_concat(uri, char(31)) FROM
                           (SELECT f.uri FROM partition_file f WHERE f.partition_id = p.id ORDER BY f.destination)) AS uris,
                       b.dataset
                FROM partition p JOIN backfill b ON b.id = p.backfill_id
                \(whereClause)
                ORDER BY p.hour_ms, b.log_group, p.backfill_id
                """, arguments: arguments)
            var listings: [PartitionListing] = []
            while let row = try cursor.next() {
                let uris: String = row[12] ?? ""
                var listing = PartitionListing(
                    backfillID: row[0], logGroup: row[1], hourStartMillis: row[2], rows: row[3], bytes: row[4],
                    uris: uris.isEmpty ? [] : uris.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init),
                    sha256: row[5], minTimestampNanos: row[6], maxTimestampNanos: row[7],
                    exportedAtMillis: row[8], writerVersion: row[9])
                listing.found = (row[10] as Int) != 0
                listing.partial = (row[11] as Int) != 0
                listing.dataset = row[13]
                listings.append(listing)
            }
            return listings
        }
    }
}
