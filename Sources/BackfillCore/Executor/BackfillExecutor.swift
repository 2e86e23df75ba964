import AccessLog
import Catalog
import Foundation
import Logging

/// How a run behaves; the CLI flags of `run`/`backfill` map onto this.
public struct ExecutorSettings: Sendable {
    /// Chunk workers. The queries they run are capped separately (`QuerySlots`, `--concurrency`).
    public var concurrency = 8
    /// Tries of one chunk within a run before it is marked failed: `--max-attempts`.
    public var maxAttempts = 5
    /// How long a claim lasts without renewal; a killed run's chunks come back after this.
    public var leaseMillis: Int64 = 5 * 60_000
    public var backoff = RetryBackoff()
    /// Compact hours as they complete (off for `export`, which writes one file at the end).
    public var compactHours = true
    /// Chunk results at `.debug` (`-v`), retries at `.warning`, failures at `.error`, exported hours at `.info`.
    public var logger = Logger(label: "pulp-backfill.executor")
    /// Identifies this process's leases in the catalog.
    public var owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"

    public init() {}
}

/// What one backfill needs from the outside world: a way to run Insights queries and the
/// places its hourly files go. The CLI builds these from AWS settings; tests use loopback.
public struct BackfillServices: Sendable {
    public var queryRunner: @Sendable (Backfill) throws -> any InsightsQueryRunning
    public var compactor: @Sendable (Backfill) throws -> HourCompactor?

    public init(queryRunner: @escaping @Sendable (Backfill) throws -> any InsightsQueryRunning,
                compactor: @escaping @Sendable (Backfill) throws -> HourCompactor?) {
        self.queryRunner = queryRunner
        self.compactor = compactor
    }
}

/// Errors that say whether trying again can help. Unknown errors are retried: attempts are
/// bounded, and giving up too early loses a run, while one retry too many costs a query.
public protocol RetryClassifying: Error {
    var isRetryable: Bool { get }
}

extension ChunkFetchError: RetryClassifying {
    public var isRetryable: Bool { false }  // the same second is as dense on every try
}

/// Runs the pending chunks of a catalog's backfills (issue 6): up to `concurrency` chunk
/// workers in one TaskGroup, each claiming a chunk under a lease, fetching it without
/// truncation, staging its rows with `done` in one transaction, and compacting hours whose
/// chunks are all done. Cancellation (SIGINT/SIGTERM) stops claiming and unwinds; the caller
/// then releases this run's leases.
public struct BackfillExecutor: Sendable {
    public let catalog: Catalog
    public let settings: ExecutorSettings
    public let services: BackfillServices
    public let progress: RunProgress
    private let compactions = CompactionGate()
    /// One dense chunk staged at a time (see `process`).
    private let denseStaging = QuerySlots(limit: 1)
    /// Catalog transactions run here, one at a time (the catalog has one writer anyway).
    private let catalogWork = BlockingWork(label: "pulp-backfill.catalog")

    public init(catalog: Catalog, settings: ExecutorSettings, services: BackfillServices, progress: RunProgress = RunProgress()) {
        self.catalog = catalog
        self.settings = settings
        self.services = services
        self.progress = progress
    }

    /// Runs until no chunk is left to claim (or the task is cancelled).
    public func run(backfillID: Int64? = nil) async throws {
        try catalog.requeueFailedChunks(backfillID: backfillID)
        let backfills = try catalog.listBackfills().filter { backfillID == nil || $0.id == backfillID }
        var contexts: [Int64: BackfillContext] = [:]
        for backfill in backfills {
            contexts[backfill.id] = try BackfillContext(backfill: backfill, services: services)
        }
        let known = contexts
        await progress.start(totalChunks: try catalog.unfinishedChunkCount(backfillID: backfillID))

        // Hours finished by an earlier run that died before compacting them.
        try await compactReadyHours(backfillID: backfillID, contexts: known)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, settings.concurrency) {
                group.addTask { try await workerLoop(backfillID: backfillID, contexts: known) }
            }
            try await group.waitForAll()
        }
        try await compactReadyHours(backfillID: backfillID, contexts: known)
    }

    // MARK: Workers

    private func workerLoop(backfillID: Int64?, contexts: [Int64: BackfillContext]) async throws {
        while true {
            try Task.checkCancellation()
            // maxAttempts 0: failed chunks were requeued at the start of the run; one that fails
            // again in this run is not claimed again until the next run.
            let (catalog, settings) = (self.catalog, self.settings)
            guard let chunk = try await catalogWork.run({
                try catalog.claimChunks(owner: settings.owner, limit: 1, leaseMillis: settings.leaseMillis,
                                        maxAttempts: 0, backfillID: backfillID).first
            }) else { return }
            guard let context = contexts[chunk.backfillID] else {
                // Planned after this run started: leave it for the next run.
                try catalog.releaseChunk(id: chunk.id, owner: settings.owner)
                continue
            }
            await progress.chunkStarted()
            let finished = try await process(chunk, context: context)
            await progress.chunkFinished(rows: finished.rows, failed: finished.failed)
            if !finished.failed {
                // Only this chunk's hour can have become ready: one indexed check, not a scan of
                // every hour of the backfill after every chunk.
                try await compactHourIfReady(HourKey(backfillID: chunk.backfillID, hourStartMillis: chunk.hourStartMillis),
                                             contexts: contexts)
            }
        }
    }

    struct ChunkOutcome { var rows = 0; var failed = false }

    /// One chunk, retried with full-jitter backoff on retryable errors, under a renewed lease.
    private func process(_ chunk: Chunk, context: BackfillContext) async throws -> ChunkOutcome {
        var attempt = 0
        while true {
            attempt += 1
            do {
                var fetched = try await withLeaseRenewal(chunk) {
                    try await context.fetcher.fetch(startMillis: chunk.range.startMillis, endMillis: chunk.range.endMillis)
                }
                // A dense chunk (a full answer, so 10,000 rows or more) is staged while no other
                // is: each holds ~20 MB until it is stored, and dense chunks come in clusters, so
                // the longer the run, the likelier two or three at once raised its peak RSS.
                let dense = fetched.rows.count >= context.fetcher.limit
                if dense { try await denseStaging.acquire() }
                let outcome: Result<(stored: Int, counts: RowCounts, statistics: ChunkStatistics), Error>
                do {
                    outcome = .success(try await stage(&fetched, chunk: chunk, context: context))
                } catch {
                    outcome = .failure(error)
                }
                if dense { await denseStaging.release() }
                let (stored, counts, statistics) = try outcome.get()
                settings.logger.debug("chunk done", metadata: [
                    "chunk": "\(UTCFormat.iso(millis: chunk.range.startMillis))", "rows": "\(stored)",
                    "skipped": "\(counts.skipped)", "malformed": "\(statistics.malformed)", "queries": "\(statistics.queries)",
                    "records_matched": "\(statistics.recordsMatched)", "bytes_scanned": "\(statistics.bytesScanned)",
                    "attempt": "\(attempt)",
                ])
                return ChunkOutcome(rows: stored)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as CatalogError where error.isLeaseLost {
                return ChunkOutcome(failed: true)  // another run took the chunk over; it finishes it
            } catch {
                let retryable = (error as? RetryClassifying)?.isRetryable ?? true
                let metadata: Logger.Metadata = [
                    "chunk": "\(UTCFormat.iso(millis: chunk.range.startMillis))", "attempt": "\(attempt)", "error": "\(Self.oneLine(error))",
                ]
                if !retryable || attempt >= settings.maxAttempts {
                    settings.logger.error("chunk failed", metadata: metadata)
                    try catalog.failChunk(id: chunk.id, owner: settings.owner, error: Self.oneLine(error))
                    return ChunkOutcome(failed: true)
                }
                settings.logger.warning("chunk attempt failed; retrying", metadata: metadata)
                var rng = SystemRandomNumberGenerator()
                try await Task.sleep(for: .seconds(settings.backoff.delay(attempt: attempt, using: &rng)))
            }
        }
    }

    /// Parses a fetched chunk's rows and stores them with `done` in one transaction.
    private func stage(_ fetched: inout ChunkFetcher.Fetched, chunk: Chunk, context: BackfillContext) async throws
        -> (stored: Int, counts: RowCounts, statistics: ChunkStatistics) {
        var counts = RowCounts()
        var staged: [StagedRow] = []
        staged.reserveCapacity(fetched.rows.count)
        // Each Insights row is dropped once parsed, so a dense chunk's staged rows reuse its
        // memory instead of adding to it (10,000 rows are ~10 MB either way).
        var insightsRows = fetched.rows
        fetched.rows = []
        for index in insightsRows.indices {
            let outcome = context.parser.parse(insightsRows[index])
            insightsRows[index] = InsightsRow(timestamp: nil, message: nil, ptr: nil)
            counts.count(outcome)
            if case .kept(let kept) = outcome { staged.append(StagedRow(kept)) }
        }
        let statistics = ChunkStatistics(
            queries: fetched.queries, recordsMatched: Int64(fetched.recordsMatched),
            bytesScanned: Int64(fetched.bytesScanned),
            skipped: counts.skipped, malformed: counts.malformed + fetched.unplaceable)
        let (catalog, owner, rows) = (self.catalog, settings.owner, staged)
        staged = []
        let stored = try await catalogWork.run {
            try catalog.completeChunk(id: chunk.id, owner: owner, rows: rows, statistics: statistics)
        }
        return (stored, counts, statistics)
    }

    /// Runs `body` while renewing the chunk's lease every third of its length.
    private func withLeaseRenewal<T: Sendable>(_ chunk: Chunk, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                let period = Duration.milliseconds(max(500, settings.leaseMillis / 3))
                // Bounded: the body's own limits end it long before (a lease renewed 10,000 times).
                for _ in 0..<10_000 {
                    try await Task.sleep(for: period)
                    let (catalog, settings) = (self.catalog, self.settings)
                    let held = try await catalogWork.run {
                        try catalog.renewLeases(chunkIDs: [chunk.id], owner: settings.owner, leaseMillis: settings.leaseMillis)
                    }
                    if held.isEmpty { throw CatalogError.leaseLost(chunkID: chunk.id, owner: settings.owner) }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }

    // MARK: Compaction

    /// Every ready hour: at the start (hours an earlier run finished but did not compact) and
    /// at the end of the run (the catch-all).
    private func compactReadyHours(backfillID: Int64?, contexts: [Int64: BackfillContext]) async throws {
        guard settings.compactHours else { return }
        let catalog = self.catalog
        for hour in try await catalogWork.run({ try catalog.hoursReadyForCompaction(backfillID: backfillID) }) {
            try await compact(hour, contexts: contexts)
        }
    }

    /// The hour of a chunk that just finished, if that made it ready. Two workers finishing an
    /// hour's last chunks each check after their own commit, so the later one sees it ready.
    private func compactHourIfReady(_ hour: HourKey, contexts: [Int64: BackfillContext]) async throws {
        guard settings.compactHours else { return }
        let catalog = self.catalog
        guard try await catalogWork.run({ try catalog.isReadyForCompaction(hour) }) else { return }
        try await compact(hour, contexts: contexts)
    }

    private func compact(_ hour: HourKey, contexts: [Int64: BackfillContext]) async throws {
        guard let compactor = contexts[hour.backfillID]?.compactor else { return }
        guard await compactions.begin(hour) else { return }  // another worker is on it
        do {
            let partition = try await compactor.compact(hour)
            await compactions.end(hour)
            if let partition {
                await progress.hourCompacted(rows: Int(partition.rows))
                settings.logger.info("hour exported", metadata: [
                    "hour": "\(UTCFormat.iso(millis: hour.hourStartMillis))", "rows": "\(partition.rows)",
                    "bytes": "\(partition.bytes)", "sha256": "\(partition.sha256)",
                ])
            }
        } catch {
            await compactions.end(hour)
            throw error
        }
    }

    static func oneLine(_ error: Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Per-backfill parts built once per run.
struct BackfillContext: Sendable {
    let backfill: Backfill
    let fetcher: ChunkFetcher
    let parser: AccessLogParser
    let compactor: HourCompactor?

    init(backfill: Backfill, services: BackfillServices) throws {
        self.backfill = backfill
        let filter = PathFilter(backfill.spec)
        parser = AccessLogParser(filter: filter)
        fetcher = ChunkFetcher(runner: try services.queryRunner(backfill), logGroups: [backfill.spec.logGroup],
                               queryString: InsightsQueryText.backfill(filter: filter, logStream: backfill.spec.logStream))
        compactor = try services.compactor(backfill)
    }
}

/// Hours being compacted right now, so two workers never write the same hour at once.
actor CompactionGate {
    private var busy = Set<HourKey>()
    func begin(_ hour: HourKey) -> Bool { busy.insert(hour).inserted }
    func end(_ hour: HourKey) { busy.remove(hour) }
}
