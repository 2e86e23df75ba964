import AccessLog

/// Fetches every Insights row of one chunk `[start, end)` — never silently truncated.
///
/// Insights answers at most 10,000 rows per query and takes whole seconds, inclusive at both
/// ends. So the chunk is queried from the second holding `start` to the second holding `end`
/// (whatever Insights makes of the end second, the rows we need are inside), rows outside
/// `[start, end)` are clipped by their `@timestamp`, and a full answer — sorted oldest first —
/// is continued from the second of its newest row, dropping rows already seen by `@ptr`.
/// Every continuation starts at least one second later than the one before, so the loop ends;
/// if a single second holds as many rows as one answer can carry (10,000), a full answer
/// cannot show whether that second has more, no continuation can make progress, and the
/// chunk fails with `ChunkFetchError.secondTooDense` instead of risking a lost row.
public struct ChunkFetcher: Sendable {
    public let runner: any InsightsQueryRunning
    public let logGroups: [String]
    public let queryString: String
    public let limit: Int

    public init(runner: any InsightsQueryRunning, logGroups: [String], queryString: String,
                limit: Int = InsightsQueryText.maximumLimit) {
        self.runner = runner
        self.logGroups = logGroups
        self.queryString = queryString
        self.limit = limit
    }

    public struct Fetched: Sendable {
        /// The chunk's rows, oldest first as Insights sorted them, each `@ptr` once.
        public var rows: [InsightsRow] = []
        /// Rows whose `@timestamp` Insights sent in a form we cannot read: they cannot be
        /// placed in a chunk, so they are counted (as malformed) rather than guessed.
        var unplaceable = 0
        public var queries = 0
        public var recordsMatched = 0
        public var bytesScanned = 0.0
    }

    public func fetch(startMillis: Int64, endMillis: Int64) async throws -> Fetched {
        precondition(startMillis < endMillis, "empty chunk")
        let lastSecond = UTCFormat.floorDivide(endMillis, 1000).0
        var fromSecond = UTCFormat.floorDivide(startMillis, 1000).0
        var fetched = Fetched()
        var seen = Set<String>()

        while true {
            try Task.checkCancellation()
            let query = InsightsQuery(logGroups: logGroups, startSecond: fromSecond, endSecond: lastSecond,
                                      queryString: queryString, limit: limit)
            let result = try await runner.run(query)
            fetched.queries += 1
            fetched.recordsMatched += result.recordsMatched
            fetched.bytesScanned += result.bytesScanned

            var newestMillis = Int64.min
            for row in result.rows {
                guard let nanos = row.timestamp.flatMap(InsightsTimestamp.parseNanos) else {
                    if seen.insert("unplaceable:" + (row.ptr ?? "")).inserted { fetched.unplaceable += 1 }
                    continue
                }
                let millis = UTCFormat.floorDivide(nanos, 1_000_000).0
                newestMillis = max(newestMillis, millis)
                guard millis >= startMillis && millis < endMillis else { continue }
                // Rows without @ptr cannot be de-duplicated; Insights always sends one.
                if let ptr = row.ptr, !seen.insert(ptr).inserted { continue }
                fetched.rows.append(row)
            }

            let truncated = result.rows.count >= limit || result.recordsMatched > result.rows.count
            // Sorted oldest first: a cut-off answer still holds every row older than its newest
            // one, so once that passes the chunk's end, nothing of the chunk is missing.
            guard truncated, newestMillis < endMillis else { return fetched }
            let next = UTCFormat.floorDivide(newestMillis, 1000).0
            guard next > fromSecond else {
                throw ChunkFetchError.secondTooDense(second: fromSecond, rowsPerAnswer: limit)
            }
            fromSecond = next
        }
    }

}

public enum ChunkFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case secondTooDense(second: Int64, rowsPerAnswer: Int)

    public var description: String {
        switch self {
        case .secondTooDense(let second, let limit):
            "\(limit) or more events share the second \(second) (epoch seconds); Insights cannot return them all, so this chunk was not exported rather than exported incomplete"
        }
    }
}
