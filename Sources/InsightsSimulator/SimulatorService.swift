import NIOPosix
import Synchronization

// The simulated CloudWatch Logs service, independent of HTTP: quotas, the query lifecycle
// (Scheduled → Running → Complete/Failed/Timeout/Cancelled), faults and statistics.
// One mutex guards all mutable state; query execution itself runs outside the lock on
// worker tasks that `runQueryWorkers` provides (the server runs them in its task group).

public struct APIResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    /// Milliseconds to wait before answering (latency model plus slow-response faults).
    public var delayMs: Int
    /// Send part of the response, then reset the connection.
    public var resetMidResponse: Bool
}

/// A StartQuery handed to the workers.
struct QueryJob: Sendable {
    let id: String
    let query: ParsedQuery
    let startSeconds: Int64
    let endSeconds: Int64
    let limit: Int?
}

public final class SimulatorService: Sendable {
    public static let apiPrefix = "Logs_20140328."

    public let configuration: SimulatorConfiguration
    public let source: any EventSource
    private let startedNs: UInt64
    private let state: Mutex<State>
    private let jobs: AsyncStream<QueryJob>
    private let jobsContinuation: AsyncStream<QueryJob>.Continuation

    struct QueryRecord {
        let id: String
        let acceptedNs: UInt64
        let scheduledUntilNs: UInt64
        let jitter: Double
        /// Outcome forced by a fault (Failed/Timeout/Cancelled), if any.
        let faultOutcome: String?
        var result: QueryResult?
        var completeAtNs: UInt64?
        var outcome = "Complete"
        var stoppedAtNs: UInt64?
        var accounted = false

        func status(nowNs: UInt64) -> String {
            if stoppedAtNs != nil { return "Cancelled" }
            if let completeAtNs, nowNs >= completeAtNs { return outcome }
            return nowNs < scheduledUntilNs ? "Scheduled" : "Running"
        }

        var finishedNs: UInt64? { stoppedAtNs ?? completeAtNs }
    }

    struct State {
        var statistics = SimulatorStatistics()
        var queries: [String: QueryRecord] = [:]
        var active: Set<String> = []
        var buckets: [String: TokenBucket] = [:]
        var faultRandom: SeededRandom
        var idCounter: UInt64 = 0
        var lastSweepNs: UInt64 = 0
    }

    public init(configuration: SimulatorConfiguration, source: any EventSource) {
        self.configuration = configuration
        self.source = source
        let now = SimulatorService.monotonicNs()
        startedNs = now
        var initial = State(faultRandom: SeededRandom(seed: configuration.faultSeed, 0xFA017))
        initial.buckets = [
            "StartQuery": TokenBucket(rate: configuration.startQueryRate, nowNs: now),
            "GetQueryResults": TokenBucket(rate: configuration.getResultsRate, nowNs: now),
            "StopQuery": TokenBucket(rate: configuration.stopQueryRate, nowNs: now),
            "DescribeLogGroups": TokenBucket(rate: configuration.describeLogGroupsRate, nowNs: now),
        ]
        state = Mutex(initial)
        (jobs, jobsContinuation) = AsyncStream.makeStream(of: QueryJob.self)
    }

    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    // MARK: - Workers

    /// Executes queued queries until `finishQueryWorkers` is called or the task is cancelled.
    /// Run `workers` of these concurrently in a task group.
    public func runQueryWorker() async {
        for await job in jobs {
            if Task.isCancelled { break }
            // Off the cooperative pool: a month-long `stats` must not starve the HTTP tasks.
            _ = try? await NIOThreadPool.singleton.runIfActive { self.execute(job) }
        }
    }

    public func finishQueryWorkers() { jobsContinuation.finish() }

    func execute(_ job: QueryJob) {
        // A `stats` query counts what had arrived when counting; late events only show in fetches.
        let counting = job.query.commands.contains { if case .statsCount = $0 { true } else { false } }
        let source = counting ? (self.source as? LateEventSource)?.counted ?? self.source : self.source
        let result = try? QueryEngine.run(job.query, source: source, startSeconds: job.startSeconds,
                                          endSeconds: job.endSeconds, requestedLimit: job.limit)
        let config = configuration
        let now = SimulatorService.monotonicNs()
        state.withLock { state in
            guard var record = state.queries[job.id] else { return }
            let mib = Double(result?.bytesScanned ?? 0) / 1_048_576
            var durationMs = (config.queryBaseMs + mib * config.queryMsPerMiB) * record.jitter
            if let fault = record.faultOutcome {
                record.outcome = fault
                durationMs = min(durationMs, config.queryBaseMs * record.jitter)
            } else if result == nil {
                record.outcome = "Failed"
            } else if durationMs > Double(config.queryTimeoutMs) {
                record.outcome = "Timeout"
                durationMs = Double(config.queryTimeoutMs)
            }
            // A query that ended otherwise still scanned what it scanned: its answer carries the
            // statistics (as CloudWatch's does), but no rows.
            record.result = record.outcome == "Complete" ? result : result.map { QueryResult(rows: [], recordsMatched: $0.recordsMatched, recordsScanned: $0.recordsScanned, bytesScanned: $0.bytesScanned) }
            record.completeAtNs = max(now, record.acceptedNs + UInt64(max(0, durationMs) * 1_000_000))
            if let result {
                state.statistics.bytesScanned += result.bytesScanned
                state.statistics.recordsScanned += result.recordsScanned
            }
            state.queries[job.id] = record
        }
    }

    // MARK: - Requests

    /// Handles one JSON 1.1 request. `target` is the X-Amz-Target header.
    public func handle(target: String?, body: [UInt8], authorization: String? = nil) -> APIResponse {
        let now = SimulatorService.monotonicNs()
        let operation = target.flatMap { $0.hasPrefix(SimulatorService.apiPrefix) ? String($0.dropFirst(SimulatorService.apiPrefix.count)) : nil } ?? ""
        let known = ["StartQuery", "GetQueryResults", "StopQuery", "DescribeLogGroups"].contains(operation)
        let api = known ? operation : "Unknown"
        let config = configuration
        // Parsing and result serialization happen outside the lock; only bookkeeping is inside.
        let parsedBody: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) -> JSONValue in
            try JSONParser.parse(bytes: body.isEmpty ? Array("{}".utf8) : body)
        }

        let (status, content, delay, reset) = state.withLock { state -> (Int, ResponseBody, Int, Bool) in
            // Fault and latency draws happen in request order from one seeded stream.
            let resetDraw = state.faultRandom.unit()
            let serverErrorDraw = state.faultRandom.unit()
            let throttleDraw = state.faultRandom.unit()
            let slowDraw = state.faultRandom.unit()
            let latencySpan = config.latencyMs.upperBound - config.latencyMs.lowerBound + 1
            var delay = config.latencyMs.lowerBound + state.faultRandom.below(max(1, latencySpan))
            if slowDraw < config.faultSlow { delay += config.slowResponseMs; state.statistics.faults["slow", default: 0] += 1 }
            let reset = resetDraw < config.faultReset
            if reset { state.statistics.faults["reset", default: 0] += 1 }

            let outcome = respond(operation: operation, known: known, target: target, body: parsedBody, authorization: authorization,
                                  serverErrorDraw: serverErrorDraw, throttleDraw: throttleDraw, nowNs: now, state: &state)
            // Arrival time for the requests-per-second peak, read under the lock so arrivals are
            // recorded in order.
            let arrivalNs = SimulatorService.monotonicNs()
            switch outcome {
            case let .success(content):
                state.statistics.count(api: api, outcome: "ok", nowNs: arrivalNs)
                return (200, content, delay, reset)
            case let .failure(error):
                state.statistics.count(api: api, outcome: error.type, nowNs: arrivalNs)
                return (error.httpStatus, .bytes(Array(error.body.serialized.utf8)), delay, reset)
            }
        }
        return APIResponse(status: status, body: content.serialized(), delayMs: delay, resetMidResponse: reset)
    }

    /// A response body, or the parts of a GetQueryResults body to serialize after the lock is released.
    enum ResponseBody {
        case bytes([UInt8])
        case queryResults(status: String, result: QueryResult?)

        func serialized() -> [UInt8] {
            switch self {
            case let .bytes(b): return b
            case let .queryResults(status, result): return SimulatorService.queryResultsBody(status: status, result: result)
            }
        }
    }

    /// Checks in the order AWS applies them: operation, injected faults, rate quota, body, parameters.
    private func respond(operation: String, known: Bool, target: String?, body: Result<JSONValue, JSONParseError>, authorization: String?,
                         serverErrorDraw: Double, throttleDraw: Double, nowNs now: UInt64, state: inout State) -> Result<ResponseBody, AWSError> {
        let config = configuration
        guard known else { return .failure(.unknownOperation(target ?? "(no X-Amz-Target)")) }
        if serverErrorDraw < config.fault5xx {
            state.statistics.faults["5xx", default: 0] += 1
            return .failure(.serviceUnavailable(status: state.faultRandom.chance(0.5) ? 500 : 503))
        }
        if throttleDraw < config.faultThrottle {
            state.statistics.faults["throttle", default: 0] += 1
            state.statistics.throttles += 1
            return .failure(.throttling())
        }
        if state.buckets[operation]?.take(nowNs: now) == false {
            state.statistics.throttles += 1
            return .failure(.throttling())
        }
        let request: JSONValue
        switch body {
        case let .success(value): request = value
        case let .failure(error): return .failure(.serialization("Request body is not valid JSON: \(error)"))
        }
        guard case .object = request else { return .failure(.serialization("Request body must be a JSON object")) }
        func encoded(_ r: Result<JSONValue, AWSError>) -> Result<ResponseBody, AWSError> { r.map { .bytes(Array($0.serialized.utf8)) } }
        switch operation {
        case "StartQuery": return encoded(startQuery(request, nowNs: now, state: &state))
        case "GetQueryResults": return getQueryResults(request, nowNs: now, state: &state)
        case "StopQuery": return encoded(stopQuery(request, nowNs: now, state: &state))
        default: return encoded(describeLogGroups(request, authorization: authorization))
        }
    }

    private func prune(_ state: inout State, nowNs: UInt64) {
        for id in state.active {
            guard let record = state.queries[id] else { state.active.remove(id); continue }
            let status = record.status(nowNs: nowNs)
            if !["Scheduled", "Running"].contains(status) {
                state.active.remove(id)
                if !record.accounted {
                    state.statistics.queriesFinished[status, default: 0] += 1
                    state.queries[id]?.accounted = true
                }
            }
        }
        let retentionNs = UInt64(configuration.resultRetentionMs) * 1_000_000
        let keep = configuration.maxRetainedQueries
        // Amortized: sweep when the table has grown past the allowance, else at most once a second.
        let overAllowance = state.queries.count > state.active.count + keep + 64
        if overAllowance || nowNs - min(nowNs, state.lastSweepNs) >= 1_000_000_000 {
            state.lastSweepNs = nowNs
            var finished = state.queries.values.compactMap { record -> (String, UInt64)? in
                guard !state.active.contains(record.id), let done = record.finishedNs else { return nil }
                return (record.id, done)
            }
            finished.sort { $0.1 > $1.1 }
            for (index, (id, done)) in finished.enumerated() {
                let expired = nowNs > done && nowNs - done >= retentionNs
                if index >= keep || expired { state.queries.removeValue(forKey: id) }
            }
        }
    }

    private func nextId(_ state: inout State) -> String {
        state.idCounter += 1
        var rng = SeededRandom(seed: configuration.faultSeed, 0x1D, state.idCounter)
        let a = rng.next(), b = rng.next()
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s.suffix(digits)
        }
        return "\(hex(a >> 32, 8))-\(hex(a >> 16 & 0xFFFF, 4))-4\(hex(a & 0xFFF, 3))-a\(hex(b >> 52, 3))-\(hex(b & 0xFFFF_FFFF_FFFF, 12))"
    }

    /// Resolves logGroupName / logGroupNames / logGroupIdentifiers (names or ARNs).
    private func requestedLogGroups(_ request: JSONValue) -> Result<[String], AWSError> {
        var names: [String] = []
        var given = 0
        if let name = request["logGroupName"]?.stringValue { names.append(name); given += 1 }
        for key in ["logGroupNames", "logGroupIdentifiers"] {
            if let list = request[key]?.arrayValue {
                given += 1
                for item in list {
                    guard var s = item.stringValue else { return .failure(.invalidParameter("\(key) must hold strings")) }
                    if s.hasPrefix("arn:"), let range = s.range(of: ":log-group:") {
                        s = String(s[range.upperBound...])
                        if s.hasSuffix(":*") { s = String(s.dropLast(2)) }
                    }
                    names.append(s)
                }
            }
        }
        if given == 0 || names.isEmpty {
            return .failure(.invalidParameter("One of logGroupName, logGroupNames or logGroupIdentifiers must be specified"))
        }
        if given > 1 {
            return .failure(.invalidParameter("Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified"))
        }
        for name in names where name != configuration.logGroupName {
            return .failure(.resourceNotFound("Log group '\(name)' does not exist for account ID '\(configuration.accountId)'"))
        }
        return .success(names)
    }

    private func integer(_ value: JSONValue?) -> Int64? {
        guard let n = value?.numberValue, n.rounded() == n, abs(n) < 9e15 else { return nil }
        return Int64(n)
    }

    private func startQuery(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<JSONValue, AWSError> {
        if case let .failure(error) = requestedLogGroups(request) { return .failure(error) }
        guard let startTime = integer(request["startTime"]), let endTime = integer(request["endTime"]) else {
            return .failure(.invalidParameter("startTime and endTime (epoch seconds) are required"))
        }
        guard startTime >= 0, startTime <= endTime else {
            return .failure(.invalidParameter("endTime must be greater than or equal to startTime"))
        }
        guard let queryString = request["queryString"]?.stringValue, !queryString.isEmpty else {
            return .failure(.invalidParameter("queryString is required"))
        }
        guard queryString.utf8.count <= 10000 else {
            return .failure(.invalidParameter("queryString must be at most 10000 characters"))
        }
        var limit: Int? = nil
        if let raw = request["limit"] {
            guard let n = integer(raw), (1...10000).contains(n) else {
                return .failure(.invalidParameter("limit must be between 1 and 10000"))
            }
            limit = Int(n)
        }
        let parsed: ParsedQuery
        do {
            parsed = try QueryParser.parse(queryString)
            try QueryEngine.validate(parsed)
        } catch {
            return .failure(.malformedQuery(error))
        }
        prune(&state, nowNs: nowNs)
        guard state.active.count < configuration.maxConcurrentQueries else {
            state.statistics.limitExceeded += 1
            return .failure(.limitExceeded(configuration.maxConcurrentQueries))
        }
        let id = nextId(&state)
        let jitter = 1 + (state.faultRandom.unit() * 2 - 1) * configuration.queryJitter
        var faultOutcome: String? = nil
        if state.faultRandom.unit() < configuration.faultQueryFailed {
            faultOutcome = ["Failed", "Timeout", "Cancelled"][state.faultRandom.below(3)]
            state.statistics.faults["query-failed", default: 0] += 1
            state.statistics.faultQueryOutcomes[faultOutcome!, default: 0] += 1
        }
        let scheduledNs = UInt64(max(0, configuration.queryBaseMs * configuration.scheduledFraction * jitter) * 1_000_000)
        state.queries[id] = QueryRecord(id: id, acceptedNs: nowNs, scheduledUntilNs: nowNs + scheduledNs,
                                        jitter: jitter, faultOutcome: faultOutcome)
        state.active.insert(id)
        state.statistics.queriesStarted += 1
        state.statistics.peakConcurrentQueries = max(state.statistics.peakConcurrentQueries, state.active.count)
        jobsContinuation.yield(QueryJob(id: id, query: parsed, startSeconds: startTime, endSeconds: endTime, limit: limit))
        return .success(.object([("queryId", .string(id))]))
    }

    private func getQueryResults(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<ResponseBody, AWSError> {
        guard let id = request["queryId"]?.stringValue, !id.isEmpty else { return .failure(.invalidParameter("queryId is required")) }
        prune(&state, nowNs: nowNs)
        guard let record = state.queries[id] else { return .failure(.resourceNotFound("Query does not exist: \(id)")) }
        let status = record.status(nowNs: nowNs)
        let final = status == "Complete" || status == "Failed" || status == "Timeout" || status == "Cancelled"
        let result = final ? record.result : nil
        if let rows = result?.rows.count { state.statistics.rowsReturned += rows }
        return .success(.queryResults(status: status, result: result))
    }

    /// The body is built as bytes directly: results can be 10,000 rows of escaped JSON.
    static func queryResultsBody(status: String, result: QueryResult?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (result?.rows.count ?? 0) * 900)
        out.append(contentsOf: #"{"results":["#.utf8)
        for (i, row) in (result?.rows ?? []).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (j, (field, value)) in row.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"field":"#.utf8)
                JSONValue.appendQuoted(utf8: field.utf8, to: &out)
                out.append(contentsOf: #","value":"#.utf8)
                JSONValue.appendQuoted(utf8: value.utf8, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        let matched = result?.recordsMatched ?? 0, scanned = result?.recordsScanned ?? 0, bytes = result?.bytesScanned ?? 0
        out.append(contentsOf: #"],"statistics":{"recordsMatched":\#(matched).0,"recordsScanned":\#(scanned).0,"bytesScanned":\#(bytes).0},"status":"\#(status)"}"#.utf8)
        return out
    }

    private func stopQuery(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<JSONValue, AWSError> {
        guard let id = request["queryId"]?.stringValue, !id.isEmpty else { return .failure(.invalidParameter("queryId is required")) }
        guard let record = state.queries[id] else { return .failure(.resourceNotFound("Query does not exist: \(id)")) }
        let status = record.status(nowNs: nowNs)
        guard status == "Scheduled" || status == "Running" else { return .success(.object([("success", .bool(false))])) }
        state.queries[id]?.stoppedAtNs = nowNs
        prune(&state, nowNs: nowNs)
        return .success(.object([("success", .bool(true))]))
    }

    private func describeLogGroups(_ request: JSONValue, authorization: String?) -> Result<JSONValue, AWSError> {
        if let raw = request["limit"] {
            guard let n = integer(raw), (1...50).contains(n) else { return .failure(.invalidParameter("limit must be between 1 and 50")) }
        }
        let prefix = request["logGroupNamePrefix"]?.stringValue ?? ""
        let pattern = request["logGroupNamePattern"]?.stringValue
        if !prefix.isEmpty && pattern != nil {
            return .failure(.invalidParameter("logGroupNamePrefix and logGroupNamePattern are mutually exclusive"))
        }
        let name = configuration.logGroupName
        let matches = name.hasPrefix(prefix) && (pattern.map { name.contains($0) } ?? true)
        // The region comes from the SigV4 credential scope when there is one.
        var region = "us-east-1"
        if let authorization, let range = authorization.range(of: "Credential=") {
            let parts = authorization[range.upperBound...].split(separator: "/")
            if parts.count >= 3 { region = String(parts[2]) }
        }
        let arn = "arn:aws:logs:\(region):\(configuration.accountId):log-group:\(name)"
        let group: JSONValue = .object([
            ("logGroupName", .string(name)),
            ("creationTime", .number(1_704_067_200_000)),
            ("retentionInDays", .number(365)),
            ("metricFilterCount", .number(0)),
            ("arn", .string(arn + ":*")),
            ("storedBytes", .number(0)),
            ("logGroupClass", .string("STANDARD")),
            ("logGroupArn", .string(arn)),
        ])
        return .success(.object([("logGroups", .array(matches ? [group] : []))]))
    }

    // MARK: - Operator view

    public var statistics: SimulatorStatistics {
        state.withLock { state in
            prune(&state, nowNs: SimulatorService.monotonicNs())
            return state.statistics
        }
    }

    public func statisticsJSON() -> JSONValue {
        let now = SimulatorService.monotonicNs()
        return state.withLock { state in
            prune(&state, nowNs: now)
            return state.statistics.json(activeQueries: state.active.count, uptimeSeconds: Double(now - startedNs) / 1e9)
        }
    }

    public func summary() -> String {
        let now = SimulatorService.monotonicNs()
        return state.withLock { state in
            prune(&state, nowNs: now)
            return state.statistics.summary(activeQueries: state.active.count, uptimeSeconds: Double(now - startedNs) / 1e9)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension SimulatorService {
    /// Suspends until the surrounding task is cancelled (keeps a cancellation handler alive).
    func waitForever() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 3_600_000_000_000)
        }
    }

    /// Counts a request the HTTP layer refused before it reached the service (bad signature).
    public func recordRejected(target: String?, error: AWSError) {
        let operation = target.flatMap { $0.hasPrefix(SimulatorService.apiPrefix) ? String($0.dropFirst(SimulatorService.apiPrefix.count)) : nil } ?? ""
        let api = ["StartQuery", "GetQueryResults", "StopQuery", "DescribeLogGroups"].contains(operation) ? operation : "Unknown"
        state.withLock { $0.statistics.count(api: api, outcome: error.type, nowNs: SimulatorService.monotonicNs()) }
    }

    /// A fresh x-amzn-RequestId (UUID-shaped).
    public func nextRequestId() -> String {
        state.withLock { state in nextId(&state) }
    }
}
