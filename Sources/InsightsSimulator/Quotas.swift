// Quotas: requests per second per operation (a token bucket each) and the account's limit
// on concurrent queries.

/// Requests-per-second quota: `rate` tokens per second, bursts up to one second's worth.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var lastRefillNs: UInt64

    init(rate: Double, nowNs: UInt64) {
        self.rate = rate
        capacity = max(1, rate)
        tokens = capacity
        lastRefillNs = nowNs
    }

    mutating func take(nowNs: UInt64) -> Bool {
        guard rate > 0 else { return true }  // 0 = unlimited
        if nowNs > lastRefillNs {
            tokens = min(capacity, tokens + Double(nowNs - lastRefillNs) / 1e9 * rate)
            lastRefillNs = nowNs
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// A full bucket per operation at its configured rate (an operation left out: unlimited).
    static func perOperation(_ config: SimulatorConfiguration, nowNs: UInt64) -> [SimulatorOperation: TokenBucket] {
        Dictionary(uniqueKeysWithValues: SimulatorOperation.allCases.map {
            ($0, TokenBucket(rate: config.requestsPerSecond[$0] ?? 0, nowNs: nowNs))
        })
    }
}

extension SimulatorService.State {
    /// Takes a token for `operation`; the throttle it answers when the bucket is empty.
    mutating func admitRequest(_ operation: SimulatorOperation, nowNs: UInt64) -> SimulatedServiceError? {
        guard buckets[operation]?.take(nowNs: nowNs) == false else { return nil }
        statistics.throttles += 1
        return .throttling()
    }

    /// The LimitExceededException a new query gets while `maxConcurrentQueries` are active.
    /// `active` must be pruned first, so queries that have ended do not count.
    mutating func admitQuery(_ config: SimulatorConfiguration) -> SimulatedServiceError? {
        guard active.count >= config.maxConcurrentQueries else { return nil }
        statistics.limitExceeded += 1
        return .limitExceeded(config.maxConcurrentQueries)
    }
}
