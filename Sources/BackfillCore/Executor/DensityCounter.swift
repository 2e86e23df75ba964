import AccessLog
import Catalog

/// How a run plans its queries from density counts (`--query-budget`, `--one-query-per-chunk`).
public struct DensityPlanning: Sendable {
    /// Off: one query per chunk, continued when full (the behaviour before density counts).
    public var enabled = true
    /// Events one query should carry at most: adjacent chunks share a query while their counts
    /// add up to this, and chunks counted above it are fetched in parts cut at minutes. Below
    /// the 10,000 rows of an answer, so events that arrive after counting rarely need a
    /// continuation.
    public var budget = 8_000
    /// Parts one claim holds at most: a claim above one budget is fetched in parts of at most
    /// `partCapacity` each, cut at minute boundaries (not chunk boundaries), so its queries come
    /// back nearly full. Two, not more: a claim's rows stay in memory until all its parts are in
    /// (4 budgets took a day's run at the default concurrency from 167 to 270 MB).
    var budgetsPerClaim = 2
    /// Chunks one claim covers at most (a day of 5-minute chunks).
    var maxChunksPerQuery = 288

    /// Events one part of a claim may carry: the budget and a slack (`DensityCounter.slack`,
    /// 9,000 for the default budget), still below an answer's 10,000 rows.
    var partCapacity: Int { budget + DensityCounter.slack(budget: budget) }
    /// Events one claim holds at most.
    var claimBudget: Int { partCapacity * max(1, budgetsPerClaim) }

    /// How many parts the range needs by the stored minute counts (the executor's own cut), so
    /// a claim ends where its parts are best filled.
    var partsNeeded: @Sendable ([Int64: Int], TimeRange) -> Int {
        let (budget, slack) = (budget, DensityCounter.slack(budget: budget))
        return { minutes, range in
            DensityCounter.group(DensityCounter.minuteCells(minutes, range: range), budget: budget, slack: slack).count
        }
    }

    public init() {}
}

/// Counts events per time bin with the backfill's own filters (`stats count(*) by bin(…)`),
/// so a count is what the fetch query would match; and sizes the parts of a dense chunk.
struct DensityCounter: Sendable {
    let runner: any InsightsQueryRunning
    let logGroups: [String]
    let dataset: Dataset
    let logStream: String?

    /// Events per bin in `[startMillis, endMillis)`, keyed by the bin's start (bins without
    /// events are absent). Bins are aligned to the epoch, as Insights aligns them.
    func counts(startMillis: Int64, endMillis: Int64, bin: String) async throws -> [Int64: Int] {
        let field = "bin(\(bin))"
        let query = InsightsQuery(logGroups: logGroups, startSecond: UTCFormat.floorDivide(startMillis, 1000).0,
                                  endSecond: UTCFormat.floorDivide(endMillis - 1, 1000).0,
                                  queryString: InsightsQueryText.density(dataset: dataset, logStream: logStream, bin: bin),
                                  limit: InsightsQueryText.maximumLimit, isStatistics: true)
        let result = try await runner.run(query)
        var counts: [Int64: Int] = [:]
        for row in result.fieldRows {
            guard let text = row[field], let nanos = InsightsTimestamp.parseNanos(text),
                  let count = row["events"].flatMap({ Int($0) }) else {
                throw DensityCountUnreadable(row: row.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            counts[UTCFormat.floorDivide(nanos, 1_000_000).0, default: 0] += count
        }
        return counts
    }

    /// `[startMillis, endMillis)` cut into consecutive parts of about `budget` counted events
    /// each (at most half the margin to an answer's 10,000 rows above it): by minute, and a
    /// minute above the budget by 10 seconds (`bin(10s)`). A 10-second bin above the budget
    /// stays one part (its fetch is continued when full).
    /// `minutes`: the counts stored when the day was counted (nil: counted here).
    func parts(startMillis: Int64, endMillis: Int64, budget: Int, minutes stored: [Int64: Int]? = nil) async throws -> [TimeRange] {
        let minutes: [Int64: Int]
        if let stored { minutes = stored } else { minutes = try await counts(startMillis: startMillis, endMillis: endMillis, bin: "1m") }
        var cells: [(TimeRange, Int)] = []
        for (minute, events) in Self.minuteCells(minutes, range: TimeRange(startMillis: startMillis, endMillis: endMillis)) {
            guard events > budget else {
                cells.append((minute, events))
                continue
            }
            let tens = try await counts(startMillis: minute.startMillis, endMillis: minute.endMillis, bin: "10s")
            cells += Self.cells(tens, range: minute, width: 10_000)
        }
        return Self.group(cells, budget: budget, slack: Self.slack(budget: budget))
    }

    /// `range` cut at minute boundaries, each piece with its stored count (0 when none).
    static func minuteCells(_ minutes: [Int64: Int], range: TimeRange) -> [(TimeRange, Int)] {
        cells(minutes, range: range, width: 60_000)
    }

    /// `range` cut at multiples of `width` milliseconds, each piece with the count `counts` holds
    /// for the multiple it starts in (0 when none).
    static func cells(_ counts: [Int64: Int], range: TimeRange, width: Int64) -> [(TimeRange, Int)] {
        var cells: [(TimeRange, Int)] = []
        var cursor = range.startMillis
        while cursor < range.endMillis {
            let bin = cursor - ((cursor % width) + width) % width
            let cellEnd = min(range.endMillis, bin + width)
            cells.append((TimeRange(startMillis: cursor, endMillis: cellEnd), counts[bin] ?? 0))
            cursor = cellEnd
        }
        return cells
    }

    /// Consecutive cells cut into the fewest parts that each hold at most `budget` + `slack`
    /// (a single cell above that stays one part whatever its count), and among those cuts the
    /// most even one: the smallest part size that still needs no more parts. Even parts rather
    /// than greedily filled ones: greedy parts leave a small remainder at the end of each
    /// claim; fewest rather than "total ÷ capacity": a dense minute next to a cut point would
    /// otherwise push a part over and cost one more query.
    static func group(_ cells: [(TimeRange, Int)], budget: Int, slack: Int = 0) -> [TimeRange] {
        guard !cells.isEmpty else { return [] }
        let capacity = max(1, budget + slack)
        let fewest = cut(cells, limit: capacity).count
        let total = cells.reduce(0) { $0 + $1.1 }
        // Bounded: a binary search over part sizes from an even share up to the capacity.
        var (low, high) = (max(1, (total + fewest - 1) / fewest), capacity)
        while low < high {
            let middle = (low + high) / 2
            if cut(cells, limit: middle).count <= fewest { high = middle } else { low = middle + 1 }
        }
        return cut(cells, limit: max(low, 1))
    }

    /// Parts filled in order while they stay at or under `limit` (a cell above it is a part alone).
    private static func cut(_ cells: [(TimeRange, Int)], limit: Int) -> [TimeRange] {
        var parts: [TimeRange] = []
        var (start, events) = (cells[0].0.startMillis, 0)
        var end = start
        for (range, cell) in cells {
            // Cells without events never start a part: they join the part they follow.
            if events > 0, cell > 0, events + cell > limit {
                parts.append(TimeRange(startMillis: start, endMillis: end))
                (start, events) = (range.startMillis, 0)
            }
            events += cell
            end = range.endMillis
        }
        parts.append(TimeRange(startMillis: start, endMillis: end))
        return parts
    }
}

extension DensityCounter {
    /// How far above the budget an equal-share part may go: half the margin to a full answer,
    /// and at most an eighth of the budget (8,000 → 9,000; a small `--query-budget` stays small).
    static func slack(budget: Int) -> Int { max(0, min((InsightsQueryText.maximumLimit - budget) / 2, budget / 8)) }
}

/// A density answer without the bin or count it should hold.
struct DensityCountUnreadable: Error, CustomStringConvertible {
    let row: String
    var description: String { "a density count's row is unreadable: \(row)" }
}
