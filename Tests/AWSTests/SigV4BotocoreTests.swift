import Foundation
import Testing
@testable import AWS
import TestRandom

/// Signs hundreds of generated requests with our signer and with botocore, and requires the
/// canonical requests and Authorization headers to be identical byte for byte.
@Suite struct SigV4BotocoreTests {
    struct Case {
        var spec: [String: Any]
        var request: AWSHTTPRequest
        var signer: SigV4Signer
        var date: Date
        var payload: SigV4Signer.Payload
    }

    static let keyAlphabet: [String] = Array("abcXYZ019-_.~").map(String.init)
        + [" ", "+", "%", "=", "&", "?", "#", "é", "日本", "😀", "/", "./", "../", "(", ")", "!", "*", "'", ",", ";", ":", "@", "$"]

    static func pick<T>(_ items: [T], _ rng: inout TestRandom) -> T { items[Int(rng.next() % UInt64(items.count))] }

    static func randomString(_ alphabet: [String], maxLength: Int, _ rng: inout TestRandom) -> String {
        let n = 1 + Int(rng.next() % UInt64(maxLength))
        return (0..<n).map { _ in pick(alphabet, &rng) }.joined()
    }

    static func makeCase(_ index: Int, _ rng: inout TestRandom) -> Case {
        let flavor: SigV4Signer.Flavor = rng.next() % 2 == 0 ? .s3 : .standard
        let service = flavor == .s3 ? "s3" : pick(["logs", "sts", "execute-api"], &rng)
        let region = pick(["us-east-1", "eu-west-3", "ap-southeast-2"], &rng)
        let endpoint = AWSEndpoint(url: pick([
            "https://\(service).\(region).amazonaws.com", "http://127.0.0.1:\(1024 + index)",
            "https://Example.COM:443", "http://example.com:80", "https://[::1]:8443", "http://localhost:5000",
        ], &rng))!
        let secretAlphabet = Array("ABCdef0123456789/+=").map(String.init)
        let credentials = AWSCredentials(
            accessKeyId: "AKIA" + randomString(Array("ABCDEFGHIJ2345").map(String.init), maxLength: 16, &rng),
            secretAccessKey: randomString(secretAlphabet, maxLength: 40, &rng),
            sessionToken: rng.next() % 2 == 0 ? nil : "IQoJb3JpZ2luX2Vj" + randomString(secretAlphabet, maxLength: 60, &rng))

        var path = "/"
        if flavor == .s3 {
            let key = randomString(keyAlphabet, maxLength: 12, &rng)
            path = "/bucket-\(index % 7)/" + AWSPercentEncoding.encode(key, keepSlash: true)
        } else if rng.next() % 3 == 0 {
            path = "/" + (0..<Int(rng.next() % 4)).map { _ in
                pick([".", "..", "", "a b", "x%2Fy", "caf\u{e9}", "v1", "~u"], &rng)
            }.map { AWSPercentEncoding.encode($0) }.joined(separator: "/")
            if rng.next() % 2 == 0 { path += "/" }
        }
        var query: [(String, String)] = []
        for _ in 0..<Int(rng.next() % 5) {
            let key = pick(["list-type", "prefix", "uploadId", "partNumber", "a b", "x+y", "Action", "\u{e9}"], &rng)
            query.append((key, randomString(keyAlphabet, maxLength: 6, &rng)))
        }
        var queryString = AWSPercentEncoding.formEncode(query)
        if rng.next() % 5 == 0 { queryString += (queryString.isEmpty ? "" : "&") + "uploads" }

        var headers: [(name: String, value: String)] = []
        if flavor == .standard && service == "logs" {
            headers.append(("Content-Type", "application/x-amz-json-1.1"))
            headers.append(("X-Amz-Target", "Logs_20140328.StartQuery"))
        }
        if rng.next() % 3 == 0 { headers.append(("User-Agent", "pulp-backfill/1")) }
        if rng.next() % 4 == 0 { headers.append(("Host", endpoint.hostHeader)) }
        for _ in 0..<Int(rng.next() % 4) {
            let name = pick(["x-amz-meta-Note", "X-Amz-Meta-note", "Content-MD5", "x-custom", "Cache-Control"], &rng)
            let value = pick(["  spaced   out  ", "a\tb", "plain", "v1,v2", "  ", "UPPER lower"], &rng)
            headers.append((name, value))
        }
        let body = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let method = pick(["GET", "PUT", "POST", "DELETE", "HEAD"], &rng)
        let payload: SigV4Signer.Payload = rng.next() % 4 == 0 ? .unsigned : .signed
        let date = Date(timeIntervalSince1970: TimeInterval(1_600_000_000 + rng.next() % 300_000_000))
        let request = AWSHTTPRequest(method: method, endpoint: endpoint, path: path, query: queryString,
                                     headers: headers, body: body)
        var spec: [String: Any] = [
            "flavor": flavor.rawValue, "service": service, "region": region,
            "accessKeyId": credentials.accessKeyId, "secretAccessKey": credentials.secretAccessKey,
            "method": method, "url": request.url, "headers": headers.map { [$0.name, $0.value] },
            "body": Data(body).base64EncodedString(), "payload": payload == .unsigned ? "unsigned" : "signed",
            "date": Int(date.timeIntervalSince1970),
        ]
        if let token = credentials.sessionToken { spec["sessionToken"] = token }
        return Case(spec: spec, request: request,
                    signer: SigV4Signer(credentials: credentials, region: region, service: service, flavor: flavor),
                    date: date, payload: payload)
    }

    @Test func matchesBotocoreForGeneratedRequests() throws {
        var rng = TestRandom(seed: 20_261_129)
        let cases = (0..<600).map { Self.makeCase($0, &rng) }
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
            let same = signature.canonicalRequest == reference["canonicalRequest"] as? String
                && signature.authorization == reference["authorization"] as? String
                && request.header("X-Amz-Date") == reference["amzDate"] as? String
                && request.header("X-Amz-Content-SHA256") == reference["contentSha256"] as? String
            if !same {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("case \(index) \(testCase.spec["url"] ?? ""):\nours:\n\(signature.canonicalRequest)\n\(signature.authorization)\nbotocore:\n\(reference["canonicalRequest"] ?? "")\n\(reference["authorization"] ?? "")")
                }
            }
        }
        #expect(mismatches == 0)
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
