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
    /// Budgets one claim holds at most: a claim above one budget is fetched in parts of at most
    /// a budget each, cut at minute boundaries (not chunk boundaries), so its queries come back
    /// nearly full; only its last part is a remainder.
    public var budgetsPerClaim = 4
    /// Chunks one claim covers at most (a day of 5-minute chunks).
    public var maxChunksPerQuery = 288

    /// Events one claim holds at most.
    public var claimBudget: Int { budget * max(1, budgetsPerClaim) }

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
        var cursor = startMillis
        while cursor < endMillis {
            let minute = cursor - ((cursor % 60_000) + 60_000) % 60_000
            let cellEnd = min(endMillis, minute + 60_000)
            let events = minutes[minute] ?? 0
            if events > budget {
                let tens = try await counts(startMillis: cursor, endMillis: cellEnd, bin: "10s")
                var inner = cursor
                while inner < cellEnd {
                    let ten = inner - ((inner % 10_000) + 10_000) % 10_000
                    let innerEnd = min(cellEnd, ten + 10_000)
                    cells.append((TimeRange(startMillis: inner, endMillis: innerEnd), tens[ten] ?? 0))
                    inner = innerEnd
                }
            } else {
                cells.append((TimeRange(startMillis: cursor, endMillis: cellEnd), events))
            }
            cursor = cellEnd
        }
        return Self.group(cells, budget: budget, slack: Self.slack(budget: budget))
    }

    /// Consecutive cells cut into the fewest parts of about the same count, each at most
    /// `budget` + `slack`: as many parts as the budget needs (ceil(total / budget)), cut at the
    /// cell boundaries nearest to equal shares, one part more while a part is too large (a
    /// single cell stays one part whatever its count). Equal shares rather than greedy filling:
    /// greedy parts of about the budget leave a small remainder part at the end of each claim.
    static func group(_ cells: [(TimeRange, Int)], budget: Int, slack: Int = 0) -> [TimeRange] {
        guard let first = cells.first, let last = cells.last else { return [] }
        let total = cells.reduce(0) { $0 + $1.1 }
        var count = max(1, (total + budget - 1) / max(1, budget))
        // Bounded: at most one part per cell.
        while true {
            var parts: [(TimeRange, Int)] = []
            var (start, events, running, index) = (first.0.startMillis, 0, 0, 1)
            for (range, cell) in cells {
                let share = Double(total) * Double(index) / Double(count)
                if index < count, range.startMillis > start, Double(running) + Double(cell) / 2 > share {
                    parts.append((TimeRange(startMillis: start, endMillis: range.startMillis), events))
                    (start, events, index) = (range.startMillis, 0, index + 1)
                }
                events += cell
                running += cell
            }
            parts.append((TimeRange(startMillis: start, endMillis: last.0.endMillis), events))
            if count >= cells.count || parts.allSatisfy({ $0.1 <= budget + slack }) { return parts.map(\.0) }
            count += 1
        }
    }
}

extension DensityCounter {
    /// How far above the budget an equal-share part may go: half the margin to a full answer.
    static func slack(budget: Int) -> Int { max(0, (InsightsQueryText.maximumLimit - budget) / 2) }
}

/// A density answer without the bin or count it should hold.
struct DensityCountUnreadable: Error, CustomStringConvertible {
    let row: String
    var description: String { "a density count's row is unreadable: \(row)" }
}
