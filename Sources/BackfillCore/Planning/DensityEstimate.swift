import Catalog

/// What the density counts already stored say about a range's unfinished chunks: the rows
/// expected and the queries a run would send for them (`plan --dry-run`), planned the way the
/// executor claims: adjacent counted chunks form a claim while their counts add up to
/// `claimBudget`, fetched by one query per part's worth (`partCapacity`, cut at minutes, so
/// about that).
public struct DensityEstimate: Sendable, Equatable {
    /// Unfinished chunks with a count, and the rows counted in them.
    public var countedChunks = 0
    public var expectedRows = 0
    /// StartQuery calls for those chunks (no count queries: they are counted already).
    public var expectedQueries = 0
    /// Unfinished chunks without a count (a run counts their days first).
    public var uncountedChunks = 0

    public init(chunks: [CountedChunk], planning: DensityPlanning = DensityPlanning()) {
        var open: (end: Int64, rows: Int, chunks: Int)? = nil
        func close() {
            if let run = open { expectedQueries += max(1, (run.rows + planning.partCapacity - 1) / planning.partCapacity) }
            open = nil
        }
        for chunk in chunks where chunk.state != .done {
            guard let expected = chunk.expectedRows else {
                uncountedChunks += 1
                close()
                continue
            }
            countedChunks += 1
            expectedRows += expected
            if let run = open, run.end == chunk.range.startMillis, run.rows + expected <= planning.claimBudget,
               run.chunks < planning.maxChunksPerQuery {
                open = (chunk.range.endMillis, run.rows + expected, run.chunks + 1)
            } else {
                close()
                open = (chunk.range.endMillis, expected, 1)
            }
        }
        close()
    }
}
