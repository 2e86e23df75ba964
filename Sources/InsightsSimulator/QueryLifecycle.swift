import NIOPosix

// The query lifecycle: StartQuery accepts a query and queues it, worker tasks run it, and
// GetQueryResults / StopQuery see it go Scheduled → Running → Complete, Failed, Timeout or
// Cancelled. Finished queries are forgotten after a while. Late events (`LateEventSource`)
// are seen by fetch queries only, never by `stats` counts.

/// A StartQuery handed to the workers.
struct QueryJob: Sendable {
    let id: String
    let query: ParsedQuery
    let startSeconds: Int64
    let endSeconds: Int64
    let limit: Int?
}

/// One accepted query, from StartQuery until it is forgotten.
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

extension SimulatorService {
    // MARK: - Workers

    /// Executes queued queries until `finishQueryWorkers` is called or the task is cancelled.
    /// Run `workers` of these concurrently in a task group.
    func runQueryWorker() async {
        for await job in jobs {
            if Task.isCancelled { break }
            // Off the cooperative pool: a month-long `stats` must not starve the HTTP tasks.
            _ = try? await NIOThreadPool.singleton.runIfActive { self.execute(job) }
        }
    }

    func finishQueryWorkers() { jobsContinuation.finish() }

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

    // MARK: - Operations

    func startQuery(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<JSONValue, SimulatedServiceError> {
        if case let .failure(error) = requestedLogGroups(request) { return .failure(error) }
        guard let startTime = request["startTime"]?.integerValue, let endTime = request["endTime"]?.integerValue else {
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
            guard let n = raw.integerValue, (1...10000).contains(n) else {
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
        if let refused = state.admitQuery(configuration) { return .failure(refused) }
        let id = nextId(&state)
        let jitter = 1 + (state.faultRandom.unit() * 2 - 1) * configuration.queryJitter
        let faultOutcome = state.drawForcedQueryOutcome(configuration)
        let scheduledNs = UInt64(max(0, configuration.queryBaseMs * configuration.scheduledFraction * jitter) * 1_000_000)
        state.queries[id] = QueryRecord(id: id, acceptedNs: nowNs, scheduledUntilNs: nowNs + scheduledNs,
                                        jitter: jitter, faultOutcome: faultOutcome)
        state.active.insert(id)
        state.statistics.queriesStarted += 1
        state.statistics.peakConcurrentQueries = max(state.statistics.peakConcurrentQueries, state.active.count)
        jobsContinuation.yield(QueryJob(id: id, query: parsed, startSeconds: startTime, endSeconds: endTime, limit: limit))
        return .success(.object([("queryId", .string(id))]))
    }

    func getQueryResults(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<ResponseBody, SimulatedServiceError> {
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

    func stopQuery(_ request: JSONValue, nowNs: UInt64, state: inout State) -> Result<JSONValue, SimulatedServiceError> {
        guard let id = request["queryId"]?.stringValue, !id.isEmpty else { return .failure(.invalidParameter("queryId is required")) }
        guard let record = state.queries[id] else { return .failure(.resourceNotFound("Query does not exist: \(id)")) }
        let status = record.status(nowNs: nowNs)
        guard status == "Scheduled" || status == "Running" else { return .success(.object([("success", .bool(false))])) }
        state.queries[id]?.stoppedAtNs = nowNs
        prune(&state, nowNs: nowNs)
        return .success(.object([("success", .bool(true))]))
    }

    // MARK: - Bookkeeping

    /// Counts queries that have ended and forgets finished ones past their retention.
    func prune(_ state: inout State, nowNs: UInt64) {
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
}
