import Foundation
import GRDB

/// A UTC day of a backfill whose unfinished chunks have no density count yet.
public struct UncountedDay: Sendable, Equatable {
    public let backfillID: Int64
    public let dayStartMillis: Int64
    /// From the first uncounted chunk's start to the last one's end, inside the day.
    public let range: TimeRange
    /// The day's range cut at every `every` milliseconds from the day's start (a day counted
    /// in pieces).
    public func pieces(every: Int64) -> [UncountedDay] {
        var pieces: [UncountedDay] = []
        var start = range.startMillis
        // Bounded: each step moves `start` to the next boundary, at least one millisecond on.
        while start < range.endMillis {
            let next = min(range.endMillis, dayStartMillis + ((start - dayStartMillis) / every + 1) * every)
            pieces.append(UncountedDay(backfillID: backfillID, dayStartMillis: dayStartMillis, range: TimeRange(startMillis: start, endMillis: next)))
            start = next
        }
        return pieces
    }
}

/// What the density counts of a backfill say, beside what was fetched (`status`).
public struct DensitySummary: Sendable, Equatable {
    /// Chunks with a count, and the events counted in them.
    public var countedChunks = 0
    public var expectedRows: Int64 = 0
    /// Of the counted chunks, those done, what was counted in them and the events fetched in them.
    var countedDone = 0
    public var expectedDoneRows: Int64 = 0
    public var fetchedDoneRows: Int64 = 0
    /// Days counted, and the StartQuery calls the counts took.
    public var countedDays = 0
    public var densityQueries: Int64 = 0
    /// Fetched done chunks and the StartQuery calls one query per chunk would have needed for
    /// them (one per chunk, one more per 10,000 events fetched: a full answer is continued).
    public var doneChunks = 0
    public var oneQueryPerChunkQueries: Int64 = 0
    /// StartQuery calls spent on the done chunks' fetches.
    public var fetchQueries: Int64 = 0

    public init() {}

    /// StartQuery calls saved against one query per chunk (negative: more were spent).
    public var queriesSaved: Int64 { oneQueryPerChunkQueries - fetchQueries - densityQueries }
}

extension Catalog {
    static let dayMillis: Int64 = 86_400_000

    /// Days holding unfinished chunks of these backfills that were never counted, oldest first.
    public func uncountedDays(backfillIDs: [Int64]) throws -> [UncountedDay] {
        guard !backfillIDs.isEmpty else { return [] }
        return try read { db in
            let ids = backfillIDs.map(String.init).joined(separator: ",")
            return try Row.fetchAll(db, sql: """
                SELECT backfill_id, (start_ms - ((start_ms % 86400000) + 86400000) % 86400000) AS day_ms,
                       min(start_ms) AS first_ms, max(end_ms) AS last_ms
                FROM chunk
                WHERE backfill_id IN (\(ids)) AND state <> 'done' AND expected_rows IS NULL
                GROUP BY backfill_id, day_ms ORDER BY day_ms, backfill_id
                """).map { row -> UncountedDay in
                    let (day, first, last): (Int64, Int64, Int64) = (row["day_ms"], row["first_ms"], row["last_ms"])
                    // A day counted before more of it was planned is counted again; only its
                    // uncounted chunks take the new counts.
                    return UncountedDay(backfillID: row["backfill_id"], dayStartMillis: day,
                                        range: TimeRange(startMillis: first, endMillis: min(last, day + Self.dayMillis)))
                }
        }
    }

    /// Stores one day's counts (events per minute, keyed by the minute's start; a minute
    /// without a count holds none): each uncounted chunk of the day gets the sum of its
    /// minutes, the minutes are kept for cutting queries, and the day is recorded as counted
    /// with what counting it cost — in one transaction. `range`: only the chunks starting in it
    /// were counted (a day counted in pieces; nil: the whole day); the day's events and costs
    /// add up over its pieces.
    public func recordDensity(backfillID: Int64, dayStartMillis: Int64, range: TimeRange? = nil, counts: [Int64: Int],
                              statistics: ChunkStatistics, now: Int64 = CatalogClock.nowMillis()) throws {
        let counted = range ?? TimeRange(startMillis: dayStartMillis, endMillis: dayStartMillis + Self.dayMillis)
        try write { db in
            let chunks = try Row.fetchAll(db, sql: """
                SELECT id, start_ms, end_ms FROM chunk
                WHERE backfill_id = ? AND start_ms >= ? AND start_ms < ? AND expected_rows IS NULL
                """, arguments: [backfillID, counted.startMillis, counted.endMillis])
            let sorted = counts.sorted { $0.key < $1.key }
            let update = try db.cachedStatement(sql: "UPDATE chunk SET expected_rows = ? WHERE id = ?")
            for chunk in chunks {
                let (start, end): (Int64, Int64) = (chunk["start_ms"], chunk["end_ms"])
                // Minutes from the one holding the start (a partial chunk takes its whole first minute).
                let first = start - ((start % 60_000) + 60_000) % 60_000
                let lower = sorted.partitionPoint { $0.key < first }
                var expected = 0
                for index in lower..<sorted.count {
                    guard sorted[index].key < end else { break }
                    expected += sorted[index].value
                }
                try update.execute(arguments: [expected, chunk["id"] as Int64])
            }
            let minute = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO density_minute (backfill_id, minute_ms, events) VALUES (?, ?, ?)
                """)
            for (start, events) in sorted where events > 0 {
                try minute.execute(arguments: [backfillID, start, events])
            }
            try db.execute(sql: """
                INSERT INTO density_day (backfill_id, day_ms, events, queries, polls, records_matched, bytes_scanned, counted_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (backfill_id, day_ms) DO UPDATE SET
                    events = events + excluded.events, queries = queries + excluded.queries, polls = polls + excluded.polls,
                    records_matched = records_matched + excluded.records_matched,
                    bytes_scanned = bytes_scanned + excluded.bytes_scanned, counted_at_ms = excluded.counted_at_ms
                """, arguments: [backfillID, dayStartMillis, counts.values.reduce(0, +), statistics.queries, statistics.polls,
                                 statistics.recordsMatched, statistics.bytesScanned, now])
        }
    }

    /// Adds a failed or interrupted count's cost to its day (the day stays uncounted if it
    /// was: its chunks keep no count).
    public func recordDensityUsage(backfillID: Int64, dayStartMillis: Int64, statistics: ChunkStatistics,
                                   now: Int64 = CatalogClock.nowMillis()) throws {
        guard statistics.queries != 0 || statistics.polls != 0 else { return }
        try write { db in
            // A day that was never counted gets a row with no events; its chunks stay uncounted,
            // so it is counted again by the next run.
            try db.execute(sql: """
                INSERT INTO density_day (backfill_id, day_ms, events, queries, polls, records_matched, bytes_scanned, counted_at_ms)
                VALUES (?, ?, 0, ?, ?, ?, ?, ?)
                ON CONFLICT (backfill_id, day_ms) DO UPDATE SET
                    queries = queries + excluded.queries, polls = polls + excluded.polls,
                    records_matched = records_matched + excluded.records_matched,
                    bytes_scanned = bytes_scanned + excluded.bytes_scanned
                """, arguments: [backfillID, dayStartMillis, statistics.queries, statistics.polls, statistics.recordsMatched,
                                 statistics.bytesScanned, now])
        }
    }

    /// Claims, like `claimChunks(limit: 1)`, the oldest claimable chunk; then, if it was
    /// counted at no more than `budget` events, the claimable counted chunks right after it
    /// (same backfill, each starting where the previous ends) while their counts add up to at
    /// most `budget` and they number at most `maxChunks`. With `partBudget` (the claim is then
    /// fetched in parts of about that many events), the run ends where its total best fills
    /// whole parts (total ÷ (parts × partBudget), the longer run on a tie), so its last query is
    /// not a small remainder. All in one transaction: each chunk stays a task of its own.
    /// `countedOnly`: claim only chunks that have a count (while days are still being counted,
    /// an uncounted chunk is better left for its count than fetched alone). `partsNeeded`: the
    /// parts a range takes by its stored minute counts (default: total ÷ `partBudget`, rounded
    /// up), so a run ends where the parts it will really be fetched in are best filled.
    public func claimChunkRun(
        owner: String, holder: LeaseHolder? = nil, budget: Int, partBudget: Int? = nil,
        partsNeeded: (([Int64: Int], TimeRange) -> Int)? = nil, maxChunks: Int, leaseMillis: Int64,
        maxAttempts: Int = 5, backfillIDs: [Int64]? = nil, deadHolders: [LeaseHolder] = [], countedOnly: Bool = false,
        now: Int64 = CatalogClock.nowMillis()
    ) throws -> [Chunk] {
        try write { db in
            guard let first = try Self.claimableChunkIDs(db, limit: 1, maxAttempts: maxAttempts, backfillIDs: backfillIDs,
                                                        deadHolders: deadHolders, countedOnly: countedOnly, now: now).first,
                  let firstChunk = try Self.take(db, id: first, owner: owner, holder: holder, leaseMillis: leaseMillis, now: now)
            else { return [] }
            // A chunk retried after a failure is fetched alone, and failed chunks join no run: a
            // shared query's failure fails all its chunks, so retrying them together would let
            // one failing query in a few fail them all again, attempt after attempt.
            guard let firstExpected = firstChunk.expectedRows, firstExpected <= budget, firstChunk.attempts <= 1 else {
                return [firstChunk]
            }
            var deadCondition = ""
            var deadArguments: [(any DatabaseValueConvertible)?] = []
            for dead in deadHolders {
                deadCondition += " OR (state = 'running' AND lease_host = ? AND lease_pid = ? AND lease_process_start = ?)"
                deadArguments += [dead.host, dead.pid, dead.processStart]
            }
            // The claimable chain after the first chunk, while it fits the budget.
            var chain: [(id: Int64, expected: Int, end: Int64)] = []
            var (total, end) = (firstExpected, firstChunk.range.endMillis)
            while chain.count + 1 < maxChunks {
                guard let next = try Row.fetchOne(db, sql: """
                    SELECT id, end_ms, expected_rows FROM chunk
                    WHERE backfill_id = ? AND start_ms = ? AND expected_rows IS NOT NULL
                      AND (state = 'pending' OR (state = 'running' AND lease_expires_ms <= ?)\(deadCondition))
                    """, arguments: StatementArguments([firstChunk.backfillID, end, now] + deadArguments)) else { break }
                let expected: Int = next["expected_rows"]
                guard total + expected <= budget else { break }
                total += expected
                chain.append((next["id"], expected, next["end_ms"]))
                end = next["end_ms"]
            }
            var length = chain.count
            if let partBudget, partBudget > 0, total > partBudget {
                var (best, running) = (-1.0, firstExpected)
                let minutes = try partsNeeded.map { _ in
                    try Self.minuteCounts(db, backfillID: firstChunk.backfillID, range: TimeRange(startMillis: firstChunk.range.startMillis, endMillis: end))
                }
                for index in 0...chain.count {
                    if index > 0 { running += chain[index - 1].expected }
                    let runEnd = index == 0 ? firstChunk.range.endMillis : chain[index - 1].end
                    let parts: Int
                    if let partsNeeded, let minutes {
                        parts = max(1, partsNeeded(minutes, TimeRange(startMillis: firstChunk.range.startMillis, endMillis: runEnd)))
                    } else {
                        parts = max(1, (running + partBudget - 1) / partBudget)
                    }
                    let fill = Double(running) / Double(parts * partBudget)
                    if fill >= best { (best, length) = (fill, index) }
                }
            }
            var run = [firstChunk]
            for (id, _, _) in chain.prefix(length) {
                guard let chunk = try Self.take(db, id: id, owner: owner, holder: holder, leaseMillis: leaseMillis, now: now) else { break }
                run.append(chunk)
            }
            return run
        }
    }

    /// Counted events per minute in `range` (minutes without events are absent).
    public func minuteCounts(backfillID: Int64, range: TimeRange) throws -> [Int64: Int] {
        try read { db in try Self.minuteCounts(db, backfillID: backfillID, range: range) }
    }

    static func minuteCounts(_ db: Database, backfillID: Int64, range: TimeRange) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT minute_ms, events FROM density_minute WHERE backfill_id = ? AND minute_ms >= ? AND minute_ms < ?
            """, arguments: [backfillID, range.startMillis - 59_999, range.endMillis]) {
            counts[row["minute_ms"]] = row["events"]
        }
        return counts
    }

    /// Density counts beside fetched rows, per backfill.
    public func densitySummaries() throws -> [Int64: DensitySummary] {
        try read { db in
            var result: [Int64: DensitySummary] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT backfill_id,
                       sum(expected_rows IS NOT NULL) AS counted, sum(coalesce(expected_rows, 0)) AS expected,
                       sum(expected_rows IS NOT NULL AND state = 'done') AS counted_done,
                       sum(CASE WHEN state = 'done' THEN coalesce(expected_rows, 0) ELSE 0 END) AS expected_done,
                       sum(CASE WHEN state = 'done' AND expected_rows IS NOT NULL THEN coalesce(fetched_events, 0) ELSE 0 END) AS fetched_done,
                       sum(state = 'done' AND fetched_events IS NOT NULL) AS done,
                       sum(CASE WHEN state = 'done' AND fetched_events IS NOT NULL THEN fetched_events / 10000 + 1 ELSE 0 END) AS one_per_chunk,
                       sum(CASE WHEN state = 'done' AND fetched_events IS NOT NULL THEN queries ELSE 0 END) AS fetch_queries
                FROM chunk GROUP BY backfill_id
                """) {
                var summary = DensitySummary()
                summary.countedChunks = row["counted"] ?? 0
                summary.expectedRows = row["expected"] ?? 0
                summary.countedDone = row["counted_done"] ?? 0
                summary.expectedDoneRows = row["expected_done"] ?? 0
                summary.fetchedDoneRows = row["fetched_done"] ?? 0
                summary.doneChunks = row["done"] ?? 0
                summary.oneQueryPerChunkQueries = row["one_per_chunk"] ?? 0
                summary.fetchQueries = row["fetch_queries"] ?? 0
                result[row["backfill_id"]] = summary
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT backfill_id, count(*) AS days, sum(queries) AS queries FROM density_day GROUP BY backfill_id
                """) {
                result[row["backfill_id"], default: DensitySummary()].countedDays = row["days"] ?? 0
                result[row["backfill_id"], default: DensitySummary()].densityQueries = row["queries"] ?? 0
            }
            return result
        }
    }

    /// The ids of the oldest claimable chunks (see `claimChunks`).
    static func claimableChunkIDs(_ db: Database, limit: Int, maxAttempts: Int, backfillIDs: [Int64]?,
                                  deadHolders: [LeaseHolder], countedOnly: Bool = false, now: Int64) throws -> [Int64] {
        var filter = backfillIDs.map { " AND backfill_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        if countedOnly { filter += " AND expected_rows IS NOT NULL" }
        var conditions: [(String, StatementArguments)] = [
            ("state = 'pending'", StatementArguments()),
            ("state = 'failed' AND attempts < ?", [maxAttempts]),
            ("state = 'running' AND lease_expires_ms <= ?", [now]),
        ]
        for dead in deadHolders {
            conditions.append(("state = 'running' AND lease_host = ? AND lease_pid = ? AND lease_process_start = ?",
                               [dead.host, dead.pid, dead.processStart]))
        }
        var candidates: [(Int64, Int64)] = []
        for (condition, args) in conditions {
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, start_ms FROM chunk WHERE \(condition) \(filter) ORDER BY start_ms LIMIT \(limit)
                """, arguments: args)
            candidates += rows.map { ($0["start_ms"], $0["id"]) }
        }
        var chosen: [Int64] = []
        for (_, id) in candidates.sorted(by: { $0 < $1 }) where !chosen.contains(id) {
            chosen.append(id)
            if chosen.count == limit { break }
        }
        return chosen
    }
}

/// A planned chunk with its density count, as `plan --dry-run` estimates from it.
public struct CountedChunk: Sendable, Equatable {
    public let range: TimeRange
    public let expectedRows: Int?
    public let state: ChunkState
}

extension Catalog {
    /// The chunks of a backfill overlapping `range`, oldest first, with their counts.
    public func countedChunks(backfillID: Int64, overlapping range: TimeRange) throws -> [CountedChunk] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT start_ms, end_ms, expected_rows, state FROM chunk
                WHERE backfill_id = ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms
                """, arguments: [backfillID, range.endMillis, range.startMillis]).map {
                    CountedChunk(range: TimeRange(startMillis: $0["start_ms"], endMillis: $0["end_ms"]),
                                 expectedRows: $0["expected_rows"], state: ChunkState(rawValue: $0["state"]) ?? .pending)
                }
        }
    }
}

extension Array {
    /// The first index whose element fails `belowTarget` (the array is partitioned by it).
    func partitionPoint(_ belowTarget: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let mid = (low + high) / 2
            if belowTarget(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
