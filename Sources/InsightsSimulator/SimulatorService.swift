import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// The simulated CloudWatch Logs service, independent of HTTP. This file holds its state and
// the path of one request; each concern has its own file: routing (SimulatorOperation.swift),
// quotas (Quotas.swift), faults (Faults.swift), the query lifecycle (QueryLifecycle.swift) and
// the log group (LogGroups.swift). One mutex guards all mutable state; query execution itself
// runs outside the lock on worker tasks that `runQueryWorker` provides (the server runs them
// in its task group).

public struct APIResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    /// Milliseconds to wait before answering (latency model plus slow-response faults).
    public var delayMs: Int
    /// Send part of the response, then reset the connection.
    public var resetMidResponse: Bool
}

public final class SimulatorService: Sendable {
    public static let apiPrefix = "Logs_20140328."

    public let configuration: SimulatorConfiguration
    public let source: any EventSource
    private let startedNs: UInt64
    let state: Mutex<State>
    let jobs: AsyncStream<QueryJob>
    let jobsContinuation: AsyncStream<QueryJob>.Continuation

    struct State {
        var statistics = SimulatorStatistics()
        var queries: [String: QueryRecord] = [:]
        var active: Set<String> = []
        var buckets: [SimulatorOperation: TokenBucket]
        var faultRandom: SeededRandom
        var idCounter: UInt64 = 0
        var lastSweepNs: UInt64 = 0
    }

    public init(configuration: SimulatorConfiguration, source: any EventSource) {
        self.configuration = configuration
        self.source = source
        let now = SimulatorService.monotonicNs()
        startedNs = now
        state = Mutex(State(buckets: TokenBucket.perOperation(configuration, nowNs: now),
                            faultRandom: SeededRandom(seed: configuration.faultSeed, 0xFA017)))
        (jobs, jobsContinuation) = AsyncStream.makeStream(of: QueryJob.self)
    }

    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    // MARK: - Requests

    /// Handles one JSON 1.1 request. `target` is the X-Amz-Target header.
    public func handle(target: String?, body: [UInt8], authorization: String? = nil) -> APIResponse {
        let now = SimulatorService.monotonicNs()
        let operation = SimulatorOperation(target: target)
        // Parsing and result serialization happen outside the lock; only bookkeeping is inside.
        let parsedBody: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) -> JSONValue in
            try JSONParser.parse(bytes: body.isEmpty ? Array("{}".utf8) : body)
        }

        let (status, content, faults) = state.withLock { state -> (Int, ResponseBody, RequestFaults) in
            let faults = state.drawRequestFaults(configuration)
            let outcome = respond(operation: operation, target: target, body: parsedBody, authorization: authorization,
                                  faults: faults, nowNs: now, state: &state)
            // Arrival time for the requests-per-second peak, read under the lock so arrivals are
            // recorded in order.
            let arrivalNs = SimulatorService.monotonicNs()
            let api = SimulatorOperation.statisticsName(operation)
            switch outcome {
            case let .success(content):
                state.statistics.count(api: api, outcome: "ok", nowNs: arrivalNs)
                return (200, content, faults)
            case let .failure(error):
                state.statistics.count(api: api, outcome: error.type, nowNs: arrivalNs)
                return (error.httpStatus, .bytes(Array(error.body.serialized.utf8)), faults)
            }
        }
        return APIResponse(status: status, body: content.serialized(), delayMs: faults.delayMs, resetMidResponse: faults.reset)
    }

    /// Checks in the order AWS applies them: operation, injected faults, rate quota, body, parameters.
    private func respond(operation: SimulatorOperation?, target: String?, body: Result<JSONValue, JSONParseError>,
                         authorization: String?, faults: RequestFaults, nowNs now: UInt64,
                         state: inout State) -> Result<ResponseBody, SimulatedServiceError> {
        guard let operation else { return .failure(.unknownOperation(target ?? "(no X-Amz-Target)")) }
        if let injected = state.injectedError(faults, configuration) { return .failure(injected) }
        if let throttled = state.admitRequest(operation, nowNs: now) { return .failure(throttled) }
        let request: JSONValue
        switch body {
        case let .success(value): request = value
        case let .failure(error): return .failure(.serialization("Request body is not valid JSON: \(error)"))
        }
        guard case .object = request else { return .failure(.serialization("Request body must be a JSON object")) }
        return operation.handle(request, service: self, authorization: authorization, nowNs: now, state: &state)
    }

    /// Counts a request the HTTP layer refused before it reached the service (bad signature).
    func recordRejected(target: String?, error: SimulatedServiceError) {
        let api = SimulatorOperation.statisticsName(SimulatorOperation(target: target))
        state.withLock { $0.statistics.count(api: api, outcome: error.type, nowNs: SimulatorService.monotonicNs()) }
    }

    // MARK: - Ids

    /// A fresh x-amzn-RequestId (UUID-shaped).
    func nextRequestId() -> String {
        state.withLock { state in nextId(&state) }
    }

    /// Query ids and request ids: UUID-shaped, from one seeded counter.
    func nextId(_ state: inout State) -> String {
        state.idCounter += 1
        var rng = SeededRandom(seed: configuration.faultSeed, 0x1D, state.idCounter)
        let a = rng.next(), b = rng.next()
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s.suffix(digits)
        }
        return "\(hex(a >> 32, 8))-\(hex(a >> 16 & 0xFFFF, 4))-4\(hex(a & 0xFFF, 3))-a\(hex(b >> 52, 3))-\(hex(b & 0xFFFF_FFFF_FFFF, 12))"
    }

    // MARK: - Operator view

    public var statistics: SimulatorStatistics {
        state.withLock { state in
            prune(&state, nowNs: SimulatorService.monotonicNs())
            return state.statistics
        }
    }

    func statisticsJSON() -> JSONValue {
        let now = SimulatorService.monotonicNs()
        return state.withLock { state in
            prune(&state, nowNs: now)
            return state.statistics.json(activeQueries: state.active.count, uptimeSeconds: Double(now - startedNs) / 1e9)
        }
    }

    public func summary() -> String {
        let now = SimulatorService.monotonicNs()
        return state.withLock { state in
            prune(&state, nowNs: now)
            return state.statistics.summary(activeQueries: state.active.count, uptimeSeconds: Double(now - startedNs) / 1e9)
        }
    }

    /// Suspends until the surrounding task is cancelled (keeps a cancellation handler alive).
    func waitForever() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 3_600_000_000_000)
        }
    }
}
