import Foundation
import Testing
@testable import AccessLog

/// The ten events of `Tests/Fixtures/sample-events.ndjson`, with every expected value worked
/// out by hand from the fixture text (not produced by the code under test).
@Suite struct SampleEventsTests {
    /// The OpenShift logging wrapper the fixture's events use, with the access line written in
    /// its JSON-escaped form (as it appears inside `@message`).
    static func openShift(_ isoTimestamp: String, _ escapedLine: String) -> String {
        #"{"@timestamp":""# + isoTimestamp
            + #"","hostname":"ip-10-0-141-7.ec2.internal","kubernetes":{"container_name":"pulp-api","namespace_name":"pulp-prod","pod_name":"pulp-api-7d9f8c6b5-x2k4q","labels":{"app":"pulp-api"}},"level":"info","log_type":"application","message":""#
            + escapedLine + #""}"#
    }

    static func ptr(_ index: Int) -> String { "CmAKJgoiMTIzNDU2Nzg5MDEyOi9hd3MvY29udGFpbmVyaW5zaWdodHMQ000\(index)EAAY" }

    /// 2026-02-04 14:30:00 UTC = 1 770 215 400 s (see TestSupport.feb4At1430).
    static let expected: [RowOutcome] = [
        // 1: wrapped line; user agent carries escaped JSON; x_forwarded_for has two hops.
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_400_123_000_000,
            message: openShift("2026-02-04T14:30:00.123Z", #"pulp [abc-123]: 10.128.4.9 - user:testuser org_id:org123 [04/Feb/2026:14:30:00 +0000] \"GET /api/pypi/domain1/dist1/simple/package1/ HTTP/1.1\" 200 456 \"-\" \"uv/0.9.26 {\\\"installer\\\":{\\\"name\\\":\\\"uv\\\"}}\" 550 x_forwarded_for:\"23.48.249.160,10.0.0.1\""#),
            user: "testuser", orgID: "org123", domain: "domain1", distribution: "dist1", package: "package1",
            statusCode: 200, userAgent: #"uv/0.9.26 {"installer":{"name":"uv"}}"#, xForwardedFor: "23.48.249.160",
            ptr: ptr(0))),
        // 2: anonymous (user:- org_id:-), 404.
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_401_456_000_000,
            message: openShift("2026-02-04T14:30:01.456Z", #"pulp [def-456]: 10.128.4.10 - user:- org_id:- [04/Feb/2026:14:30:01 +0000] \"GET /api/pypi/domain2/dist2/simple/package2/ HTTP/1.1\" 404 0 \"-\" \"pip/23.0\" 120 x_forwarded_for:\"10.20.30.40\""#),
            user: nil, orgID: nil, domain: "domain2", distribution: "dist2", package: "package2",
            statusCode: 404, userAgent: "pip/23.0", xForwardedFor: "10.20.30.40",
            ptr: ptr(1))),
        // 3: distribution with slashes; x_forwarded_for with spaces after commas.
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_402_001_000_000,
            message: openShift("2026-02-04T14:30:02.001Z", #"pulp [0f1e2d3c]: 10.128.4.11 - user:svc-rhoai org_id:5894300 [04/Feb/2026:14:30:02 +0000] \"GET /api/pypi/public-rhai/rhoai/3.5-EA2/cpu-ubi9/simple/numpy/ HTTP/1.1\" 200 18734 \"-\" \"pip/24.0 {\\\"ci\\\":null,\\\"cpu\\\":\\\"x86_64\\\",\\\"implementation\\\":{\\\"name\\\":\\\"CPython\\\",\\\"version\\\":\\\"3.12.3\\\"}}\" 37 x_forwarded_for:\"66.187.232.140, 66.187.232.140, 23.220.105.201\""#),
            user: "svc-rhoai", orgID: "5894300", domain: "public-rhai", distribution: "rhoai/3.5-EA2/cpu-ubi9", package: "numpy",
            statusCode: 200,
            userAgent: #"pip/24.0 {"ci":null,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.12.3"}}"#,
            xForwardedFor: "66.187.232.140",
            ptr: ptr(2))),
        // 4: package "statuspage" is kept (prefix rules); referer present; IPv6 client.
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_402_500_000_000,
            message: openShift("2026-02-04T14:30:02.500Z", #"pulp [11aa22bb]: 10.128.4.12 - user:- org_id:- [04/Feb/2026:14:30:02 +0000] \"GET /api/pypi/public/main/simple/statuspage/ HTTP/1.1\" 200 912 \"https://pypi.example.org/\" \"Mozilla/5.0 (X11; Linux x86_64)\" 12 x_forwarded_for:\"2001:db8::7\""#),
            user: nil, orgID: nil, domain: "public", distribution: "main", package: "statuspage",
            statusCode: 200, userAgent: "Mozilla/5.0 (X11; Linux x86_64)", xForwardedFor: "2001:db8::7",
            ptr: ptr(3))),
        // 5: query string cut off the path; bytes "-"; x_forwarded_for "-".
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_403_000_000_000,
            message: openShift("2026-02-04T14:30:03.000Z", #"pulp [33cc44dd]: 10.128.4.13 - user:alice org_id:777 [04/Feb/2026:14:30:03 +0000] \"GET /api/pypi/acme/prod/simple/requests/?format=json HTTP/2.0\" 304 - \"-\" \"poetry/1.8.3\" 5 x_forwarded_for:\"-\""#),
            user: "alice", orgID: "777", domain: "acme", distribution: "prod", package: "requests",
            statusCode: 304, userAgent: "poetry/1.8.3", xForwardedFor: nil,
            ptr: ptr(4))),
        // 6: health probe.
        .skipped(.excluded),
        // 7: POST to /legacy/ is not a simple-index path.
        .skipped(.pathNotPyPI),
        // 8: django warning line.
        .skipped(.djangoWarning),
        // 9: @message is the bare access line, not JSON.
        .kept(AccessLogRow(
            timestampNanos: 1_770_215_407_250_000_000,
            message: #"pulp [99bbccdd]: 10.128.4.16 - user:- org_id:- [04/Feb/2026:14:30:07 +0000] "GET /api/pypi/acme/prod/simple/zope.interface/ HTTP/1.1" 200 5120 "-" "pip/23.3.1" 44 x_forwarded_for:"203.0.113.9""#,
            user: nil, orgID: nil, domain: "acme", distribution: "prod", package: "zope.interface",
            statusCode: 200, userAgent: "pip/23.3.1", xForwardedFor: "203.0.113.9",
            ptr: ptr(8))),
        // 10: /simple/ index itself has no package segment.
        .skipped(.pathNotPyPI),
    ]

    static let expectedTimestamps = [
        "2026-02-04 14:30:00.123", "2026-02-04 14:30:01.456", "2026-02-04 14:30:02.001", "2026-02-04 14:30:02.500",
        "2026-02-04 14:30:03.000", "2026-02-04 14:30:04.000", "2026-02-04 14:30:05.000", "2026-02-04 14:30:06.000",
        "2026-02-04 14:30:07.250", "2026-02-04 14:30:08.999",
    ]

    @Test func fixtureHasTenEvents() throws {
        #expect(try TestSupport.fixtureLines().count == 10)
    }

    @Test(arguments: 0..<10)
    func sampleEvent(_ index: Int) throws {
        let line = try TestSupport.fixtureLines()[index]
        let row = try InsightsRowDecoder.decodeLine(line)
        #expect(row.timestamp == Self.expectedTimestamps[index])
        #expect(row.ptr == Self.ptr(index))
        #expect(AccessLogParser().parse(row) == Self.expected[index])
    }

    @Test func sampleCounts() throws {
        var counts = RowCounts()
        for line in try TestSupport.fixtureLines() {
            counts.count(AccessLogParser().parse(try InsightsRowDecoder.decodeLine(line)))
        }
        #expect((counts.rows, counts.skipped, counts.malformed) == (6, 4, 0))
        // Fails if a skipped row is counted under another rule's reason.
        #expect(counts.skippedByReason == ["excluded": 1, "path-not-pypi": 2, "django-warning": 1])
    }

    /// Our NDJSON decoder agrees with Foundation's JSONSerialization (an independent reader)
    /// on every sample line.
    @Test func decoderAgreesWithFoundation() throws {
        for line in try TestSupport.fixtureLines() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let row = try InsightsRowDecoder.decodeLine(line)
            #expect(row.timestamp == object["@timestamp"] as? String)
            #expect(row.message == object["@message"] as? String)
            #expect(row.ptr == object["@ptr"] as? String)
        }
    }

    /// The same events as a saved GetQueryResults response decode to the same rows. The
    /// document is written with Foundation (not the code under test), fields in Insights'
    /// order plus an ignored `@logStream`.
    @Test func sampleAsQueryResultsDocument() throws {
        let lines = try TestSupport.fixtureLines()
        var results: [[[String: String]]] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            results.append([
                ["field": "@timestamp", "value": object["@timestamp"]!],
                ["field": "@logStream", "value": "pulp-api-7d9f8c6b5-x2k4q"],
                ["value": object["@message"]!, "field": "@message"],
                ["field": "@ptr", "value": object["@ptr"]!],
            ])
        }
        let document: [String: Any] = [
            "status": "Complete",
            "statistics": ["recordsMatched": 10.0, "recordsScanned": 1000.0, "bytesScanned": 123456.0],
            "results": results,
        ]
        let bytes = Array(try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted]))
        #expect(InsightsRowDecoder.looksLikeQueryResults(bytes))
        #expect(!InsightsRowDecoder.looksLikeQueryResults(lines[0]))
        let rows = try InsightsRowDecoder.decodeQueryResults(bytes)
        #expect(rows.count == 10)
        for (index, row) in rows.enumerated() {
            #expect(row == (try InsightsRowDecoder.decodeLine(lines[index])))
            #expect(AccessLogParser().parse(row) == Self.expected[index])
        }
    }
}
