import Crypto
import Foundation

/// AWS Signature Version 4 (header form), matching botocore's `SigV4Auth` (JSON and query
/// protocols) and `S3SigV4Auth` (S3) byte for byte.
///
/// The two flavours differ in the canonical URI and the payload header:
/// * standard services re-encode the (already encoded) path after removing dot segments and
///   empty segments — so `%20` on the wire is `%2520` in the canonical request;
/// * S3 uses the wire path unchanged and always sends `x-amz-content-sha256`.
public struct SigV4Signer: Sendable {
    public enum Flavor: String, Sendable { case standard, s3 }

    /// What goes into the payload line of the canonical request.
    public enum Payload: Sendable, Equatable {
        /// SHA-256 of the request body.
        case signed
        /// `UNSIGNED-PAYLOAD` (only meaningful over HTTPS; S3 integrity then rests on checksums).
        case unsigned
        /// The body's SHA-256 in lower-case hex, already computed by the caller (large uploads
        /// hash once for both the signature and the checksum header).
        case precomputed(String)
    }

    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// Headers botocore never signs (hop-by-hop, tracing, user agent).
    static let unsignedHeaderNames: Set<String> = [
        "baggage", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "traceparent", "tracestate", "trailer", "transfer-encoding", "upgrade", "user-agent",
        "x-amzn-trace-id",
    ]

    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    public let flavor: Flavor

    /// The intermediate strings of one signature, kept for tests and debugging (they hold no secret).
    public struct Signature: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let authorization: String
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (temporary credentials), `X-Amz-Content-SHA256`
    /// (S3, or an unsigned payload) and `Authorization` to `request`.
    @discardableResult
    public func sign(_ request: inout AWSHTTPRequest, date: Date, payload: Payload = .signed) -> Signature {
        let timestamp = Self.timestamp(date)
        request.removeHeader("Authorization")
        request.setHeader("X-Amz-Date", timestamp)
        if let token = credentials.sessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        let payloadHash: String
        switch (flavor, payload) {
        case (.s3, _):
            payloadHash = payloadLine(request, payload)
            request.setHeader("X-Amz-Content-SHA256", payloadHash)
        case (.standard, .unsigned):
            payloadHash = Self.unsignedPayload
            request.setHeader("X-Amz-Content-SHA256", payloadHash)
        case (.standard, .signed):
            payloadHash = request.header("X-Amz-Content-SHA256") ?? Self.hexSHA256(request.body)
        case (.standard, .precomputed(let hash)):
            payloadHash = request.header("X-Amz-Content-SHA256") ?? hash
        }

        let signedHeaders = headersToSign(request)
        let names = signedHeaders.map(\.name)
        let canonicalHeaders = signedHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.fullPath),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            names.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")

        let day = String(timestamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope, Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = signingKey(day: day)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(names.joined(separator: ";")), Signature=\(Self.hex(signature))"
        request.headers.append(("Authorization", authorization))
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    private func payloadLine(_ request: AWSHTTPRequest, _ payload: Payload) -> String {
        switch payload {
        case .unsigned: return Self.unsignedPayload
        case .signed: return Self.hexSHA256(request.body)
        case .precomputed(let hash): return hash
        }
    }

    /// Lower-case names, sorted; values of repeated names joined with `,`; runs of
    /// whitespace collapsed to one space and trimmed. Adds `host` when absent.
    private func headersToSign(_ request: AWSHTTPRequest) -> [(name: String, value: String)] {
        var grouped: [String: [String]] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            guard !Self.unsignedHeaderNames.contains(name) else { continue }
            grouped[name, default: []].append(Self.trimAll(field.value))
        }
        if grouped["host"] == nil {
            grouped["host"] = [request.endpoint.hostHeader]
        }
        return grouped.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { ($0, grouped[$0]!.joined(separator: ",")) }
    }

    private func canonicalURI(_ path: String) -> String {
        switch flavor {
        case .s3: return path
        case .standard: return AWSPercentEncoding.encode(Self.removeDotSegments(path), keepSlash: true)
        }
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    // MARK: - Canonical pieces (static so tests can reach them)

    /// Pairs split on `&` and `=`, sorted by (key, value), rejoined. The query is already encoded.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> ([UInt8], [UInt8]) in
            if let eq = pair.firstIndex(of: "=") {
                return (Array(pair[..<eq].utf8), Array(pair[pair.index(after: eq)...].utf8))
            }
            return (Array(pair.utf8), [])
        }
        let sorted = pairs.sorted { a, b in
            a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0.lexicographicallyPrecedes(b.0)
        }
        return sorted.map { String(decoding: $0.0, as: UTF8.self) + "=" + String(decoding: $0.1, as: UTF8.self) }
            .joined(separator: "&")
    }

    /// RFC 3986 dot-segment removal, also dropping empty segments (`//`), as botocore does.
    static func removeDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(segment)
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !out.isEmpty ? "/" : ""
        return first + out.joined(separator: "/") + last
    }

    /// Python's `' '.join(value.split())` for the whitespace HTTP header values can hold.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var time = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
