import Catalog

/// CloudWatch Logs Insights quotas the scheduler respects (defaults: AWS's quotas).
public struct InsightsQuotas: Sendable, Equatable {
    public var maxConcurrentQueries = 30
    public var startQueryPerSecond = 5.0
    public var getQueryResultsPerSecond = 5.0

    /// AWS's quotas; the CLI sets what `plan --dry-run`'s options change.
    public init() {}
}

/// What `plan --dry-run` prints: how much work a plan is and the fastest it could possibly go.
///
/// Model: one StartQuery per chunk; each query is polled with GetQueryResults
/// `pollsPerQuery` times (at least one "Running" answer and one "Complete" answer) and runs
/// at least `querySeconds`. The minimum duration is the largest of the three bottlenecks:
/// StartQuery rate, GetQueryResults rate, and concurrent queries × query time.
/// Chunks whose result is full (10 000 rows) need extra queries; those are not predictable
/// before running, so the estimate is a lower bound.
public struct DryRunEstimate: Sendable, Equatable {
    public let chunks: Int
    public let hours: Int
    public let startQueryCalls: Int
    public let getQueryResultsCalls: Int
    public let minimumSeconds: Double
    /// Which quota sets `minimumSeconds`.
    public let bottleneck: String

    public init(chunks: [TimeRange], quotas: InsightsQuotas, pollsPerQuery: Int = 2, querySeconds: Double = 1) {
        self.chunks = chunks.count
        hours = Set(chunks.map { (chunk: TimeRange) -> Int64 in Catalog.hourStart(chunk.startMillis) }).count
        startQueryCalls = chunks.count
        getQueryResultsCalls = chunks.count * pollsPerQuery
        let byStart = Double(startQueryCalls) / quotas.startQueryPerSecond
        let byPolls = Double(getQueryResultsCalls) / quotas.getQueryResultsPerSecond
        let byConcurrency = Double(chunks.count) * querySeconds / Double(max(1, quotas.maxConcurrentQueries))
        let candidates = [("StartQuery rate", byStart), ("GetQueryResults rate", byPolls), ("concurrent queries", byConcurrency)]
        let worst = candidates.max { $0.1 < $1.1 }!
        minimumSeconds = worst.1
        bottleneck = worst.0
    }
}

/// `1h 02m 03s`-style durations for people.
public enum DurationFormat {
    public static func text(seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        if h > 0 { return "\(h)h \(m < 10 ? "0" : "")\(m)m \(s < 10 ? "0" : "")\(s)s" }
        if m > 0 { return "\(m)m \(s < 10 ? "0" : "")\(s)s" }
        return "\(s)s"
    }
}
