import AWS
import ArgumentParser
import BackfillCore
import Catalog
import Foundation

/// `pulp-backfill backfill` = `plan` + `run` with the same flags.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Plan a time range and export it: hourly Parquet files in every --output-path.",
        discussion: """
            Equivalent to `plan` followed by `run`. Interrupt it at any moment and run the same \
            command (or `pulp-backfill run`) again to continue. As for `plan`, the dataset and the \
            timestamp unit are part of a backfill's identity.
            """)

    @OptionGroup var planOptions: PlanOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let region = try aws.regionOptions.resolve()
        let plan = try planOptions.resolve(awsRegion: region.name)
        let path = catalogOptions.path
        let catalog: Catalog
        let outcome: PlanOutcome
        do {
            outcome = try BackfillPlanning.apply(plan, catalogPath: path)
            QueryRangeOptions.printNotices(plan)
            catalog = try Catalog(path: path, mode: .mustExist)
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        defer { try? catalog.close() }
        CommandFailure.notice("backfill \(outcome.backfill.id): \(outcome.addedChunks.count) chunk(s) added, \(outcome.totalChunks) in total, region \(region) (catalog \(path))")
        let result = try await BackfillRun.execute(catalog: catalog, catalogPath: path, backfillID: outcome.backfill.id,
                                                   options: runOptions, aws: aws, s3: s3)
        try RunCommand.finish(result, catalogPath: path)
    }
}
