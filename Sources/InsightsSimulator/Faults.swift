// Faults: the 5xx answers, throttles, connection resets, slow answers and forced query ends
// injected with the `--fault-<kind>` probabilities, and the latency of every answer. Every draw
// comes from one stream seeded with `faultSeed`, in request order, so the same seed and the
// same requests inject the same faults.

/// The injected fault kinds, each named after its `--fault-<kind>` flag and counted under
/// that name in the statistics.
public enum SimulatedFault: String, CaseIterable, Sendable {
    case throttle
    case serverError = "5xx"
    case reset
    case slow
    case queryFailed = "query-failed"
}

/// What was drawn for one request before it is routed.
struct RequestFaults {
    /// Milliseconds to wait before answering (latency model plus a slow-response fault).
    let delayMs: Int
    /// Send part of the answer, then reset the connection.
    let reset: Bool
    let serverErrorDraw: Double
    let throttleDraw: Double
}

extension SimulatorConfiguration {
    func probability(of fault: SimulatedFault) -> Double { faultProbability[fault] ?? 0 }
}

extension SimulatorService.State {
    /// Draws a request's faults and latency, always in this order whatever fires, and counts
    /// the faults that apply to every request (slow, reset).
    mutating func drawRequestFaults(_ config: SimulatorConfiguration) -> RequestFaults {
        let resetDraw = faultRandom.unit()
        let serverErrorDraw = faultRandom.unit()
        let throttleDraw = faultRandom.unit()
        let slowDraw = faultRandom.unit()
        let latencySpan = config.latencyMs.upperBound - config.latencyMs.lowerBound + 1
        var delay = config.latencyMs.lowerBound + faultRandom.below(max(1, latencySpan))
        if slowDraw < config.probability(of: .slow) { delay += config.slowResponseMs; statistics.count(fault: .slow) }
        let reset = resetDraw < config.probability(of: .reset)
        if reset { statistics.count(fault: .reset) }
        return RequestFaults(delayMs: delay, reset: reset, serverErrorDraw: serverErrorDraw, throttleDraw: throttleDraw)
    }

    /// The error a fault answers with instead of the operation (a 5xx, else a throttle), if one fires.
    mutating func injectedError(_ faults: RequestFaults, _ config: SimulatorConfiguration) -> SimulatedServiceError? {
        if faults.serverErrorDraw < config.probability(of: .serverError) {
            statistics.count(fault: .serverError)
            return .serviceUnavailable(status: faultRandom.chance(0.5) ? 500 : 503)
        }
        if faults.throttleDraw < config.probability(of: .throttle) {
            statistics.count(fault: .throttle)
            statistics.throttles += 1
            return .throttling()
        }
        return nil
    }

    /// How an accepted query is forced to end (Failed, Timeout or Cancelled), if the
    /// query-failed fault fires for it.
    mutating func drawForcedQueryOutcome(_ config: SimulatorConfiguration) -> String? {
        guard faultRandom.unit() < config.probability(of: .queryFailed) else { return nil }
        let outcome = ["Failed", "Timeout", "Cancelled"][faultRandom.below(3)]
        statistics.count(fault: .queryFailed)
        statistics.faultQueryOutcomes[outcome, default: 0] += 1
        return outcome
    }
}
