import ArgumentParser
import BackfillCore
import Catalog

/// `pulp-backfill run`: execute the pending (and previously failed) chunks of the catalog.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute the pending chunks of the catalog's backfills and export finished hours.",
        discussion: """
            Safe to interrupt at any moment (Ctrl-C, SIGTERM, even kill -9): the next run continues \
            where this one stopped, without losing or duplicating a row.
            """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let path = catalogOptions.path
        let catalog: Catalog
        do {
            catalog = try Catalog(path: path, mode: .mustExist)
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        defer { try? catalog.close() }
        let outcome = try await BackfillRun.execute(catalog: catalog, catalogPath: path, backfillID: nil,
                                                    options: runOptions, aws: aws, s3: s3)
        try RunCommand.finish(outcome, catalogPath: path)
    }

    /// Exit code of a run that left chunks to other live processes (`--no-wait`):
    /// EX_TEMPFAIL, "try again later".
    static let heldByOthersExitCode: Int32 = 75

    /// The closing line and the exit code: 0 only when every chunk of the run's backfills is
    /// done and every finished hour exported; failed chunks or hours exit 1 (the next run
    /// retries them); chunks left to other processes with `--no-wait` exit 75.
    static func finish(_ outcome: BackfillRun.Outcome, catalogPath: String) throws {
        let s = outcome.snapshot, summary = outcome.summary
        var line = "done: \(s.chunksDone) chunk(s), \(s.rows) rows, \(s.hoursCompacted) hour(s) exported in \(ProgressReporter.duration(s.elapsedSeconds))"
        if s.hoursFound > 0 { line += ", \(s.hoursFound) hour(s) found at every destination (not queried)" }
        if s.chunksTakenOver > 0 { line += " (\(s.chunksTakenOver) chunk(s) taken over by another run)" }
        print(line)
        var problems: [String] = []
        if summary.failedChunks > 0 { problems.append("\(summary.failedChunks) chunk(s) failed") }
        if !summary.failedHours.isEmpty {
            let first = summary.failedHours[0]
            problems.append("\(summary.failedHours.count) hour(s) failed to export (first: \(UTCFormat.iso(millis: first.hour.hourStartMillis)): \(first.lastError))")
        }
        if summary.otherUnfinished > 0 { problems.append("\(summary.otherUnfinished) chunk(s) left unfinished") }
        if !problems.isEmpty {
            throw CommandFailure.runtime(problems.joined(separator: "; ")
                + "; `pulp-backfill status --catalog \(catalogPath)` shows why, and the next run retries them")
        }
        if !summary.heldByOthers.isEmpty {
            let held = summary.heldByOthers.reduce(0) { $0 + $1.chunks }
            let owners = summary.heldByOthers.map { $0.holder?.description ?? $0.owner }.joined(separator: ", ")
            throw CommandFailure.exit("\(held) chunk(s) are held by other processes (\(owners)); not waiting (--no-wait). Run again later to finish them",
                                      code: heldByOthersExitCode)
        }
    }
}
