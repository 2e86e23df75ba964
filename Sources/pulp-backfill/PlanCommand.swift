import AWS
import ArgumentParser
import BackfillCore
import Catalog
import Foundation

/// `pulp-backfill plan`: turn a time range into 5-minute chunk tasks in the catalog.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Create or extend a backfill: split a time range into 5-minute chunks in the catalog.",
        discussion: """
            Times: ISO 8601 (2026-02-04T14:00:00Z, 2026-02-04T14:00+01:00, 2026-02-04) or relative \
            (now, 15 minutes ago, 2 hours ago, 3 days ago). The same group, region, stream, filters, \
            output paths, dataset and timestamp unit always extend the same backfill; chunks already \
            planned are never added twice.
            The region is decided as by `backfill`, `export` and `doctor`: the first of --aws-region, \
            AWS_REGION, AWS_DEFAULT_REGION, the region of the profile (--profile, AWS_PROFILE, \
            AWS_DEFAULT_PROFILE, default), us-east-1; so `plan` then `backfill` with the same flags \
            and environment extend one backfill.
            """)

    @OptionGroup var planOptions: PlanOptions
    @OptionGroup var regionOptions: RegionOptions
    @Flag(help: "Print chunks, hours, estimated API calls and minimum duration; change nothing.")
    var dryRun = false
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var quotas: InsightsQuotaOptions

    func run() async throws {
        let region = try regionOptions.resolve()
        let plan = try planOptions.resolve(awsRegion: region.name)
        let path = catalogOptions.path
        do {
            if dryRun {
                var quotaValues = InsightsQuotas()
                quotaValues.maxConcurrentQueries = quotas.maxConcurrentQueries
                quotaValues.startQueryPerSecond = quotas.startQueryRate
                quotaValues.getQueryResultsPerSecond = quotas.getQueryResultsRate
                let result = try BackfillPlanning.dryRun(plan, catalogPath: path, quotas: quotaValues)
                print(Self.describe(result, quotas: quotaValues, region: region), terminator: "")
            } else {
                let outcome = try BackfillPlanning.apply(plan, catalogPath: path)
                QueryRangeOptions.printNotices(plan)
                print(Self.describe(outcome, plan: plan, path: path, region: region), terminator: "")
            }
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
    }

    static func describe(_ result: DryRunResult, quotas: InsightsQuotas, region: AWSRegion) -> String {
        let estimate = result.estimate
        let range = result.plan.range
        var text = "dry run: nothing was written\n"
        text += "log group:         \(result.plan.spec.logGroup) (\(result.plan.spec.awsRegion), from \(region.source))\n"
        text += "range:             \(UTCFormat.iso(millis: range.startMillis)) → \(UTCFormat.iso(millis: range.endMillis))\n"
        text += "chunks:            \(estimate.chunks) new"
        text += result.backfillExists ? " (\(result.alreadyPlanned) already planned)\n" : "\n"
        text += "hours:             \(estimate.hours)\n"
        text += "StartQuery:        \(estimate.startQueryCalls) calls\n"
        text += "GetQueryResults:   \(estimate.getQueryResultsCalls) calls (≈2 polls per query)\n"
        text += "minimum duration:  \(DurationFormat.text(seconds: estimate.minimumSeconds)) (bound by \(estimate.bottleneck); "
        text += "quotas: \(quotas.maxConcurrentQueries) concurrent, \(format(quotas.startQueryPerSecond)) StartQuery/s, "
        text += "\(format(quotas.getQueryResultsPerSecond)) GetQueryResults/s)\n"
        if let density = result.density, density.countedChunks > 0 {
            // Known only for chunks a run already counted (new chunks are counted by the run, a
            // stats query per day, before they are fetched).
            text += "expected rows:     \(density.expectedRows) in \(density.countedChunks) counted unfinished chunk(s)"
            text += density.uncountedChunks > 0 ? " (\(density.uncountedChunks) not counted yet)\n" : "\n"
            text += "expected queries:  \(density.expectedQueries) StartQuery for them (adjacent sparse chunks share a query)\n"
        }
        return text
    }

    static func describe(_ outcome: PlanOutcome, plan: ResolvedPlan, path: String, region: AWSRegion) -> String {
        let range = plan.range
        var text = "\(outcome.created ? "created" : "extended") backfill \(outcome.backfill.id) in \(path)\n"
        text += "log group:  \(plan.spec.logGroup) (\(plan.spec.awsRegion), from \(region.source))\n"
        text += "outputs:    \(plan.spec.destinations.joined(separator: ", "))\n"
        text += "range:      \(UTCFormat.iso(millis: range.startMillis)) → \(UTCFormat.iso(millis: range.endMillis))\n"
        text += "chunks:     \(outcome.addedChunks.count) added, \(outcome.totalChunks) in the backfill\n"
        if !outcome.reopenedHours.isEmpty {
            text += "reopened:   \(outcome.reopenedHours.count) already exported hour(s) will be exported again\n"
        }
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
