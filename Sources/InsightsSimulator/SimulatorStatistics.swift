// The operator view: what the clients asked for and how the simulated service answered.

public struct SimulatorStatistics: Sendable {
    /// The injected fault kinds (`SimulatedFault`) by the names they are counted under. Every kind is
    /// listed (0 until it fires), so a test can tell "never fired" from "not counted".
    public static let faultKinds = SimulatedFault.allCases.map(\.rawValue)

    /// requests[api][outcome] where outcome is "ok" or the error type.
    public var requests: [String: [String: Int]] = [:]
    /// Per API, the most requests received within any one second (see `RequestsPerSecondWindow`).
    public var peakRequestsPerSecond: [String: Int] {
        requestWindows.mapValues(\.peak)
    }
    private var requestWindows: [String: RequestsPerSecondWindow] = [:]
    public var throttles = 0
    public var limitExceeded = 0
    public var queriesStarted = 0
    public var queriesFinished: [String: Int] = [:]
    public var peakConcurrentQueries = 0
    public var bytesScanned = 0
    public var recordsScanned = 0
    var rowsReturned = 0
    /// Injected faults by kind (`faultKinds`).
    public var faults: [String: Int] = Dictionary(uniqueKeysWithValues: faultKinds.map { ($0, 0) })
    /// How the queries ended that the `query-failed` fault forced (Failed, Timeout, Cancelled).
    public var faultQueryOutcomes: [String: Int] = [:]

    public init() {}

    /// Counts one request received at `nowNs` (monotonic): every request, whether it was
    /// answered, throttled, refused or failed by a fault.
    mutating func count(api: String, outcome: String, nowNs: UInt64) {
        requests[api, default: [:]][outcome, default: 0] += 1
        requestWindows[api, default: RequestsPerSecondWindow()].record(nowNs: nowNs)
    }

    mutating func count(fault: SimulatedFault) {
        faults[fault.rawValue, default: 0] += 1
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
            ("peakRequestsPerSecond", dict(peakRequestsPerSecond)),
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
            ("faultQueryOutcomes", dict(faultQueryOutcomes)),
        ])
    }

    /// Human-readable summary printed when the server stops.
    public func summary(activeQueries: Int, uptimeSeconds: Double) -> String {
        var lines = ["insights-sim statistics (uptime \(Int(uptimeSeconds)) s)"]
        let peaks = peakRequestsPerSecond
        for api in requests.keys.sorted() {
            let outcomes = requests[api]!.keys.sorted().map { "\($0)=\(requests[api]![$0]!)" }.joined(separator: " ")
            lines.append("  \(api): \(outcomes) peakPerSecond=\(peaks[api] ?? 0)")
        }
        lines.append("  throttles=\(throttles) limitExceeded=\(limitExceeded) queriesStarted=\(queriesStarted) peakConcurrentQueries=\(peakConcurrentQueries)")
        lines.append("  bytesScanned=\(bytesScanned) recordsScanned=\(recordsScanned) rowsReturned=\(rowsReturned)")
        let fired = faults.keys.sorted().filter { faults[$0]! > 0 }
        if !fired.isEmpty {
            lines.append("  faults: " + fired.map { "\($0)=\(faults[$0]!)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

/// The most requests received within any one second, as a sliding window: at each arrival
/// it counts the arrivals in (now − 1 s, now]. The busiest window of one second always ends
/// at an arrival, so the peak is exact over every window, not only over whole clock seconds
/// (fixed buckets would split a burst that straddles a second boundary and under-report it).
/// Memory: the arrivals of the last second only.
struct RequestsPerSecondWindow: Sendable {
    private(set) var peak = 0
    private var arrivals: [UInt64] = []
    private var head = 0

    mutating func record(nowNs: UInt64) {
        // Arrivals are recorded under the service's lock in lock order, so they never go back
        // in time by more than the clock reads taken just before the lock; clamp to be sure.
        let now = max(nowNs, arrivals.last ?? 0)
        while head < arrivals.count, arrivals[head] + 1_000_000_000 <= now { head += 1 }
        if head >= 1024, head * 2 >= arrivals.count {
            arrivals.removeFirst(head)
            head = 0
        }
        arrivals.append(now)
        peak = max(peak, arrivals.count - head)
    }
}
