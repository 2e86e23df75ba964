import AccessLog
import ArgumentParser
import BackfillCore
import Foundation
import Parquet

/// The seed exporter's query flags: which log events, from when to when, which paths, which
/// dataset and codec. Shared by `plan`/`backfill` (through `PlanOptions`) and `export`.
struct QueryRangeOptions: ParsableArguments {
    @Option(help: "CloudWatch Logs log group.")
    var cloudwatchGroup: String
    @Option(help: "CloudWatch Logs stream name (optional).")
    var cloudwatchStream: String?
    @Option(help: "Start of the range (inclusive): ISO 8601 or relative (e.g. \"1 hour ago\").")
    var startTime: String
    @Option(help: "End of the range (exclusive): ISO 8601 or relative (e.g. \"now\"); a future end is clamped to now.")
    var endTime: String
    @OptionGroup var rows: RowFileOptions

    // What `export` reads of the file options.
    var compression: ParquetCompression { rows.compression }
    var timestampUnit: TimestampUnit { rows.content.timestampUnit }
    var dataset: DatasetName { rows.content.dataset }

    static func printNotices(_ plan: ResolvedPlan) {
        for line in plan.notice?.split(separator: "\n") ?? [] { CommandFailure.notice(String(line)) }
    }

    /// Checks the request (usage errors exit 2) and prints the end-clamping notice.
    /// `printNotices` false: the caller prints `plan.notice` itself once the plan is applied
    /// (so a request that then fails still ends with one line, its error).
    func resolve(awsRegion: String, outputPaths: [String], layout: HourFileLayout? = nil, settledHours: SettledHours? = nil,
                 dataset: DatasetName? = nil, printNotices: Bool = true) throws -> ResolvedPlan {
        var request = PlanRequest(logGroup: cloudwatchGroup, awsRegion: awsRegion, logStream: cloudwatchStream,
                                  startTime: startTime, endTime: endTime, outputPaths: outputPaths,
                                  filterPaths: [rows.filterPaths ?? "/api/pypi/"], excludePaths: [rows.excludePaths ?? "/livez,/status"])
        request.compression = compression.rawValue
        request.timestampUnit = timestampUnit
        request.dataset = (dataset ?? self.dataset).rawValue
        try rows.checkPathFilters(dataset: dataset ?? self.dataset)
        request.settledHours = settledHours
        if let layout { request.layout = layout.rawValue }
        let plan: ResolvedPlan
        do {
            plan = try BackfillPlanning.resolve(request, now: Date())
        } catch let error as PlanUsageError {
            throw CommandFailure.usage(error.description)
        }
        if printNotices { Self.printNotices(plan) }
        return plan
    }
}

/// What a backfill is: the query flags plus destinations and file layout.
/// Shared by `plan` and `backfill`.
struct PlanOptions: ParsableArguments {
    @OptionGroup var range: QueryRangeOptions
    @Option(help: "Destination: a local directory or s3://bucket/prefix. Repeat for several.")
    var outputPath: [String] = []
    @Option(help: "File names under each destination: hive (date=YYYY-MM-DD/hour=HH/…) or flat.")
    var layout: HourFileLayout = .hive

    @Option(help: "Export only whole hours that ended at least this long ago (e.g. 15m, 1h, 0): events reach CloudWatch minutes late. A start or end inside an hour is widened to the whole hour.")
    var settle: String = "15m"

    /// Whole, settled hours (see `SettledHours`); the caller prints the plan's notices once it
    /// is applied. With no settled hour yet: the notices, then exit 0 (nothing to do).
    func resolve(awsRegion: String) throws -> ResolvedPlan {
        guard let settleMillis = SettledHours.parseDuration(settle) else {
            throw CommandFailure.usage("--settle \(settle): expected a duration such as 15m, 1h, 90s or 0")
        }
        do {
            return try range.resolve(awsRegion: awsRegion, outputPaths: outputPath, layout: layout,
                                     settledHours: SettledHours(settleMillis: settleMillis), printNotices: false)
        } catch let nothing as NothingSettled {
            for line in nothing.notices { CommandFailure.notice(line) }
            CommandFailure.notice(nothing.description)
            throw ExitCode.success
        }
    }
}
