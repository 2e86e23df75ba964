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
            command (or `pulp-backfill run`) again to continue.
            """)

    @OptionGroup var planOptions: PlanOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let plan = try planOptions.resolve(awsRegion: aws.region ?? Self.environmentRegion())
        let path = catalogOptions.path
        let catalog: Catalog
        let outcome: PlanOutcome
        do {
            outcome = try BackfillPlanning.apply(plan, catalogPath: path)
            catalog = try Catalog(path: path, mode: .mustExist)
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        defer { try? catalog.close() }
        CommandFailure.notice("backfill \(outcome.backfill.id): \(outcome.addedChunks.count) chunk(s) added, \(outcome.totalChunks) in total (catalog \(path))")
        let result = try await BackfillRun.execute(catalog: catalog, catalogPath: path, backfillID: outcome.backfill.id,
                                                   options: runOptions, aws: aws, s3: s3)
        try RunCommand.finish(result.snapshot, catalogPath: path)
    }

    /// The region a backfill is recorded under when `--aws-region` is not given: the
    /// environment as boto3 reads it, else us-east-1 (the seed exporter's default).
    static func environmentRegion() -> String {
        let env = ProcessInfo.processInfo.environment
        return [env["AWS_REGION"], env["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
    }
}
