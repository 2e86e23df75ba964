import ArgumentParser
import Dispatch
import InsightsSimulator

#if canImport(Glibc)
import Glibc
#endif

/// `insights-sim [serve]`: run the simulated service until SIGINT/SIGTERM, then print statistics.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the CloudWatch Logs JSON 1.1 API (default).")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 = any free port; the bound port is printed).") var port = 0
    @Option(name: .customLong("log-group"), help: "The one log group this service holds.") var logGroup = "/aws/containerinsights/pulp-prod/application"
    @Option(help: "Start of the generated corpus.") var start = "2025-01-01T00:00:00Z"
    @Option(help: "End (exclusive) of the generated corpus.") var end = "2027-01-01T00:00:00Z"
    @OptionGroup var corpus: CorpusOptions
    @Option(name: .customLong("late-events"), help: "Also serve the events of this NDJSON file to fetch queries but not to stats count(*) queries, as if they arrived after being counted.")
    var lateEvents: String?

    @Option(name: .customLong("max-concurrent-queries")) var maxConcurrentQueries = 30
    @Option(name: .customLong("start-query-rate"), help: "StartQuery requests per second (0 = unlimited).") var startQueryRate = SimulatorOperation.startQuery.defaultRequestsPerSecond
    @Option(name: .customLong("get-results-rate"), help: "GetQueryResults requests per second (0 = unlimited).") var getResultsRate = SimulatorOperation.getQueryResults.defaultRequestsPerSecond
    @Option(name: .customLong("stop-query-rate"), help: "StopQuery requests per second (0 = unlimited).") var stopQueryRate = SimulatorOperation.stopQuery.defaultRequestsPerSecond
    @Option(name: .customLong("describe-log-groups-rate"), help: "DescribeLogGroups requests per second (0 = unlimited).") var describeLogGroupsRate = SimulatorOperation.describeLogGroups.defaultRequestsPerSecond
    @Option(name: .customLong("latency-ms"), help: "Response latency range MIN-MAX in milliseconds.") var latencyMs = "5-25"
    @Option(name: .customLong("query-base-ms"), help: "Fixed part of a query's run time.") var queryBaseMs = 1500.0
    @Option(name: .customLong("query-ms-per-mib"), help: "Run time per MiB scanned.") var queryMsPerMiB = 40.0
    @Option(name: .customLong("query-jitter"), help: "Run-time jitter as a fraction (0.2 = ±20 %).") var queryJitter = 0.2
    @Option(name: .customLong("query-timeout-s"), help: "Queries modelled to run longer end as Timeout.") var queryTimeoutSeconds = 3600
    @Option(name: .customLong("fault-throttle")) var faultThrottle = 0.0
    @Option(name: .customLong("fault-5xx")) var fault5xx = 0.0
    @Option(name: .customLong("fault-reset")) var faultReset = 0.0
    @Option(name: .customLong("fault-query-failed")) var faultQueryFailed = 0.0
    @Option(name: .customLong("fault-slow")) var faultSlow = 0.0
    @Option(name: .customLong("slow-ms"), help: "Extra delay of a slow response.") var slowMs = 3000
    @Option(name: .customLong("fault-seed"), help: "Seed of fault and latency draws (default: --seed).") var faultSeed: UInt64?
    @Flag(name: .customLong("require-sigv4"), help: "Reject requests without a valid SigV4 signature by the fixed test credentials.") var requireSigV4 = false
    @Option(name: .customLong("sigv4-access-key"), help: "Access key id accepted with --require-sigv4.") var sigV4AccessKey = SigV4Credentials.test.accessKeyId
    @Option(name: .customLong("sigv4-secret-key"), help: "Secret key accepted with --require-sigv4 (a test credential, not a secret).") var sigV4SecretKey = SigV4Credentials.test.secretAccessKey

    func makeConfiguration() throws -> SimulatorConfiguration {
        var c = SimulatorConfiguration()
        c.host = host
        guard (0...65535).contains(port) else { throw UsageError(description: "--port must be 0…65535") }
        c.port = port
        c.logGroupName = logGroup
        guard maxConcurrentQueries >= 1 else { throw UsageError(description: "--max-concurrent-queries must be ≥ 1") }
        c.maxConcurrentQueries = maxConcurrentQueries
        guard startQueryRate >= 0, getResultsRate >= 0, stopQueryRate >= 0, describeLogGroupsRate >= 0 else {
            throw UsageError(description: "request rates must be ≥ 0")
        }
        c.requestsPerSecond = [.startQuery: startQueryRate, .getQueryResults: getResultsRate,
                               .stopQuery: stopQueryRate, .describeLogGroups: describeLogGroupsRate]
        c.latencyMs = try parseRange(latencyMs)
        guard queryBaseMs >= 0, queryMsPerMiB >= 0, (0...0.99).contains(queryJitter), queryTimeoutSeconds > 0 else {
            throw UsageError(description: "--query-base-ms/--query-ms-per-mib must be ≥ 0, --query-jitter in 0…0.99, --query-timeout-s > 0")
        }
        c.queryBaseMs = queryBaseMs
        c.queryMsPerMiB = queryMsPerMiB
        c.queryJitter = queryJitter
        c.queryTimeoutMs = Int64(queryTimeoutSeconds) * 1000
        let faults: KeyValuePairs<SimulatedFault, Double> = [.throttle: faultThrottle, .serverError: fault5xx, .reset: faultReset,
                                                             .queryFailed: faultQueryFailed, .slow: faultSlow]
        for (fault, p) in faults {
            guard (0...1).contains(p) else { throw UsageError(description: "--fault-\(fault.rawValue) must be a probability between 0 and 1") }
            c.faultProbability[fault] = p
        }
        guard slowMs >= 0 else { throw UsageError(description: "--slow-ms must be ≥ 0") }
        c.slowResponseMs = slowMs
        c.faultSeed = faultSeed ?? corpus.seed
        if requireSigV4 {
            guard !sigV4AccessKey.isEmpty, !sigV4SecretKey.isEmpty else {
                throw UsageError(description: "--sigv4-access-key and --sigv4-secret-key must not be empty")
            }
            c.sigV4 = SigV4Verifier(credentials: SigV4Credentials(accessKeyId: sigV4AccessKey, secretAccessKey: sigV4SecretKey))
        }
        return c
    }

    private func parseRange(_ text: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let lo = Int(parts[0]), let hi = Int(parts.last!), lo >= 0, lo <= hi else {
            throw UsageError(description: "--latency-ms must look like MIN-MAX (e.g. 5-25), got '\(text)'")
        }
        return lo...hi
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let startMs = try parseTimeFlag(start, flag: "--start")
        let endMs = try parseTimeFlag(end, flag: "--end")
        guard startMs < endMs else { throw UsageError(description: "--start must be before --end") }
        var source = try corpus.makeSource(startMs: startMs, endMs: endMs)
        if let lateEvents {
            let text: String
            do { text = try readWholeFile(lateEvents) } catch let error as RuntimeError {
                throw UsageError(description: error.description)
            }
            do { source = LateEventSource(counted: source, late: try EventFileSource(ndjson: text, name: lateEvents)) } catch {
                throw UsageError(description: error.description)
            }
        }
        let server = InsightsSimulatorServer(configuration: configuration, source: source)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await server.run { host, port in
                        StandardStreams.printLine("listening on \(host):\(port)")
                    }
                }
                group.addTask { await waitForTerminationSignal() }
                // Whichever ends first (a signal, or the server failing) stops the other.
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            throw RuntimeError(description: "server failed: \(error)")
        }
        StandardStreams.printLine(server.service.summary())
    }
}

/// Returns when SIGINT or SIGTERM arrives (or the task is cancelled).
func waitForTerminationSignal() async {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    var sources: [any DispatchSourceSignal] = []
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { continuation.yield(sig) }
        source.resume()
        sources.append(source)
    }
    await withTaskCancellationHandler {
        var iterator = signals.makeAsyncIterator()
        _ = await iterator.next()
    } onCancel: {
        continuation.finish()
    }
    for source in sources { source.cancel() }
}
