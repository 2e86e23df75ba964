// Error responses as CloudWatch Logs sends them over JSON 1.1: HTTP 400 for client errors,
// 500 for service faults (ServiceUnavailableException is a fault in the service model),
// body {"__type": "<Name>", "message": "..."}.
// Named apart from the AWS module's `AWSError`, the client's view of such an answer.

public struct SimulatedServiceError: Error, Sendable, Equatable {
    public let type: String
    public let message: String
    public let httpStatus: Int
    /// Extra members (MalformedQueryException carries queryCompileError).
    public var extra: [(String, JSONValue)] = []

    public static func == (a: SimulatedServiceError, b: SimulatedServiceError) -> Bool {
        a.type == b.type && a.message == b.message && a.httpStatus == b.httpStatus
    }

    public init(type: String, message: String, httpStatus: Int? = nil, extra: [(String, JSONValue)] = []) {
        self.type = type
        self.message = message
        // AWS answers a request without any credentials with 403, every other client error with 400.
        self.httpStatus = httpStatus ?? (type == "MissingAuthenticationTokenException" ? 403 : 400)
        self.extra = extra
    }

    public var body: JSONValue { .object([("__type", .string(type)), ("message", .string(message))] + extra) }

    public static func throttling() -> SimulatedServiceError { SimulatedServiceError(type: "ThrottlingException", message: "Rate exceeded") }
    public static func limitExceeded(_ max: Int) -> SimulatedServiceError {
        SimulatedServiceError(type: "LimitExceededException", message: "Account maximum query concurrency limit of [\(max)] reached.")
    }
    public static func resourceNotFound(_ message: String) -> SimulatedServiceError { SimulatedServiceError(type: "ResourceNotFoundException", message: message) }
    public static func invalidParameter(_ message: String) -> SimulatedServiceError { SimulatedServiceError(type: "InvalidParameterException", message: message) }
    public static func serviceUnavailable(status: Int = 500) -> SimulatedServiceError {
        SimulatedServiceError(type: "ServiceUnavailableException", message: "The service cannot complete the request.", httpStatus: status)
    }
    public static func malformedQuery(_ e: QuerySyntaxError) -> SimulatedServiceError {
        SimulatedServiceError(type: "MalformedQueryException", message: e.message, extra: [
            ("queryCompileError", .object([
                ("location", .object([("startCharOffset", .number(Double(e.start))), ("endCharOffset", .number(Double(e.end)))])),
                ("message", .string(e.message)),
            ])),
        ])
    }
    static func unknownOperation(_ target: String) -> SimulatedServiceError {
        SimulatedServiceError(type: "UnknownOperationException", message: "Unknown operation \(target)")
    }
    static func serialization(_ message: String) -> SimulatedServiceError { SimulatedServiceError(type: "SerializationException", message: message) }
}
