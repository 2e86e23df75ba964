import AccessLog
import Basics
import Catalog
import Foundation
import Logging
import Retry

/// How a run behaves; the CLI flags of `run`/`backfill` map onto this.
public struct ExecutorSettings: Sendable {
    /// Chunk workers. The queries they run are capped separately (`InsightsPacing.slots`, `--concurrency`).
    public var concurrency = 8
    /// Attempts and backoffs of chunks (`--max-attempts`) and hours.
    public var retries = RetryBudget()
    /// Tries of one chunk within a run before it is marked failed: `--max-attempts`.
    public var maxAttempts: Int {
        get { retries.chunk.maxAttempts }
        set { retries.chunk.maxAttempts = max(1, newValue) }
    }
    /// How long a claim lasts without renewal. A run on the same host takes over a dead
    /// process's chunks at once; another host's are free when their lease runs out.
    public var leaseMillis: Int64 = 5 * 60_000
    /// Chunks other live processes hold: wait for them (false), or end the run at once and
    /// report them (true, `--no-wait`).
    public var noWait = false
    /// What to do with an hour whose file already exists at its destinations (`--if-exists`).
    public var ifExists = IfExists.skip
    /// How often a waiting run looks again at chunks others hold.
    var waitPollMillis: Int64 = 2_000
    /// The process that holds this run's leases.
    public var holder = ProcessIdentity.current
    /// Whether a holder's process is alive (nil: cannot tell); tests replace it.
    public var isAlive: @Sendable (LeaseHolder) -> Bool? = { ProcessIdentity.isAlive($0) }
    /// Compact hours as they complete (off for `export`, which writes one file at the end).
    public var compactHours = true
    /// Density counts before fetching: sparse neighbours share a query, dense chunks are split.
    public var density = DensityPlanning()
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

/// `--if-exists`: before an hour is queried, its file is looked up at every destination.
public enum IfExists: String, Sendable, CaseIterable {
    /// Present everywhere: registered as found, never queried; present at some: exported to
    /// the others only.
    case skip
    /// Exported and written to every destination whatever exists.
    case overwrite
    /// Stop before any query if any hour exists at any destination.
    case fail
}

/// `--if-exists skip|fail` could not list a destination, so which hours exist there is unknown.
struct ExistingFilesUnknown: Error, CustomStringConvertible {
    let destinations: [String: String]
    var description: String {
        let each = destinations.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return "cannot list the files that exist (\(each)); nothing was queried, as an hour could be written twice "
            + "(--if-exists overwrite writes every hour regardless)"
    }
}

/// `--if-exists fail` met hours that exist.
struct HoursAlreadyExist: Error, CustomStringConvertible {
    let files: [String]
    var description: String {
        let shown = files.prefix(5).joined(separator: ", ")
        return "\(files.count) hourly file(s) already exist (\(shown)\(files.count > 5 ? ", …" : "")); nothing was queried (--if-exists fail)"
    }
}

extension ChunkFetchError: RetryClassifying {
    public var retryClass: RetryClass { .permanent }  // the same second is as dense on every try
}

/// How a run ended, for the CLI's exit code: it exits 0 only when nothing is left.
public struct RunSummary: Sendable, Equatable {
    /// Chunks of the run's backfills that failed (after their attempts) and are unfinished.
    public var failedChunks = 0
    /// Hours whose export failed in this run, with their errors.
    public var failedHours: [HourFailure] = []
    /// With `noWait`: chunks other live processes still hold, by owner.
    public var heldByOthers: [LeaseGroup] = []
    /// Chunks left unfinished for another reason (none expected; a safety net).
    public var otherUnfinished = 0

    public var isComplete: Bool { failedChunks == 0 && failedHours.isEmpty && heldByOthers.isEmpty && otherUnfinished == 0 }
}

/// Runs the pending chunks of a catalog's backfills (README "How it works"): up to `concurrency` chunk
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
    /// Hours whose export failed in this run (each is tried again by the next run).
    private let failedHours = FailedHours()
    /// Destinations that already hold an hour's file (`--if-exists skip`): not written again.
    private let presentFiles = PresentFiles()
    /// One dense chunk staged at a time (see `process`).
    private let denseStaging = AsyncSemaphore(limit: 1)
    /// Catalog transactions run here, one at a time (the catalog has one writer anyway).
    private let catalogWork = BlockingWork(label: "pulp-backfill.catalog")

    public init(catalog: Catalog, settings: ExecutorSettings, services: BackfillServices, progress: RunProgress = RunProgress()) {
        self.catalog = catalog
        self.settings = settings
        self.services = services
        self.progress = progress
    }

    /// Runs until every chunk of the backfills is done or failed (waiting for chunks other
    /// live processes hold, unless `noWait`), or the task is cancelled.
    public func run(backfillID: Int64? = nil) async throws -> RunSummary {
        try catalog.requeueFailedChunks(backfillID: backfillID)
        let backfills = try catalog.listBackfills().filter { backfillID == nil || $0.id == backfillID }
        var contexts: [Int64: BackfillContext] = [:]
        for backfill in backfills {
            contexts[backfill.id] = try BackfillContext(backfill: backfill, services: services)
        }
        let known = contexts
        let ids = backfills.map(\.id)
        var summary = RunSummary()
        guard !ids.isEmpty else {
            await progress.start(totalChunks: 0)
            return summary
        }
        // Hours whose files already exist, before anything is queried (their chunks are then done).
        try await lookUpExistingHours(ids, contexts: known)
        await progress.start(totalChunks: try catalog.unfinishedChunkCount(backfillID: backfillID))
        // Hours finished by an earlier run that died before compacting them (or failed).
        try await compactReadyHours(backfillID: backfillID, contexts: known)
        // Days never counted (a killed run's counted days are kept and not counted again). They
        // are counted while the first round's workers fetch the days already counted: a day's
        // count takes seconds to tens of seconds, and fetching waits only for the first one.
        let catalog = self.catalog
        let uncounted = settings.density.enabled
            ? Self.firstDayInPieces(try await catalogWork.run { try catalog.uncountedDays(backfillIDs: ids) }) : []
        let counting = DensityCountingState(active: !uncounted.isEmpty)
        // Bounded: each round either finishes, claims what became free, or waits one poll; a
        // live owner renewing for a week is the most it waits.
        let maxRounds = max(10, Int(7 * 86_400_000 / max(100, settings.waitPollMillis)))
        var lastHolders = ""
        for round in 0..<maxRounds {
            let deadHolders = try await leaseVerdicts(ids).filter { $0.1 == .ownerGone }.compactMap(\.0.holder)
            try await withThrowingTaskGroup(of: Void.self) { group in
                if round == 0 && !uncounted.isEmpty {
                    group.addTask { try await countDensity(uncounted, contexts: known, counting: counting) }
                }
                for _ in 0..<max(1, settings.concurrency) {
                    group.addTask {
                        try await workerLoop(backfillID: backfillID, contexts: known, deadHolders: deadHolders, counting: counting)
                    }
                }
                try await group.waitForAll()
            }
            try await compactReadyHours(backfillID: backfillID, contexts: known)

            let verdicts = try await leaseVerdicts(ids)
            if verdicts.isEmpty { break }
            if verdicts.contains(where: { !$0.1.isLive }) { continue }  // expired or orphaned meanwhile: claim them
            if settings.noWait {
                summary.heldByOthers = verdicts.map(\.0)
                break
            }
            let now = CatalogClock.nowMillis()
            let waiting = verdicts.map { group, verdict -> String in
                let free: String
                switch verdict {
                case .heldUntilExpiry(let until): free = "free in \(DurationFormat.text(seconds: Double(max(0, until - now)) / 1000))"
                default: free = "owner alive"
                }
                return "\(group.chunks) chunk(s) leased by \(group.holder?.description ?? group.owner), \(free)"
            }.joined(separator: "; ")
            await progress.setWaiting("waiting for \(waiting)")
            // Once per change of who holds what (the progress line repeats it as time passes).
            let holders = verdicts.map { "\($0.0.chunks)@\($0.0.owner)" }.joined(separator: ",")
            if holders != lastHolders {
                lastHolders = holders
                settings.logger.notice("waiting for \(waiting)")
            }
            let nextExpiry = verdicts.compactMap { if case .heldUntilExpiry(let until) = $0.1 { until } else { nil } }.min()
            let pause = min(settings.waitPollMillis, max(50, (nextExpiry ?? Int64.max) - now + 50))
            try await Task.sleep(for: .milliseconds(pause))
            await progress.setWaiting(nil)
        }

        summary.failedHours = await failedHours.all()
        let (pending, running, failed) = try catalog.unfinishedChunkCounts(backfillIDs: ids)
        summary.failedChunks = failed
        let held = summary.heldByOthers.reduce(0) { $0 + $1.chunks }
        summary.otherUnfinished = pending + max(0, running - held)
        return summary
    }

    /// `--if-exists`: the run's hours never exported by this catalog, looked up at every
    /// destination (a day's keys per listing). `skip`: present everywhere → registered as found
    /// from the file's footer; present at some → those destinations are not written again.
    /// `fail`: any present → stop before any query.
    private func lookUpExistingHours(_ ids: [Int64], contexts: [Int64: BackfillContext]) async throws {
        guard settings.ifExists != .overwrite, settings.compactHours else { return }
        let catalog = self.catalog
        let hours = try await catalogWork.run { try catalog.hoursToLookUp(backfillIDs: ids) }
        var existing: [String] = []
        for (backfillID, backfillHours) in Dictionary(grouping: hours, by: \.backfillID).sorted(by: { $0.key < $1.key }) {
            guard let compactor = contexts[backfillID]?.compactor, !compactor.destinations.isEmpty else { continue }
            let (found, unlisted) = try await compactor.existing(backfillHours)
            // Without the listing, an hour already there would be written again (and a
            // warehouse loading the destination would load it twice): stop before any query.
            if !unlisted.isEmpty { throw ExistingFilesUnknown(destinations: unlisted) }
            for hour in backfillHours {
                guard let sizes = found[hour] else { continue }
                let key = compactor.key(of: hour)
                existing += compactor.destinations.filter { sizes[$0.uri] != nil }.map { $0.location(of: key) }
                guard settings.ifExists == .skip else { continue }
                if sizes.count == compactor.destinations.count {
                    let registration = try await compactor.registerFound(hour, sizes: sizes)
                    await progress.hourFound()
                    settings.logger.info("hour found at every destination; not queried", metadata: [
                        "hour": "\(UTCFormat.iso(millis: hour.hourStartMillis))", "rows": "\(registration.rows)",
                    ])
                } else {
                    await presentFiles.set(hour, Set(sizes.keys))
                }
            }
        }
        if settings.ifExists == .fail, !existing.isEmpty { throw HoursAlreadyExist(files: existing) }
    }

    /// One density count (`stats count(*) by bin(1m)`) per day holding uncounted unfinished
    /// chunks, oldest first, several days at once, each stored with its cost in one
    /// transaction as it completes. A few at a time (one per six workers, at least two: a
    /// day's count takes ~20 s while its fetches take ~15 s of StartQuery quota, so two keep
    /// ahead), so the days already counted are fetched meanwhile with the other query slots.
    /// Retried like a chunk; a day that cannot be counted is
    /// left uncounted (its chunks are then fetched one query each) and never fails the run.
    private func countDensity(_ days: [UncountedDay], contexts: [Int64: BackfillContext], counting: DensityCountingState) async throws {
        let width = max(1, min(days.count, max(2, settings.concurrency / 6)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = days.makeIterator()
            for _ in 0..<width {
                guard let day = next.next() else { break }
                group.addTask { try await countDay(day, contexts: contexts) }
            }
            while try await group.next() != nil {
                await counting.dayCounted()
                if let day = next.next() { group.addTask { try await countDay(day, contexts: contexts) } }
            }
        }
        await counting.finish()
    }

    /// The first day to count, cut at every sixth hour. A count's time grows with the data it
    /// scans (a whole day: ~20 s in the simulator) and nothing is fetched before the first count
    /// is in, so the first day's quarters (~5 s each, counted side by side) start the fetching
    /// four times sooner, for three more StartQuery calls a run. Later days are counted while
    /// earlier ones are fetched, so they are counted whole.
    static func firstDayInPieces(_ days: [UncountedDay]) -> [UncountedDay] {
        guard let first = days.first else { return days }
        return first.pieces(every: 6 * 3_600_000) + days.dropFirst()
    }

    private func countDay(_ day: UncountedDay, contexts: [Int64: BackfillContext]) async throws {
        guard let counter = contexts[day.backfillID]?.counter else { return }
        let catalog = self.catalog
        let usage = QueryUsage()
        var attempt = 0
        while true {
            attempt += 1
            do {
                let counts = try await QueryUsage.$current.withValue(usage) {
                    try await counter.counts(startMillis: day.range.startMillis, endMillis: day.range.endMillis, bin: "1m")
                }
                let spent = Self.statistics(usage.take())
                try await catalogWork.run {
                    try catalog.recordDensity(backfillID: day.backfillID, dayStartMillis: day.dayStartMillis, range: day.range,
                                              counts: counts, statistics: spent)
                }
                await progress.densityCounted(queries: spent.queries)
                return
            } catch {
                let spent = Self.statistics(usage.take())
                try? await catalogWork.run {
                    try catalog.recordDensityUsage(backfillID: day.backfillID, dayStartMillis: day.dayStartMillis, statistics: spent)
                }
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                let metadata: Logger.Metadata = [
                    "day": "\(UTCFormat.iso(millis: day.dayStartMillis))", "attempt": "\(attempt)", "error": "\(Self.oneLine(error))",
                ]
                guard case .retry = settings.retries.chunk.decide(after: attempt, RetryClass.of(error)) else {
                    settings.logger.warning("density count failed; the day's chunks are fetched one query each", metadata: metadata)
                    return
                }
                settings.logger.warning("density count failed; retrying", metadata: metadata)
                try await Task.sleep(for: settings.retries.chunk.backoff.delay(retry: attempt))
            }
        }
    }

    /// Running chunks of these backfills that other owners hold, judged.
    private func leaseVerdicts(_ ids: [Int64]) async throws -> [(LeaseGroup, LeaseVerdict)] {
        let (catalog, settings) = (self.catalog, self.settings)
        let groups = try await catalogWork.run { try catalog.leaseGroups(backfillIDs: ids) }
        let now = CatalogClock.nowMillis()
        return groups.filter { $0.owner != settings.owner }.map { ($0, LeaseVerdict.judge($0, nowMillis: now, isAlive: settings.isAlive)) }
    }

    // MARK: Workers

    private func workerLoop(backfillID: Int64?, contexts: [Int64: BackfillContext], deadHolders: [LeaseHolder],
                            counting: DensityCountingState) async throws {
        while true {
            try Task.checkCancellation()
            // While days are being counted, only counted chunks are claimed; a worker that finds
            // none waits for the next day's count (or the end of counting).
            let seen = await counting.generation
            let countedOnly = await counting.active
            // maxAttempts 0: failed chunks were requeued at the start of the run; one that fails
            // again in this run is not claimed again until the next run.
            // Only chunks of the backfills this run knows (one planned meanwhile waits for the next run).
            let (catalog, settings, known) = (self.catalog, self.settings, Array(contexts.keys))
            // With density counts, a run of adjacent sparse chunks (one query fetches them all);
            // otherwise, or for a chunk counted above the budget, one chunk.
            let run = try await catalogWork.run { () -> [Chunk] in
                if settings.density.enabled {
                    return try catalog.claimChunkRun(owner: settings.owner, holder: settings.holder, budget: settings.density.claimBudget,
                                                     partBudget: settings.density.partCapacity,
                                                     partsNeeded: settings.density.partsNeeded,
                                                     maxChunks: settings.density.maxChunksPerQuery, leaseMillis: settings.leaseMillis,
                                                     maxAttempts: 0, backfillIDs: known, deadHolders: deadHolders,
                                                     countedOnly: countedOnly)
                }
                return try catalog.claimChunks(owner: settings.owner, holder: settings.holder, limit: 1, leaseMillis: settings.leaseMillis,
                                               maxAttempts: 0, backfillIDs: known, deadHolders: deadHolders)
            }
            guard let chunk = run.first else {
                if countedOnly {
                    try await counting.waitForChange(since: seen)
                    continue
                }
                return
            }
            guard let context = contexts[chunk.backfillID] else {
                // Planned after this run started: leave it for the next run, and stop this worker
                // (claiming again would hand it the same chunk, oldest first, forever).
                for planned in run { try catalog.releaseChunk(id: planned.id, owner: settings.owner) }
                return
            }
            let finished = try await process(run, context: context)
            var hours: [Int64] = []
            for outcome in finished {
                await progress.chunkFinished(rows: outcome.rows, outcome.end)
            }
            for (planned, outcome) in zip(run, finished) where outcome.end == .done && !hours.contains(planned.hourStartMillis) {
                hours.append(planned.hourStartMillis)
            }
            for hour in hours {
                // Only these chunks' hours can have become ready: one indexed check each, not a
                // scan of every hour of the backfill after every claim.
                try await compactHourIfReady(HourKey(backfillID: chunk.backfillID, hourStartMillis: hour), contexts: contexts)
            }
        }
    }

    struct ChunkOutcome { var rows = 0; var end = RunProgress.ChunkEnd.done }

    /// One claim — a chunk, or adjacent chunks fetched by one query — retried with full-jitter
    /// backoff on retryable errors, under renewed leases. Every attempt's Insights calls and
    /// bytes are recorded (on the claim's first chunk), whatever its end.
    private func process(_ run: [Chunk], context: BackfillContext) async throws -> [ChunkOutcome] {
        var attempt = 0
        let usage = QueryUsage()
        let chunk = run[0]
        let label = UTCFormat.iso(millis: chunk.range.startMillis) + (run.count > 1 ? " +\(run.count - 1) chunk(s)" : "")
        while true {
            attempt += 1
            do {
                var claim = try await QueryUsage.$current.withValue(usage) {
                    try await withLeaseRenewal(run) { try await fetch(run, context: context) }
                }
                // A dense answer (10,000 rows or more) is staged while no other is: each holds
                // ~20 MB until it is stored, and dense chunks come in clusters, so the longer
                // the run, the likelier two or three at once raised its peak RSS.
                let dense = claim.fetchedRows >= context.fetcher.limit
                if dense { try await denseStaging.acquire() }
                let outcome: Result<(stored: [Int], statistics: [ChunkStatistics]), Error>
                do {
                    outcome = .success(try await stage(&claim, run: run, usage: usage.take()))
                } catch {
                    outcome = .failure(error)
                }
                if dense { await denseStaging.release() }
                let (stored, statistics) = try outcome.get()
                // A line per chunk (`-v`); the claim's queries and scan are on its first chunk's line.
                for (index, planned) in run.enumerated() {
                    let each = statistics[index]
                    var metadata: Logger.Metadata = [
                        "chunk": "\(UTCFormat.iso(millis: planned.range.startMillis))", "rows": "\(stored[index])",
                        "skipped": "\(each.skipped)", "malformed": "\(each.malformed)", "queries": "\(each.queries)",
                        "records_matched": "\(each.recordsMatched)", "bytes_scanned": "\(each.bytesScanned)",
                        "attempt": "\(attempt)",
                    ]
                    if run.count > 1 { metadata["query_shared_with"] = "\(index == 0 ? "\(run.count - 1) next chunk(s)" : UTCFormat.iso(millis: chunk.range.startMillis))" }
                    settings.logger.debug("chunk done", metadata: metadata)
                }
                return stored.map { ChunkOutcome(rows: $0) }
            } catch let error as CatalogError where error.isLeaseLost {
                // Another run took a chunk over (this one stalled past its lease); it finishes
                // it. Not a failure — but what this attempt spent is still spent. Chunks of the
                // claim still held are given back, to be claimed again.
                try await recordUsage(chunk, usage)
                let (catalog, owner) = (self.catalog, settings.owner)
                try await catalogWork.run { for planned in run { try catalog.releaseChunk(id: planned.id, owner: owner) } }
                settings.logger.warning("chunk taken over by another run", metadata: ["chunk": "\(label)"])
                return run.map { _ in ChunkOutcome(end: .takenOver) }
            } catch {
                if error is CancellationError || Task.isCancelled {
                    try? await recordUsage(chunk, usage)
                    throw CancellationError()
                }
                let metadata: Logger.Metadata = [
                    "chunk": "\(label)", "attempt": "\(attempt)", "error": "\(Self.oneLine(error))",
                ]
                guard case .retry = settings.retries.chunk.decide(after: attempt, RetryClass.of(error)) else {
                    settings.logger.error("chunk failed", metadata: metadata)
                    let spent = Self.statistics(usage.take())
                    let (catalog, owner) = (self.catalog, settings.owner)
                    var outcomes: [ChunkOutcome] = []
                    for (index, planned) in run.enumerated() {
                        let cost = index == 0 ? spent : ChunkStatistics(queries: 0)
                        do {
                            try await catalogWork.run { try catalog.failChunk(id: planned.id, owner: owner, error: Self.oneLine(error), statistics: cost) }
                            outcomes.append(ChunkOutcome(end: .failed))
                        } catch let lost as CatalogError where lost.isLeaseLost {
                            try await catalogWork.run { try catalog.recordUsage(chunkID: planned.id, cost) }
                            outcomes.append(ChunkOutcome(end: .takenOver))
                        }
                    }
                    return outcomes
                }
                try await recordUsage(chunk, usage)
                settings.logger.warning("chunk attempt failed; retrying", metadata: metadata)
                try await Task.sleep(for: settings.retries.chunk.backoff.delay(retry: attempt))
            }
        }
    }

    /// The rows of a claim. Counted at no more than the budget: one query over the union of its
    /// chunks. Above it: parts of at most the budget, cut at minutes by the counts stored with
    /// the day (a minute above the budget by a `bin(10s)` count), fetched side by side. Not
    /// counted: the chunk alone. Each fetch is still continued when its answer is full, so a
    /// count that was wrong (events that arrived after counting) loses nothing.
    private func fetch(_ run: [Chunk], context: BackfillContext) async throws -> ClaimRows {
        let (first, last) = (run[0], run[run.count - 1])
        let budget = settings.density.budget
        let counted = run.compactMap(\.expectedRows)
        let rules = context.dataset.rules
        guard settings.density.enabled, counted.count == run.count, counted.reduce(0, +) > budget else {
            var fetched = try await context.fetcher.fetch(startMillis: first.range.startMillis, endMillis: last.range.endMillis)
            return ClaimRows(&fetched, run: run, rules: rules)
        }
        let range = TimeRange(startMillis: first.range.startMillis, endMillis: last.range.endMillis)
        let catalog = self.catalog
        let minutes = try await catalogWork.run { try catalog.minuteCounts(backfillID: first.backfillID, range: range) }
        let parts = try await context.counter.parts(startMillis: range.startMillis, endMillis: range.endMillis, budget: budget,
                                                    minutes: minutes.isEmpty ? nil : minutes)
        let fetcher = context.fetcher
        // Each part is parsed as soon as it arrives (its raw rows dropped), then the parts are
        // joined in time order.
        var answers = try await withThrowingTaskGroup(of: (Int, ClaimRows).self) { group in
            for (index, part) in parts.enumerated() {
                group.addTask {
                    var fetched = try await fetcher.fetch(startMillis: part.startMillis, endMillis: part.endMillis)
                    return (index, ClaimRows(&fetched, run: run, rules: rules))
                }
            }
            var answers: [(Int, ClaimRows)] = []
            for try await answer in group { answers.append(answer) }
            return answers.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var claim = ClaimRows(chunks: run.count)
        for index in answers.indices {
            claim.append(&answers[index])
        }
        return claim
    }

    private func recordUsage(_ chunk: Chunk, _ usage: QueryUsage) async throws {
        let (catalog, spent) = (self.catalog, Self.statistics(usage.take()))
        try await catalogWork.run { try catalog.recordUsage(chunkID: chunk.id, spent) }
    }

    static func statistics(_ totals: QueryUsage.Totals) -> ChunkStatistics {
        ChunkStatistics(queries: totals.startQueryCalls, polls: totals.getQueryResultsCalls,
                        recordsMatched: totals.recordsMatched, bytesScanned: totals.bytesScanned)
    }

    /// Stores every chunk's rows of a claim with `done` in ONE transaction. The claim's cost
    /// goes to its first chunk. Returns the rows stored and the statistics, per chunk.
    private func stage(_ claim: inout ClaimRows, run: [Chunk], usage: QueryUsage.Totals) async throws
        -> (stored: [Int], statistics: [ChunkStatistics]) {
        var completions: [ChunkCompletion] = []
        for position in run.indices {
            var statistics = position == 0 ? Self.statistics(usage) : ChunkStatistics(queries: 0)
            statistics.skipped = claim.counts[position].skipped
            statistics.skippedByReason = claim.counts[position].skippedByReason
            statistics.malformed = claim.counts[position].malformed + (position == 0 ? claim.unplaceable : 0)
            statistics.fetchedEvents = claim.events[position] + (position == 0 ? claim.unplaceable : 0)
            completions.append(ChunkCompletion(id: run[position].id, rows: claim.staged[position], statistics: statistics))
            claim.staged[position] = []
        }
        let (catalog, owner, finished) = (self.catalog, settings.owner, completions)
        let statistics = completions.map(\.statistics)
        completions = []
        let stored = try await catalogWork.run { try catalog.completeChunks(finished, owner: owner) }
        return (stored, statistics)
    }

    /// Runs `body` while renewing the claim's leases every third of their length.
    private func withLeaseRenewal<T: Sendable>(_ run: [Chunk], _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let ids = run.map(\.id)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                let period = Duration.milliseconds(max(500, settings.leaseMillis / 3))
                // Bounded: the body's own limits end it long before (a lease renewed 10,000 times).
                for _ in 0..<10_000 {
                    try await Task.sleep(for: period)
                    let (catalog, settings) = (self.catalog, self.settings)
                    let held = try await catalogWork.run {
                        try catalog.renewLeases(chunkIDs: ids, owner: settings.owner, leaseMillis: settings.leaseMillis)
                    }
                    if let lost = ids.first(where: { !held.contains($0) }) { throw CatalogError.leaseLost(chunkID: lost, owner: settings.owner) }
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

    /// Every ready hour: at the start (hours an earlier run finished but did not compact, or
    /// failed to export) and at the end of a round (the catch-all). Hours that failed in this
    /// run are not tried again until the next run.
    private func compactReadyHours(backfillID: Int64?, contexts: [Int64: BackfillContext]) async throws {
        guard settings.compactHours else { return }
        let catalog = self.catalog
        for hour in try await catalogWork.run({ try catalog.hoursReadyForCompaction(backfillID: backfillID) })
        where await !failedHours.contains(hour) {
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

    /// One hour, with its own retries; a failure is recorded (catalog and this run) and the
    /// run goes on.
    private func compact(_ hour: HourKey, contexts: [Int64: BackfillContext]) async throws {
        guard let compactor = contexts[hour.backfillID]?.compactor else { return }
        guard await compactions.begin(hour) else { return }  // another worker is on it
        let outcome: HourCompactor.Outcome
        do {
            outcome = try await compactor.compact(hour, rule: settings.retries.hour, present: await presentFiles.get(hour))
            await compactions.end(hour)
        } catch {
            await compactions.end(hour)
            throw error
        }
        let iso = UTCFormat.iso(millis: hour.hourStartMillis)
        switch outcome {
        case .exported(let partition):
            await progress.hourCompacted(rows: Int(partition.rows))
            settings.logger.info("hour exported", metadata: [
                "hour": "\(iso)", "rows": "\(partition.rows)", "bytes": "\(partition.bytes)", "sha256": "\(partition.sha256)",
            ])
        case .alreadyExported:
            break
        case .failed(let attempts, let error):
            let catalog = self.catalog
            try await catalogWork.run { try catalog.failHour(hour, attempts: attempts, error: error) }
            await failedHours.add(HourFailure(hour: hour, attempts: attempts, lastError: error,
                                              failedAtMillis: CatalogClock.nowMillis()))
            await progress.hourFailed()
            settings.logger.error("hour failed", metadata: ["hour": "\(iso)", "attempts": "\(attempts)", "error": "\(error)"])
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
    let dataset: Dataset
    let compactor: HourCompactor?
    let counter: DensityCounter

    init(backfill: Backfill, services: BackfillServices) throws {
        self.backfill = backfill
        dataset = try Dataset(backfill.spec)
        let runner = try services.queryRunner(backfill)
        fetcher = ChunkFetcher(runner: runner, logGroups: [backfill.spec.logGroup],
                               queryString: InsightsQueryText.backfill(dataset: dataset, logStream: backfill.spec.logStream))
        counter = DensityCounter(runner: runner, logGroups: [backfill.spec.logGroup], dataset: dataset, logStream: backfill.spec.logStream)
        compactor = try services.compactor(backfill)
    }
}

/// Hours being compacted right now, so two workers never write the same hour at once.
actor CompactionGate {
    private var busy = Set<HourKey>()
    func begin(_ hour: HourKey) -> Bool { busy.insert(hour).inserted }
    func end(_ hour: HourKey) { busy.remove(hour) }
}

/// Hours whose export failed during this run.
actor FailedHours {
    private var failures: [HourKey: HourFailure] = [:]
    func add(_ failure: HourFailure) { failures[failure.hour] = failure }
    func contains(_ hour: HourKey) -> Bool { failures[hour] != nil }
    func all() -> [HourFailure] { failures.values.sorted { ($0.hour.hourStartMillis, $0.hour.backfillID) < ($1.hour.hourStartMillis, $1.hour.backfillID) } }
}

/// Per hour, the destinations found holding its file when the run started.
actor PresentFiles {
    private var present: [HourKey: Set<String>] = [:]
    func set(_ hour: HourKey, _ destinations: Set<String>) { present[hour] = destinations }
    func get(_ hour: HourKey) -> Set<String> { present[hour] ?? [] }
}

/// Whether the run's density counts are still going, and how many days were counted so far:
/// workers that find no counted chunk wait for the next count instead of fetching uncounted
/// chunks one query each.
actor DensityCountingState {
    private(set) var active: Bool
    private(set) var generation = 0

    init(active: Bool) { self.active = active }

    func dayCounted() { generation += 1 }
    func finish() {
        active = false
        generation += 1
    }

    /// Returns once a day was counted since `generation` was `seen`, or counting ended. A short
    /// sleep between looks; bounded by a day's worth of looks (counting itself is bounded by
    /// the query timeout and the retry budget long before that).
    func waitForChange(since seen: Int) async throws {
        var looks = 0
        while active && generation == seen && looks < 1_728_000 {
            try await Task.sleep(for: .milliseconds(50))
            looks += 1
        }
    }
}
