// Routing: the operations the simulated service answers, listed once. A request's
// X-Amz-Target names one of them; each has its requests-per-second quota and its handler.
// Adding an operation is a case here, its default rate and its handler.

public enum SimulatorOperation: String, CaseIterable, Sendable {
    case startQuery = "StartQuery"
    case getQueryResults = "GetQueryResults"
    case stopQuery = "StopQuery"
    case describeLogGroups = "DescribeLogGroups"

    /// The operation an X-Amz-Target header (`Logs_20140328.<Name>`) names, if it is one of these.
    init?(target: String?) {
        guard let target, target.hasPrefix(SimulatorService.apiPrefix) else { return nil }
        self.init(rawValue: String(target.dropFirst(SimulatorService.apiPrefix.count)))
    }

    /// The API name requests are counted under in the statistics: an unknown one is "Unknown".
    static func statisticsName(_ operation: SimulatorOperation?) -> String { operation?.rawValue ?? "Unknown" }

    /// AWS's quotas: 5 requests per second, DescribeLogGroups 10.
    public var defaultRequestsPerSecond: Double { self == .describeLogGroups ? 10 : 5 }

    public static var defaultRates: [SimulatorOperation: Double] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.defaultRequestsPerSecond) })
    }

    /// Answers a request that passed the faults, the quota and the body checks.
    func handle(_ request: JSONValue, service: SimulatorService, authorization: String?, nowNs: UInt64,
                state: inout SimulatorService.State) -> Result<ResponseBody, SimulatedServiceError> {
        func encoded(_ r: Result<JSONValue, SimulatedServiceError>) -> Result<ResponseBody, SimulatedServiceError> {
            r.map { .bytes(Array($0.serialized.utf8)) }
        }
        switch self {
        case .startQuery: return encoded(service.startQuery(request, nowNs: nowNs, state: &state))
        case .getQueryResults: return service.getQueryResults(request, nowNs: nowNs, state: &state)
        case .stopQuery: return encoded(service.stopQuery(request, nowNs: nowNs, state: &state))
        case .describeLogGroups: return encoded(service.describeLogGroups(request, authorization: authorization))
        }
    }
}

extension JSONValue {
    /// A request parameter that must be a whole number (startTime, endTime, limit).
    var integerValue: Int64? {
        guard let n = numberValue, n.rounded() == n, abs(n) < 9e15 else { return nil }
        return Int64(n)
    }
}

/// A response body, or the parts of a GetQueryResults body to serialize after the lock is released.
enum ResponseBody {
    case bytes([UInt8])
    case queryResults(status: String, result: QueryResult?)

    func serialized() -> [UInt8] {
        switch self {
        case let .bytes(b): return b
        case let .queryResults(status, result): return SimulatorService.queryResultsBody(status: status, result: result)
        }
    }
}
