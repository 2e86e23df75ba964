/// How often a failed call is tried again, like boto3's "standard" retry mode: only errors
/// that are `isRetryable`, exponential backoff with full jitter, a longer base delay when
/// throttled. `maxAttempts` comes from `AWS_MAX_ATTEMPTS` or the profile's `max_attempts`
/// (default 3). A scheduler that runs its own backoff can pass `.none`.
public struct AWSRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var throttledBaseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int, baseDelay: Duration = .milliseconds(100),
                throttledBaseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.throttledBaseDelay = throttledBaseDelay
        self.maxDelay = maxDelay
    }

    public static let standard = AWSRetryPolicy(maxAttempts: 3)
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    /// Delay before attempt `attempt + 1` (attempt counts from 1): uniform in
    /// [0, min(maxDelay, base · 2^(attempt-1))].
    public func delay(afterAttempt attempt: Int, throttled: Bool) -> Duration {
        let base = throttled ? throttledBaseDelay : baseDelay
        let ceiling = min(maxDelay, base * (1 << min(attempt - 1, 20)))
        let nanos = ceiling.nanoseconds
        return nanos <= 0 ? .zero : .nanoseconds(Int64.random(in: 0...nanos))
    }

    /// Runs `body` until it succeeds, fails with a non-retryable error, or attempts run out.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as AWSError where error.isRetryable && attempt < maxAttempts {
                try await Task.sleep(for: delay(afterAttempt: attempt, throttled: error.isThrottling))
                attempt += 1
            }
        }
    }
}
