import ArgumentParser
import BackfillCore
import Catalog
import Foundation

/// `pulp-backfill status`: progress of every backfill in the catalog.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each backfill's chunks by state, rows, Insights usage and cost, failures, partitions and ETA.")

    @Option(help: "table or json.")
    var format: Format = .table
    @Option(help: "Insights price per GB scanned, in USD.")
    var costPerGb: Double = 0.005
    @Option(help: "Failed chunks listed per backfill.")
    var maxFailures: Int = 10
    @OptionGroup var catalogOptions: CatalogOptions

    /// `--format`'s values.
    enum Format: String, CaseInsensitiveArgument {
        case table, json
    }

    /// Window of recently finished chunks that sets the ETA rate.
    static let recentWindowMillis: Int64 = 15 * 60_000

    func run() async throws {
        guard costPerGb >= 0 else { throw CommandFailure.usage("--cost-per-gb must not be negative") }
        guard maxFailures >= 0 else { throw CommandFailure.usage("--max-failures must not be negative") }
        var reports: [StatusReport] = []
        do {
            let catalog = try Catalog(path: catalogOptions.path, mode: .mustExist)
            defer { try? catalog.close() }
            let now = CatalogClock.nowMillis()
            let densities = try catalog.densitySummaries()
            for progress in try catalog.progress(now: now, recentWindowMillis: Self.recentWindowMillis, maxFailures: maxFailures) {
                let id = progress.backfill.id
                // Live: an owner alive on this host, or another host's unexpired lease. Stale: the
                // owner is gone or the lease ran out (the next run takes those chunks over).
                let leases = try catalog.leaseGroups(backfillIDs: [id]).map {
                    ($0, LeaseVerdict.judge($0, nowMillis: now, isAlive: ProcessIdentity.isAlive))
                }
                let live = leases.filter { $0.1.isLive }.reduce(0) { $0 + $1.0.chunks }
                let estimate = ProgressEstimate(progress: progress, costPerGB: costPerGb,
                                                recentWindowSeconds: Double(Self.recentWindowMillis) / 1000, liveLeases: live)
                reports.append(StatusReport(progress: progress, estimate: estimate, costPerGB: costPerGb, leases: leases,
                                            failedHours: try catalog.hourFailures(backfillID: id, limit: maxFailures), nowMillis: now,
                                            density: densities[id] ?? DensitySummary()))
            }
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        switch format {
        case .json: print(try StatusReport.json(reports))
        case .table: print(StatusReport.table(reports), terminator: "")
        }
    }
}

/// One backfill's status, as printed.
struct StatusReport: Encodable {
    let progress: BackfillProgress
    let estimate: ProgressEstimate
    let costPerGB: Double
    let leases: [(LeaseGroup, LeaseVerdict)]
    let failedHours: [HourFailure]
    let nowMillis: Int64
    /// Density counts beside the fetched rows, and the queries they saved.
    let density: DensitySummary

    var liveChunks: Int { leases.filter { $0.1.isLive }.reduce(0) { $0 + $1.0.chunks } }
    /// Running chunks nobody works on any more: owner gone, or lease expired.
    var staleChunks: Int { leases.filter { !$0.1.isLive }.reduce(0) { $0 + $1.0.chunks } }

    static func table(_ reports: [StatusReport]) -> String {
        if reports.isEmpty { return "no backfills planned yet\n" }
        return reports.map(\.tableText).joined(separator: "\n")
    }

    var tableText: String {
        let p = progress
        let spec = p.backfill.spec
        var lines: [String] = []
        let range = p.firstMillis.flatMap { first in p.lastMillis.map { "\(UTCFormat.iso(millis: first)) → \(UTCFormat.iso(millis: $0))" } } ?? "-"
        lines.append("backfill \(p.backfill.id): \(spec.logGroup) (\(spec.awsRegion)\(spec.logStream.map { ", stream \($0)" } ?? ""))  \(range)")
        lines.append("  dataset:     \(spec.dataset)")
        lines.append("  outputs:     \(spec.destinations.joined(separator: ", "))"
                     + (spec.timestampUnit == "ns" ? "" : " (timestamp unit \(spec.timestampUnit))"))
        var chunks = "  chunks:      \(p.totalChunks) total, \(p.done) done, \(liveChunks) running, \(p.pending) pending, \(p.failed) failed"
        if staleChunks > 0 { chunks += ", \(staleChunks) stale (owner gone or lease expired; the next run takes them over)" }
        lines.append(chunks)
        for (group, verdict) in leases where verdict.isLive {
            let owner = group.holder?.description ?? group.owner
            switch verdict {
            case .heldByLiveOwner:
                lines.append("  leased:      \(group.chunks) chunk(s) by \(owner) (running)")
            default:
                let left = DurationFormat.text(seconds: Double(max(0, group.expiresMillis - nowMillis)) / 1000)
                lines.append("  leased:      \(group.chunks) chunk(s) by \(owner), lease free in \(left)")
            }
        }
        let reasons = p.skippedByReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
        lines.append("  rows:        \(p.rows) staged/exported, \(p.skipped) skipped"
                     + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))") + ", \(p.malformed) malformed")
        lines.append("  insights:    \(p.queries) StartQuery + \(p.polls) GetQueryResults calls, \(ByteCount.text(p.bytesScanned)) scanned, "
                     + "est. cost $\(String(format: "%.4f", estimate.estimatedCostUSD)) (at $\(costPerGB)/GB)")
        if density.countedChunks > 0 || density.densityQueries > 0 {
            let d = density
            lines.append("  density:     \(d.countedDays) day(s) counted (\(d.densityQueries) StartQuery), \(d.expectedRows) rows expected "
                         + "in \(d.countedChunks) chunks; done: \(d.expectedDoneRows) expected, \(d.fetchedDoneRows) fetched")
            lines.append("  queries:     \(d.fetchQueries + d.densityQueries) for \(d.doneChunks) fetched chunk(s) "
                         + "(one query per chunk: \(d.oneQueryPerChunkQueries)); \(d.queriesSaved) saved")
        }
        lines.append("  partitions:  \(p.partitionsDone)/\(p.hoursTotal) hours exported"
                     + (p.partitionsFound > 0 ? " (\(p.partitionsFound) of them found at their destinations, not queried)" : ""))
        if estimate.active {
            let eta = estimate.etaSeconds.map { DurationFormat.text(seconds: $0) } ?? "unknown (no chunk finished in the last 15 min)"
            lines.append("  eta:         \(eta) (run active: \(liveChunks) chunk(s) leased)")
        } else {
            lines.append("  eta:         - (no active run)")
        }
        if p.failed > 0 {
            lines.append("  failures:    \(p.failed) chunk(s); most recent:")
            for failure in p.failures {
                lines.append("    \(UTCFormat.iso(millis: failure.range.startMillis)) → \(UTCFormat.iso(millis: failure.range.endMillis)) "
                             + "attempts \(failure.attempts): \(failure.lastError.split(whereSeparator: \.isNewline).joined(separator: " "))")
            }
        }
        if !failedHours.isEmpty {
            lines.append("  failed hours: \(failedHours.count); the next run exports them again:")
            for failure in failedHours {
                lines.append("    \(UTCFormat.iso(millis: failure.hour.hourStartMillis)) attempts \(failure.attempts): "
                             + failure.lastError.split(whereSeparator: \.isNewline).joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    enum CodingKeys: String, CodingKey {
        case backfillID = "backfill_id", logGroup = "log_group", awsRegion = "aws_region", logStream = "log_stream"
        case dataset, skippedByReason = "skipped_by_reason"
        case destinations, timestampUnit = "timestamp_unit", filterPaths = "filter_paths", excludePaths = "exclude_paths", start, end, chunks
        case rows, skipped, malformed, queries, polls = "get_query_results_calls", failedHours = "failed_hours", recordsMatched = "records_matched", bytesScanned = "bytes_scanned"
        case costPerGB = "cost_per_gb_usd", estimatedCost = "estimated_cost_usd", partitionsDone = "partitions_done"
        case partitionsTotal = "partitions_total", partitionsFound = "partitions_found", active, etaSeconds = "eta_seconds", failures
        case density
    }

    /// `density` in JSON: rows are the query's rows (events matched by the server-side filter,
    /// before the row rules skip any).
    struct DensityJSON: Encodable {
        let countedDays: Int
        let densityQueries: Int64
        let countedChunks: Int
        let expectedRowsAll: Int64
        let expectedRows: Int64
        let fetchedRows: Int64
        let fetchedChunks: Int
        let fetchQueries: Int64
        let oneQueryPerChunkQueries: Int64
        let queriesSaved: Int64
        enum CodingKeys: String, CodingKey {
            case countedDays = "counted_days", densityQueries = "density_queries", countedChunks = "counted_chunks"
            case expectedRowsAll = "expected_rows_planned", expectedRows = "expected_rows", fetchedRows = "fetched_rows"
            case fetchedChunks = "fetched_chunks", fetchQueries = "fetch_queries"
            case oneQueryPerChunkQueries = "one_query_per_chunk_queries", queriesSaved = "queries_saved"
        }
    }

    struct ChunkCounts: Encodable {
        let total, pending, running, done, failed: Int
        /// Running chunks whose owner is gone or whose lease ran out.
        let staleLeases: Int
        enum CodingKeys: String, CodingKey { case total, pending, running, done, failed, staleLeases = "stale_leases" }
    }

    struct FailedHourJSON: Encodable {
        let backfillID: Int64
        let hour: String
        let attempts: Int
        let lastError: String
        enum CodingKeys: String, CodingKey { case backfillID = "backfill_id", hour, attempts, lastError = "last_error" }
    }

    struct FailureJSON: Encodable {
        let chunkID: Int64
        let start, end: String
        let attempts: Int
        let lastError: String
        enum CodingKeys: String, CodingKey { case chunkID = "chunk_id", start, end, attempts, lastError = "last_error" }
    }

    func encode(to encoder: any Encoder) throws {
        let p = progress, spec = p.backfill.spec, d = density
        // Every key beside its value, in one table; nil values are written as null (readers
        // find every key in every record).
        let fields: [(CodingKeys, any Encodable)] = [
            (.backfillID, p.backfill.id), (.logGroup, spec.logGroup), (.awsRegion, spec.awsRegion), (.logStream, spec.logStream),
            (.dataset, spec.dataset), (.destinations, spec.destinations), (.timestampUnit, spec.timestampUnit),
            (.filterPaths, spec.filterPaths), (.excludePaths, spec.excludePaths),
            (.start, p.firstMillis.map { UTCFormat.iso(millis: $0) }), (.end, p.lastMillis.map { UTCFormat.iso(millis: $0) }),
            (.chunks, ChunkCounts(total: p.totalChunks, pending: p.pending, running: liveChunks, done: p.done,
                                  failed: p.failed, staleLeases: staleChunks)),
            (.rows, p.rows), (.skipped, p.skipped), (.skippedByReason, p.skippedByReason), (.malformed, p.malformed),
            (.queries, p.queries), (.polls, p.polls),
            (.failedHours, failedHours.map {
                FailedHourJSON(backfillID: $0.hour.backfillID, hour: UTCFormat.iso(millis: $0.hour.hourStartMillis),
                               attempts: $0.attempts, lastError: $0.lastError)
            }),
            (.recordsMatched, p.recordsMatched), (.bytesScanned, p.bytesScanned),
            (.costPerGB, costPerGB), (.estimatedCost, estimate.estimatedCostUSD),
            (.partitionsDone, p.partitionsDone), (.partitionsTotal, p.hoursTotal), (.partitionsFound, p.partitionsFound),
            (.active, estimate.active), (.etaSeconds, estimate.etaSeconds),
            (.density, DensityJSON(countedDays: d.countedDays, densityQueries: d.densityQueries, countedChunks: d.countedChunks,
                                   expectedRowsAll: d.expectedRows, expectedRows: d.expectedDoneRows, fetchedRows: d.fetchedDoneRows,
                                   fetchedChunks: d.doneChunks, fetchQueries: d.fetchQueries,
                                   oneQueryPerChunkQueries: d.oneQueryPerChunkQueries, queriesSaved: d.queriesSaved)),
            (.failures, p.failures.map {
                FailureJSON(chunkID: $0.chunkID, start: UTCFormat.iso(millis: $0.range.startMillis),
                            end: UTCFormat.iso(millis: $0.range.endMillis), attempts: $0.attempts, lastError: $0.lastError)
            }),
        ]
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in fields { try c.encode(value, forKey: key) }
    }

    static func json(_ reports: [StatusReport]) throws -> String {
        struct Document: Encodable { let backfills: [StatusReport] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(backfills: reports)), as: UTF8.self)
    }
}

/// `1.5 GiB`-style sizes.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
