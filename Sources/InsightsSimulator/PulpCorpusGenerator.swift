// The seeded Pulp log-group corpus: pulpcore-api access lines and, opt-in, pulp-content
// download lines (`contentPerHour`) and the API line's older shapes (`historicalShapes`).
// Every second of the timeline is its own bucket with an RNG derived from (seed, second)
// alone, so the events of any range are computed without state: a sub-range yields exactly the
// matching slice of a larger range, and months of history cost no memory. The content lines
// draw from their own (seed, second) stream, so turning them on leaves the API lines as they
// were; with both options at their defaults the corpus is byte for byte the original one.

public struct PulpCorpusGenerator: EventSource {
    public struct Configuration: Sendable, Equatable {
        public var seed: UInt64
        /// The corpus exists in [startMs, endMs).
        public var startMs: Int64
        public var endMs: Int64
        /// Average rate over a day; the diurnal curve swings ±50 % around it.
        public var eventsPerHour: Double
        /// One 5-minute window in `burstEvery` (chosen by the seed) runs a burst of more than
        /// 10,000 events, so clients must split full results. Bursts are off below 1,000/hour
        /// so tiny test corpora stay tiny.
        public var burstEvery: Int
        /// Average pulp-content download lines per hour (same daily curve; 6× in burst windows
        /// when ≥ 1000). 0 = none: the corpus holds API lines only.
        public var contentPerHour: Double
        /// API lines in the shape of their date: label-less `HOST IDENT USER [time]` before
        /// 2026-01-06, `user:… org_id:…` without `x_forwarded_for` before 2026-01-21, and the
        /// production `(pulp [cid]: … )` parentheses around some lines. Off: today's shape always.
        public var historicalShapes: Bool

        public init(seed: UInt64 = 42, startMs: Int64, endMs: Int64, eventsPerHour: Double = 20000, burstEvery: Int = 24,
                    contentPerHour: Double = 0, historicalShapes: Bool = false) {
            self.seed = seed
            self.startMs = startMs
            self.endMs = endMs
            self.eventsPerHour = eventsPerHour
            self.burstEvery = burstEvery
            self.contentPerHour = contentPerHour
            self.historicalShapes = historicalShapes
        }
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    static let burstEventsPerWindow = 11_500.0

    /// Whether the 5-minute window containing `second` is a burst window.
    public func isBurstWindow(second: Int64) -> Bool {
        guard configuration.eventsPerHour >= 1000 else { return false }
        return windowDrawsBurst(second: second)
    }

    /// The seed's choice of burst windows, whatever the rates.
    private func windowDrawsBurst(second: Int64) -> Bool {
        guard configuration.burstEvery > 0 else { return false }
        let window = floorDiv(second, 300)
        var rng = SeededRandom(seed: configuration.seed, 0xB0B5, UInt64(bitPattern: window))
        return rng.below(configuration.burstEvery) == 0
    }

    /// Mean events in `second`.
    public func rate(second: Int64) -> Double {
        let secondOfDay = Double(((second % 86400) + 86400) % 86400)
        // Peak at 14:00 UTC, trough at 02:00 UTC.
        let diurnal = 1 + 0.5 * _sin((secondOfDay / 86400 - 14.0 / 24 + 0.25) * 2 * Double.pi)
        var lambda = configuration.eventsPerHour / 3600 * diurnal
        if isBurstWindow(second: second) { lambda = max(lambda * 6, PulpCorpusGenerator.burstEventsPerWindow / 300) }
        return lambda
    }

    /// Mean content lines in `second`.
    func contentRate(second: Int64) -> Double {
        guard configuration.contentPerHour > 0 else { return 0 }
        let secondOfDay = Double(((second % 86400) + 86400) % 86400)
        let diurnal = 1 + 0.5 * _sin((secondOfDay / 86400 - 14.0 / 24 + 0.25) * 2 * Double.pi)
        var lambda = configuration.contentPerHour / 3600 * diurnal
        if configuration.contentPerHour >= 1000 && windowDrawsBurst(second: second) { lambda *= 6 }
        return lambda
    }

    /// Content lines get @ptr indexes from here up, so they never collide with the API lines'.
    static let contentIndexBase: UInt64 = 0x8000_0000

    public func events(from startMs: Int64, to endMs: Int64) -> [LogEvent] {
        let lo = max(startMs, configuration.startMs)
        let hi = min(endMs, configuration.endMs)
        guard lo < hi else { return [] }
        var out: [LogEvent] = []
        var second = floorDiv(lo, 1000)
        let lastSecond = floorDiv(hi - 1, 1000)
        var builder = AccessLineBuilder(historicalShapes: configuration.historicalShapes)
        var contentBuilder = ContentLineBuilder()
        var api: [LogEvent] = []
        var content: [LogEvent] = []
        while second <= lastSecond {
            if configuration.contentPerHour > 0 {
                // Both kinds of the second, merged by time (API lines first on a tie).
                api.removeAll(keepingCapacity: true)
                content.removeAll(keepingCapacity: true)
                generateSecond(second, builder: &builder) { api.append($0) }
                generateContentSecond(second, builder: &contentBuilder) { content.append($0) }
                var i = 0, j = 0
                while i < api.count || j < content.count {
                    let event: LogEvent
                    if j == content.count || (i < api.count && api[i].timestampMs <= content[j].timestampMs) {
                        event = api[i]; i += 1
                    } else {
                        event = content[j]; j += 1
                    }
                    if event.timestampMs >= lo && event.timestampMs < hi { out.append(event) }
                }
            } else {
                generateSecond(second, builder: &builder) { event in
                    if event.timestampMs >= lo && event.timestampMs < hi { out.append(event) }
                }
            }
            second += 1
        }
        return out
    }

    /// The content lines of one second, in order (their own RNG stream: (seed, tag, second)).
    func generateContentSecond(_ second: Int64, builder: inout ContentLineBuilder, _ emit: (LogEvent) -> Void) {
        var rng = SeededRandom(seed: configuration.seed, 0xC047_E47, UInt64(bitPattern: second))
        let count = poisson(contentRate(second: second), &rng)
        guard count > 0 else { return }
        var offsets = [Int](repeating: 0, count: count)
        for i in 0..<count { offsets[i] = rng.below(1000) }
        offsets.sort()
        let base = second * 1000
        for i in 0..<count {
            var eventRng = SeededRandom(seed: rng.next())
            let ptr = PointerCodec.pointer(seed: configuration.seed, second: second, index: PulpCorpusGenerator.contentIndexBase + UInt64(i))
            emit(builder.makeEvent(timestampMs: base + Int64(offsets[i]), pointer: ptr, rng: &eventRng))
        }
    }

    /// All API events of one second, in order.
    func generateSecond(_ second: Int64, builder: inout AccessLineBuilder, _ emit: (LogEvent) -> Void) {
        var rng = SeededRandom(seed: configuration.seed, UInt64(bitPattern: second))
        var count = poisson(rate(second: second), &rng)
        let onBoundary = second % 300 == 0
        if onBoundary && count == 0 { count = 1 }
        guard count > 0 else { return }
        var offsets = [Int](repeating: 0, count: count)
        for i in 0..<count { offsets[i] = rng.below(1000) }
        offsets.sort()
        // Several events within one millisecond, and an event exactly on each 5-minute mark.
        for i in 1..<max(count, 1) where rng.chance(0.04) { offsets[i] = offsets[i - 1] }
        if onBoundary { offsets[0] = 0 }
        let base = second * 1000
        for i in 0..<count {
            let ts = base + Int64(offsets[i])
            var eventRng = SeededRandom(seed: rng.next())
            emit(builder.makeEvent(timestampMs: ts, seed: configuration.seed, second: second, index: UInt64(i), rng: &eventRng))
        }
    }

    private func poisson(_ lambda: Double, _ rng: inout SeededRandom) -> Int {
        if lambda <= 0 { return 0 }
        if lambda > 30 {
            // Normal approximation (Box–Muller); plenty for a traffic shape.
            let u1 = max(rng.unit(), 1e-12), u2 = rng.unit()
            let z = (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
            return max(0, Int((lambda + z * lambda.squareRoot()).rounded()))
        }
        let limit = _exp(-lambda)
        var k = 0
        var p = rng.unit()
        while p > limit && k < 1000 { k += 1; p *= rng.unit() }
        return k
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

// Glibc math without importing Foundation into hot paths.
#if canImport(Glibc)
import Glibc
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#else
import Darwin
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
