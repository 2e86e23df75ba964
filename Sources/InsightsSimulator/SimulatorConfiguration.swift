// Every knob of the simulated service. Defaults are AWS's Logs Insights quotas (30 concurrent
// queries, each operation's request rate, 60-minute query run time) and give realistic
// latencies; tests scale the latencies down.

public struct SimulatorConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 0
    public var logGroupName = "/aws/containerinsights/pulp-prod/application"
    var accountId = "123456789012"

    // Quotas.
    public var maxConcurrentQueries = 30
    /// Requests per second, each operation in its own bucket (0, or left out: unlimited).
    public var requestsPerSecond = SimulatorOperation.defaultRates
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

    // Faults: a probability 0–1 per kind (left out: 0), drawn from a generator seeded with `faultSeed`.
    public var faultProbability: [SimulatedFault: Double] = [:]
    public var slowResponseMs = 3000
    public var faultSeed: UInt64 = 42

    /// When set (`--require-sigv4`), every API request must carry a valid SigV4 signature.
    public var sigV4: SigV4Verifier?

    /// Finished queries are forgotten after this long, and beyond this many (oldest first), so a
    /// months-long backfill cannot pile up results in memory. GetQueryResults on a forgotten
    /// query answers ResourceNotFoundException.
    var resultRetentionMs: Int64 = 15 * 60 * 1000
    public var maxRetainedQueries = 512

    public init() {}
}
