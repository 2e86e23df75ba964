import ArgumentParser
import BackfillCore
import Foundation

/// What a backfill is: the seed exporter's flags plus destinations and file format.
/// Shared by `plan` and `backfill`.
struct PlanOptions: ParsableArguments {
    @Option(help: "CloudWatch Logs log group.")
    var cloudwatchGroup: String
    @Option(help: "CloudWatch Logs stream name (optional).")
    var cloudwatchStream: String?
    @Option(help: "Start of the range (inclusive).")
    var startTime: String
    @Option(help: "End of the range (exclusive); a future end is clamped to now.")
    var endTime: String
    @Option(help: "Destination: a local directory or s3://bucket/prefix. Repeat for several.")
    var outputPath: [String] = []
    @Option(help: "Keep only rows whose path starts with one of these (comma list).")
    var filterPaths: String = "/api/pypi/"
    @Option(help: "Skip rows whose path starts with one of these (comma list).")
    var excludePaths: String = "/livez,/status"
    @Option(help: "Codec of the hourly files: snappy, zstd or none.")
    var compression: String = "snappy"
    @Option(help: "File names under each destination: hive (date=YYYY-MM-DD/hour=HH/…) or flat.")
    var layout: String = "hive"

    /// Checks the request (usage errors exit 2) and prints the end-clamping notice.
    func resolve(awsRegion: String) throws -> ResolvedPlan {
        var request = PlanRequest(logGroup: cloudwatchGroup, awsRegion: awsRegion, logStream: cloudwatchStream,
                                  startTime: startTime, endTime: endTime, outputPaths: outputPath,
                                  filterPaths: [filterPaths], excludePaths: [excludePaths])
        request.compression = compression.lowercased()
        request.layout = layout.lowercased()
        let plan: ResolvedPlan
        do {
            plan = try BackfillPlanning.resolve(request, now: Date())
        } catch let error as PlanUsageError {
            throw CommandFailure.usage(error.description)
        }
        if let notice = plan.notice { CommandFailure.notice(notice) }
        return plan
    }
}
