// The operator view: what the clients asked for and how the simulated service answered.

public struct SimulatorStatistics: Sendable {
    /// requests[api][outcome] where outcome is "ok" or the error type.
    public var requests: [String: [String: Int]] = [:]
    public var throttles = 0
    public var limitExceeded = 0
    public var queriesStarted = 0
    public var queriesFinished: [String: Int] = [:]
    public var peakConcurrentQueries = 0
    public var bytesScanned = 0
    public var recordsScanned = 0
    public var rowsReturned = 0
    public var faults: [String: Int] = [:]

    public init() {}

    mutating func count(api: String, outcome: String) {
        requests[api, default: [:]][outcome, default: 0] += 1
    }

    public func json(activeQueries: Int, uptimeSeconds: Double) -> JSONValue {
        func dict(_ d: [String: Int]) -> JSONValue {
            .object(d.keys.sorted().map { ($0, .number(Double(d[$0]!))) })
        }
        let total = requests.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        return .object([
            ("uptimeSeconds", .number((uptimeSeconds * 1000).rounded() / 1000)),
            ("requestsTotal", .number(Double(total))),
            ("requests", .object(requests.keys.sorted().map { ($0, dict(requests[$0]!)) })),
            ("throttles", .number(Double(throttles))),
            ("limitExceeded", .number(Double(limitExceeded))),
            ("queriesStarted", .number(Double(queriesStarted))),
            ("queriesFinished", dict(queriesFinished)),
            ("activeQueries", .number(Double(activeQueries))),
            ("peakConcurrentQueries", .number(Double(peakConcurrentQueries))),
            ("bytesScanned", .number(Double(bytesScanned))),
            ("recordsScanned", .number(Double(recordsScanned))),
            ("rowsReturned", .number(Double(rowsReturned))),
            ("faults", dict(faults)),
        ])
    }

    /// Human-readable summary printed when the server stops.
    public func summary(activeQueries: Int, uptimeSeconds: Double) -> String {
        var lines = ["insights-sim statistics (uptime \(Int(uptimeSeconds)) s)"]
        for api in requests.keys.sorted() {
            let outcomes = requests[api]!.keys.sorted().map { "\($0)=\(requests[api]![$0]!)" }.joined(separator: " ")
            lines.append("  \(api): \(outcomes)")
        }
        lines.append("  throttles=\(throttles) limitExceeded=\(limitExceeded) queriesStarted=\(queriesStarted) peakConcurrentQueries=\(peakConcurrentQueries)")
        lines.append("  bytesScanned=\(bytesScanned) recordsScanned=\(recordsScanned) rowsReturned=\(rowsReturned)")
        if !faults.isEmpty {
            lines.append("  faults: " + faults.keys.sorted().map { "\($0)=\(faults[$0]!)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
