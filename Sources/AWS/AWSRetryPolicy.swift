import Retry

/// How often a failed AWS request is tried again, like boto3's "standard" retry mode: only
/// errors that are not `.permanent`, full-jitter backoff (`Retry`), a longer base delay when
/// throttled. `maxAttempts` comes from `AWS_MAX_ATTEMPTS` or the profile's `max_attempts`
/// (default: `RetryBudget().awsRequest`). A scheduler that runs its own backoff passes `.none`.
public struct AWSRetryPolicy: Sendable, Equatable {
    public var rule: RetryRule
    public var throttledBackoff: FullJitterBackoff

    public var maxAttempts: Int { rule.maxAttempts }

    public init(maxAttempts: Int, backoff: FullJitterBackoff = RetryBudget().awsRequest.backoff,
                throttledBackoff: FullJitterBackoff = RetryBudget.awsThrottledBackoff) {
        rule = RetryRule(maxAttempts: maxAttempts, backoff: backoff)
        self.throttledBackoff = throttledBackoff
    }

    public static let standard = AWSRetryPolicy(maxAttempts: RetryBudget().awsRequest.maxAttempts)
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    /// Runs `body` until it succeeds, fails with a permanent error, or attempts run out.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as AWSError {
                let errorClass = error.retryClass
                guard case .retry = rule.decide(after: attempt, errorClass == .throttle ? .transient : errorClass) else { throw error }
                let backoff = errorClass == .throttle ? throttledBackoff : rule.backoff
                try await Task.sleep(for: backoff.delay(retry: attempt))
                attempt += 1
            }
        }
    }
}

extension AWSError: RetryClassifying {
    public var retryClass: RetryClass {
        if isThrottling { return .throttle }
        return isRetryable ? .transient : .permanent
    }
}
