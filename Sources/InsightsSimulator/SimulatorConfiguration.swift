// Every knob of the simulated service. Defaults follow design.md §5 (quotas) and give
// realistic latencies; tests scale the latencies down.

public struct SimulatorConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 0
    public var logGroupName = "/aws/containerinsights/pulp-prod/application"
    public var accountId = "123456789012"

    // Quotas.
    public var maxConcurrentQueries = 30
    public var startQueryRate = 5.0
    public var getResultsRate = 5.0
    /// StopQuery and DescribeLogGroups have their own buckets (AWS: 5 and 10 per second).
    public var stopQueryRate = 5.0
    public var describeLogGroupsRate = 10.0
    /// Queries whose modelled run time exceeds this end as `Timeout` (AWS: 60 minutes).
    public var queryTimeoutMs: Int64 = 3_600_000

    // Time model.
    /// Per-response latency range in milliseconds.
    public var latencyMs: ClosedRange<Int> = 5...25
    /// Query duration = fixed part + part per MiB scanned, times a jitter factor in [1-j, 1+j].
    public var queryBaseMs: Double = 1500
    public var queryMsPerMiB: Double = 40
    public var queryJitter: Double = 0.2
    /// Share of the duration spent `Scheduled` before `Running`.
    public var scheduledFraction: Double = 0.2

    // Faults (probabilities 0–1), drawn from a generator seeded with `faultSeed`.
    public var faultThrottle = 0.0
    public var fault5xx = 0.0
    public var faultReset = 0.0
    public var faultQueryFailed = 0.0
    public var faultSlow = 0.0
    public var slowResponseMs = 3000
    public var faultSeed: UInt64 = 42

    /// When set (`--require-sigv4`), every API request must carry a valid SigV4 signature.
    public var sigV4: SigV4Verifier?

    /// Finished queries are forgotten after this long, and beyond this many (oldest first), so a
    /// months-long backfill cannot pile up results in memory. GetQueryResults on a forgotten
    /// query answers ResourceNotFoundException.
    public var resultRetentionMs: Int64 = 15 * 60 * 1000
    public var maxRetainedQueries = 512

    public init() {}
}
