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
        try RunCommand.finish(outcome.snapshot, catalogPath: path)
    }

    /// The closing line; failed chunks make the run fail (exit 1) so schedulers notice.
    static func finish(_ s: RunProgress.Snapshot, catalogPath: String) throws {
        print("done: \(s.chunksDone) chunk(s), \(s.rows) rows, \(s.hoursCompacted) hour(s) exported in \(ProgressReporter.duration(s.elapsedSeconds))")
        if s.chunksFailed > 0 {
            throw CommandFailure.runtime("\(s.chunksFailed) chunk(s) failed; `pulp-backfill status --catalog \(catalogPath)` shows why, and the next run retries them")
        }
    }
}
