import Foundation

/// What every service client shares: where the service is, how to sign for it, and how to
/// turn an error answer into an `AWSError`.
public struct AWSServiceClient: Sendable {
    public enum ErrorFormat: Sendable { case json, xml }

    public let http: AWSHTTPClient
    public let credentials: any CredentialProvider
    public let region: String
    public let endpoint: AWSEndpoint
    public let signingName: String
    public let flavor: SigV4Signer.Flavor
    public let errorFormat: ErrorFormat
    public var retryPolicy: AWSRetryPolicy

    public init(http: AWSHTTPClient, credentials: any CredentialProvider, region: String, endpoint: AWSEndpoint,
                signingName: String, flavor: SigV4Signer.Flavor = .standard, errorFormat: ErrorFormat,
                retryPolicy: AWSRetryPolicy = .standard) {
        self.retryPolicy = retryPolicy
        self.http = http
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.signingName = signingName
        self.flavor = flavor
        self.errorFormat = errorFormat
    }

    /// Signs `request` with current credentials, sends it, and returns a 2xx response;
    /// anything else is thrown as `AWSError` with secrets redacted from the server's message.
    /// Retryable failures are tried again per `retryPolicy`, each time freshly signed.
    func send(_ request: AWSHTTPRequest, operation: String, payload: SigV4Signer.Payload = .signed,
                     acceptStatus: Set<Int> = []) async throws -> AWSHTTPClient.Response {
        try await retryPolicy.run {
            try await sendOnce(request, operation: operation, payload: payload, acceptStatus: acceptStatus)
        }
    }

    private func sendOnce(_ request: AWSHTTPRequest, operation: String, payload: SigV4Signer.Payload,
                          acceptStatus: Set<Int>) async throws -> AWSHTTPClient.Response {
        let creds = try await credentials.credentials()
        var signed = request
        signed.setHeader("User-Agent", "pulp-backfill")
        SigV4Signer(credentials: creds, region: region, service: signingName, flavor: flavor)
            .sign(&signed, date: Date(), payload: payload)
        let response = try await http.send(signed, operation: operation)
        if (200..<300).contains(response.status) || acceptStatus.contains(response.status) { return response }
        throw Self.serviceError(response, operation: operation, format: errorFormat, redactor: creds)
    }

    static func serviceError(_ response: AWSHTTPClient.Response, operation: String, format: ErrorFormat,
                             redactor: AWSCredentials?) -> AWSError {
        var code = ""
        var message = ""
        let text = String(decoding: response.body, as: UTF8.self)
        // Some front ends (and moto) answer a JSON-protocol call with an XML error document.
        let isXML = text.drop(while: { $0.isWhitespace }).hasPrefix("<")
        switch isXML ? .xml : format {
        case .json:
            if let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] {
                code = (object["__type"] as? String) ?? (object["code"] as? String) ?? ""
                message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            }
            if code.isEmpty, let header = response.header("x-amzn-ErrorType") { code = header }
        case .xml:
            code = TinyXML.text(of: "Code", in: text) ?? ""
            message = TinyXML.text(of: "Message", in: text) ?? ""
        }
        // `com.amazonaws.logs#ThrottlingException` and `ThrottlingException:http://…` both mean ThrottlingException.
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if code.isEmpty {
            switch response.status {
            case 400: code = "BadRequest"
            case 403: code = "AccessDenied"
            case 404: code = "NotFound"
            case 429: code = "TooManyRequestsException"
            case 503: code = "ServiceUnavailable"
            default: code = "HTTP\(response.status)"
            }
        }
        message = message.replacingOccurrences(of: "\n", with: " ")
        if message.count > 300 { message = String(message.prefix(300)) + "…" }
        if let redactor { message = redactor.redact(message) }
        return .service(.init(code: code, message: message, httpStatus: response.status, operation: operation))
    }
}
