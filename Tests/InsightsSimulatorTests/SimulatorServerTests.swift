import Testing
@testable import InsightsSimulator

/// The real server on loopback, driven over HTTP with scaled-down latencies.
@Suite struct SimulatorServerTests {
    static let logGroup = "/aws/containerinsights/pulp-prod/application"
    let t0: Int64 = 1_770_213_600

    func fastConfiguration() -> SimulatorConfiguration {
        var c = SimulatorConfiguration()
        c.latencyMs = 0...0
        c.queryBaseMs = 20
        c.queryMsPerMiB = 1
        c.requestsPerSecond = [:]  // no quota on any operation
        return c
    }

    static let corpus = PulpCorpusGenerator(.init(seed: 5, startMs: 0, endMs: 4_000_000_000_000))

    func startBody(_ start: Int64, _ end: Int64, _ query: String, group: String = logGroup, extra: String = "") -> String {
        var q = ""
        JSONValue.appendQuoted(query, to: &q)
        return #"{"logGroupName":"\#(group)","startTime":\#(start),"endTime":\#(end),"queryString":\#(q)\#(extra)}"#
    }

    /// Polls until the query leaves Scheduled/Running (bounded).
    func waitForResults(port: Int, _ id: String) async throws -> (JSONValue, [String]) {
        var statuses: [String] = []
        for _ in 0..<2000 {
            let r = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(id)"}"#)
            let json = try #require(r.json)
            let status = try #require(json["status"]?.stringValue)
            statuses.append(status)
            if status != "Scheduled" && status != "Running" { return (json, statuses) }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        Issue.record("query \(id) never finished")
        return (.null, statuses)
    }

    func rows(_ json: JSONValue) -> [[(String, String)]] {
        (json["results"]?.arrayValue ?? []).map { row in
            (row.arrayValue ?? []).map { ($0["field"]?.stringValue ?? "", $0["value"]?.stringValue ?? "") }
        }
    }

    @Test func servedResultsEqualExpectedForSeveralRanges() async throws {
        try await InsightsSimulatorServer.withRunningServer(configuration: fastConfiguration(), source: Self.corpus) { port, _ in
            for (start, end) in [(t0, t0), (t0 + 1, t0 + 59), (t0 + 299, t0 + 601), (t0 - 7, t0 + 3)] {
                let r = try await TestHTTPClient.post(port: port, operation: "StartQuery",
                                                      startBody(start, end, "sort @timestamp asc | limit 10000"))
                let id = try #require(r.json?["queryId"]?.stringValue)
                let (json, statuses) = try await waitForResults(port: port, id)
                #expect(statuses.last == "Complete")
                let served = rows(json).map { row in
                    var line = "{"
                    for (i, (k, v)) in row.enumerated() {
                        if i > 0 { line += "," }
                        JSONValue.appendQuoted(k, to: &line); line += ":"; JSONValue.appendQuoted(v, to: &line)
                    }
                    return line + "}"
                }
                let expected = Self.corpus.events(from: start * 1000, to: (end + 1) * 1000).map(\.ndjsonLine)
                #expect(!expected.isEmpty)
                #expect(served == expected)
                #expect(json["statistics"]?["recordsMatched"]?.numberValue == Double(expected.count))
            }
        }
    }

    @Test func everyErrorTypeHasTheAWSShape() async throws {
        var c = fastConfiguration()
        c.maxConcurrentQueries = 1
        c.queryBaseMs = 60_000
        c.requestsPerSecond[.getQueryResults] = 0.1  // one token, refilled only after 10 s
        try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, _ in
            func check(_ op: String, _ body: String, _ type: String, _ status: Int = 400) async throws {
                let r = try await TestHTTPClient.post(port: port, operation: op, body)
                #expect(r.status == status, "\(op) \(body)")
                #expect(r.errorType == type, "\(op) \(body)")
                #expect(r.json?["message"]?.stringValue?.isEmpty == false)
                #expect(r.header("x-amzn-RequestId")?.count == 36)
                #expect(r.header("Content-Type") == "application/x-amz-json-1.1")
            }
            try await check("StartQuery", startBody(t0, t0 + 1, "fields @message", group: "/nope"), "ResourceNotFoundException")
            try await check("StartQuery", startBody(t0 + 5, t0, "fields @message"), "InvalidParameterException")
            try await check("StartQuery", startBody(t0, t0 + 1, "fields @message", extra: #","limit":0"#), "InvalidParameterException")
            try await check("StartQuery", #"{"startTime":1,"endTime":2,"queryString":"fields @message"}"#, "InvalidParameterException")
            try await check("StartQuery", startBody(t0, t0 + 1, "fields @message | nope"), "MalformedQueryException")
            try await check("StartQuery", "{not json", "SerializationException")
            try await check("Frobnicate", "{}", "UnknownOperationException")
            let ok = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 1, "fields @message"))
            #expect(ok.status == 200)
            try await check("StartQuery", startBody(t0, t0 + 1, "fields @message"), "LimitExceededException")
            try await check("GetQueryResults", #"{"queryId":"missing"}"#, "ResourceNotFoundException")
            try await check("GetQueryResults", #"{"queryId":"missing"}"#, "ThrottlingException")
            let malformed = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 1, "fields @message | nope"))
            #expect(malformed.json?["queryCompileError"]?["location"]?["startCharOffset"]?.numberValue == 18)
        }
        var broken = fastConfiguration()
        broken.faultProbability[.serverError] = 1
        try await InsightsSimulatorServer.withRunningServer(configuration: broken, source: Self.corpus) { port, service in
            var statuses: Set<Int> = []
            for _ in 0..<12 {
                let r = try await TestHTTPClient.post(port: port, operation: "DescribeLogGroups", "{}")
                #expect(r.errorType == "ServiceUnavailableException")
                statuses.insert(r.status)
            }
            #expect(statuses == [500, 503])
            #expect(service.statistics.faults["5xx"] == 12)
        }
    }

    @Test func quotasHoldUnderFiftyConcurrentClients() async throws {
        var c = fastConfiguration()
        c.maxConcurrentQueries = 30
        c.queryBaseMs = 600_000  // nothing finishes during the test
        try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, service in
            let body = startBody(t0, t0 + 1, "fields @message")
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let r = try await TestHTTPClient.post(port: port, operation: "StartQuery", body)
                        return r.status == 200 ? "ok" : (r.errorType ?? "?")
                    }
                }
                var all: [String] = []
                for try await o in group { all.append(o) }
                return all
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 30)
            #expect(outcomes.filter { $0 == "LimitExceededException" }.count == 20)
            let stats = service.statistics
            #expect(stats.peakConcurrentQueries == 30)
            #expect(stats.limitExceeded == 20)
        }
        // Rate quota: 50 simultaneous StartQuery against 5/s; only the bucket (5) plus what
        // refilled while the burst was in flight may pass.
        var rated = fastConfiguration()
        rated.requestsPerSecond[.startQuery] = 5
        rated.queryBaseMs = 1
        try await InsightsSimulatorServer.withRunningServer(configuration: rated, source: Self.corpus) { port, service in
            let body = startBody(t0, t0 + 1, "fields @message")
            let clock = ContinuousClock()
            let began = clock.now
            let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await TestHTTPClient.post(port: port, operation: "StartQuery", body).status == 200 ? 1 : 0 }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = clock.now - began
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            #expect(accepted >= 5)
            #expect(accepted <= 5 + Int((seconds * 5).rounded(.up)))
            #expect(service.statistics.throttles == 50 - accepted)
        }
    }

    @Test func queryLifecycleAndStop() async throws {
        // Each phase is pinned by the time model rather than by racing the clock:
        // a 10-minute query spends half its time Scheduled, or all of it Running.
        var c = fastConfiguration()
        for (fraction, status) in [(0.5, "Scheduled"), (0.0, "Running")] {
            c.queryBaseMs = 600_000
            c.scheduledFraction = fraction
            try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, _ in
                let r = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 10, "fields @message"))
                let id = try #require(r.json?["queryId"]?.stringValue)
                let poll = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(id)"}"#)
                #expect(poll.json?["status"]?.stringValue == status)
                #expect(poll.json?["results"]?.arrayValue?.isEmpty == true)
            }
        }
        c.queryBaseMs = 50
        c.scheduledFraction = 0.2
        try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, _ in
            let r = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 10, "fields @message"))
            let id = try #require(r.json?["queryId"]?.stringValue)
            let (json, statuses) = try await waitForResults(port: port, id)
            let order = ["Scheduled", "Running", "Complete"]
            #expect(statuses.last == "Complete")
            #expect(statuses.allSatisfy(order.contains))
            #expect(statuses == statuses.sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! })
            #expect(rows(json).count == Self.corpus.events(from: t0 * 1000, to: (t0 + 11) * 1000).count)
            let again = try await TestHTTPClient.post(port: port, operation: "StopQuery", #"{"queryId":"\#(id)"}"#)
            #expect(again.json?["success"] == .bool(false))
        }
        c.queryBaseMs = 600_000
        try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, _ in
            let second = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 10, "fields @message"))
            let id2 = try #require(second.json?["queryId"]?.stringValue)
            let stop = try await TestHTTPClient.post(port: port, operation: "StopQuery", #"{"queryId":"\#(id2)"}"#)
            #expect(stop.json?["success"] == .bool(true))
            let after = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(id2)"}"#)
            #expect(after.json?["status"]?.stringValue == "Cancelled")
            let stats = try await TestHTTPClient.request(port: port, method: .GET, uri: "/_sim/stats")
            #expect(stats.json?["queriesStarted"]?.numberValue == 1)
            #expect(stats.json?["activeQueries"]?.numberValue == 0)
            #expect(stats.json?["requests"]?["StopQuery"]?["ok"]?.numberValue == 1)
            #expect(stats.json?["queriesFinished"]?["Cancelled"]?.numberValue == 1)
        }
    }

    @Test func faultsResetFailedQueriesAndSlowResponses() async throws {
        var reset = fastConfiguration()
        reset.faultProbability[.reset] = 1
        try await InsightsSimulatorServer.withRunningServer(configuration: reset, source: Self.corpus) { port, _ in
            let r = try await TestHTTPClient.post(port: port, operation: "DescribeLogGroups", "{}")
            #expect(!r.complete)
        }
        var failing = fastConfiguration()
        failing.faultProbability[.queryFailed] = 1
        try await InsightsSimulatorServer.withRunningServer(configuration: failing, source: Self.corpus) { port, service in
            var finals: Set<String> = []
            for _ in 0..<9 {
                let r = try await TestHTTPClient.post(port: port, operation: "StartQuery", startBody(t0, t0 + 1, "fields @message"))
                let id = try #require(r.json?["queryId"]?.stringValue)
                let (json, _) = try await waitForResults(port: port, id)
                finals.insert(json["status"]?.stringValue ?? "")
                #expect(json["results"]?.arrayValue?.isEmpty == true)
            }
            #expect(finals.isSubset(of: ["Failed", "Timeout", "Cancelled"]))
            #expect(finals.count >= 2)
            #expect(service.statistics.queriesStarted == 9)
        }
        var slow = fastConfiguration()
        slow.faultProbability[.slow] = 1
        slow.slowResponseMs = 150
        try await InsightsSimulatorServer.withRunningServer(configuration: slow, source: Self.corpus) { port, service in
            let clock = ContinuousClock()
            let began = clock.now
            let r = try await TestHTTPClient.post(port: port, operation: "DescribeLogGroups", "{}")
            #expect(r.status == 200)
            #expect(clock.now - began >= .milliseconds(150))
            #expect(service.statistics.faults["slow"] == 1)
        }
    }

    @Test func faultDrawsAreDeterministicPerSeed() async throws {
        var c = fastConfiguration()
        c.faultProbability[.throttle] = 0.3
        c.faultProbability[.serverError] = 0.2
        func sequence() async throws -> [Int] {
            try await InsightsSimulatorServer.withRunningServer(configuration: c, source: Self.corpus) { port, _ in
                var statuses: [Int] = []
                for _ in 0..<40 { statuses.append(try await TestHTTPClient.post(port: port, operation: "DescribeLogGroups", "{}").status) }
                return statuses
            }
        }
        let a = try await sequence()
        let b = try await sequence()
        #expect(a == b)
        #expect(a.contains(200) && a.contains(400) && a.contains { $0 >= 500 })
    }
}

@Suite struct QueryRetentionTests {
    @Test func finishedQueriesBeyondTheAllowanceAreForgotten() async throws {
        var c = SimulatorServerTests().fastConfiguration()
        c.queryBaseMs = 0
        c.queryMsPerMiB = 0
        c.maxRetainedQueries = 3
        let source = EventFileSource(events: [LogEvent(timestampMs: 1_770_213_600_000, message: "m", ptr: "p")])
        let logGroup = c.logGroupName
        try await InsightsSimulatorServer.withRunningServer(configuration: c, source: source) { port, _ in
            var ids: [String] = []
            for _ in 0..<80 {
                let r = try await TestHTTPClient.post(port: port, operation: "StartQuery",
                    #"{"logGroupName":"\#(logGroup)","startTime":1770213600,"endTime":1770213601,"queryString":"fields @message"}"#)
                ids.append(try #require(r.json?["queryId"]?.stringValue))
                // Wait (bounded) until this query is finished so the next sweep may drop it.
                for _ in 0..<500 {
                    let g = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(ids.last!)"}"#)
                    if g.json?["status"]?.stringValue == "Complete" { break }
                    try await Task.sleep(nanoseconds: 2_000_000)
                }
            }
            let oldest = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(ids[0])"}"#)
            #expect(oldest.errorType == "ResourceNotFoundException")
            let newest = try await TestHTTPClient.post(port: port, operation: "GetQueryResults", #"{"queryId":"\#(ids.last!)"}"#)
            #expect(newest.json?["status"]?.stringValue == "Complete")
        }
    }
}
