/// Pacing of one API's requests: a token bucket whose rate adapts to throttling.
///
/// `RequestPacing` is the pure arithmetic (times in seconds, no clock), so tests can drive
/// it deterministically; `RequestRateLimiter` wraps it in an actor that sleeps.
///
/// The bucket is kept as "the earliest time the next request may go": each reservation
/// takes the slot at `max(now - burst window, next)` and pushes `next` on by `1 / rate`.
/// Reservations are handed out in call order, so waiting requests are served FIFO.
///
/// Throttling answers (ThrottlingException, LimitExceededException) cut the rate
/// multiplicatively; successes raise it additively back towards the configured rate —
/// the AIMD shape of the AWS SDKs' adaptive retry mode, without its CUBIC curve.
public struct RequestPacing: Sendable, Equatable {
    let maximumRate: Double
    public let minimumRate: Double
    public let burst: Double
    public private(set) var rate: Double
    private var next: Double = -.infinity

    /// Fraction of the rate kept after a throttle (AWS SDKs use 0.7).
    static let decreaseFactor = 0.7
    /// Each success gives back this fraction of the maximum rate.
    static let increaseFraction = 0.02

    public init(rate: Double, burst: Double = 1, minimumRate: Double? = nil) {
        precondition(rate > 0, "rate must be positive")
        self.maximumRate = rate
        self.rate = rate
        self.burst = max(1, burst)
        self.minimumRate = min(rate, minimumRate ?? max(rate / 50, 0.05))
    }

    /// Reserves the next slot; returns how long to wait from `now` (0 when a token is free).
    public mutating func reserve(now: Double) -> Double {
        let interval = 1 / rate
        let slot = max(next, now - (burst - 1) * interval)
        next = slot + interval
        let wait = slot - now
        return wait > 1e-9 ? wait : 0  // sub-nanosecond waits are float noise of summed intervals
    }

    public mutating func recordThrottle() {
        rate = max(minimumRate, rate * Self.decreaseFactor)
    }

    public mutating func recordSuccess() {
        rate = min(maximumRate, rate + maximumRate * Self.increaseFraction)
    }
}

/// The sleeping side of `RequestPacing`, shared by all tasks that call one API.
public actor RequestRateLimiter {
    private var pacing: RequestPacing
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    public private(set) var throttles = 0

    public init(rate: Double, burst: Double = 1) {
        pacing = RequestPacing(rate: rate, burst: burst)
        origin = clock.now
    }

    /// Waits for this caller's slot. Throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        let now = origin.duration(to: clock.now).seconds
        let wait = pacing.reserve(now: now)
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
    }

    public func recordThrottle() { throttles += 1; pacing.recordThrottle() }
    public func recordSuccess() { pacing.recordSuccess() }
    var currentRate: Double { pacing.rate }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
