/// Every retry rule of pulp-backfill in one place: how an error is classified, how long to
/// wait before the next try, and how many tries each level gets. The AWS layer, the
/// Insights query runner and the backfill executor all decide through these types; none
/// keeps a rule of its own. The README's "Retries" section gives the worst-case counts.

/// What trying again can do about an error.
public enum RetryClass: Sendable, Equatable {
    /// The service asks us to slow down (ThrottlingException, LimitExceeded, SlowDown):
    /// never a failure on its own; the caller lowers its rate and tries again.
    case throttle
    /// Worth another try after a pause: 5xx, connection resets, a query that ended Failed.
    case transient
    /// The same request fails the same way every time: bad credentials, access denied,
    /// a second too dense for one answer.
    case permanent
}

/// Errors that know their class. Errors that do not are treated as `.transient`: attempts
/// are bounded, and giving up too early loses a run, while one retry too many costs a query.
public protocol RetryClassifying: Error {
    var retryClass: RetryClass { get }
}

extension RetryClass {
    /// The class of any error (unknown errors: transient).
    public static func of(_ error: any Error) -> RetryClass {
        (error as? any RetryClassifying)?.retryClass ?? .transient
    }
}

/// Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): the wait before retry n is uniform in [0, min(cap, base · 2ⁿ⁻¹)]. Full jitter
/// spreads the retries of many requests that failed together, so they do not come back as
/// a synchronized wave.
public struct FullJitterBackoff: Sendable, Equatable {
    /// Seconds.
    public var base: Double
    /// Seconds.
    public var cap: Double

    /// The upper bound of the wait (seconds) before retry number `retry` (1 = first retry).
    public func ceiling(retry: Int) -> Double {
        let exponent = min(max(retry - 1, 0), 62)
        return min(cap, base * Double(sign: .plus, exponent: exponent, significand: 1))
    }

    /// A jittered wait in seconds before retry number `retry`.
    public func delay(retry: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let ceiling = ceiling(retry: retry)
        return ceiling <= 0 ? 0 : Double.random(in: 0...ceiling, using: &generator)
    }

    public func delay(retry: Int) -> Duration {
        var rng = SystemRandomNumberGenerator()
        return .milliseconds(Int64((delay(retry: retry, using: &rng) * 1000).rounded()))
    }
}

/// What to do after attempt `attempt` (counting from 1) failed with an error of `errorClass`,
/// when `maxAttempts` tries are allowed: give up, or wait up to `ceiling` seconds (jittered)
/// and try again. Throttling is not decided here: it is retried by the pacing of its API.
public struct RetryRule: Sendable, Equatable {
    public var maxAttempts: Int
    public var backoff: FullJitterBackoff

    public init(maxAttempts: Int, backoff: FullJitterBackoff) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
    }

    public enum Decision: Sendable, Equatable {
        case retry(ceilingSeconds: Double)
        case giveUp
    }

    public func decide(after attempt: Int, _ errorClass: RetryClass) -> Decision {
        guard errorClass != .permanent, attempt < maxAttempts else { return .giveUp }
        return .retry(ceilingSeconds: backoff.ceiling(retry: attempt))
    }
}

/// The attempts of each level, and their backoffs. Levels nest: an hour's upload is tried
/// `hour.maxAttempts` times, each of its S3 requests `awsRequest.maxAttempts` times.
public struct RetryBudget: Sendable, Equatable {
    /// One AWS request (S3 uploads, STS, credentials): boto3's "standard" mode, 3 tries,
    /// unless `AWS_MAX_ATTEMPTS` or the profile's `max_attempts` say otherwise.
    public var awsRequest = RetryRule(maxAttempts: 3, backoff: FullJitterBackoff(base: 0.1, cap: 20))
    /// Throttled answers tolerated for one Insights request (StartQuery, GetQueryResults)
    /// before it fails: each one also slows that API's pacing down by 30 %.
    public var throttledRequest = 200
    /// GetQueryResults requests of one query that may fail in a row (5xx, resets) before the
    /// query is abandoned (stopped) and its chunk attempt fails.
    public var poll = RetryRule(maxAttempts: 5, backoff: FullJitterBackoff(base: 0.2, cap: 5))
    /// Tries of one chunk within a run (`--max-attempts`); each try runs its queries anew.
    public var chunk = RetryRule(maxAttempts: 5, backoff: FullJitterBackoff(base: 0.5, cap: 30))
    /// Tries of writing and storing one hour's file within a run; only the destinations
    /// that failed are tried again.
    public var hour = RetryRule(maxAttempts: 3, backoff: FullJitterBackoff(base: 1, cap: 30))

    public init() {}

    /// Base delay for the AWS layer's retries after a throttled answer (boto3: longer).
    public static let awsThrottledBackoff = FullJitterBackoff(base: 0.5, cap: 20)

    /// The most times one Insights request of a chunk is sent in one run: every chunk try
    /// may meet `throttledRequest` throttles before its request goes through.
    public var worstCaseInsightsRequestTries: Int { chunk.maxAttempts * (throttledRequest + 1) }

    /// The most times one S3 request of an hour is sent in one run.
    public var worstCaseUploadRequestTries: Int { hour.maxAttempts * awsRequest.maxAttempts }
}
