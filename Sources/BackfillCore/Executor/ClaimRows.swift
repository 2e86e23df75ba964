import AccessLog
import Catalog

/// A claim's rows, parsed and split by chunk as each answer arrives: the raw Insights rows
/// (strings of ~1 KB each) of a part are dropped once parsed, so a claim of several parts holds
/// only its compact staged records while its other parts are still being fetched.
struct ClaimRows: Sendable {
    /// Per chunk of the claim, in order: kept rows, their tallies, and the events fetched.
    var staged: [[StagedRow]]
    var counts: [RowCounts]
    var events: [Int]
    /// Rows whose `@timestamp` could not be read (counted as malformed on the first chunk).
    var unplaceable = 0
    /// Rows the answers carried (a dense claim is one of 10,000 or more).
    var fetchedRows = 0

    init(chunks: Int) {
        staged = Array(repeating: [], count: chunks)
        counts = Array(repeating: RowCounts(), count: chunks)
        events = Array(repeating: 0, count: chunks)
    }

    /// Parses one answer's rows (oldest first, as the fetch clipped them to the claim) into
    /// the chunks of `run` by `@timestamp`.
    init(_ fetched: inout ChunkFetcher.Fetched, run: [Chunk], rules: any RowRules) {
        self.init(chunks: run.count)
        unplaceable = fetched.unplaceable
        fetchedRows = fetched.rows.count
        if run.count == 1 { staged[0].reserveCapacity(fetched.rows.count) }
        // Each Insights row is dropped once parsed, so the staged rows reuse its memory
        // instead of adding to it (10,000 rows are ~10 MB either way).
        var rows = fetched.rows
        fetched.rows = []
        var index = 0  // rows come oldest first, so the chunk index only moves forward
        for rowIndex in rows.indices {
            if run.count > 1, let nanos = rows[rowIndex].timestamp.flatMap(InsightsTimestamp.parseNanos) {
                let millis = UTCFormat.floorDivide(nanos, 1_000_000).0
                while index + 1 < run.count && millis >= run[index].range.endMillis { index += 1 }
                while index > 0 && millis < run[index].range.startMillis { index -= 1 }
            }
            events[index] += 1
            counts[index].count(rows[rowIndex].parse(with: rules) { staged[index].append(StagedRow($0)) })
            rows[rowIndex] = InsightsRow(timestamp: nil, message: nil, ptr: nil)
        }
    }

    /// Appends the rows of the claim's next part (parts are consecutive, so chunk order holds).
    mutating func append(_ other: inout ClaimRows) {
        for index in staged.indices {
            staged[index] += other.staged[index]
            other.staged[index] = []
            counts[index].add(other.counts[index])
            events[index] += other.events[index]
        }
        unplaceable += other.unplaceable
        fetchedRows += other.fetchedRows
    }
}
