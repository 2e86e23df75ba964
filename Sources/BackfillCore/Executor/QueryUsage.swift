import Synchronization

/// What one chunk's attempt spent at Insights: every StartQuery and GetQueryResults request
/// sent (throttled, failed and retried ones included) and the records and bytes scanned by
/// its queries. The query runner adds to the meter of the task it runs in (`current`), so the
/// executor records an attempt's cost whether the attempt succeeds, fails, or loses its lease.
public final class QueryUsage: Sendable {
    public struct Totals: Sendable, Equatable {
        public var startQueryCalls = 0
        public var getQueryResultsCalls = 0
        public var recordsMatched: Int64 = 0
        public var bytesScanned: Int64 = 0
        public init() {}
    }

    private let totals = Mutex(Totals())

    public init() {}

    /// The meter of the running task (nil outside a chunk attempt: nothing is recorded).
    @TaskLocal public static var current: QueryUsage?

    public func startQuerySent() { totals.withLock { $0.startQueryCalls += 1 } }
    public func getQueryResultsSent() { totals.withLock { $0.getQueryResultsCalls += 1 } }
    public func scanned(recordsMatched: Int, bytes: Double) {
        totals.withLock {
            $0.recordsMatched += Int64(recordsMatched)
            $0.bytesScanned += Int64(bytes.rounded())
        }
    }

    /// The totals so far, and the meter reset to zero (each attempt is recorded once).
    public func take() -> Totals {
        totals.withLock { value in
            defer { value = Totals() }
            return value
        }
    }
}
