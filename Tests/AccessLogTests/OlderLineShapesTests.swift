import Testing
@testable import AccessLog
import TestRandom

/// The three access-line shapes a backfill of history meets (docs/row-rules.md "Older lines";
/// rule numbers are that page's), each also wrapped in parentheses as the production format
/// writes it (`(pulp [cid]: … )`):
/// * before 2026-01-06, no labels: `pulp [cid]: HOST IDENT USER [time] "req" 200 456 "-" "ua" 550`
///   — the user is USER (`-` → null), org_id stays null;
/// * from 2026-01-06: `pulp [cid]: HOST IDENT user:U org_id:O [time] …`;
/// * from 2026-01-21: the same plus ` x_forwarded_for:"…"` at the end.
/// Every row is parsed through both entry points (the byte level that `convert` uses and the
/// `String` wrapper), which must agree.
@Suite struct OlderLineShapesTests {
    typealias T = TestSupport

    /// 2025-12-04T14:30:00Z in nanoseconds, by hand: 1970→2025 is 55 years with 14 leap days
    /// (1972…2024) = 20 089 days, + 334 (January…November 2025) + 3 = 20 426 days
    /// = 1 764 806 400 s, + 14:30:00 (52 200 s) = 1 764 858 600 s.
    static let dec4At1430: Int64 = 1_764_858_600_000_000_000

    /// The line from the report of the lost user, verbatim.
    static let reportedLine =
        #"(pulp [cid]: 10.128.4.9 - alice [04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d1/dist1/simple/pkg1/ HTTP/1.1" 200 456 "-" "pip/24.0" 550)"#

    /// An NDJSON result row for `message` (and `timestamp` when given).
    static func ndjson(_ message: String, timestamp: String? = nil) -> [UInt8] {
        var members = [#""@message":"# + jsonString(message), #""@ptr":"p""#]
        if let timestamp { members.append(#""@timestamp":"# + jsonString(timestamp)) }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The OpenShift wrapper: the access line as the `message` member of a JSON document.
    static func openShift(_ line: String) -> String {
        #"{"kubernetes":{"pod_name":"pulp-api-0"},"level":"info","message":"# + jsonString(line) + "}"
    }

    /// The kept row of `message`, parsed by both entry points (which must agree); nil when the
    /// row is not kept.
    static func row(_ message: String, timestamp: String? = nil) -> AccessLogRow? {
        T.kept(ByteLevelParsingTests.expectSame(ndjson(message, timestamp: timestamp)) ?? .skipped(.noRequest))
    }

    /// `AccessLine.unlabeledUser` of a bare line, as a String.
    static func unlabeledUser(_ line: String) -> String? {
        var line = line
        return line.withUTF8 { bytes in AccessLine(bytes: bytes).unlabeledUser.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// One line of each shape: its text and the row it must give.
    struct Shape {
        var name: String
        var line: String
        var user: String?
        var orgID: String?
        var xForwardedFor: String?
    }

    static let shapes: [Shape] = [
        Shape(
            name: "before 2026-01-06",
            line: #"pulp [cid]: 10.128.4.9 - alice [04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d1/dist1/simple/pkg1/ HTTP/1.1" 200 456 "-" "pip/24.0" 550"#,
            user: "alice", orgID: nil, xForwardedFor: nil),
        Shape(
            name: "from 2026-01-06",
            line: #"pulp [cid]: 10.128.4.9 - user:alice org_id:42 [04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d1/dist1/simple/pkg1/ HTTP/1.1" 200 456 "-" "pip/24.0" 550"#,
            user: "alice", orgID: "42", xForwardedFor: nil),
        Shape(
            name: "from 2026-01-21",
            line: #"pulp [cid]: 10.128.4.9 - user:alice org_id:42 [04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d1/dist1/simple/pkg1/ HTTP/1.1" 200 456 "-" "pip/24.0" 550 x_forwarded_for:"1.2.3.4, 10.0.0.1""#,
            user: "alice", orgID: "42", xForwardedFor: "1.2.3.4"),
    ]

    // Fails if any shape, wrapped in parentheses or not, JSON-wrapped or not, with or without
    // @timestamp, loses or changes a value (the user of the label-less shape above all, or the
    // status / user agent / x_forwarded_for next to the wrapper's closing parenthesis).
    @Test(arguments: shapes)
    func everyShapeWrappedOrNotKeepsEveryValue(shape: Shape) throws {
        for parenthesised in [false, true] {
            let line = parenthesised ? "(" + shape.line + ")" : shape.line
            for message in [line, Self.openShift(line)] {
                for timestamp in [nil, "2025-12-04 14:30:00.000"] {
                    let row = try #require(Self.row(message, timestamp: timestamp), "\(shape.name): \(message)")
                    #expect(row.timestampNanos == Self.dec4At1430, "\(shape.name)")
                    #expect(row.message == message)
                    #expect(row.user == shape.user, "\(shape.name) parenthesised=\(parenthesised)")
                    #expect(row.orgID == shape.orgID, "\(shape.name)")
                    #expect([row.domain, row.distribution, row.package] == ["d1", "dist1", "pkg1"])
                    #expect(row.statusCode == 200, "\(shape.name)")
                    #expect(row.userAgent == "pip/24.0", "\(shape.name)")
                    #expect(row.xForwardedFor == shape.xForwardedFor, "\(shape.name) parenthesised=\(parenthesised)")
                }
            }
        }
    }

    // Fails if the line from the report is exported with a null user again, or if its org_id
    // is invented.
    @Test func reportedLineKeepsAlice() throws {
        let row = try #require(Self.row(Self.reportedLine))
        #expect(row.user == "alice")
        #expect(row.orgID == nil)
        #expect(row.timestampNanos == Self.dec4At1430)  // from the line: no @timestamp given
        #expect(row.statusCode == 200 && row.userAgent == "pip/24.0")
        // Through the String entry point alone too (the one `AccessLogRow` users call).
        #expect(T.kept(T.parse(Self.reportedLine))?.user == "alice")
    }

    // Fails if the wrapper's ")" leaks into a value or makes one disappear: it may directly
    // follow the user agent (no duration), the x_forwarded_for quote, or a placeholder value.
    @Test func closingParenthesisNextToEveryField() throws {
        let request = #""GET /api/pypi/d/x/simple/p/ HTTP/1.1""#
        let noDuration = try #require(Self.row(#"(pulp [c]: h - bob [04/Dec/2025:14:30:00 +0000] "# + request + #" 404 - "-" "ua (x)")"#))
        #expect(noDuration.user == "bob" && noDuration.statusCode == 404 && noDuration.userAgent == "ua (x)")
        let forwarded = try #require(Self.row(
            "(pulp [c]: h - user:bob org_id:- [04/Dec/2025:14:30:00 +0000] " + request + #" 200 1 "-" "ua" 5 x_forwarded_for:"-")"#))
        #expect(forwarded.user == "bob" && forwarded.orgID == nil && forwarded.xForwardedFor == nil)
        // A ")" inside a quoted value belongs to the value.
        let inside = try #require(Self.row(
            "(pulp [c]: h - user:bob org_id:7 [04/Dec/2025:14:30:00 +0000] " + request + #" 200 1 "-" "ua)" 5 x_forwarded_for:"9.9.9.9)")"#))
        #expect(inside.userAgent == "ua)" && inside.xForwardedFor == "9.9.9.9)" && inside.orgID == "7")
        // Status right before ")": the digits are the status, the user agent is absent.
        let shortLine = try #require(Self.row("(pulp [c]: h - bob [04/Dec/2025:14:30:00 +0000] " + request + " 200)"))
        #expect(shortLine.statusCode == 200 && shortLine.userAgent == nil && shortLine.user == "bob")
    }

    // Fails if "-" (gunicorn's "no user") becomes the user "-", or if a label-less line makes up
    // an org_id.
    @Test func placeholderUserIsNull() throws {
        for prefix in ["", "("] {
            let row = try #require(Self.row(prefix + #"pulp [-]: 10.0.0.1 - - [04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d/x/simple/p/" 200 1 "-" "ua""#))
            #expect(row.user == nil && row.orgID == nil)
        }
    }

    // Fails if a user made of odd characters is cut, decoded differently, or refused; the user
    // is the whole third token whatever it holds, as long as it holds no space.
    @Test func usersWithOddCharacters() throws {
        for user in ["café", "😀", "a(b", "x)", "[x", "x]", "[]", "a:b", "svc@corp.example", #"dom\name"#, "o'brien", "tab\there", "--", "nul\u{0}x", "e\u{301}"] {
            for prefix in ["", "("] {
                let line = prefix + "pulp [abc-123]: 10.128.4.9 - \(user) [04/Dec/2025:14:30:00 +0000] "
                    + #""GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 1 "-" "ua" 7"# + (prefix.isEmpty ? "" : ")")
                #expect(Self.row(line)?.user == user, "\(line)")
                #expect(Self.row(Self.openShift(line))?.user == user, "\(line)")
            }
        }
    }

    // Fails if a start that does not have exactly the shape `pulp [CID]: HOST IDENT USER [`
    // takes a user: the line does not say which token would be the user.
    @Test func startsOfAnotherShapeTakeNoUser() throws {
        let rest = #"[04/Dec/2025:14:30:00 +0000] "GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 1 "-" "ua" 7"#
        let starts = [
            "pulp [c]: 10.0.0.1 alice ",  // two tokens
            "pulp [c]: 10.0.0.1 - alice extra ",  // four tokens
            "pulp [c]: 10.0.0.1 - John Smith ",  // a user with a space
            "pulp [c]: 10.0.0.1  - alice ",  // a doubled space
            "pulp [c]: 10.0.0.1 - alice  ",  // two spaces before "["
            "pulp [c]:  10.0.0.1 - alice ",  // two spaces after "]:"
            "pulp [c]:10.0.0.1 - alice ",  // no space after "]:"
            "pulp [c] : 10.0.0.1 - alice ",  // a space before the colon
            "pulp [a]b]: 10.0.0.1 - alice ",  // the CID ends at its first "]"
            "pulp[c]: 10.0.0.1 - alice ",  // no space after "pulp"
            "Pulp [c]: 10.0.0.1 - alice ",  // not "pulp"
            " pulp [c]: 10.0.0.1 - alice ",  // a leading space
            "((pulp [c]: 10.0.0.1 - alice ",  // one "(" at most
            "x pulp [c]: 10.0.0.1 - alice ",  // not at the start
            "pulp [c]: 10.0.0.1\t- alice ",  // a tab is no separator
            "10.0.0.1 - alice ",  // plain common log format, no "pulp [CID]: "
        ]
        for start in starts {
            let row = try #require(Self.row(start + rest), "\(start)")
            #expect(row.user == nil, "\(start)")
            #expect(row.statusCode == 200 && row.userAgent == "ua")  // everything else still read
        }
        // No "[" right after the third token's space.
        #expect(Self.unlabeledUser("pulp [c]: h - alice x[") == nil)
    }

    // Fails if a line with a `user:` label anywhere (rule 6) also looks at the older position:
    // the label decides, even when it says "-".
    @Test func aUserLabelAlwaysWins() throws {
        let older = "pulp [c]: 10.0.0.1 - alice [04/Dec/2025:14:30:00 +0000] "
        let request = #""GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 1 "-""#
        #expect(Self.row(older + request + #" "pip user:zed x" 7"#)?.user == "zed")
        #expect(Self.row(older + request + #" "pip user:- x" 7"#)?.user == nil)
        // "xuser:" is not a label (it does not follow a space): the older position decides.
        #expect(Self.row(older + request + #" "pip xuser:zed" 7"#)?.user == "alice")
        // The USER token itself may be a label: then it is rule 6's (the token after "user:").
        #expect(Self.row("pulp [c]: 10.0.0.1 - user:bob [04/Dec/2025:14:30:00 +0000] " + request + #" "ua""#)?.user == "bob")
        #expect(Self.row("pulp [c]: 10.0.0.1 - user:- [04/Dec/2025:14:30:00 +0000] " + request + #" "ua""#)?.user == nil)
    }

    // Fails if a label-less line gets an org_id from anywhere but rule 6, or if a labelled line
    // that lacks only `user:` (`HOST IDENT org_id:42 [`, three tokens) takes its org_id label
    // as the user: the older lines had no labels, so a label in USER's place is no user.
    @Test func labelsInTheUserPositionAreNoUser() throws {
        let request = #""GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 1 "-" "ua""#
        let row = try #require(Self.row("pulp [c]: 10.0.0.1 - alice [04/Dec/2025:14:30:00 +0000] " + request))
        #expect(row.orgID == nil)
        for org in ["42", "-", ""] {
            let labelled = try #require(Self.row("(pulp [c]: 10.0.0.1 - org_id:\(org) [04/Dec/2025:14:30:00 +0000] " + request + ")"))
            #expect(labelled.user == nil, "\(org)")
            #expect(labelled.orgID == (org == "42" ? "42" : nil))
        }
        let forwarded = try #require(Self.row(#"pulp [c]: 10.0.0.1 - x_forwarded_for:"9.9.9.9" [04/Dec/2025:14:30:00 +0000] "# + request))
        #expect(forwarded.user == nil && forwarded.xForwardedFor == "9.9.9.9")
        // Only a token that starts with the label: "myorg_id:5" is a bare user.
        #expect(Self.row("pulp [c]: 10.0.0.1 - myorg_id:5 [04/Dec/2025:14:30:00 +0000] " + request)?.user == "myorg_id:5")
        #expect(Self.unlabeledUser("pulp [c]: h - org_id [") == "org_id")
    }

    // Fails if an unusual CID (empty, with spaces, "-", with "[") stops the user from being
    // read, or if the scan reads past the end of a line that stops anywhere inside the shape.
    @Test func cidsAndLinesCutShort() {
        for cid in ["", "-", "a b", "[x", "0f1e2d3c", "None"] {
            #expect(Self.unlabeledUser("pulp [\(cid)]: h - alice [") == "alice", "\(cid)")
            #expect(Self.unlabeledUser("(pulp [\(cid)]: h - alice [") == "alice", "\(cid)")
        }
        let full = "(pulp [c]: h - alice ["
        for end in 0..<full.utf8.count {  // every proper prefix: no user, no crash
            #expect(Self.unlabeledUser(String(full.utf8.prefix(end))!) == nil, "\(end)")
        }
        #expect(Self.unlabeledUser("pulp [c]: h - - [") == nil)
        #expect(Self.unlabeledUser("pulp [c]: h i u [") == "u")
    }

    // Fails if the byte scan and the rule as a regular expression (scalar semantics, so bytes
    // and scalars line up for these ASCII-and-é lines; a USER that starts with a label is no
    // user) disagree on any of 8 000 random starts
    // built from the pieces the shape is made of.
    @Test func byteScanMatchesTheRuleAsARegex() throws {
        let regex = #/\(?pulp \[[^\]]*\]: [^ ]+ [^ ]+ (?!org_id:|x_forwarded_for:)([^ ]+) \[/#.matchingSemantics(.unicodeScalar)
        let pieces = ["(", "pulp", " ", "[", "]", ":", "]: ", "pulp [", "-", "a", "é", "u", "\t", "x[", "org_id:", "x_forwarded_for:", "org_id"]
        var rng = TestRandom(seed: 74)
        var taken = 0
        for _ in 0..<8_000 {
            var line = Bool.random(using: &rng) ? "pulp [" : (Bool.random(using: &rng) ? "(pulp [" : "")
            for _ in 0..<Int.random(in: 0...14, using: &rng) { line += pieces.randomElement(using: &rng)! }
            if Bool.random(using: &rng) { line += " [" }
            let want: String? = line.prefixMatch(of: regex).map { String($0.output.1) }.flatMap { $0 == "-" ? nil : $0 }
            let got = Self.unlabeledUser(line)
            #expect(got == want, "\(line.debugDescription)")
            if got != nil { taken += 1 }
        }
        #expect(taken > 60)  // the generator reaches the shape often enough to mean something
    }

    // Fails if a today's line (with labels) gives a different user than rule 6 alone: nothing
    // may change for them. Checked on the sample fixture's lines too.
    @Test func labelledLinesUnchanged() throws {
        var rng = TestRandom(seed: 5)
        for _ in 0..<2_000 {
            let user = ["alice", "-", "", "a b", "x)"].randomElement(using: &rng)!
            let cid = ["c", ""].randomElement(using: &rng)!
            let line = (Bool.random(using: &rng) ? "(" : "") + "pulp [\(cid)]: h - user:\(user) org_id:1 [04/Dec/2025:14:30:00 +0000]"
            var copy = line
            let (labelled, combined) = copy.withUTF8 { bytes in
                let access = AccessLine(bytes: bytes)
                return (access.labeledToken(.user).map { Array($0) }, access.user.map { Array($0) })
            }
            #expect(labelled == combined, "\(line)")
        }
        var kept = 0
        for line in try TestSupport.fixtureLines() {
            if case .kept(let row)? = ByteLevelParsingTests.expectSame(line) {
                var message = row.message
                let rule6 = message.withUTF8 { message in
                    AccessLogParser.withAccessLine(of: message) { line in
                        AccessLine(bytes: line).labeledToken(.user).map { String(decoding: $0, as: UTF8.self) }
                    }
                }
                #expect(row.user == rule6)
                kept += 1
            }
        }
        #expect(kept == 6)
    }
}
