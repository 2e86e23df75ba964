import Foundation

/// Live counters of a run, read by the progress line and the final summary.
public actor RunProgress {
    public struct Snapshot: Sendable, Equatable {
        public var totalChunks = 0
        public var chunksDone = 0
        public var chunksFailed = 0
        public var inFlight = 0
        public var rows = 0
        public var hoursCompacted = 0
        public var throttles = 0
        public var elapsedSeconds = 0.0

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

    public init() {}

    public func start(totalChunks: Int) {
        started = clock.now
        snapshotValue.totalChunks = totalChunks
    }

    public func setThrottleSource(_ source: @escaping @Sendable () async -> Int) { throttleSource = source }
    public func chunkStarted() { snapshotValue.inFlight += 1 }

    public func chunkFinished(rows: Int, failed: Bool) {
        snapshotValue.inFlight -= 1
        if failed { snapshotValue.chunksFailed += 1 } else { snapshotValue.chunksDone += 1 }
        snapshotValue.rows += rows
    }

    public func hourCompacted(rows: Int) { snapshotValue.hoursCompacted += 1 }

    public func snapshot() async -> Snapshot {
        var s = snapshotValue
        if let started { s.elapsedSeconds = started.duration(to: clock.now).seconds }
        if let throttleSource { s.throttles = await throttleSource() }
        return s
    }
}
