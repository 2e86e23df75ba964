@testable import Catalog
import Foundation
import Testing
@testable import BackfillCore

/// Request validation, output paths, the dry-run estimate and "dry run writes nothing".
@Suite struct PlanningDryRunTests {
    /// AWS's quotas with one changed.
    static func quotas(_ change: (inout InsightsQuotas) -> Void) -> InsightsQuotas {
        var quotas = InsightsQuotas()
        change(&quotas)
        return quotas
    }

    static let now = Date(timeIntervalSince1970: 1_770_219_045.5) // 2026-02-04T15:30:45.5Z

    static func request(_ outputs: [String] = ["s3://my-bucket/logs/"], start: String = "2026-02-04T10:00:00Z",
                        end: String = "2026-02-04T12:02:00Z") -> PlanRequest {
        PlanRequest(logGroup: "/aws/pulp", startTime: start, endTime: end, outputPaths: outputs)
    }

    @Test func estimateUsesTheQuotas() throws {
        let plan = try BackfillPlanning.resolve(Self.request(), now: Self.now)
        let chunks = ChunkPlanner.newChunks(requested: plan.range, existing: [])
        #expect(chunks.count == 25)
        let estimate = DryRunEstimate(chunks: chunks, quotas: InsightsQuotas())
        #expect(estimate.hours == 3 && estimate.startQueryCalls == 25 && estimate.getQueryResultsCalls == 50)
        #expect(estimate.minimumSeconds == 10 && estimate.bottleneck == "GetQueryResults rate")
        let slowStart = DryRunEstimate(chunks: chunks, quotas: Self.quotas { $0.startQueryPerSecond = 1 })
        #expect(slowStart.minimumSeconds == 25 && slowStart.bottleneck == "StartQuery rate")
        let oneAtATime = DryRunEstimate(chunks: chunks, quotas: Self.quotas { $0.maxConcurrentQueries = 1 }, querySeconds: 3)
        #expect(oneAtATime.minimumSeconds == 75 && oneAtATime.bottleneck == "concurrent queries")
        #expect(DurationFormat.text(seconds: 3_725) == "1h 02m 05s")
    }

    @Test func dryRunNeverCreatesTheCatalogAndCountsOnlyNewChunks() throws {
        let directory = NSTemporaryDirectory() + "dryrun-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/c.sqlite"
        let plan = try BackfillPlanning.resolve(Self.request(), now: Self.now)
        let dry = try BackfillPlanning.dryRun(plan, catalogPath: path, quotas: InsightsQuotas())
        #expect(dry.newChunks.count == 25 && !dry.backfillExists)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        let firstHalf = try BackfillPlanning.resolve(Self.request(end: "2026-02-04T11:00:00Z"), now: Self.now)
        let outcome = try BackfillPlanning.apply(firstHalf, catalogPath: path, now: Self.now)
        #expect(outcome.created && outcome.addedChunks.count == 12)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let again = try BackfillPlanning.dryRun(plan, catalogPath: path, quotas: InsightsQuotas())
        #expect(again.backfillExists && again.alreadyPlanned == 12 && again.newChunks.count == 13)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["c.sqlite"])
    }

    @Test(arguments: ["s3://", "s3:/bucket/x", "s3://Bucket/x", "s3://ab/x", "s3://my_bucket", "s3://-bucket",
                      "s3://bucket-", "s3://my..bucket", "s3://192.168.1.1/x", "s3://xn--bucket",
                      "s3://" + String(repeating: "a", count: 64), "s3://bucket//x", "https://example.com/x", ""])
    func malformedOutputPathsAreUsageErrors(path: String) {
        #expect(throws: PlanUsageError.self) { try BackfillPlanning.resolve(Self.request([path]), now: Self.now) }
    }

    @Test func otherUsageErrors() {
        #expect(throws: PlanUsageError.self) { try BackfillPlanning.resolve(Self.request([]), now: Self.now) }
        #expect(throws: PlanUsageError.self) { try BackfillPlanning.resolve(Self.request(start: "soon"), now: Self.now) }
        #expect(throws: PlanUsageError.self) {
            try BackfillPlanning.resolve(Self.request(start: "2026-02-04T12:00Z", end: "2026-02-04T11:00Z"), now: Self.now)
        }
        var noGroup = Self.request()
        noGroup.logGroup = " "
        #expect(throws: PlanUsageError.self) { try BackfillPlanning.resolve(noGroup, now: Self.now) }
    }

    @Test func filterListsAcceptCommasAndRepeats() throws {
        #expect(BackfillPlanning.cleanList(["/a, /b", "/b", ""]) == ["/a", "/b"])
        var request = Self.request(["out", "out/"])
        request.filterPaths = ["/api/pypi/,/api/v3/"]
        let plan = try BackfillPlanning.resolve(request, now: Self.now, currentDirectory: "/w")
        #expect(plan.spec.destinations == ["/w/out"])
        #expect(plan.spec.filterPaths == ["/api/pypi/", "/api/v3/"])
    }

    @Test func etaNeedsAnActiveRunAndARecentRate() {
        let backfill = Backfill(id: 1, spec: BackfillSpec(logGroup: "/g", destinations: ["/o"]), createdAtMillis: 0)
        func progress(running: Int, recent: Int) -> BackfillProgress {
            BackfillProgress(backfill: backfill, firstMillis: 0, lastMillis: 1, pending: 90, running: running, expiredLeases: 0,
                             done: 10, failed: 0, rows: 0, skipped: 0, malformed: 0, queries: 0, recordsMatched: 0,
                             bytesScanned: 2 * 1_073_741_824, failures: [], partitionsDone: 0, hoursTotal: 9, recentlyFinished: recent)
        }
        let active = ProgressEstimate(progress: progress(running: 10, recent: 30), costPerGB: 0.005, recentWindowSeconds: 900)
        #expect(active.active && active.etaSeconds == 3000) // 100 left at 30 per 900 s
        #expect(active.estimatedCostUSD == 0.01)
        #expect(ProgressEstimate(progress: progress(running: 0, recent: 30), costPerGB: 0.005, recentWindowSeconds: 900).etaSeconds == nil)
        #expect(ProgressEstimate(progress: progress(running: 3, recent: 0), costPerGB: 0.005, recentWindowSeconds: 900).etaSeconds == nil)
    }
}
