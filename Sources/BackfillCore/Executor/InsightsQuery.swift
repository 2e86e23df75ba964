import AccessLog
import Foundation

/// One Logs Insights query over whole seconds, as StartQuery takes it.
public struct InsightsQuery: Sendable, Equatable {
    public var logGroups: [String]
    /// Inclusive bounds in epoch seconds (Insights' own semantics).
    public var startSecond: Int64
    public var endSecond: Int64
    public var queryString: String
    public var limit: Int
    /// A `stats` query: its rows are read field by field (`InsightsQueryResult.fieldRows`).
    var isStatistics = false
}

/// What a query returned once it completed.
public struct InsightsQueryResult: Sendable {
    public var rows: [InsightsRow]
    /// `statistics.recordsMatched`: more than `rows.count` means the result was cut off.
    public var recordsMatched: Int
    public var bytesScanned: Double
    /// A `stats` query's rows, each a field → value map (e.g. `bin(5m)`, `count(*)`).
    public var fieldRows: [[String: String]] = []
}

/// Runs one query to completion (start, poll, fetch results). The seam between the chunk
/// logic, which must never lose a row, and the AWS client, which must respect quotas.
public protocol InsightsQueryRunning: Sendable {
    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult
}

/// The query text for a backfill: fetch the three fields the row rules read, oldest first,
/// as many rows as Insights allows, filtered server-side by the dataset's filter (a superset
/// of its rules; see `InsightsFilterText`).
public enum InsightsQueryText {
    public static let maximumLimit = 10_000

    public static func backfill(dataset: Dataset, logStream: String? = nil) -> String {
        var parts = ["fields @timestamp, @message, @ptr, @logStream"]
        if let logStream {
            parts.append("filter @logStream = \"\(escapeString(logStream))\"")
        }
        if let filter = dataset.serverFilter {
            parts.append("filter \(filter)")
        }
        parts.append("sort @timestamp asc")
        parts.append("limit \(maximumLimit)")
        return parts.joined(separator: " | ")
    }

    /// A density count: events per `bin` (e.g. `5m`, `1m`, `10s`) with the same filters as
    /// `backfill(dataset:logStream:)`, so a count is what that query would match.
    public static func density(dataset: Dataset, logStream: String? = nil, bin: String) -> String {
        var parts: [String] = []
        if let logStream {
            parts.append("filter @logStream = \"\(escapeString(logStream))\"")
        }
        if let filter = dataset.serverFilter {
            parts.append("filter \(filter)")
        }
        parts.append("stats count(*) as events by bin(\(bin))")
        return parts.joined(separator: " | ")
    }

    /// The access dataset's query with these path filters.
    public static func backfill(filter: PathFilter, logStream: String? = nil) -> String {
        backfill(dataset: .access(filter: filter), logStream: logStream)
    }

    static func includeFilter(_ prefixes: [String]) -> String? { InsightsFilterText.anyPrefix(prefixes) }

    static func slashTolerantRegex(_ prefix: String) -> String? { InsightsFilterText.slashTolerantRegex(prefix) }

    /// A string literal of the query language: only `\` and `"` are escaped (not the JSON rule
    /// of `JSONText`, which also escapes control characters the query text keeps as they are).
    static func escapeString(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
