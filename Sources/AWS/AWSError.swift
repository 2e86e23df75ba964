/// Every failure the AWS layer reports. Each case carries enough to tell the user what to fix,
/// and never a secret (server messages pass through `AWSCredentials.redact` first).
public enum AWSError: Error, Sendable, CustomStringConvertible {
    /// The service answered with an error document (`__type` for JSON, `<Code>` for XML).
    case service(ServiceError)
    /// The request never got an HTTP answer: connection refused/reset, timeout, TLS, DNS.
    case transport(TransportError)
    /// No credentials could be found, or a credential source failed.
    case credentials(String)
    /// Bad configuration: malformed endpoint URL, unknown profile, unreadable file.
    case configuration(String)
    /// The service answered 2xx with a body we cannot read.
    case invalidResponse(String)

    public struct ServiceError: Sendable, Equatable {
        /// The error code with any `prefix#` removed, e.g. `ThrottlingException`.
        public let code: String
        public let message: String
        public let httpStatus: Int
        /// Human name of the call, e.g. "CloudWatch Logs StartQuery".
        public let operation: String
    }

    public struct TransportError: Sendable, Equatable {
        public enum Kind: String, Sendable { case connectionRefused, connectionReset, timeout, tls, dns, other }
        public let kind: Kind
        public let endpoint: String
        public let operation: String
        public let detail: String
    }

    /// What kind of failure this is, independent of the protocol that reported it.
    public enum Kind: Sendable, Equatable {
        case throttling, limitExceeded, resourceNotFound, invalidParameter, malformedQuery, accessDenied
        case invalidCredentials, serviceUnavailable, serverError, clientError, transport, credentials, configuration, invalidResponse
    }

    public var kind: Kind {
        switch self {
        case .transport: return .transport
        case .credentials: return .credentials
        case .configuration: return .configuration
        case .invalidResponse: return .invalidResponse
        case .service(let e):
            switch e.code {
            case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
                 "RequestLimitExceeded", "SlowDown", "RequestThrottled", "RequestThrottledException":
                return .throttling
            case "LimitExceededException": return .limitExceeded
            case "ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "NotFound", "NoSuchUpload":
                return .resourceNotFound
            case "InvalidParameterException", "InvalidParameterValue", "ValidationException", "InvalidArgument",
                 "InvalidRequest", "InvalidBucketName", "EntityTooSmall", "InvalidPart", "InvalidPartOrder", "BadDigest",
                 "InvalidDigest", "InvalidParameterCombination":
                return .invalidParameter
            case "MalformedQueryException": return .malformedQuery
            case "AccessDeniedException", "AccessDenied", "AllAccessDisabled", "UnauthorizedOperation", "Forbidden":
                return .accessDenied
            case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
                 "InvalidAccessKeyId", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                 "IncompleteSignature", "MissingAuthenticationToken", "InvalidToken", "RequestExpired",
                 "RequestTimeTooSkewed", "AuthFailure":
                return .invalidCredentials
            case "ServiceUnavailableException", "ServiceUnavailable", "InternalFailure", "InternalError",
                 "InternalServerError", "RequestTimeout", "RequestTimeoutException":
                return .serviceUnavailable
            default:
                return e.httpStatus >= 500 ? .serverError : .clientError
            }
        }
    }

    /// True when the same request may succeed later (throttling, 5xx, transport hiccups).
    public var isRetryable: Bool {
        switch kind {
        case .throttling, .limitExceeded, .serviceUnavailable, .serverError, .transport: return true
        default: return false
        }
    }

    /// True when the service asks us to slow down; never a failure on its own (its retry class is
    /// `.throttle`: the caller lowers its request rate and tries again).
    public var isThrottling: Bool { kind == .throttling || kind == .limitExceeded }

    /// One line: what failed, what the service said, and what to do about it.
    public var description: String {
        switch self {
        case .credentials(let text): return "AWS credentials: \(text)"
        case .configuration(let text): return text
        case .invalidResponse(let text): return "unreadable AWS response: \(text)"
        case .transport(let t):
            let what: String
            switch t.kind {
            case .connectionRefused: what = "connection refused"
            case .connectionReset: what = "connection reset"
            case .timeout: what = "timed out"
            case .tls: what = "TLS handshake failed"
            case .dns: what = "host name not found"
            case .other: what = "request failed"
            }
            return "\(t.operation): \(what) talking to \(t.endpoint) (\(t.detail)); check the endpoint URL and network access"
        case .service(let e):
            let said = e.message.isEmpty ? e.code : "\(e.code): \(e.message)"
            return "\(e.operation) failed (HTTP \(e.httpStatus), \(said)); \(hint)"
        }
    }

    private var hint: String {
        switch kind {
        case .throttling, .limitExceeded: return "AWS is throttling; it will be retried more slowly (lower the concurrency if it persists)"
        case .resourceNotFound: return "check the name (log group, bucket, key) and the region"
        case .invalidParameter: return "a request parameter was rejected; check the values passed"
        case .malformedQuery: return "the Logs Insights query string is not valid"
        case .accessDenied: return "the identity lacks permission for this call; grant it in IAM"
        case .invalidCredentials: return "the access key, secret key or session token is wrong or expired; check which credential source `doctor` reports"
        case .serviceUnavailable, .serverError: return "AWS-side failure; it is retried automatically"
        default: return "see the message above"
        }
    }
}
