import Foundation

/// Live counters of a run, read by the progress line and the final summary.
public actor RunProgress {
    public struct Snapshot: Sendable, Equatable {
        public var totalChunks = 0
        public var chunksDone = 0
        public var chunksFailed = 0
        /// Chunks another process took over from this run (their lease ran out): not failures.
        public var chunksTakenOver = 0
        /// Insights queries running right now (not chunk workers: those outnumber the slots).
        public var inFlight = 0
        public var rows = 0
        public var hoursCompacted = 0
        public var hoursFailed = 0
        /// Hours found at every destination (`--if-exists skip`): registered, not queried.
        public var hoursFound = 0
        public var throttles = 0
        /// Days whose density was counted by this run, and the StartQuery calls that took.
        var daysCounted = 0
        public var densityQueries = 0
        public var elapsedSeconds = 0.0
        /// Set while the run waits for chunks other processes hold, e.g.
        /// "waiting for 3 chunk(s) leased by host-b:812, free in 4m10s".
        public var waiting: String?

        public var rowsPerSecond: Double { elapsedSeconds > 0 ? Double(rows) / elapsedSeconds : 0 }

        /// Remaining chunks at the rate chunks finished so far; nil before the first one.
        public var etaSeconds: Double? {
            let finished = chunksDone + chunksFailed
            guard finished > 0, elapsedSeconds > 0 else { return nil }
            return Double(max(0, totalChunks - finished)) * elapsedSeconds / Double(finished)
        }
    }

    private var snapshotValue = Snapshot()
    private let clock = ContinuousClock()
    private var started: ContinuousClock.Instant?
    /// Reads the throttle count of the query layer when a snapshot is taken.
    private var throttleSource: (@Sendable () async -> Int)?
    /// Reads how many queries hold a slot when a snapshot is taken.
    private var inFlightSource: (@Sendable () async -> Int)?

    public init() {}

    public func start(totalChunks: Int) {
        started = clock.now
        snapshotValue.totalChunks = totalChunks
    }

    public func setThrottleSource(_ source: @escaping @Sendable () async -> Int) { throttleSource = source }
    public func setInFlightSource(_ source: @escaping @Sendable () async -> Int) { inFlightSource = source }

    enum ChunkEnd: Sendable { case done, failed, takenOver }

    func chunkFinished(rows: Int, _ end: ChunkEnd) {
        switch end {
        case .done: snapshotValue.chunksDone += 1
        case .failed: snapshotValue.chunksFailed += 1
        case .takenOver: snapshotValue.chunksTakenOver += 1
        }
        snapshotValue.rows += rows
    }

    func hourCompacted(rows: Int) { snapshotValue.hoursCompacted += 1 }
    func hourFailed() { snapshotValue.hoursFailed += 1 }
    func hourFound() { snapshotValue.hoursFound += 1 }
    func densityCounted(queries: Int) {
        snapshotValue.daysCounted += 1
        snapshotValue.densityQueries += queries
    }
    func setWaiting(_ text: String?) { snapshotValue.waiting = text }

    public func snapshot() async -> Snapshot {
        var s = snapshotValue
        if let started { s.elapsedSeconds = started.duration(to: clock.now).seconds }
        if let throttleSource { s.throttles = await throttleSource() }
        if let inFlightSource { s.inFlight = await inFlightSource() }
        return s
    }
}
