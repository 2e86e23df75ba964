@testable import AccessLog
import TestRandom

/// A generated Insights row together with the outcome the row rules (docs/row-rules.md) give it,
/// decided by the generator from the parts it chose — never by running the parser. Used by
/// `FuzzTests.generatedLinesGiveTheOutcomeTheyWereBuiltFor`.
///
/// The access line has gunicorn's shape with every part varied:
///
///     pulp [id]: 10.0.0.1 - user:U org_id:O [CLF] "METHOD PATH[ PROTOCOL]" STATUS BYTES "REF" "UA" 5 x_forwarded_for:"XFF"
///
/// and is sent plain or inside an OpenShift-style JSON document (`message` or `log` member),
/// with non-ASCII characters and `/` JSON-escaped or not at random.
struct GeneratedLine {
    enum Expected: CustomStringConvertible {
        case kept(AccessLogRow)
        case skipped(SkipReason)
        case malformed

        var asOutcome: RowOutcome {
            switch self {
            case .kept(let row): .kept(row)
            case .skipped(let reason): .skipped(reason)
            case .malformed: .malformed("")
            }
        }

        var description: String {
            switch self {
            case .kept(let row): "kept \(row)"
            case .skipped(let reason): "skipped \(reason)"
            case .malformed: "malformed"
            }
        }
    }

    var row: InsightsRow
    var expected: Expected

    /// 2026-02-04T00:00:00Z in seconds (see `TestSupport.feb4At1430`, minus 14:30).
    static let dayStart: Int64 = 1_770_163_200

    /// Token characters: none is a space, `/`, `?`, `#`, `"` or `\`, so tokens and path
    /// segments stay one token; non-ASCII ones test UTF-8 and JSON `\u` escapes.
    static let tokenCharacters: [String] = ["a", "b", "Z", "q", "0", "7", "-", "_", ".", "~", "@", "%", "+", "=", ":", ",", "é", "日", "😀"]

    static func pick<T>(_ items: [T], _ g: inout TestRandom) -> T { items[Int.random(in: 0..<items.count, using: &g)] }

    static func chance(_ percent: Int, _ g: inout TestRandom) -> Bool { Int.random(in: 0..<100, using: &g) < percent }

    static func token(_ g: inout TestRandom, length: ClosedRange<Int> = 1...8, upperCase: Bool = true) -> String {
        let characters = upperCase ? tokenCharacters : tokenCharacters.filter { $0 != "Z" }
        return (0..<Int.random(in: length, using: &g)).map { _ in pick(characters, &g) }.joined()
    }

    static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Text inside a quoted value, raw (as in the line) and unescaped (as rule 2 reads it):
    /// `\"` is `"`, `\\` is `\`, any other `\x` stays two characters. No upper-case letter
    /// follows a quote, so no referer or user agent can look like a `METHOD TARGET` request.
    static func quotedText(_ g: inout TestRandom) -> (raw: String, text: String) {
        var raw = "", text = ""
        for _ in 0..<Int.random(in: 0...6, using: &g) {
            switch Int.random(in: 0..<8, using: &g) {
            case 0: raw += #"\""#; text += "\""
            case 1: raw += #"\\"#; text += "\\"
            case 2: raw += #"\x"#; text += #"\x"#
            case 3: raw += " "; text += " "
            case 4: raw += "pip/24.0 (X11; Linux) {a:1}"; text += "pip/24.0 (X11; Linux) {a:1}"
            default:
                let t = token(&g, upperCase: false)
                raw += t
                text += t
            }
        }
        return (raw, text)
    }

    static func make(_ index: Int, _ g: inout TestRandom) -> GeneratedLine {
        // When: a second of 2026-02-04 and its milliseconds.
        let second = Int64.random(in: 0..<86_400, using: &g)
        let millis = Int64.random(in: 0..<1000, using: &g)
        let hms = "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"

        // Rule 10: @timestamp in one of its forms, or absent/unreadable (then the CLF decides).
        var timestamp: String?
        var timestampNanos: Int64?
        switch Int.random(in: 0..<6, using: &g) {
        case 0, 1:
            timestamp = "2026-02-04 \(hms).\(String(1000 + millis).dropFirst())"
            timestampNanos = (dayStart + second) * 1_000_000_000 + millis * 1_000_000
        case 2:
            timestamp = "2026-02-04T\(hms)Z"
            timestampNanos = (dayStart + second) * 1_000_000_000
        case 3:
            timestamp = "2026-02-04T\(hms).\(String(1000 + millis).dropFirst())+01:30"
            timestampNanos = (dayStart + second - 5400) * 1_000_000_000 + millis * 1_000_000
        case 4:
            timestamp = nil
        default:
            timestamp = pick(["not a time", "2026-02-30 10:00:00.000", "2026-02-04 24:00:00", "", " 2026-02-04 10:00:00"], &g)
        }
        // The access line's [dd/Mon/yyyy:HH:MM:SS ±hhmm], or none.
        var clf = ""
        var clfNanos: Int64?
        if chance(70, &g) {
            let (sign, offsetSeconds) = pick([("+0000", Int64(0)), ("-0500", -18_000), ("+0130", 5400)], &g)
            clf = " [04/Feb/2026:\(hms) \(sign)]"
            clfNanos = (dayStart + second - offsetSeconds) * 1_000_000_000
        }
        let nanos = timestampNanos ?? clfNanos

        // Rule 6: user and org_id (absent, "-", empty, or a token).
        func labeled(_ label: String) -> (String, String?) {
            switch Int.random(in: 0..<5, using: &g) {
            case 0: return ("", nil)
            case 1: return (" \(label)-", nil)
            case 2: return (" \(label)", nil)
            default:
                let t = token(&g)
                return (" \(label)\(t)", t == "-" ? nil : t)
            }
        }
        let (userPart, user) = labeled("user:")
        let (orgPart, org) = labeled("org_id:")

        // Rules 3, 8, 9: the request and its path, which decide kept or skipped.
        let domain = token(&g), package = token(&g)
        let distribution = (0..<Int.random(in: 1...3, using: &g)).map { _ in token(&g) }.joined(separator: "/")
        var path = "/api/pypi/\(domain)/\(distribution)/simple/\(package)" + (chance(70, &g) ? "/" : "")
        var target = path + pick(["", "", "?format=json", "#frag", "?a=/b#c"], &g)
        var skip: SkipReason?
        var django = false
        var requestIsValid = true
        switch Int.random(in: 0..<20, using: &g) {
        case 0: skip = .excluded; path = pick(["/livez", "/status", "/status/x", "/livez?probe=1"], &g); target = path
        case 1: skip = .notIncluded; path = pick(["/api/v3/status/", "/api/pypi", "/pypi/simple/x/", "/"], &g); target = path
        case 2:
            skip = .pathNotPyPI
            path = pick(["/api/pypi/\(domain)/simple/\(package)/", "/api/pypi/\(domain)/\(distribution)/simple/",
                         "/api/pypi/\(domain)/\(distribution)/legacy/\(package)/", "/api/pypi//\(distribution)/simple/\(package)/"], &g)
            target = path
        case 3: skip = .djangoWarning; django = true
        case 4: skip = .noRequest; requestIsValid = false
        default: break
        }
        let method = pick(["GET", "HEAD", "POST", "PROPFIND"], &g)
        let request: String
        if requestIsValid {
            request = "\"\(method) \(target)" + pick([" HTTP/1.1", " HTTP/2.0", ""], &g) + "\""
        } else {
            request = pick(["\"get \(target) HTTP/1.1\"", "\"GET  \(target)\"", "\"GET \(target) HTTP/1.1 extra\"",
                            "GET \(target) HTTP/1.1", "\"\(method)\"", "\"\(method) \(target) HTTP/1.1"], &g)
        }

        // Rules 4 and 5: status, then bytes, referer and user agent.
        var status: Int16?
        var statusText: String
        var statusHasDigits = true
        switch Int.random(in: 0..<8, using: &g) {
        case 0: statusText = pick(["600", "99", "0", "1000", "99999999999999999999"], &g)
        case 1: statusText = "0200"; status = 200
        case 2: statusText = "-"; statusHasDigits = false
        default:
            let value = Int16.random(in: 100...599, using: &g)
            statusText = "\(value)"
            status = value
        }
        let bytesToken = pick(["0", "456", "-", "18734", "x"], &g)
        let referer = quotedText(&g), agent = quotedText(&g)
        let agentShapeOK = bytesToken != "x"
        let userAgent: String? = statusHasDigits && agentShapeOK ? agent.text : nil
        let spaces = pick([" ", " ", "   "], &g)
        let afterRequest = "\(spaces)\(statusText) \(bytesToken)\(spaces)\"\(referer.raw)\" \"\(agent.raw)\" \(Int.random(in: 1...900, using: &g))"

        // Rule 7: x_forwarded_for.
        var xffPart = ""
        var forwardedFor: String?
        switch Int.random(in: 0..<6, using: &g) {
        case 0: break
        case 1: xffPart = " x_forwarded_for:\"-\""
        case 2: xffPart = " x_forwarded_for:\"\""
        default:
            let first = pick(["23.48.249.160", "2001:db8::7", "10.0.0.1"], &g)
            let padded = pick(["", " ", "  "], &g)
            xffPart = " x_forwarded_for:\"\(padded)\(first)\(padded)" + pick(["", ",10.0.0.2", " , 10.0.0.3, 1.1.1.1"], &g) + "\""
            forwardedFor = first
        }

        let warning = django ? pick([" django.request:WARNING", "django.request:WARNING Not Found: "], &g) : ""
        let line = "pulp [\(index)]: 10.0.0.1 -\(userPart)\(orgPart)\(clf) \(request)\(afterRequest)\(xffPart)\(warning)"
            + pick(["", "", "\n", "\r\n"], &g)

        // Rule 1: plain, or wrapped in a JSON document (`message` beats `log`).
        let message: String
        switch Int.random(in: 0..<4, using: &g) {
        case 0: message = line
        case 1: message = "{\"log\":\(jsonString(line, &g)),\"stream\":\"stdout\"}"
        case 2: message = "{\"kubernetes\":{\"pod\":\"api-1\"},\"message\":\(jsonString(line, &g))}"
        default: message = "{\"message\":\(jsonString(line, &g)), \"log\":\"GET /livez\", \"n\":[1,2.5e3,null,true]}"
        }
        let ptr = pick(["", "ptr-\(index)", "CmAKJgoi\(index)+/="], &g)
        let row = InsightsRow(timestamp: timestamp, message: message, ptr: chance(95, &g) ? ptr : nil)

        let expected: Expected
        if let skip {
            expected = .skipped(skip)  // skipping beats malformed, whatever the timestamp
        } else if let nanos {
            let kept = PyPIPathParts(path: path)
            expected = .kept(AccessLogRow(
                timestampNanos: nanos, message: message, user: user, orgID: org,
                domain: kept.domain, distribution: kept.distribution, package: kept.package,
                statusCode: status, userAgent: userAgent, xForwardedFor: forwardedFor, ptr: row.ptr ?? ""))
        } else {
            expected = .malformed
        }
        return GeneratedLine(row: row, expected: expected)
    }

    /// The parts of a path the generator built as `/api/pypi/D/DIST/simple/P[/]`: split at the
    /// last `/simple/` (tokens never hold `/`, so this is where the generator put it).
    struct PyPIPathParts {
        var domain: String, distribution: String, package: String

        init(path: String) {
            let rest = path.dropFirst("/api/pypi/".count)
            let slash = rest.firstIndex(of: "/")!
            domain = String(rest[..<slash])
            var tail = String(rest[rest.index(after: slash)...])
            if tail.hasSuffix("/") { tail.removeLast() }
            let simple = tail.range(of: "/simple/", options: .backwards)!
            distribution = String(tail[..<simple.lowerBound])
            package = String(tail[simple.upperBound...])
        }
    }

    /// A JSON string literal for `text`, escaped at random where JSON allows a choice:
    /// `/` as `\/` or not, non-ASCII raw or as `\uXXXX` (surrogate pairs above U+FFFF).
    static func jsonString(_ text: String, _ g: inout TestRandom) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += chance(50, &g) ? "\\n" : "\\u000a"
            case "\r": out += chance(50, &g) ? "\\r" : "\\u000D"
            case "/": out += chance(50, &g) ? "\\/" : "/"
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar.value)
            case _ where scalar.value >= 0x80 && chance(50, &g):
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += unicodeEscape(0xD800 + (v >> 10)) + unicodeEscape(0xDC00 + (v & 0x3FF))
                } else {
                    out += unicodeEscape(scalar.value)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// This row as one NDJSON line, members in random order, strings escaped at random.
    func ndjson(_ g: inout TestRandom) -> [UInt8] {
        var members: [String] = []
        if let timestamp = row.timestamp { members.append("\"@timestamp\":" + Self.jsonString(timestamp, &g)) }
        if let message = row.message { members.append("\"@message\":" + Self.jsonString(message, &g)) }
        if let ptr = row.ptr { members.append("\"@ptr\":" + Self.jsonString(ptr, &g)) }
        members.append("\"@logStream\":\"pulp-api-0\"")
        members.shuffle(using: &g)
        return Array(("{" + members.joined(separator: Self.chance(50, &g) ? "," : " , ") + "}").utf8)
    }
}
