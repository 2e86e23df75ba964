import Foundation

/// CloudWatch Logs over the JSON 1.1 protocol: the four calls the backfill and `doctor` need.
public struct CloudWatchLogsClient: Sendable {
    public let service: AWSServiceClient

    /// `retryPolicy`: pass `.none` when a scheduler does its own backoff on throttling.
    public init(http: AWSHTTPClient, credentials: any CredentialProvider, region: String, endpoint: AWSEndpoint,
                retryPolicy: AWSRetryPolicy = .standard) {
        service = AWSServiceClient(http: http, credentials: credentials, region: region, endpoint: endpoint,
                                   signingName: "logs", errorFormat: .json, retryPolicy: retryPolicy)
    }

    // MARK: - Types

    public enum QueryStatus: String, Sendable {
        case scheduled = "Scheduled", running = "Running", complete = "Complete", failed = "Failed"
        case cancelled = "Cancelled", timeout = "Timeout", unknown = "Unknown"
        /// The query will not change any more.
        public var isFinal: Bool { ![.scheduled, .running].contains(self) }
    }

    public struct LogGroup: Sendable, Equatable {
        public let name: String
        public let arn: String?
        public let storedBytes: Int64?
    }

    public struct StartQueryRequest: Sendable {
        public var logGroupNames: [String]
        /// Seconds since the epoch; Insights treats both ends as inclusive.
        public var startTime: Int64
        public var endTime: Int64
        public var queryString: String
        public var limit: Int?
        public init(logGroupNames: [String], startTime: Int64, endTime: Int64, queryString: String, limit: Int? = nil) {
            self.logGroupNames = logGroupNames
            self.startTime = startTime
            self.endTime = endTime
            self.queryString = queryString
            self.limit = limit
        }
    }

    // MARK: - Calls

    /// Starts an Insights query and returns its id.
    public func startQuery(_ request: StartQueryRequest) async throws -> String {
        var body: [String: Any] = [
            "startTime": request.startTime, "endTime": request.endTime, "queryString": request.queryString,
        ]
        // One group goes in `logGroupName` (what boto3 users pass); several in `logGroupNames`.
        if request.logGroupNames.count == 1 { body["logGroupName"] = request.logGroupNames[0] }
        else { body["logGroupNames"] = request.logGroupNames }
        if let limit = request.limit { body["limit"] = limit }
        let answer = try await call("StartQuery", body)
        guard let id = answer["queryId"] as? String else { throw AWSError.invalidResponse("StartQuery returned no queryId") }
        return id
    }

    /// GetQueryResults' raw response body (a JSON document). Callers decode it with the
    /// byte-level `InsightsQueryResultsAnswer` (AccessLog), which reads a full 10,000-row answer
    /// straight into its row type; this module has no decoder of its own for it. Errors
    /// (throttling included) throw as for every call.
    public func getQueryResultsBody(queryId: String) async throws -> [UInt8] {
        try await send("GetQueryResults", ["queryId": queryId])
    }

    /// Stops a running query; returns whether the service reports it stopped.
    @discardableResult
    public func stopQuery(queryId: String) async throws -> Bool {
        let answer = try await call("StopQuery", ["queryId": queryId])
        return answer["success"] as? Bool ?? false
    }

    /// Log groups whose names start with `prefix` (one page of up to `limit`, 1…50).
    public func describeLogGroups(prefix: String?, limit: Int = 50) async throws -> [LogGroup] {
        var body: [String: Any] = ["limit": max(1, min(limit, 50))]
        if let prefix { body["logGroupNamePrefix"] = prefix }
        let answer = try await call("DescribeLogGroups", body)
        return (answer["logGroups"] as? [[String: Any]] ?? []).map {
            LogGroup(name: $0["logGroupName"] as? String ?? "", arn: $0["arn"] as? String,
                     storedBytes: ($0["storedBytes"] as? NSNumber)?.int64Value)
        }
    }

    // MARK: - Protocol

    private func call(_ action: String, _ body: [String: Any]) async throws -> [String: Any] {
        let responseBody = try await send(action, body)
        if responseBody.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(responseBody)) as? [String: Any] else {
            throw AWSError.invalidResponse("CloudWatch Logs \(action) answered with a body that is not a JSON object")
        }
        return object
    }

    /// One JSON 1.1 request; returns the raw response body.
    private func send(_ action: String, _ body: [String: Any]) async throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let request = AWSHTTPRequest(method: "POST", endpoint: service.endpoint, path: "/", headers: [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "Logs_20140328.\(action)"),
        ], body: Array(data))
        return try await service.send(request, operation: "CloudWatch Logs \(action)").body
    }
}
