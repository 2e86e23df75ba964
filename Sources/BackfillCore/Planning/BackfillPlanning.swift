import AccessLog
import Catalog
import Foundation

/// What `pulp-backfill plan` asks for, as typed on the command line.
public struct PlanRequest: Sendable, Equatable {
    public var logGroup: String
    public var awsRegion: String
    public var logStream: String?
    public var startTime: String
    public var endTime: String
    public var outputPaths: [String]
    public var filterPaths: [String]
    public var excludePaths: [String]
    /// Codec and file layout of the hourly files (not part of the backfill's identity).
    public var compression: String = "snappy"
    public var layout: String = "hive"
    /// Unit of the timestamp column (part of the backfill's identity).
    public var timestampUnit: TimestampUnit = .ns
    /// The dataset's name (part of the backfill's identity).
    public var dataset: String = "access"
    /// `plan`/`backfill`: whole hours that ended at least this long ago (see `SettledHours`);
    /// nil for `export`, which takes exactly the range asked for.
    public var settledHours: SettledHours?

    // Written out (public) because the CLI builds it; the settings after `excludePaths` are set one by one.
    public init(logGroup: String, awsRegion: String = "us-east-1", logStream: String? = nil, startTime: String,
                endTime: String, outputPaths: [String], filterPaths: [String] = ["/api/pypi/"],
                excludePaths: [String] = ["/livez", "/status"]) {
        self.logGroup = logGroup
        self.awsRegion = awsRegion
        self.logStream = logStream
        self.startTime = startTime
        self.endTime = endTime
        self.outputPaths = outputPaths
        self.filterPaths = filterPaths
        self.excludePaths = excludePaths
    }
}

/// A request checked and resolved: everything `plan` needs, before the catalog is touched.
public struct ResolvedPlan: Sendable, Equatable {
    public let spec: BackfillSpec
    public let range: TimeRange
    /// A notice for stderr (end clamped to now), if any.
    public let notice: String?
}

/// What a dry run found.
public struct DryRunResult: Sendable, Equatable {
    public let plan: ResolvedPlan
    /// Chunks the plan would add (existing chunks of the same backfill are not counted).
    public let newChunks: [TimeRange]
    public let alreadyPlanned: Int
    public let backfillExists: Bool
    public let estimate: DryRunEstimate
    /// The range's already planned chunks as their stored density counts see them (nil when
    /// the backfill does not exist yet).
    public var density: DensityEstimate? = nil
}

/// No whole hour of the range has settled yet: nothing to plan, which is not an error (an
/// hourly job started early simply has nothing to do yet).
public struct NothingSettled: Error, Equatable, Sendable, CustomStringConvertible {
    public let notices: [String]
    public let settleMillis: Int64
    public var description: String {
        "nothing to do: no whole hour of the range ended at least \(DurationFormat.text(seconds: Double(settleMillis) / 1000)) ago"
    }
}

/// Usage errors of `plan` (exit 2): the CLI prints `description` as one line.
public struct PlanUsageError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `plan`: resolve the request, then either estimate (dry run) or write chunks.
public enum BackfillPlanning {
    /// Validates the request without touching any file. Throws `PlanUsageError`.
    public static func resolve(_ request: PlanRequest, now: Date,
                               currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> ResolvedPlan {
        let group = request.logGroup.trimmingCharacters(in: .whitespaces)
        guard !group.isEmpty else { throw PlanUsageError("--cloudwatch-group must not be empty") }
        guard !request.awsRegion.isEmpty,
              request.awsRegion.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw PlanUsageError("invalid --aws-region \"\(request.awsRegion)\" (expected e.g. us-east-1)")
        }
        guard !request.outputPaths.isEmpty else { throw PlanUsageError("at least one --output-path is required") }
        var destinations: [String] = []
        for path in request.outputPaths {
            do {
                let uri = try OutputDestination.parse(path, currentDirectory: currentDirectory).uri
                if !destinations.contains(uri) { destinations.append(uri) }
            } catch let invalid as OutputDestination.Invalid {
                throw PlanUsageError(invalid.description)
            }
        }
        let range: PlanningRange
        do {
            range = try PlanningRange.resolve(start: request.startTime, end: request.endTime, now: now)
        } catch let error as TimeExpression.ParseError {
            throw PlanUsageError(error.description)
        } catch let error as PlanningRange.Problem {
            throw PlanUsageError(error.description)
        }
        let stream = request.logStream.flatMap { $0.isEmpty ? nil : $0 }
        guard ["snappy", "zstd", "none"].contains(request.compression) else {
            throw PlanUsageError("--compression \(request.compression): unknown codec (expected snappy, zstd or none)")
        }
        guard HourFileLayout(rawValue: request.layout) != nil else {
            throw PlanUsageError("--layout \(request.layout): expected hive or flat")
        }
        guard Dataset.named(request.dataset) != nil else {
            throw PlanUsageError("--dataset \(request.dataset): unknown dataset (expected \(Dataset.names.joined(separator: ", ")))")
        }
        // Path filters are rules of the access dataset; the content datasets have their own
        // paths, so the filters are neither applied nor recorded for them.
        let access = request.dataset == "access"
        let spec = BackfillSpec(logGroup: group, awsRegion: request.awsRegion, logStream: stream,
                                filterPaths: access ? cleanList(request.filterPaths) : [],
                                excludePaths: access ? cleanList(request.excludePaths) : [],
                                destinations: destinations, compression: request.compression, layout: request.layout,
                                timestampUnit: request.timestampUnit.rawValue, dataset: request.dataset)
        var window = TimeRange(startMillis: range.startMillis, endMillis: range.endMillis)
        var notices = [range.notice].compactMap { $0 }
        if let settledHours = request.settledHours {
            let whole = settledHours.window(window, nowMillis: TimeExpression.millis(now))
            notices += whole.notices
            guard let settled = whole.range else {
                throw NothingSettled(notices: notices, settleMillis: settledHours.settleMillis)
            }
            window = settled
        }
        return ResolvedPlan(spec: spec, range: window, notice: notices.isEmpty ? nil : notices.joined(separator: "\n"))
    }

    /// Splits comma lists (`--filter-paths a,b` and repeated flags both work), trims, drops empties.
    public static func cleanList(_ values: [String]) -> [String] {
        var result: [String] = []
        for value in values {
            for item in value.split(separator: ",") {
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty && !result.contains(trimmed) { result.append(trimmed) }
            }
        }
        return result
    }

    /// Estimates the plan. Reads the catalog if it exists (read-only, never creates it) so
    /// that already planned chunks are not counted again.
    public static func dryRun(_ plan: ResolvedPlan, catalogPath: String, quotas: InsightsQuotas) throws -> DryRunResult {
        var existing: [TimeRange] = []
        var exists = false
        var density: DensityEstimate? = nil
        if FileManager.default.fileExists(atPath: catalogPath) {
            let catalog = try Catalog(path: catalogPath, mode: .readOnly)
            defer { try? catalog.close() }
            if let backfill = try catalog.backfill(matching: plan.spec) {
                exists = true
                existing = try catalog.chunkRanges(backfillID: backfill.id, overlapping: plan.range)
                density = DensityEstimate(chunks: try catalog.countedChunks(backfillID: backfill.id, overlapping: plan.range))
            }
        }
        let added = ChunkPlanner.newChunks(requested: plan.range, existing: existing)
        var result = DryRunResult(plan: plan, newChunks: added, alreadyPlanned: existing.count, backfillExists: exists,
                                  estimate: DryRunEstimate(chunks: added, quotas: quotas))
        result.density = density
        return result
    }

    /// Creates or extends the backfill in the catalog (creating the catalog file if needed).
    public static func apply(_ plan: ResolvedPlan, catalogPath: String, now: Date = Date()) throws -> PlanOutcome {
        let catalog = try Catalog(path: catalogPath, mode: .createIfMissing)
        defer { try? catalog.close() }
        return try catalog.createOrExtendBackfill(plan.spec, range: plan.range, now: TimeExpression.millis(now)) { existing in
            ChunkPlanner.newChunks(requested: plan.range, existing: existing)
        }
    }
}
