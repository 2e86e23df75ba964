import AWS
import ArgumentParser
import CGlibcMalloc
import BackfillCore
import Catalog
import Foundation
import Logging

/// The part of `run`, `backfill` and `export` that executes chunks: AWS session, executor,
/// live progress, and a clean end on SIGINT/SIGTERM (stop, release leases, say what remains,
/// exit 130/143).
enum BackfillRun {
    struct Outcome {
        var snapshot: RunProgress.Snapshot
        var summary: RunSummary
    }

    static func execute(catalog: Catalog, catalogPath: String, backfillID: Int64?, options: RunOptions,
                        aws: AWSOptions, s3: S3Options, compactHours: Bool = true) async throws -> Outcome {
        // Blocks of 256 KiB and more (response bodies, a 10,000-row answer's arrays, Parquet
        // buffers) are mapped and unmapped on their own. Left to itself glibc raises this
        // threshold up to 32 MiB after the first large free, so later large blocks come from
        // the heap and stay resident: the floor of a long run crept up with every dense hour.
        // (Only for runs: `convert` works through one large input in one go and is faster
        // with glibc's default, which keeps its page buffers in the heap.)
        _ = mallopt(M_MMAP_THRESHOLD, 256 * 1024)
        var settings = ExecutorSettings()
        // Queries in flight are capped by the pacing's slots; more workers keep the slots busy
        // while others stage rows and compact hours.
        let queries = options.queriesInFlight
        settings.concurrency = queries + max(2, queries / 2)
        settings.density.enabled = !options.oneQueryPerChunk
        settings.density.budget = options.queryBudget
        settings.maxAttempts = options.maxAttempts
        settings.compactHours = compactHours
        settings.leaseMillis = Int64(options.leaseSeconds) * 1000
        settings.noWait = options.noWait
        settings.ifExists = options.ifExists
        // The handler behind it was installed by `PulpBackfill.setUpLogging`.
        settings.logger = Logger(label: "pulp-backfill")
        let progress = RunProgress()
        let pacing = InsightsPacing(startQueryRate: options.startRate, getQueryResultsRate: options.pollRate,
                                    concurrentQueries: queries)
        await progress.setThrottleSource { await pacing.throttles() }
        await progress.setInFlightSource { await pacing.slots.inUse }
        let backfills = try catalog.listBackfills().filter { backfillID == nil || $0.id == backfillID }
        var serviceOptions = AWSBackfillServices.Options(aws: aws.settings, s3: s3.settings,
                                                         workDirectory: AtomicFile.split(catalogPath).directory)
        serviceOptions.startQueryRate = options.startRate
        serviceOptions.getQueryResultsRate = options.pollRate
        serviceOptions.writeEmpty = options.writeEmpty
        serviceOptions.destinationS3 = try s3.destinationSettings()
        let known = Set(backfills.flatMap(\.spec.destinations))
        if let unknown = serviceOptions.destinationS3.keys.sorted().first(where: { !known.contains($0) }) {
            throw CommandFailure.usage("\(unknown) has credentials (--destination-env/--destination-profile) but is not a destination of the backfill")
        }
        serviceOptions.queryTimeout = .milliseconds(Int64(options.queryTimeoutSeconds * 1000))
        let reporter = ProgressReporter(progress: progress, json: options.logging.logFormat == .json)

        let (result, signal): (Result<RunSummary, Error>, Int32?) = try await AWSHTTPClient.withClient { http in
            let services: BackfillServices
            do {
                services = try await AWSBackfillServices.make(for: backfills, catalog: catalog, http: http,
                                                              options: serviceOptions, pacing: pacing)
            } catch {
                throw CommandFailure.exit(for: error)
            }
            let executor = BackfillExecutor(catalog: catalog, settings: settings, services: services, progress: progress)
            let work = Task {
                try await withThrowingTaskGroup(of: RunSummary?.self) { group in
                    group.addTask { try await executor.run(backfillID: backfillID) }
                    group.addTask { await reporter.run(); return nil }
                    defer { group.cancelAll() }
                    // The executor's summary; the reporter only ends when cancelled.
                    guard let first = try await group.next(), let summary = first else { throw CancellationError() }
                    return summary
                }
            }
            let signals = SignalInterruption { _ in work.cancel() }
            let result = await work.result
            signals.finish()
            return (result, signals.signal)
        }

        let snapshot = await progress.snapshot()
        reporter.emit(snapshot, final: true)
        if let signal {
            let released = (try? catalog.releaseLeases(owner: settings.owner)) ?? 0
            let remaining = (try? catalog.unfinishedChunkCount()) ?? -1
            CommandFailure.notice("stopped: \(remaining) chunk(s) remain (\(released) released); run `pulp-backfill run --catalog \(catalogPath)` to continue")
            throw ExitCode(128 + signal)
        }
        switch result {
        case .failure(let error):
            _ = try? catalog.releaseLeases(owner: settings.owner)
            if let exit = error as? ExitCode { throw exit }
            throw CommandFailure.exit(for: error)
        case .success(let summary):
            return Outcome(snapshot: snapshot, summary: summary)
        }
    }
}
