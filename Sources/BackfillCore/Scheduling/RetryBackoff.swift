/// Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): attempt n waits a uniformly random time in [0, min(cap, base · 2ⁿ)].
/// Full jitter spreads retries of many chunks that failed together, so they do not come
/// back as a synchronized wave.
public struct RetryBackoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 0.5, cap: Double = 30) {
        self.base = base
        self.cap = cap
    }

    /// The upper bound of the wait before retry number `attempt` (1 = first retry).
    public func ceiling(attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        return min(cap, base * Double(sign: .plus, exponent: Int(exponent), significand: 1))
    }

    /// A jittered delay in seconds for retry number `attempt`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        Double.random(in: 0...ceiling(attempt: attempt), using: &generator)
    }
}
