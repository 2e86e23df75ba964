// Builds one realistic pulpcore-api event: the gunicorn access line in the production format
//   pulp [%({correlation-id}o)s]: %(h)s %(l)s user:%({REMOTE_USER}e)s org_id:%({ORG_ID}e)s %(t)s
//   "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s x_forwarded_for:"%({X-Forwarded-For}i)s"
// mostly wrapped in the OpenShift-logging JSON document, plus the odd unwrapped line and
// Django warning. The mix covers every access-log row rule (docs/row-rules.md).
// With `historicalShapes`, a line takes the shape of its date instead: before 2026-01-06
// `pulp [cid]: HOST IDENT USER [time] "…" …` (no labels, no x_forwarded_for), before 2026-01-21
// `user:… org_id:…` without x_forwarded_for, and one line in ten is wrapped in the production
// format's parentheses, `(pulp [cid]: … )`. Those draws happen only then, so the default corpus
// stays as it was.

struct AccessLineBuilder: PodLineBuilder {
    let writer = PodLineWriter(container: "pulp-api", pods: AccessLineBuilder.pods)
    private var line: ByteWriter { writer.line }
    let historicalShapes: Bool

    init(historicalShapes: Bool = false) { self.historicalShapes = historicalShapes }

    /// 2026-01-06 00:00:00 UTC: `user:`/`org_id:` labels from here on.
    static let labelsSinceMs: Int64 = 1_767_657_600_000
    /// 2026-01-21 00:00:00 UTC: `x_forwarded_for:"…"` from here on.
    static let forwardedForSinceMs: Int64 = 1_768_953_600_000

    static let pods: [(pod: String, host: String)] = [
        ("pulp-api-7d9f8c6b5-x2k4q", "ip-10-0-141-7.ec2.internal"),
        ("pulp-api-7d9f8c6b5-m8n2z", "ip-10-0-152-33.ec2.internal"),
        ("pulp-api-7d9f8c6b5-q4w7e", "ip-10-0-166-201.ec2.internal"),
    ]
    static let domains = ["public", "acme", "public-rhai", "domain1", "research"]
    static let distributions = ["main", "prod", "rhoai/3.5-EA2/cpu-ubi9", "rhoai/3.4/cuda12", "staging", "dist1", "nightly/2026.02"]
    static let packages = ["numpy", "requests", "pandas", "statuspage", "status-client", "zope.interface", "torch",
                           "Django", "urllib3", "six", "setuptools", "scikit-learn", "status", "pydantic-core", "typing_extensions"]
    static let users = ["alice", "bob", "svc-rhoai", "testuser", "ci-bot", "carol.o'neil"]
    static let orgs = ["777", "42", "5894300", "org123", "1001"]
    static let userAgents: [String] = [
        #"pip/24.0 {"ci":null,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.12.3"},"installer":{"name":"pip","version":"24.0"}}"#,
        #"pip/23.3.1 {"ci":true,"cpu":"aarch64","implementation":{"name":"CPython","version":"3.11.9"}}"#,
        #"uv/0.9.26 {"installer":{"name":"uv","version":"0.9.26"},"python":"3.12.8","platform":{"system":"Linux"}}"#,
        #"uv/0.5.4 {"installer":{"name":"uv"}}"#,
        "poetry/1.8.3",
        "pip/23.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5; rv:133.0) Gecko/20100101 Firefox/133.0",
        "curl/8.5.0",
        "",
    ]
    static let otherPaths = ["/api/v3/status/", "/api/v3/tasks/?limit=10", "/api/v3/repositories/python/python/",
                             "/pulp/content/acme/prod/numpy-2.1.0.tar.gz", "/pulp/content/public/main/requests-2.32.3-py3-none-any.whl",
                             "/api/v3/distributions/python/pypi/?name=main"]

    private func putIPv4(_ rng: inout SeededRandom, prefix: StaticString? = nil) {
        if let prefix { put(prefix) } else { putInt(1 + rng.below(222)); put(".") ; putInt(rng.below(256)); put(".") }
        putInt(rng.below(256)); put("."); putInt(1 + rng.below(254))
    }

    /// Quoted value as gunicorn writes it: `"` and `\` inside are backslash-escaped.
    private func putQuoted(_ s: String) {
        line.append(UInt8(ascii: "\""))
        var copy = s
        copy.withUTF8 { PodLineWriter.appendEscaped($0, to: line) }
        line.append(UInt8(ascii: "\""))
    }

    mutating func makeEvent(timestampMs ts: Int64, seed: UInt64, second: Int64, index: UInt64, rng: inout SeededRandom) -> LogEvent {
        line.reset()
        let podIndex = rng.below(AccessLineBuilder.pods.count)
        let kind = rng.unit()
        if kind < 0.02 {
            put("django.request:WARNING: Not Found: /api/pypi/")
            put(rng.pick(AccessLineBuilder.domains)); put("/"); put(rng.pick(AccessLineBuilder.distributions))
            put("/simple/does-not-exist-"); putHex(&rng, 4); put("/")
        } else {
            writeAccessLine(kind: kind, ts: ts, rng: &rng)
        }
        let unwrapped = rng.chance(0.05)
        let message: String
        if unwrapped {
            message = line.makeString()
        } else {
            message = writer.wrapped(ts: ts, pod: podIndex)
        }
        return LogEvent(timestampMs: ts, message: message,
                        ptr: PointerCodec.pointer(seed: seed, second: second, index: index),
                        logStream: writer.logStreams[podIndex])
    }

    private func writeAccessLine(kind: Double, ts: Int64, rng: inout SeededRandom) {
        let parenthesised = historicalShapes && rng.chance(0.1)
        let labelled = !historicalShapes || ts >= AccessLineBuilder.labelsSinceMs
        let forwardedFor = !historicalShapes || ts >= AccessLineBuilder.forwardedForSinceMs
        if parenthesised { put("(") }
        put("pulp ["); putHex(&rng, 8); put("-"); putHex(&rng, 4); put("]: ")
        putIPv4(&rng, prefix: "10.128.")
        put(" - ")
        let probe = kind < 0.05
        let authenticated = !probe && rng.chance(0.6)
        if !labelled {
            // %({REMOTE_USER}e)s alone, `-` when anonymous.
            put(authenticated ? rng.pick(AccessLineBuilder.users) : "-")
        } else if authenticated {
            put("user:"); put(rng.pick(AccessLineBuilder.users)); put(" org_id:"); put(rng.pick(AccessLineBuilder.orgs))
        } else {
            put("user:- org_id:-")
        }
        put(" ["); InsightsTime.appendAccessLog(ts, to: line); put("] ")
        // Request line: METHOD TARGET PROTOCOL, written piece by piece (no quoting needed).
        var status = 200
        let statusDraw = rng.unit()
        if statusDraw < 0.10 { status = 304 } else if statusDraw < 0.18 { status = 404 } else if statusDraw < 0.20 { status = 500 }
        line.append(UInt8(ascii: "\""))
        if probe {
            put("GET "); put(rng.chance(0.5) ? "/livez" : "/status/")
            status = 200
        } else if kind < 0.10 {
            put("GET "); put(rng.pick(AccessLineBuilder.otherPaths))
        } else if kind < 0.13 {
            let upload = kind >= 0.12
            put(upload ? "POST /api/pypi/" : "GET /api/pypi/")
            put(rng.pick(AccessLineBuilder.domains)); put("/"); put(rng.pick(AccessLineBuilder.distributions))
            put(upload ? "/legacy/" : "/simple/")
            if upload { status = 201 }
        } else {
            put("GET /api/pypi/")
            put(rng.pick(AccessLineBuilder.domains)); put("/"); put(rng.pick(AccessLineBuilder.distributions))
            put("/simple/"); put(rng.pick(AccessLineBuilder.packages)); put("/")
            if rng.chance(0.05) { put("?format=json") }
        }
        put(rng.chance(0.8) ? " HTTP/1.1\"" : " HTTP/2.0\"")
        put(" "); putInt(status); put(" ")
        if status == 304 || (status == 200 && rng.chance(0.03)) { put("-") } else { putInt(rng.below(60000)) }
        put(" ")
        putQuoted(rng.chance(0.9) ? "-" : "https://pypi.example.org/")
        put(" ")
        putQuoted(probe ? "kube-probe/1.29" : rng.pick(AccessLineBuilder.userAgents))
        put(" "); putInt(1 + rng.below(900))
        guard forwardedFor else {
            if parenthesised { put(")") }
            return
        }
        put(" x_forwarded_for:\"")
        let xff = rng.unit()
        if probe || xff < 0.15 {
            put("-")
        } else if xff < 0.60 {
            putIPv4(&rng)
        } else if xff < 0.85 {
            putIPv4(&rng); put(rng.chance(0.5) ? ", " : ","); putIPv4(&rng); put(", "); putIPv4(&rng, prefix: "10.0.")
        } else {
            put("2001:db8:"); putHex(&rng, 4); put("::"); putHex(&rng, 2)
            if rng.chance(0.3) { put(", 10.0.0.1") }
        }
        put("\"")
        if parenthesised { put(")") }
    }
}
