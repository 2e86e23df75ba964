import ArgumentParser
import BackfillCore

/// Flags of `run` that shape how chunks are executed (shared by `run`, `backfill`, `export`).
struct RunOptions: ParsableArguments {
    @Option(help: "Insights queries in flight at once (the account quota is 30 concurrent queries per region).")
    var concurrency: Int = 8
    @Option(help: "StartQuery requests per second (lowered automatically when throttled).")
    var startRate: Double = 5
    @Option(help: "GetQueryResults requests per second (lowered automatically when throttled).")
    var pollRate: Double = 5
    @Option(help: "This tool's share of the account's concurrent queries: at most that share of --max-concurrent-queries run at once (the rest is left to dashboards and other users), whatever --concurrency says.")
    var queryShare: Double = 0.8
    @OptionGroup var account: AccountQueryQuota
    @Option(help: "Events one query should carry at most: adjacent sparse chunks share a query while their density counts add up to this, a chunk counted above it is fetched in parts (an answer holds at most 10,000 rows).")
    var queryBudget: Int = 8_000
    @Flag(help: "Do not count densities first: one query per chunk, continued when full (the behaviour before density-aware queries).")
    var oneQueryPerChunk = false
    @Option(help: "Tries per chunk within one run before it is marked failed (a later run retries it).")
    var maxAttempts: Int = 5
    @Option(help: "Seconds a claimed chunk stays leased without renewal. A killed run's chunks are taken over at once on the same host; another host's when their lease runs out.")
    var leaseSeconds: Int = 300
    /// Hidden: the tests shorten Insights' query-time limit to see a stuck query stopped and retried.
    @Option(help: .hidden)
    var queryTimeoutSeconds: Double = 15 * 60
    @Option(help: "An hour whose file already exists at its destinations: skip (found everywhere: registered, not queried; found at some: written to the others only), overwrite, or fail (stop before any query).")
    var ifExists: IfExists = .skip
    @Flag(help: "Do not wait for chunks other live processes hold: exit 75 at once, saying how many.")
    var noWait = false
    @Flag(help: "Write a zero-row file for hours without rows (default: register them without a file).")
    var writeEmpty = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard startRate > 0, pollRate > 0 else { throw ValidationError("--start-rate and --poll-rate must be positive") }
        guard leaseSeconds >= 2 else { throw ValidationError("--lease-seconds must be at least 2") }
        guard queryTimeoutSeconds > 0 else { throw ValidationError("--query-timeout-seconds must be positive") }
        guard queryShare > 0, queryShare <= 1 else { throw ValidationError("--query-share must be above 0 and at most 1") }
        guard (1...10_000).contains(queryBudget) else { throw ValidationError("--query-budget must be between 1 and 10000") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
    }
}

extension RunOptions {
    /// Queries in flight: --concurrency, capped at --query-share of --max-concurrent-queries (at least one).
    var queriesInFlight: Int {
        max(1, min(concurrency, Int((queryShare * Double(account.maxConcurrentQueries)).rounded(.down))))
    }
}

/// `--log-format` and `-v`: how stderr looks. `PulpBackfill.main` reads them once, before the
/// command runs, to install the log handler and the JSON error lines.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Progress and log lines: text or json.")
    var logFormat: LogFormat = .text
    @Flag(name: .shortAndLong, help: "Log every chunk and exported hour (swift-log level debug).")
    var verbose = false
}

/// The commands that execute chunks (`run`, `backfill`, `export`): they take `RunOptions`,
/// and with them the logging flags.
protocol ChunkRunningCommand {
    var runOptions: RunOptions { get }
}

extension RunCommand: ChunkRunningCommand {}
extension BackfillCommand: ChunkRunningCommand {}
extension ExportCommand: ChunkRunningCommand {}
