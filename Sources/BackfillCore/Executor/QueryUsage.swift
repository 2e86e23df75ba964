import Synchronization

/// What one chunk's attempt spent at Insights: every StartQuery and GetQueryResults request
/// sent (throttled, failed and retried ones included) and the records and bytes scanned by
/// its queries. The query runner adds to the meter of the task it runs in (`current`), so the
/// executor records an attempt's cost whether the attempt succeeds, fails, or loses its lease.
final class QueryUsage: Sendable {
    struct Totals: Sendable, Equatable {
        var startQueryCalls = 0
        var getQueryResultsCalls = 0
        var recordsMatched: Int64 = 0
        var bytesScanned: Int64 = 0
        init() {}
    }

    private let totals = Mutex(Totals())

    init() {}

    /// The meter of the running task (nil outside a chunk attempt: nothing is recorded).
    @TaskLocal static var current: QueryUsage?

    func startQuerySent() { totals.withLock { $0.startQueryCalls += 1 } }
    func getQueryResultsSent() { totals.withLock { $0.getQueryResultsCalls += 1 } }
    func scanned(recordsMatched: Int, bytes: Double) {
        totals.withLock {
            $0.recordsMatched += Int64(recordsMatched)
            $0.bytesScanned += Int64(bytes.rounded())
        }
    }

    /// The totals so far, and the meter reset to zero (each attempt is recorded once).
    func take() -> Totals {
        totals.withLock { value in
            defer { value = Totals() }
            return value
        }
    }
}
