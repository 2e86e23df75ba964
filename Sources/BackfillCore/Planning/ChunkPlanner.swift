import Catalog

/// Turns a requested time range into 5-minute chunks, half-open UTC intervals `[start, end)` in
/// milliseconds.
///
/// Rule: the catalog's chunks of a backfill never overlap, and a plan only adds chunks for
/// the parts of the requested range that no existing chunk covers. Each uncovered gap is cut
/// on the UTC 5-minute grid, so every chunk lies inside one grid cell (and therefore inside
/// one hour); only a chunk at the edge of a gap is partial.
///
/// Example: an earlier plan ended at 10:02, so chunk [10:00, 10:02) exists. Planning
/// 10:00–10:10 adds [10:02, 10:05) and [10:05, 10:10). The 10:00 cell now has two chunks;
/// together they cover it exactly and a row belongs to the one containing its timestamp.
/// Existing chunks are never split or merged, so their state, rows and leases stay valid.
public enum ChunkPlanner {
    static let chunkMillis: Int64 = 5 * 60_000

    /// Cuts `range` on the 5-minute grid.
    public static func gridChunks(_ range: TimeRange) -> [TimeRange] {
        var chunks: [TimeRange] = []
        var start = range.startMillis
        while start < range.endMillis {
            let cellEnd = floorToGrid(start) + chunkMillis
            let end = min(cellEnd, range.endMillis)
            chunks.append(TimeRange(startMillis: start, endMillis: end))
            start = end
        }
        return chunks
    }

    /// The chunks to add so that `requested` is covered, given `existing` chunks
    /// (non-overlapping; any order). Result is sorted and overlaps nothing in `existing`.
    public static func newChunks(requested: TimeRange, existing: [TimeRange]) -> [TimeRange] {
        var result: [TimeRange] = []
        var cursor = requested.startMillis
        for chunk in existing.sorted() where chunk.endMillis > requested.startMillis && chunk.startMillis < requested.endMillis {
            if chunk.startMillis > cursor {
                result += gridChunks(TimeRange(startMillis: cursor, endMillis: chunk.startMillis))
            }
            cursor = max(cursor, chunk.endMillis)
        }
        if cursor < requested.endMillis {
            result += gridChunks(TimeRange(startMillis: cursor, endMillis: requested.endMillis))
        }
        return result
    }

    static func floorToGrid(_ millis: Int64) -> Int64 {
        millis - ((millis % chunkMillis) + chunkMillis) % chunkMillis
    }
}
