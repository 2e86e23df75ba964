import Testing
@testable import AccessLog

/// One test (or a few) per rule of docs/row-rules.md, named by the rule's number.
@Suite struct RowRulesTests {
    typealias T = TestSupport

    // MARK: Rule 1 — access line

    @Test func rule1_messageMemberOfJSONWrapper() throws {
        let inner = T.accessLine()
        let wrapped = #"{"level":"info","message":"# + "\"" + inner.replacingOccurrences(of: "\"", with: "\\\"") + #"","log":"ignored"}"#
        let row = try #require(T.kept(T.parse(wrapped)))
        #expect(row.user == "alice")
        #expect(row.package == "pkg")
        #expect(row.message == wrapped)  // rule 11: @message byte for byte, wrapper and all
    }

    @Test func rule1_logMemberFallback() throws {
        let inner = T.accessLine(request: #""GET /api/pypi/dom/dist/simple/from-log/ HTTP/1.1""#)
        let escaped = inner.replacingOccurrences(of: "\"", with: "\\\"")
        // "message" is not a string, so "log" is used.
        let wrapped = #"{"message":{"nested":true},"log":"# + "\"" + escaped + "\"}"
        #expect(T.kept(T.parse(wrapped))?.package == "from-log")
        // Neither member → the whole @message is the line (no request in it → skipped).
        #expect(T.parse(#"{"other":"x"}"#) == .skipped(.noRequest))
    }

    @Test func rule1_messageNotJSONIsTheLine() throws {
        let plain = T.accessLine()
        #expect(T.kept(T.parse(plain))?.message == plain)
        // Looks like JSON but is not valid JSON: treated as plain text.
        let broken = "{not json " + T.accessLine()
        let row = try #require(T.kept(T.parse(broken)))
        #expect(row.message == broken)
        #expect(row.package == "pkg")
        // A valid JSON value that is not an object is plain text as well.
        #expect(T.kept(T.parse(#""GET /api/pypi/d/x/simple/p/ HTTP/1.1""#))?.package == "p")
    }

    @Test func rule1_trailingLineEndsDropped() throws {
        let row = try #require(T.kept(T.parse(T.accessLine(suffix: " x_forwarded_for:\"9.9.9.9\"\r\n"))))
        #expect(row.xForwardedFor == "9.9.9.9")
        let noAgentTail = try #require(T.kept(T.parse(T.accessLine(afterRequest: " 200 1 \"-\" \"ua\"", suffix: "\r\n\n"))))
        #expect(noAgentTail.userAgent == "ua")
        // The message itself keeps them (rule 11).
        #expect(noAgentTail.message.hasSuffix("\r\n\n"))
        // In a JSON wrapper too: "message":"...\r\n".
        let wrapped = #"{"message":"x user:bob\r\n \"GET /api/pypi/d/x/simple/p/\" 200 1 \"-\" \"ua\"\r\n"}"#
        #expect(T.kept(T.parse(wrapped))?.userAgent == "ua")
    }

    // MARK: Rule 2 — quoted values

    @Test func rule2_escapedQuoteAndBackslashInQuotedValues() throws {
        let row = try #require(T.kept(T.parse(T.accessLine(afterRequest: #" 200 1 "-" "a \"quoted\" b\\c" 5"#))))
        #expect(row.userAgent == #"a "quoted" b\c"#)
        // `\\` is one escaped backslash, so the quote after it closes the value.
        let closing = try #require(T.kept(T.parse(T.accessLine(afterRequest: #" 200 1 "-" "end\\" 5"#))))
        #expect(closing.userAgent == #"end\"#)
        // Any other backslash is kept as is.
        let other = try #require(T.kept(T.parse(T.accessLine(afterRequest: #" 200 1 "-" "tab\there" 5"#))))
        #expect(other.userAgent == #"tab\there"#)
        // An escaped quote in the referer does not end it early.
        let referer = try #require(T.kept(T.parse(T.accessLine(afterRequest: #" 200 1 "r\" x" "ua" 5"#))))
        #expect(referer.userAgent == "ua")
    }

    // MARK: Rule 3 — request

    @Test func rule3_requestWithoutProtocol() throws {
        let row = try #require(T.kept(T.parse(T.accessLine(request: "\"GET /api/pypi/d/x/simple/p/\""))))
        #expect(row.domain == "d")
        #expect(row.statusCode == 200)
    }

    @Test func rule3_firstRequestShapedQuotedValueWins() throws {
        // Quoted values that are not requests come first and are passed over.
        let line = #"pulp "hello" "get /lower" "GET  /double-space" "GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 1 "-" "ua""#
        let row = try #require(T.kept(T.parse(line)))
        #expect(row.package == "p")
        #expect(row.userAgent == "ua")
        #expect(T.parse(#"no "quoted request" here [04/Feb/2026:14:30:00 +0000]"#) == .skipped(.noRequest))
        #expect(T.parse(#""GET /api/pypi/d/x/simple/p/ HTTP/1.1 extra" 200"#) == .skipped(.noRequest))
        #expect(T.parse(#""GET /api/pypi/d/x/simple/p/ HTTP/1.1"#) == .skipped(.noRequest))  // never closed
        #expect(T.parse(#""GET " 200"#) == .skipped(.noRequest))  // empty target
        #expect(T.parse(nil) == .skipped(.noRequest))
        // A later request-shaped value is not used when an earlier one exists.
        let two = #""GET /livez HTTP/1.1" "GET /api/pypi/d/x/simple/p/ HTTP/1.1""#
        #expect(T.parse(two) == .skipped(.excluded))
    }

    @Test func rule3_pathEndsAtQuestionMarkOrHash() throws {
        let query = try #require(T.kept(T.parse(T.accessLine(request: "\"GET /api/pypi/d/x/simple/p/?a=/b HTTP/1.1\""))))
        #expect(query.package == "p")
        let fragment = try #require(T.kept(T.parse(T.accessLine(request: "\"GET /api/pypi/d/x/simple/q#frag/x HTTP/1.1\""))))
        #expect(fragment.package == "q")
    }

    // MARK: Rule 4 — status_code

    @Test func rule4_statusRange() throws {
        func status(_ text: String) -> Int16?? {
            T.kept(T.parse(T.accessLine(afterRequest: " \(text) 1 \"-\" \"ua\" 5"))).map(\.statusCode)
        }
        #expect(status("100") == .some(100))
        #expect(status("599") == .some(599))
        #expect(status("099") == .some(nil))
        #expect(status("600") == .some(nil))
        #expect(status("0200") == .some(200))  // the digits' value counts
        #expect(status("1000") == .some(nil))
        #expect(status("99999999999999999999") == .some(nil))
        #expect(status("-") == .some(nil))
        #expect(status("20x") == .some(nil))  // 20: out of range
        // Digits followed by other bytes: the status is read, the user agent shape fails.
        let glued = try #require(T.kept(T.parse(T.accessLine(afterRequest: " 200x 1 \"-\" \"ua\""))))
        #expect(glued.statusCode == 200)
        #expect(glued.userAgent == nil)
        // No space between the quote and the digits: not a status.
        #expect(T.kept(T.parse(T.accessLine(afterRequest: "200 1 \"-\" \"ua\"")))?.statusCode == .some(nil))
    }

    // MARK: Rule 5 — user_agent

    @Test func rule5_userAgentShape() throws {
        func agent(_ afterRequest: String) -> String?? {
            T.kept(T.parse(T.accessLine(afterRequest: afterRequest))).map(\.userAgent)
        }
        #expect(agent(#" 200 456 "-" "pip/24.0" 5"#) == .some("pip/24.0"))
        #expect(agent(#" 304 - "https://ref/" "curl/8"  "#) == .some("curl/8"))
        #expect(agent(#" 200   7   "r"   "spaced""#) == .some("spaced"))
        #expect(agent(#" 200 456 "-" """#) == .some(""))  // empty user agent stays ""
        #expect(agent(#" 200 4x6 "-" "ua""#) == .some(nil))  // bytes not digits or -
        #expect(agent(#" 200 -- "-" "ua""#) == .some(nil))
        #expect(agent(#" 200 456 - "ua""#) == .some(nil))  // referer not quoted
        #expect(agent(#" 200 456 "-""#) == .some(nil))  // no user agent
        let unterminated = T.accessLine(afterRequest: #" 200 456 "-" "unterminated"#, suffix: "")
        #expect(T.kept(T.parse(unterminated))?.userAgent == .some(nil))
        #expect(agent(#" 200 456 "-""ua""#) == .some(nil))  // no space before the agent
        #expect(agent(#" 999 456 "-" "ua""#) == .some("ua"))  // out-of-range status still has a shape
    }

    // MARK: Rule 6 — user / org_id

    @Test func rule6_userAndOrgLabels() throws {
        func fields(_ prefix: String) -> [String?]? {
            T.kept(T.parse(T.accessLine(prefix: prefix))).map { [$0.user, $0.orgID] }
        }
        #expect(fields("user:bob org_id:7 ") == [.some("bob"), .some("7")])  // label starts the line
        #expect(fields("x user:- org_id:- ") == [nil, nil])
        #expect(fields("x user: org_id: ") == [nil, nil])  // empty
        #expect(fields("x ") == [nil, nil])  // missing
        // Must start the line or follow a space: "xuser:" and "a-org_id:" do not count.
        #expect(fields("xuser:eve a-org_id:1 user:carol org_id:9 ") == [.some("carol"), .some("9")])
        #expect(fields("xuser:eve ") == [nil, nil])
        #expect(fields("x user:a@b.c org_id:org-1 ") == [.some("a@b.c"), .some("org-1")])
    }

    // MARK: Rule 7 — x_forwarded_for

    @Test func rule7_forwardedFor() throws {
        func xff(_ suffix: String) -> String?? {
            T.kept(T.parse(T.accessLine(suffix: suffix))).map(\.xForwardedFor)
        }
        #expect(xff(#" x_forwarded_for:"  23.48.249.160 , 10.0.0.1""#) == .some("23.48.249.160"))
        #expect(xff(#" x_forwarded_for:"2001:db8::7, 10.0.0.1""#) == .some("2001:db8::7"))
        #expect(xff(#" x_forwarded_for:"-""#) == .some(nil))
        #expect(xff(#" x_forwarded_for:" - ""#) == .some(nil))
        #expect(xff(#" x_forwarded_for:"""#) == .some(nil))
        #expect(xff(#" x_forwarded_for:" , 1.1.1.1""#) == .some(nil))  // first element empty
        #expect(xff(#" x_forwarded_for:1.2.3.4"#) == .some(nil))  // not quoted
        #expect(xff("") == .some(nil))
    }

    // MARK: Rule 8 — domain / distribution / package

    @Test func rule8_simplePathShapes() throws {
        func path(_ target: String) -> RowOutcome {
            T.parse(T.accessLine(request: "\"GET \(target) HTTP/1.1\""))
        }
        func parts(_ target: String) -> [String]? {
            T.kept(path(target)).map { [$0.domain, $0.distribution, $0.package] }
        }
        #expect(parts("/api/pypi/d/x/simple/p/") == ["d", "x", "p"])
        #expect(parts("/api/pypi/d/x/simple/p") == ["d", "x", "p"])  // trailing slash optional
        #expect(parts("/api/pypi/public-rhai/rhoai/3.5-EA2/cpu-ubi9/simple/numpy/") == ["public-rhai", "rhoai/3.5-EA2/cpu-ubi9", "numpy"])
        // Shortest match in the regex sense: the rest must be `simple/<pkg>/?`.
        #expect(parts("/api/pypi/d/a/simple/b/simple/p/") == ["d", "a/simple/b", "p"])
        #expect(parts("/api/pypi/d/x/simple/simple/") == ["d", "x", "simple"])
        #expect(parts("/api/pypi/d/x/simple/zope%2Einterface/") == ["d", "x", "zope%2Einterface"])  // not decoded
        #expect(path("/api/pypi/d/x/simple/") == .skipped(.pathNotPyPI))
        #expect(path("/api/pypi/d/simple/p/") == .skipped(.pathNotPyPI))  // no distribution
        #expect(path("/api/pypi//x/simple/p/") == .skipped(.pathNotPyPI))  // empty domain
        #expect(path("/api/pypi/d/x/simple/p//") == .skipped(.pathNotPyPI))
        #expect(path("/api/pypi/d/x/simple/p/files/") == .skipped(.pathNotPyPI))
        #expect(path("/api/pypi/d/x/legacy/") == .skipped(.pathNotPyPI))
        #expect(path("/api/pypi/d/x/xsimple/p/") == .skipped(.pathNotPyPI))
    }

    // MARK: Rule 9 — filters

    @Test func rule9_prefixFilters() throws {
        func path(_ target: String, _ filter: PathFilter = .seedDefault) -> RowOutcome {
            T.parse(T.accessLine(request: "\"GET \(target) HTTP/1.1\""), filter: filter)
        }
        #expect(T.kept(path("/api/pypi/public/main/simple/statuspage/"))?.package == "statuspage")
        #expect(T.kept(path("/api/pypi/status/main/simple/livez/"))?.domain == "status")
        #expect(path("/status") == .skipped(.excluded))
        #expect(path("/status/x") == .skipped(.excluded))
        #expect(path("/livez") == .skipped(.excluded))
        #expect(path("/livezzz") == .skipped(.excluded))  // prefix rule
        #expect(path("/api/v3/status/") == .skipped(.notIncluded))
        #expect(path("/x/api/pypi/d/x/simple/p/") == .skipped(.notIncluded))  // not a substring rule

        let custom = PathFilter(filterPaths: " /api/pypi/acme/ , ,/api/pypi/other/", excludePaths: "/api/pypi/acme/secret/")
        #expect(custom.includePrefixes == ["/api/pypi/acme/", "/api/pypi/other/"])
        #expect(custom.excludePrefixes == ["/api/pypi/acme/secret/"])
        #expect(T.kept(path("/api/pypi/acme/prod/simple/p/", custom)) != nil)
        #expect(T.kept(path("/api/pypi/other/prod/simple/p/", custom)) != nil)
        #expect(path("/api/pypi/public/prod/simple/p/", custom) == .skipped(.notIncluded))
        #expect(path("/api/pypi/acme/secret/simple/p/", custom) == .skipped(.excluded))
        #expect(path("/livez", custom) == .skipped(.notIncluded))  // the default excludes were replaced

        #expect(PathFilter(filterPaths: nil, excludePaths: nil) == .seedDefault)
        #expect(PathFilter(filterPaths: "/a/", excludePaths: nil).excludePrefixes == ["/livez", "/status"])
        let open = PathFilter(filterPaths: "", excludePaths: "")
        #expect(open.includePrefixes.isEmpty && open.excludePrefixes.isEmpty)
        #expect(path("/livez", open) == .skipped(.pathNotPyPI))  // nothing filtered, rule 8 still applies
    }

    @Test func rule9_djangoWarningSkipped() {
        #expect(T.parse(T.accessLine(suffix: " django.request:WARNING")) == .skipped(.djangoWarning))
        #expect(T.parse("django.request:WARNING: Not Found: /api/pypi/d/x/simple/p/") == .skipped(.djangoWarning))
        #expect(T.kept(T.parse(T.accessLine(suffix: " django.request:INFO"))) != nil)
    }

    // MARK: Rule 10 — timestamp

    @Test func rule10_timestampSources() throws {
        let line = T.accessLine(prefix: "pulp [x]: 10.0.0.1 - user:a org_id:1 [04/Feb/2026:16:30:00 +0200] ")
        #expect(T.kept(T.parse(line, timestamp: "2026-02-04 14:30:00.123"))?.timestampNanos == T.feb4At1430 + 123_000_000)
        #expect(T.kept(T.parse(line, timestamp: "2026-02-04T15:30:00.5+01:00"))?.timestampNanos == T.feb4At1430 + 500_000_000)
        // Missing or unreadable @timestamp: the access line's [..] (16:30 +0200 = 14:30Z).
        #expect(T.kept(T.parse(line, timestamp: nil))?.timestampNanos == T.feb4At1430)
        #expect(T.kept(T.parse(line, timestamp: "yesterday"))?.timestampNanos == T.feb4At1430)
        #expect(T.kept(T.parse(line, timestamp: ""))?.timestampNanos == T.feb4At1430)
    }

    @Test func rule10_malformedOnlyWhenOtherwiseKept() {
        let noBracket = T.accessLine(prefix: "pulp [x]: 10.0.0.1 - user:a org_id:1 [04/Feb/2026:14:30:00] ")
        guard case .malformed(let reason) = T.parse(noBracket, timestamp: "garbage") else {
            Issue.record("expected malformed")
            return
        }
        #expect(reason.contains("garbage"))
        if case .malformed = T.parse(noBracket, timestamp: nil) {} else { Issue.record("expected malformed") }
        // Skippable rows are skipped whatever their timestamp.
        #expect(T.parse("\"GET /livez HTTP/1.1\" 200", timestamp: nil) == .skipped(.excluded))
        #expect(T.parse("\"GET /api/pypi/d/x/legacy/ HTTP/1.1\"", timestamp: "bad") == .skipped(.pathNotPyPI))
    }

    // MARK: Rule 11 — message; @ptr

    @Test func rule11_messageByteForByteAndPtr() throws {
        let message = T.accessLine(suffix: " x_forwarded_for:\"1.1.1.1\" ünïcödé 🎉\t")
        let row = try #require(T.kept(T.parse(message, ptr: nil)))
        #expect(row.message == message)
        #expect(Array(row.message.utf8) == Array(message.utf8))
        #expect(row.ptr == "")  // a missing @ptr keeps the row
        #expect(T.kept(T.parse(message, ptr: "abc"))?.ptr == "abc")
    }

    @Test func rowCountsTally() {
        var counts = RowCounts()
        counts.count(T.parse(T.accessLine()))
        counts.count(T.parse("nothing"))
        counts.count(T.parse("\"GET /livez\""))
        counts.count(T.parse(T.accessLine(prefix: "x "), timestamp: nil))
        #expect((counts.rows, counts.skipped, counts.malformed) == (1, 2, 1))
        #expect(counts.skippedByReason == ["no-request": 1, "excluded": 1])
    }
}
