import Crypto

// `--require-sigv4`: checks AWS Signature Version 4 on every API request against one fixed
// test credential pair, the way the real endpoint would (same canonical request, same
// error types), so a client's signer can be tested without AWS.

public struct SigV4Credentials: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String

    /// The fixed test credentials: access key `test`, secret `test` (what moto and the tests use).
    public static let test = SigV4Credentials(accessKeyId: "test", secretAccessKey: "test")

    public init(accessKeyId: String, secretAccessKey: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }
}

public struct SigV4Request: Sendable {
    public var method: String
    /// Path and query as sent (`/` or `/?a=b`).
    public var uri: String
    /// Header names and values as received.
    public var headers: [(String, String)]
    public var body: [UInt8]
}

public struct SigV4Verifier: Sendable {
    public let credentials: SigV4Credentials
    /// Requests whose X-Amz-Date is further than this from now are rejected (AWS: 15 minutes).
    var maxClockSkewSeconds: Int64 = 900

    public init(credentials: SigV4Credentials = .test) { self.credentials = credentials }

    /// nil when the signature is valid; otherwise the error AWS would send.
    public func verify(_ request: SigV4Request, nowEpochSeconds: Int64) -> SimulatedServiceError? {
        func header(_ name: String) -> String? {
            request.headers.first { $0.0.lowercased() == name }?.1
        }
        guard let authorization = header("authorization") else {
            return SimulatedServiceError(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            return SimulatedServiceError(type: "IncompleteSignatureException", message: "Unsupported authorization scheme; expected AWS4-HMAC-SHA256")
        }
        var parts: [String: String] = [:]
        for item in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = item.trimmingSpaces.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { parts[String(kv[0])] = String(kv[1]) }
        }
        guard let credential = parts["Credential"], let signedHeaderList = parts["SignedHeaders"], let signature = parts["Signature"] else {
            return SimulatedServiceError(type: "IncompleteSignatureException", message: "Authorization header requires Credential, SignedHeaders and Signature")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            return SimulatedServiceError(type: "IncompleteSignatureException", message: "Credential must be AKID/date/region/service/aws4_request")
        }
        guard scope[0] == credentials.accessKeyId else {
            return SimulatedServiceError(type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        }
        guard let amzDate = header("x-amz-date"), amzDate.count == 16, amzDate.hasPrefix(scope[1]),
              let signedAt = SigV4Verifier.epochSeconds(amzDate: amzDate) else {
            return SimulatedServiceError(type: "IncompleteSignatureException", message: "X-Amz-Date is missing or does not match the credential scope date")
        }
        if abs(signedAt - nowEpochSeconds) > maxClockSkewSeconds {
            return SimulatedServiceError(type: "InvalidSignatureException", message: "Signature expired: \(amzDate) is now earlier or later than the allowed 15 minutes.")
        }
        let signedHeaders = signedHeaderList.split(separator: ";").map { String($0) }
        guard signedHeaders.contains("host") else {
            return SimulatedServiceError(type: "InvalidSignatureException", message: "'Host' must be a signed header")
        }
        let expected = SigV4Verifier.signature(request: request, signedHeaders: signedHeaders, amzDate: amzDate,
                                               scope: scope, secret: credentials.secretAccessKey)
        guard constantTimeEqual(expected, signature) else {
            return SimulatedServiceError(type: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return nil
    }

    /// The hex signature for `request` (also used by tests to sign requests).
    /// `scope` is the Credential value split at "/": access key id, date, region, service, "aws4_request".
    public static func signature(request: SigV4Request, signedHeaders: [String], amzDate: String, scope: [String], secret: String) -> String {
        let (path, query) = splitURI(request.uri)
        var canonicalHeaders = ""
        for name in signedHeaders {
            let values = request.headers.filter { $0.0.lowercased() == name }.map { collapseSpaces($0.1) }
            canonicalHeaders += "\(name):\(values.joined(separator: ","))\n"
        }
        let payloadHash = request.headers.first { $0.0.lowercased() == "x-amz-content-sha256" }?.1 ?? hex(SHA256.hash(data: request.body))
        let canonicalRequest = [request.method, canonicalPath(path), canonicalQuery(query), canonicalHeaders,
                                signedHeaders.joined(separator: ";"), payloadHash].joined(separator: "\n")
        // The credential scope without the access key id: date/region/service/aws4_request.
        let scopeString = scope.dropFirst().joined(separator: "/")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scopeString, hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in scope.dropFirst() {
            key = SymmetricKey(data: Data32(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    static func splitURI(_ uri: String) -> (String, String) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<q]), String(uri[uri.index(after: q)...]))
    }

    /// Each segment URI-encoded (already-encoded input is decoded first, as AWS does for non-S3).
    static func canonicalPath(_ path: String) -> String {
        if path.isEmpty { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(percentDecode(String($0))) }.joined(separator: "/")
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        return query.split(separator: "&").map { item -> (String, String) in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (uriEncode(percentDecode(String(kv[0]))), uriEncode(percentDecode(kv.count > 1 ? String(kv[1]) : "")))
        }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func uriEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-_.~".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(s.utf8)[...]
        while let b = utf8.first {
            if b == UInt8(ascii: "%"), utf8.count >= 3,
               let v = UInt8(String(decoding: utf8.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(b)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out = ""
        for b in digest {
            out.append(Character(Unicode.Scalar(JSONValue.hexDigits[Int(b >> 4)])))
            out.append(Character(Unicode.Scalar(JSONValue.hexDigits[Int(b & 0xF)])))
        }
        return out
    }

    /// "20260204T143000Z" → epoch seconds.
    static func epochSeconds(amzDate: String) -> Int64? {
        let s = Array(amzDate)
        guard s.count == 16, s[8] == "T", s[15] == "Z" else { return nil }
        let iso = "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T\(String(s[9..<11])):\(String(s[11..<13])):\(String(s[13..<15]))Z"
        return InsightsTime.parse(iso).map { $0 / 1000 }
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// HMAC output as key bytes for the next step of the signing-key chain.
private func Data32(_ mac: HMAC<SHA256>.MAC) -> [UInt8] { Array(mac) }

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
