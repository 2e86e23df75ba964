// Requests-per-second quota: `rate` tokens per second, bursts up to one second's worth.

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
}
