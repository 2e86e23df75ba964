import Catalog

/// What the density counts already stored say about a range's unfinished chunks: the rows
/// expected and the queries a run would send for them (`plan --dry-run`), planned the way the
/// executor claims: adjacent counted chunks share a query while their counts add up to the
/// budget; a chunk above it takes a finer count and one query per budget's worth.
public struct DensityEstimate: Sendable, Equatable {
    /// Unfinished chunks with a count, and the rows counted in them.
    public var countedChunks = 0
    public var expectedRows = 0
    /// StartQuery calls for those chunks (no count queries: they are counted already).
    public var expectedQueries = 0
    /// Unfinished chunks without a count (a run counts their days first).
    public var uncountedChunks = 0

    public init(chunks: [CountedChunk], budget: Int = DensityPlanning().budget,
                maxChunksPerQuery: Int = DensityPlanning().maxChunksPerQuery) {
        var open: (end: Int64, rows: Int, chunks: Int)? = nil
        for chunk in chunks where chunk.state != .done {
            guard let expected = chunk.expectedRows else {
                uncountedChunks += 1
                open = nil
                continue
            }
            countedChunks += 1
            expectedRows += expected
            if expected > budget {
                expectedQueries += 1 + (expected + budget - 1) / budget
                open = nil
            } else if let run = open, run.end == chunk.range.startMillis, run.rows + expected <= budget, run.chunks < maxChunksPerQuery {
                open = (chunk.range.endMillis, run.rows + expected, run.chunks + 1)
            } else {
                expectedQueries += 1
                open = (chunk.range.endMillis, expected, 1)
            }
        }
    }
}
