import Testing
@testable import InsightsSimulator

@Suite struct QueryEngineTests {
    /// 2026-02-04 14:00:00 UTC in seconds.
    let t0: Int64 = 1_770_213_600

    func event(_ ms: Int64, _ message: String, _ n: Int) -> LogEvent {
        LogEvent(timestampMs: ms, message: message, ptr: "ptr-\(n)")
    }

    func run(_ query: String, _ source: any EventSource, _ start: Int64, _ end: Int64, limit: Int? = nil) throws -> QueryResult {
        try QueryEngine.run(try QueryParser.parse(query), source: source, startSeconds: start, endSeconds: end, requestedLimit: limit)
    }

    func values(_ result: QueryResult, _ field: String) -> [String] {
        result.rows.compactMap { row in row.first { $0.0 == field }?.1 }
    }

    @Test func rangeIsInclusiveAtBothEndsUpToTheLastMillisecond() throws {
        let ms = t0 * 1000
        let source = EventFileSource(events: [
            event(ms - 1, "before", 0), event(ms, "first", 1), event(ms + 5_999, "mid", 2),
            event(ms + 10_999, "last", 3), event(ms + 11_000, "after", 4),
        ])
        let result = try run("fields @message | sort @timestamp asc", source, t0, t0 + 10)
        #expect(values(result, "@message") == ["first", "mid", "last"])
        #expect(result.recordsScanned == 3)
        #expect(values(result, "@ptr") == ["ptr-1", "ptr-2", "ptr-3"])
        #expect(values(try run("fields @message", source, t0 + 10, t0 + 10), "@message") == ["last"])
    }

    @Test func capKeepsTheFirstTenThousandInAscendingOrder() throws {
        let g = PulpCorpusGenerator(.init(seed: 3, startMs: 0, endMs: 4_000_000_000_000))
        let day = t0 - 14 * 3600
        let burst = try #require((0..<288).map { day + Int64($0) * 300 }.first { g.isBurstWindow(second: $0) })
        let all = g.events(from: burst * 1000, to: (burst + 300) * 1000)
        #expect(all.count > 10000)
        let result = try run("fields @timestamp, @message | sort @timestamp asc | limit 10000", g, burst, burst + 299)
        #expect(result.rows.count == 10000)
        #expect(result.recordsMatched == all.count)
        #expect(values(result, "@ptr") == all.prefix(10000).map(\.ptr))
        // Without a limit the default (1000) applies; the API parameter can raise it to the cap.
        #expect(try run("fields @message", g, burst, burst + 299).rows.count == 1000)
        #expect(try run("fields @message", g, burst, burst + 299, limit: 10000).rows.count == 10000)
        let desc = try run("fields @timestamp | sort @timestamp desc | limit 3", g, burst, burst + 299)
        #expect(values(desc, "@ptr") == all.suffix(3).reversed().map(\.ptr))
    }

    @Test func filterOperatorsAndParse() throws {
        let ms = t0 * 1000
        let source = EventFileSource(events: [
            event(ms, "GET /api/pypi/a/b/simple/numpy/ 200", 0),
            event(ms + 1, "GET /livez 200", 1),
            event(ms + 2, "GET /api/pypi/a/b/simple/statuspage/ 404", 2),
            event(ms + 3, "django.request:WARNING: Not Found", 3),
            event(ms + 4, "POST /api/pypi/a/b/legacy/ 201", 4),
        ])
        func messages(_ q: String) throws -> [String] { values(try run("fields @message | " + q + " | sort @timestamp asc", source, t0, t0), "@message").map { String($0.prefix(14)) } }
        #expect(try messages(#"filter @message like /\/api\/pypi\//"#).count == 3)
        #expect(try messages(#"filter @message like "livez""#) == ["GET /livez 200"])
        #expect(try messages(#"filter @message not like /^GET/"#) == ["django.request", "POST /api/pypi"])
        #expect(try messages(#"filter @message like /simple/ and not (@message like "numpy" or @message like /STATUS/i)"#).isEmpty)
        #expect(try messages(#"filter @message like /(?i)WARNING/ or @message like "legacy""#).count == 2)
        // parse + numeric comparison on the captured status.
        let parsed = try run(#"parse @message "* * *" as method, path, status | filter status >= 400 and method = "GET" | fields path, status"#, source, t0, t0)
        #expect(values(parsed, "path") == ["/api/pypi/a/b/simple/statuspage/"])
        #expect(values(parsed, "status") == ["404"])
        #expect(parsed.recordsMatched == 1)
        let notEqual = try run(#"parse @message "* * *" as m, p, s | filter s != 200 and s < 500 | fields s | sort s asc"#, source, t0, t0)
        #expect(values(notEqual, "s") == ["201", "404"])
    }

    @Test func statsCountByBin() throws {
        let ms = t0 * 1000
        let source = EventFileSource(events: (0..<10).map { event(ms + Int64($0) * 100_000, "m\($0)", $0) })
        let result = try run("stats count(*) by bin(5m)", source, t0, t0 + 999)
        #expect(values(result, "bin(5m)") == ["2026-02-04 14:00:00.000", "2026-02-04 14:05:00.000", "2026-02-04 14:10:00.000", "2026-02-04 14:15:00.000"])
        #expect(values(result, "count(*)") == ["3", "3", "3", "1"])
        let total = try run("filter @message like 'm1' | stats count(*) as n", source, t0, t0 + 999)
        #expect(values(total, "n") == ["1"])
    }

    @Test(arguments: [
        "dedup @message", "fields", "filter @message like", "fields @message | limit 20000", "limit 0",
        "filter (@message like 'a'", "parse @message \"* *\" as a", "stats sum(x) by bin(5m)", "sort", "fields @message |",
        "filter @message like /[unclosed/", "fields @message # comment", "stats count(*) by bin(5x)",
    ])
    func unsupportedSyntaxIsMalformed(query: String) {
        #expect(throws: QuerySyntaxError.self) {
            let parsed = try QueryParser.parse(query)
            try QueryEngine.validate(parsed)
        }
    }
}
