import AWS
import AccessLog
import Basics
import Foundation
import Retry

/// The request pacing shared by every query of a run: one adaptive token bucket per API
/// (AWS's quotas, the defaults: StartQuery and GetQueryResults each 5 requests/s).
public struct InsightsPacing: Sendable {
    public let startQuery: RequestRateLimiter
    public let getQueryResults: RequestRateLimiter
    public let latency = QueryLatencyModel()
    /// Density counts (`stats` over whole days) take ten times a fetch's time: learnt apart, so
    /// neither delays the other's first poll.
    public let statisticsLatency = QueryLatencyModel()
    /// At most `--concurrency` Insights queries in flight (the account quota is 30 per region).
    /// Workers outnumber slots so that staging rows in the catalog, parsing and compacting
    /// overlap with the queries of other chunks instead of leaving slots idle.
    public let slots: AsyncSemaphore

    public init(startQueryRate: Double, getQueryResultsRate: Double, concurrentQueries: Int) {
        slots = AsyncSemaphore(limit: concurrentQueries)
        // Bursts of about one second's worth, as the service's own token buckets allow: a run's
        // first queries start together instead of one every 1/rate (at 50/s and 30 slots, 0.6 s
        // saved), and a pause (a slow answer, a busy catalog) is caught up. One token short of
        // the service's bucket: requests reach it with jitter, and a margin of one token keeps
        // that from turning into ThrottlingExceptions (each cuts the rate by 30 %).
        startQuery = RequestRateLimiter(rate: startQueryRate, burst: max(1, startQueryRate - 1))
        getQueryResults = RequestRateLimiter(rate: getQueryResultsRate, burst: max(1, getQueryResultsRate - 1))
    }

    public func throttles() async -> Int {
        await startQuery.throttles + getQueryResults.throttles
    }
}

/// A query that ended without results: Insights said Failed, Timeout or Cancelled, or it ran
/// past our limit and we stopped it. Worth another try.
public struct InsightsQueryEnded: Error, RetryClassifying, CustomStringConvertible {
    public let status: String
    public let queryID: String
    public var retryClass: RetryClass { .transient }
    public var description: String { "Insights query \(queryID) ended \(status)" }
}

/// Runs queries against CloudWatch Logs Insights (or insights-sim) with the real protocol:
/// StartQuery, GetQueryResults until the status is final, StopQuery when abandoned.
///
/// Throttling answers slow the shared pacing down and are retried here, so they never count
/// as a chunk failure. The first poll waits for the time this run's queries usually take
/// (`QueryLatencyModel`), later ones step on by a fraction of it, growing by half each time up
/// to `maxPollInterval`: the GetQueryResults budget goes to queries likely to be done.
struct CloudWatchQueryRunner: InsightsQueryRunning {
    let logs: CloudWatchLogsClient
    let pacing: InsightsPacing
    var maxPollInterval: Duration = .seconds(5)
    /// Queries running longer are stopped and retried (Insights' own limit is 60 minutes).
    var queryTimeout: Duration = .seconds(15 * 60)
    /// Throttled answers tolerated for one request before giving up (bounds the retry loop).
    var maxThrottledRetries = RetryBudget().throttledRequest
    /// Failed GetQueryResults requests (5xx, resets) in a row before the query is abandoned.
    var pollRetry = RetryBudget().poll

    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult {
        try await pacing.slots.withSlot { try await runHoldingSlot(query) }
    }

    private func runHoldingSlot(_ query: InsightsQuery) async throws -> InsightsQueryResult {
        let request = CloudWatchLogsClient.StartQueryRequest(
            logGroupNames: query.logGroups, startTime: query.startSecond, endTime: query.endSecond,
            queryString: query.queryString, limit: query.limit)
        let usage = QueryUsage.current
        let logs = self.logs
        let queryID = try await paced(pacing.startQuery) {
            usage?.startQuerySent()
            // Once sent, a StartQuery is waited for even when the run is interrupted: cancelling
            // the request would lose the answer, not the query, which would then run (and hold
            // one of the account's query slots) with nobody to stop it. Awaited, and bounded by
            // the HTTP client's timeout, so nothing outlives the run.
            return try await Task { try await logs.startQuery(request) }.value
        }
        if Task.isCancelled {
            await stopQuietly(queryID)
            throw CancellationError()
        }
        let started = ContinuousClock.now
        do {
            let model = query.isStatistics ? pacing.statisticsLatency : pacing.latency
            let (result, polls) = try await poll(queryID, statistics: query.isStatistics, model: model)
            // Done at the first poll: it may have finished well before, so record half — the
            // estimate then falls quickly until about one query in twenty needs a second poll.
            let elapsed = started.duration(to: .now).seconds
            await model.record(seconds: polls == 1 ? elapsed * 0.5 : elapsed)
            return result
        } catch {
            await stopQuietly(queryID)
            throw error
        }
    }

    private func poll(_ queryID: String, statistics: Bool, model: QueryLatencyModel) async throws -> (InsightsQueryResult, polls: Int) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: queryTimeout)
        var wait = Duration.seconds(await model.firstPoll())
        var step = Duration.seconds(await model.nextPollStep())
        var polls = 0
        var failedPolls = 0
        while clock.now < deadline {
            try await Task.sleep(for: wait)
            polls += 1
            let usage = QueryUsage.current
            let body: [UInt8]
            do {
                body = try await paced(pacing.getQueryResults) {
                    usage?.getQueryResultsSent()
                    return try await logs.getQueryResultsBody(queryId: queryID)
                }
                failedPolls = 0
            } catch let error as AWSError where error.retryClass == .transient {
                // A failed poll says nothing about the query, which goes on running (and costing):
                // ask again after a pause instead of abandoning it and paying for a new one.
                failedPolls += 1
                guard case .retry(let ceiling) = pollRetry.decide(after: failedPolls, .transient) else { throw error }
                wait = .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
                continue
            }
            let answer = try Self.decode(body)
            let status = CloudWatchLogsClient.QueryStatus(rawValue: answer.status ?? "") ?? .unknown
            // A final answer's statistics are what the query cost (a failed query's too).
            if status != .scheduled && status != .running {
                usage?.scanned(recordsMatched: Int(answer.recordsMatched ?? 0), bytes: answer.bytesScanned ?? 0)
            }
            switch status {
            case .complete:
                return (InsightsQueryResult(rows: answer.rows, recordsMatched: Int(answer.recordsMatched ?? 0),
                                            bytesScanned: answer.bytesScanned ?? 0,
                                            fieldRows: statistics ? try Self.fieldRows(body) : []), polls)
            case .scheduled, .running:
                wait = min(step, maxPollInterval)
                step = step * 3 / 2
            case .failed, .cancelled, .timeout, .unknown:
                throw InsightsQueryEnded(status: answer.status ?? "", queryID: queryID)
            }
        }
        throw InsightsQueryEnded(status: "past the \(queryTimeout) limit (stopped)", queryID: queryID)
    }

    /// Reads a GetQueryResults body with the byte-level reader: rows only when the query is
    /// Complete (a running query's partial results are not needed).
    static func decode(_ body: [UInt8]) throws -> InsightsQueryResultsAnswer {
        do {
            return try InsightsQueryResultsAnswer.decode(body) { $0 == CloudWatchLogsClient.QueryStatus.complete.rawValue }
        } catch {
            throw AWSError.invalidResponse("CloudWatch Logs GetQueryResults answered with an unreadable body (\(error))")
        }
    }

    /// A completed `stats` answer's rows as field → value maps (a day of 5-minute bins is 288
    /// small rows, so Foundation's reader is quick enough here).
    static func fieldRows(_ body: [UInt8]) throws -> [[String: String]] {
        guard let document = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw AWSError.invalidResponse("CloudWatch Logs GetQueryResults answered with an unreadable body")
        }
        let results = document["results"] as? [[[String: Any]]] ?? []
        return results.map { row in
            var fields: [String: String] = [:]
            for cell in row {
                if let field = cell["field"] as? String, let value = cell["value"] as? String { fields[field] = value }
            }
            return fields
        }
    }

    /// One request under its API's pacing; throttling lowers the rate and tries again.
    private func paced<T: Sendable>(_ limiter: RequestRateLimiter, _ call: () async throws -> T) async throws -> T {
        var throttled = 0
        while true {
            try await limiter.acquire()
            do {
                let value = try await call()
                await limiter.recordSuccess()
                return value
            } catch let error as AWSError where error.retryClass == .throttle && throttled < maxThrottledRetries {
                throttled += 1
                await limiter.recordThrottle()
            }
        }
    }

    /// StopQuery for a query we no longer wait for. Runs in its own task so that it is sent
    /// even when the caller was cancelled (a cancelled task's requests fail at once); awaited,
    /// so nothing outlives the run.
    private func stopQuietly(_ queryID: String) async {
        let logs = self.logs
        let stop = Task { _ = try? await logs.stopQuery(queryId: queryID) }
        await stop.value
    }
}
