import Testing
@testable import InsightsSimulator

/// The upstream exporters' own queries, unchanged: `like "text"` chains, `ispresent()`,
/// `coalesce()`, `fields … as …` and fields discovered from a JSON `@message`.
@Suite struct UpstreamQueryTests {
    /// 2026-07-20 09:00:00 UTC in seconds.
    let t0: Int64 = 1_784_538_000

    static let pythonQuery = #"fields @timestamp, @message, @ptr | filter @message like "/api/pulp-content/" and (@message like ".whl" or @message like ".whl.metadata") | sort @timestamp asc | limit 10000"#
    static let lineQuery = #"fields @timestamp, coalesce(message, @message) as line | filter ispresent(kubernetes.container_name) and kubernetes.container_name = "pulp-content" | filter line like "/api/pulp-content/" | sort @timestamp asc | limit 10000"#

    static func wrapped(_ line: String, container: String, member: String = "message") -> String {
        var quoted = ""
        JSONValue.appendQuoted(line, to: &quoted)
        return #"{"@timestamp":"2026-07-20T09:00:00Z","kubernetes":{"container_name":"\#(container)","labels":{"app":"x"}},"level":"info","n":3,"ratio":0.5,"ok":true,"gone":null,"tags":["a","b"],"\#(member)":\#(quoted)}"#
    }

    static let wheel = #"10.130.2.17 [20/Jul/2026:09:00:00 +0000] "GET /api/pulp-content/acme/wheels/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl HTTP/1.1" 200 1 "-" "uv/0.7.2 {"installer":{"name":"uv"}}" cache:"MISS" artifact_size:"1" rh_org_id:"1" x_forwarded_for:"1.2.3.4" request_time:"0.1""#
    static let metadata = #"10.130.2.18 [20/Jul/2026:09:00:01 +0000] "GET /api/pulp-content/acme/wheels/torch-2.6.0-py3-none-any.whl.metadata HTTP/1.1" 200 1 "-" "pip" cache:"HIT" artifact_size:"1" rh_org_id:"-" x_forwarded_for:"-""#
    static let rpm = #"10.130.2.19 [20/Jul/2026:09:00:02 +0000] "GET /api/pulp-content/copr/el9/Packages/z/zsh-5.9-8.el9.x86_64.rpm HTTP/1.1" 200 1 "-" "dnf" cache:"HIT" artifact_size:"1" rh_org_id:"-" x_forwarded_for:"-""#
    static let api = #"pulp [abc]: 10.128.4.9 - user:a org_id:1 [20/Jul/2026:09:00:03 +0000] "GET /api/pypi/d/dist/simple/whl-tools/ HTTP/1.1" 200 1 "-" "pip" 5 x_forwarded_for:"-""#

    /// Events in a fixed order: content lines wrapped and unwrapped, a `log`-member wrapper, an
    /// API line, and content-looking text in a non-content container.
    static let events: [LogEvent] = {
        let ms = Int64(1_784_538_000) * 1000
        return [
            LogEvent(timestampMs: ms, message: wrapped(wheel, container: "pulp-content"), ptr: "p0"),
            LogEvent(timestampMs: ms + 1000, message: wrapped(metadata, container: "pulp-content"), ptr: "p1"),
            LogEvent(timestampMs: ms + 2000, message: wrapped(rpm, container: "pulp-content", member: "log"), ptr: "p2"),
            LogEvent(timestampMs: ms + 3000, message: wrapped(api, container: "pulp-api"), ptr: "p3"),
            LogEvent(timestampMs: ms + 4000, message: wheel, ptr: "p4"),
            LogEvent(timestampMs: ms + 5000, message: wrapped(wheel, container: "sidecar"), ptr: "p5"),
            LogEvent(timestampMs: ms + 6000, message: "{not json /api/pulp-content/ .whl", ptr: "p6"),
        ]
    }()

    func run(_ query: String) throws -> QueryResult {
        try QueryEngine.run(try QueryParser.parse(query), source: EventFileSource(events: Self.events),
                            startSeconds: t0, endSeconds: t0 + 59, requestedLimit: nil)
    }

    func column(_ result: QueryResult, _ field: String) -> [String?] {
        result.rows.map { row in row.first { $0.0 == field }?.1 }
    }

    /// The python exporter's query: substring `like` chains inside parentheses. Fails if string
    /// patterns stop being substring tests or `or` inside parentheses is mis-parsed.
    @Test func pythonExporterQueryExactly() throws {
        let result = try run(Self.pythonQuery)
        #expect(column(result, "@ptr") == ["p0", "p1", "p4", "p5", "p6"])
        #expect(result.rows.allSatisfy { $0.map(\.0) == ["@timestamp", "@message", "@ptr"] })
        #expect(column(result, "@message")[0] == Self.wrapped(Self.wheel, container: "pulp-content"))
        #expect(result.recordsMatched == 5)
    }

    /// The line query: coalesce over a discovered member, ispresent and a dotted nested field,
    /// then a filter on the alias. Fails if discovery, coalesce order or the alias breaks.
    @Test func lineQueryExactly() throws {
        let result = try run(Self.lineQuery)
        #expect(column(result, "@ptr") == ["p0", "p1", "p2"])
        #expect(result.rows.allSatisfy { $0.map(\.0) == ["@timestamp", "line", "@ptr"] })
        // `message` when the wrapper has it; for the `log` wrapper coalesce falls back to @message.
        #expect(column(result, "line") == [Self.wheel, Self.metadata, Self.wrapped(Self.rpm, container: "pulp-content", member: "log")])
        #expect(column(result, "@timestamp") == ["2026-07-20 09:00:00.000", "2026-07-20 09:00:01.000", "2026-07-20 09:00:02.000"])
    }

    @Test(arguments: [
        // (query, expected @ptr values); each line says what it checks.
        // A longer or-chain, no parentheses needed around a single chain.
        (#"filter @message like "torch" or @message like "zsh" or @message like "whl-tools" or @message like "nothing" | sort @timestamp asc"#, ["p0", "p1", "p2", "p3", "p4", "p5"]),
        // and binds tighter than or.
        (#"filter @message like "zsh" or @message like "torch" and @message like "metadata" | sort @timestamp asc"#, ["p1", "p2"]),
        // not ispresent: events without the JSON member (unwrapped or not JSON).
        (#"filter not ispresent(kubernetes.container_name) | sort @timestamp asc"#, ["p4", "p6"]),
        // ispresent of a null member is false; of an array element, a number and a bool true.
        (#"filter ispresent(gone) | sort @timestamp asc"#, []),
        (#"filter ispresent(tags.1) and n = 3 and ok = "true" and ratio = 0.5 and kubernetes.labels.app = "x" | sort @timestamp asc"#, ["p0", "p1", "p2", "p3", "p5"]),
        // A member that only the `log` wrapper has; system fields are always present.
        (#"filter ispresent(log) and ispresent(@message) and ispresent(@ptr)"#, ["p2"]),
        // coalesce with three arguments and a literal, compared and matched.
        (#"fields coalesce(message, log, "none") as text | filter text = "none" | sort @timestamp asc"#, ["p4", "p6"]),
        (#"filter coalesce(log, message) like "zsh" or coalesce(log, message) like /^pulp \[/ | sort @timestamp asc"#, ["p2", "p3"]),
        // An alias of a plain field, sorted by the alias (descending).
        (#"fields @ptr as id | filter kubernetes.container_name != "pulp-api" | sort id desc"#, ["p5", "p2", "p1", "p0"]),
        // A filter before the `fields … as` that defines the name sees no such field.
        (#"filter ispresent(line) | fields coalesce(message, @message) as line"#, []),
        // =~ with a string is like.
        (#"filter kubernetes.container_name =~ "content" | sort @timestamp asc"#, ["p0", "p1", "p2"]),
    ])
    func variations(query: String, ptrs: [String]) throws {
        #expect(column(try run(query), "@ptr").compactMap { $0 } == ptrs, "\(query)")
    }

    /// An unaliased function is named after its text; the value is the first present argument.
    @Test func unaliasedCoalesceIsNamedAsWritten() throws {
        let result = try run(#"fields coalesce(log,  message) , kubernetes.container_name | filter ispresent(n) | sort @timestamp asc"#)
        #expect(result.rows.first?.map(\.0) == ["coalesce(log,  message)", "kubernetes.container_name", "@ptr"])
        #expect(column(result, "coalesce(log,  message)") == [Self.wheel, Self.metadata, Self.rpm, Self.api, Self.wheel])
    }

    /// The backfill's own query never pays for JSON discovery; the upstream line query does.
    /// Fails if discovery runs for queries over system fields only (the benchmarks' hot path).
    @Test func discoveryOnlyWhenAQueryNamesADiscoveredField() throws {
        let backfill = #"fields @timestamp, @message, @ptr, @logStream | filter @message like /\\?\/api\\?\/pypi\\?\// | sort @timestamp asc | limit 10000"#
        #expect(try CompiledFilters(QueryParser.parse(backfill)).needsDiscoveredFields == false)
        #expect(try CompiledFilters(QueryParser.parse(Self.pythonQuery)).needsDiscoveredFields == false)
        #expect(try CompiledFilters(QueryParser.parse(#"parse @message "* *" as a, b | fields a, b as c | sort c"#)).needsDiscoveredFields == false)
        #expect(try CompiledFilters(QueryParser.parse(Self.lineQuery)).needsDiscoveredFields == true)
        #expect(try CompiledFilters(QueryParser.parse("fields message")).needsDiscoveredFields == true)
    }

    @Test func discoveredFieldsFlattenLikeInsights() {
        let fields = DiscoveredFields.of(#" {"a":{"b":[1,{"c":"x"}],"d":null},"e":-2.5,"f":false,"g":"\u00e9\"","h":1e3}"#)
        #expect(fields == ["a.b.0": "1", "a.b.1.c": "x", "e": "-2.5", "f": "false", "g": "é\"", "h": "1000"])
        #expect(DiscoveredFields.of("plain text").isEmpty)
        #expect(DiscoveredFields.of("[1,2]").isEmpty)
        #expect(DiscoveredFields.of(#"{"broken":"#).isEmpty)
        // At most 200 fields from one event, in document order.
        let many = "{" + (0..<250).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"
        let capped = DiscoveredFields.of(many)
        #expect(capped.count == 200 && capped["k199"] == "199" && capped["k200"] == nil)
    }

    /// Unsupported syntax still fails at StartQuery, naming where (character offsets).
    @Test(arguments: [
        ("filter strlen(@message) > 5", 7, 13),              // unknown function
        ("fields @timestamp, isempty(x) as y", 19, 26),      // unknown function in fields
        ("fields ispresent(x) as y", 7, 16),                 // a condition is not a value
        ("filter ispresent(\"x\")", 17, 20),                 // ispresent needs a field name
        ("filter ispresent(x", 18, 18),                      // unclosed: fails at the end
        ("fields coalesce() as y", 16, 17),                  // coalesce needs an argument
        ("fields coalesce(a, ) as y", 19, 20),               // a missing argument
        ("fields coalesce(a, b) as", 24, 24),                // alias missing
        ("fields a as b c", 14, 15),                         // two names
        ("filter coalesce(a, b) | limit 5", 22, 23),         // a value is not a condition
        ("filter @message like \"a\" or", 27, 27),           // dangling or
    ])
    func malformedQueriesNameThePosition(query: String, start: Int, end: Int) {
        do {
            let parsed = try QueryParser.parse(query)
            try QueryEngine.validate(parsed)
            Issue.record("accepted: \(query)")
        } catch {
            #expect(error.start == start && error.end == end, "\(query): \(error.message) at \(error.start)..<\(error.end)")
        }
    }
}
