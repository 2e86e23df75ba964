import Testing
@testable import InsightsSimulator

@Suite struct SigV4VerifierTests {
    /// The vector botocore's SigV4Auth produces for AWS's "get-vanilla" request
    /// (GET https://example.amazon.com/, 2015-08-30T12:36:00Z, us-east-1, service "service").
    @Test func matchesBotocoreForGetVanilla() {
        let request = SigV4Request(method: "GET", uri: "/", headers: [("Host", "example.amazon.com"), ("X-Amz-Date", "20150830T123600Z")], body: [])
        let signature = SigV4Verifier.signature(request: request, signedHeaders: ["host", "x-amz-date"], amzDate: "20150830T123600Z",
                                                scope: ["AKIDEXAMPLE", "20150830", "us-east-1", "service", "aws4_request"],
                                                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        #expect(signature == "7ab4567ae243ee168f6bf18206b2b40b61ce08277323168138fa113ed23c538e")
    }

    func signed(body: String, date: String = "20260204T143000Z", key: String = "test", secret: String = "test") -> SigV4Request {
        var request = SigV4Request(method: "POST", uri: "/", headers: [
            ("Host", "127.0.0.1:9999"), ("X-Amz-Date", date), ("X-Amz-Target", "Logs_20140328.DescribeLogGroups"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ], body: Array(body.utf8))
        let headers = ["content-type", "host", "x-amz-date", "x-amz-target"]
        let scope = [key, String(date.prefix(8)), "us-east-1", "logs", "aws4_request"]
        let sig = SigV4Verifier.signature(request: request, signedHeaders: headers, amzDate: date, scope: scope, secret: secret)
        request.headers.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(scope.joined(separator: "/")), SignedHeaders=\(headers.joined(separator: ";")), Signature=\(sig)"))
        return request
    }

    let now: Int64 = 1_770_215_400  // 2026-02-04 14:30:00 UTC

    @Test func acceptsValidAndRejectsTampered() {
        let verifier = SigV4Verifier()
        #expect(verifier.verify(signed(body: "{}"), nowEpochSeconds: now) == nil)
        var tampered = signed(body: "{}")
        tampered.body = Array(#"{"limit":1}"#.utf8)
        #expect(verifier.verify(tampered, nowEpochSeconds: now)?.type == "InvalidSignatureException")
        #expect(verifier.verify(signed(body: "{}", secret: "other"), nowEpochSeconds: now)?.type == "InvalidSignatureException")
        #expect(verifier.verify(signed(body: "{}", key: "AKIDOTHER"), nowEpochSeconds: now)?.type == "UnrecognizedClientException")
        #expect(verifier.verify(signed(body: "{}"), nowEpochSeconds: now + 901)?.type == "InvalidSignatureException")
        #expect(verifier.verify(signed(body: "{}"), nowEpochSeconds: now - 899) == nil)
        let missing = SigV4Request(method: "POST", uri: "/", headers: [("Host", "x")], body: [])
        let error = verifier.verify(missing, nowEpochSeconds: now)
        #expect(error?.type == "MissingAuthenticationTokenException")
        #expect(error?.httpStatus == 403)
    }
}
