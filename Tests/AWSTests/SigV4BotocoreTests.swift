import Foundation
import Testing
@testable import AWS
import TestRandom

/// Signs hundreds of generated requests with our signer and with botocore, and requires the
/// URLs, canonical requests and Authorization headers to be identical byte for byte.
///
/// The oracle is independent of our percent-encoding: botocore_sign.py receives the RAW bucket,
/// key, path segments and query parameters and builds the URL and canonical request with
/// botocore's own quoting, while this side builds the request the way the tool does
/// (`S3Client.request`, `AWSPercentEncoding`). Keys, segments, parameter names and values hold
/// every reserved character, spaces, `~`, `+`, `=`, `/`, `%`, controls and non-ASCII text, so
/// any encoding difference (e.g. `~` escaped, space as `+`, `/` not kept in S3 keys) fails.
@Suite struct SigV4BotocoreTests {
    struct Case {
        var spec: [String: Any]
        var request: AWSHTTPRequest
        var signer: SigV4Signer
        var date: Date
        var payload: SigV4Signer.Payload
    }

    /// RFC 3986 unreserved, gen-delims, sub-delims, `%`, space, other ASCII punctuation, controls,
    /// and non-ASCII (precomposed, combining, CJK, astral).
    static let keyAlphabet: [String] = Array("abcXYZ019-_.~").map(String.init)
        + [":", "/", "?", "#", "[", "]", "@", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "="]
        + ["%", "%2F", "%20", " ", "  ", "\"", "<", ">", "\\", "^", "`", "{", "|", "}", "\t", "\u{7F}"]
        + ["é", "e\u{301}", "日本", "😀", "./", "../", "//"]

    static func pick<T>(_ items: [T], _ rng: inout TestRandom) -> T { items[Int(rng.next() % UInt64(items.count))] }

    static func randomString(_ alphabet: [String], maxLength: Int, _ rng: inout TestRandom) -> String {
        let n = 1 + Int(rng.next() % UInt64(maxLength))
        return (0..<n).map { _ in pick(alphabet, &rng) }.joined()
    }

    static func makeCase(_ index: Int, _ rng: inout TestRandom, s3 s3Client: (AWSEndpoint, Bool) -> S3Client) -> Case {
        let flavor: SigV4Signer.Flavor = rng.next() % 2 == 0 ? .s3 : .standard
        let service = flavor == .s3 ? "s3" : pick(["logs", "sts", "execute-api"], &rng)
        let region = pick(["us-east-1", "eu-west-3", "ap-southeast-2"], &rng)
        let awsEndpoint = "https://\(service).\(region).amazonaws.com"
        let endpointURL = pick([
            awsEndpoint, awsEndpoint, "http://127.0.0.1:\(1024 + index)",
            "https://Example.COM:443", "http://example.com:80", "https://[::1]:8443", "http://localhost:5000",
        ], &rng)
        let endpoint = AWSEndpoint(url: endpointURL)!
        let secretAlphabet = Array("ABCdef0123456789/+=").map(String.init)
        let credentials = AWSCredentials(
            accessKeyId: "AKIA" + randomString(Array("ABCDEFGHIJ2345").map(String.init), maxLength: 16, &rng),
            secretAccessKey: randomString(secretAlphabet, maxLength: 40, &rng),
            sessionToken: rng.next() % 2 == 0 ? nil : "IQoJb3JpZ2luX2Vj" + randomString(secretAlphabet, maxLength: 60, &rng))

        // Raw query parameters (a nil value is a bare key such as `uploads`).
        var query: [(String, String?)] = []
        for _ in 0..<Int(rng.next() % 5) {
            let key = rng.next() % 2 == 0
                ? pick(["list-type", "prefix", "uploadId", "partNumber", "Action", "a b", "x+y", "k=v&w", "~t", "\u{e9}"], &rng)
                : randomString(keyAlphabet, maxLength: 5, &rng)
            query.append((key, randomString(keyAlphabet, maxLength: 8, &rng)))
        }
        if rng.next() % 5 == 0 { query.append(("uploads", nil)) }
        // As the tool writes a query: `formEncode` for pairs, bare keys as they are.
        let queryString = ([AWSPercentEncoding.formEncode(query.compactMap { k, v in v.map { (k, $0) } })].filter { !$0.isEmpty }
            + query.filter { $0.1 == nil }.map(\.0)).joined(separator: "&")
        let body = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let method = pick(["GET", "PUT", "POST", "DELETE", "HEAD"], &rng)

        var spec: [String: Any] = [
            "flavor": flavor.rawValue, "service": service, "region": region, "endpoint": endpointURL,
            "accessKeyId": credentials.accessKeyId, "secretAccessKey": credentials.secretAccessKey,
            "method": method, "query": query.map { [$0.0, $0.1.map { $0 as Any } ?? NSNull()] },
            "body": Data(body).base64EncodedString(),
        ]
        var request: AWSHTTPRequest
        if flavor == .s3 {
            let bucket = rng.next() % 4 == 0 ? "my.bucket.\(index % 3)" : "bucket-\(index % 7)"
            let key = randomString(keyAlphabet, maxLength: 12, &rng)
            // Virtual-hosted addressing only on AWS's own endpoint, as the tool configures it.
            let pathStyle = endpointURL != awsEndpoint || rng.next() % 3 == 0
            request = s3Client(endpoint, pathStyle).request(method, S3Location(bucket: bucket, key: key), query: queryString, body: body)
            spec["bucket"] = bucket
            spec["key"] = key
            spec["virtualHosted"] = !pathStyle && !bucket.contains(".")
        } else {
            var segments: [String] = []
            if rng.next() % 3 == 0 {
                segments = (0..<Int(rng.next() % 4)).map { _ in
                    rng.next() % 2 == 0 ? pick([".", "..", "", "a b", "x%2Fy", "caf\u{e9}", "v1", "~u"], &rng)
                        : randomString(keyAlphabet.filter { !$0.contains("/") }, maxLength: 4, &rng)
                }
            }
            let trailingSlash = rng.next() % 2 == 0
            var path = "/" + segments.map { AWSPercentEncoding.encode($0) }.joined(separator: "/")
            if trailingSlash && !segments.isEmpty { path += "/" }
            request = AWSHTTPRequest(method: method, endpoint: endpoint, path: path, query: queryString, body: body)
            spec["segments"] = segments
            spec["trailingSlash"] = trailingSlash
        }

        var headers: [(name: String, value: String)] = []
        if flavor == .standard && service == "logs" {
            headers.append(("Content-Type", "application/x-amz-json-1.1"))
            headers.append(("X-Amz-Target", "Logs_20140328.StartQuery"))
        }
        if rng.next() % 3 == 0 { headers.append(("User-Agent", "pulp-backfill/1")) }
        if rng.next() % 4 == 0 { headers.append(("Host", request.endpoint.hostHeader)) }
        for _ in 0..<Int(rng.next() % 4) {
            let name = pick(["x-amz-meta-Note", "X-Amz-Meta-note", "Content-MD5", "x-custom", "Cache-Control"], &rng)
            let value = pick(["  spaced   out  ", "a\tb", "plain", "v1,v2", "  ", "UPPER lower"], &rng)
            headers.append((name, value))
        }
        request.headers += headers
        let payload: SigV4Signer.Payload = rng.next() % 4 == 0 ? .unsigned : .signed
        let date = Date(timeIntervalSince1970: TimeInterval(1_600_000_000 + rng.next() % 300_000_000))
        spec["headers"] = headers.map { [$0.name, $0.value] }
        spec["payload"] = payload == .unsigned ? "unsigned" : "signed"
        spec["date"] = Int(date.timeIntervalSince1970)
        if let token = credentials.sessionToken { spec["sessionToken"] = token }
        return Case(spec: spec, request: request,
                    signer: SigV4Signer(credentials: credentials, region: region, service: service, flavor: flavor),
                    date: date, payload: payload)
    }

    @Test func matchesBotocoreForGeneratedRequests() async throws {
        // S3Client needs an HTTP client to exist; only its request building is used here.
        try await AWSHTTPClient.withClient { http in
            let creds = StaticCredentialProvider(AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), sourceName: "t")
            var rng = TestRandom(seed: 20_261_129)
            let cases = (0..<600).map { index in
                Self.makeCase(index, &rng) { endpoint, pathStyle in
                    S3Client(http: http, credentials: creds, region: "us-east-1", endpoint: endpoint, pathStyle: pathStyle)
                }
            }
            try Self.compareWithBotocore(cases)
        }
    }

    static func compareWithBotocore(_ cases: [Case]) throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("requests.json")
        try JSONSerialization.data(withJSONObject: cases.map(\.spec)).write(to: input)
        let script = TestSupport.packageRoot.appendingPathComponent("Tests/AWSTests/botocore_sign.py").path
        let output = try TestSupport.run(TestSupport.python, [script, input.path])
        let expected = try #require(JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        #expect(expected.count == cases.count)

        var mismatches = 0
        for (index, (testCase, reference)) in zip(cases, expected).enumerated() {
            var request = testCase.request
            let signature = testCase.signer.sign(&request, date: testCase.date, payload: testCase.payload)
            let same = request.url == reference["url"] as? String
                && signature.canonicalRequest == reference["canonicalRequest"] as? String
                && signature.authorization == reference["authorization"] as? String
                && request.header("X-Amz-Date") == reference["amzDate"] as? String
                && request.header("X-Amz-Content-SHA256") == reference["contentSha256"] as? String
            if !same {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("case \(index) \(testCase.spec):\nours:\n\(request.url)\n\(signature.canonicalRequest)\n\(signature.authorization)\nbotocore:\n\(reference["url"] ?? "")\n\(reference["canonicalRequest"] ?? "")\n\(reference["authorization"] ?? "")")
                }
            }
        }
        #expect(mismatches == 0)
        // The generator reached what it is meant to cover: virtual-hosted and path-style S3,
        // standard paths with segments, bare query keys, and keys with each tricky character.
        let specs = cases.map(\.spec)
        #expect(specs.contains { $0["virtualHosted"] as? Bool == true } && specs.contains { $0["virtualHosted"] as? Bool == false })
        #expect(specs.contains { ($0["segments"] as? [String])?.isEmpty == false })
        #expect(specs.contains { ($0["query"] as? [[Any]])?.contains { $0[1] is NSNull } == true })
        let scalars = Set(specs.compactMap { $0["key"] as? String }.joined().unicodeScalars)
        let queryScalars = Set(specs.flatMap { ($0["query"] as? [[Any]]) ?? [] }
            .flatMap { $0.compactMap { $0 as? String } }.joined().unicodeScalars)
        for scalar in "~+=/% ?#&[]@!$'()*,;:\\\"\té😀\u{301}".unicodeScalars {
            #expect(scalars.contains(scalar), "no S3 key with \(scalar.escaped(asASCII: true))")
            #expect(queryScalars.contains(scalar), "no query parameter with \(scalar.escaped(asASCII: true))")
        }
    }

    @Test func s3KeysAreEncodedOnceWithUnreservedCharactersOnly() {
        #expect(AWSPercentEncoding.encode("my dir/a+b~c é.txt", keepSlash: true) == "my%20dir/a%2Bb~c%20%C3%A9.txt")
        #expect(AWSPercentEncoding.encode("a/b") == "a%2Fb")
    }

    @Test func credentialsNeverDescribeTheirSecrets() {
        let creds = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN")
        let text = "\(creds) \(String(reflecting: creds))"
        #expect(!text.contains("wJalrXUtnFEMI"))
        #expect(!text.contains("FQoGZXIvYXdz"))
        #expect(creds.redact("bad key wJalrXUtnFEMI/K7MDENG and FQoGZXIvYXdzEXAMPLETOKEN") == "bad key <redacted> and <redacted>")
    }
}
