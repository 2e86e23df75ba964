import Foundation
import Testing
@testable import Catalog

/// A fresh temporary directory per test, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "catalog-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Names in the directory, sorted (to prove nothing was left behind).
    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The package root, found from this file's path (tests never depend on the working directory).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() } // Tests/CatalogTests/TestSupport.swift
    return url.path
}()

let minute: Int64 = 60_000
let t0: Int64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z

/// Plain 5-minute chunks covering `range` minus `existing` (millisecond by millisecond
/// reasoning, deliberately naive) — catalog tests must not depend on BackfillCore's planner.
func simpleChunks(_ range: TimeRange, existing: [TimeRange]) -> [TimeRange] {
    var result: [TimeRange] = []
    var start = range.startMillis
    while start < range.endMillis {
        if let covering = existing.first(where: { $0.startMillis <= start && start < $0.endMillis }) {
            start = covering.endMillis
            continue
        }
        let cellEnd = start - ((start % 300_000) + 300_000) % 300_000 + 300_000
        let nextExisting = existing.map(\.startMillis).filter { $0 > start }.min() ?? Int64.max
        let end = min(cellEnd, range.endMillis, nextExisting)
        result.append(TimeRange(startMillis: start, endMillis: end))
        start = end
    }
    return result
}

func makeSpec(group: String = "/aws/pulp", destinations: [String] = ["/tmp/out"]) -> BackfillSpec {
    BackfillSpec(logGroup: group, destinations: destinations)
}

/// A catalog with one backfill over [t0, t0 + minutes).
func catalogWithBackfill(_ directory: TemporaryDirectory, minutes: Int64 = 60,
                         migrator: Migrator = Migrator()) throws -> (Catalog, Backfill) {
    let catalog = try Catalog(path: directory.file("catalog.sqlite"), mode: .createIfMissing, migrator: migrator)
    let range = TimeRange(startMillis: t0, endMillis: t0 + minutes * minute)
    let outcome = try catalog.createOrExtendBackfill(makeSpec(), range: range, now: t0) { simpleChunks(range, existing: $0) }
    return (catalog, outcome.backfill)
}

func row(_ millis: Int64, _ ptr: String, package: String = "requests") -> StagedRow {
    StagedRow(timestampNanos: millis * 1_000_000, ptr: ptr, message: "GET /api/pypi/default/main/simple/\(package)/",
              user: "alice", orgID: nil, domain: "default", distribution: "main", package: package, statusCode: 200,
              userAgent: "pip/24", xForwardedFor: nil)
}
