// catalog-probe: a test-only process that works on a catalog the way `run` will, so tests can
// put several processes on one catalog and kill them at any moment.
//
//   catalog-probe setup  --catalog P --chunks N            create a backfill with N 5-minute chunks
//   catalog-probe claim  --catalog P --owner O [--batch K] [--rows R] [--lease-ms L]
//        claims K chunks at a time and completes each with R rows until none is left;
//        prints "claimed <chunk id>" for every claim (flushed), then "finished <count>".
//   catalog-probe stage  --catalog P --owner O [--rows R] [--lease-ms L]
//        same with big transactions (R rows each), printing "committed <chunk id>" after each
//        commit; meant to be SIGKILLed at random moments.
//   catalog-probe compact --catalog P
//        registers a partition (fake file, sha256 of the hour's row ptrs) for every ready hour,
//        printing "partition <backfill id> <hour ms> <rows>"; stands in for the compactor.
//
// Exit status: 0 done, 2 bad arguments, 1 catalog error (message on stderr).
import Catalog
import Foundation

/// Unbuffered output: a SIGKILLed probe must not lose lines it already "printed".
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("catalog-probe: \(message)\n".utf8))
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: catalog-probe setup|claim|stage --catalog PATH …", code: 2) }
arguments.removeFirst()
var parsed: [String: String] = [:]
while arguments.count >= 2, arguments[0].hasPrefix("--") {
    parsed[String(arguments[0].dropFirst(2))] = arguments[1]
    arguments.removeFirst(2)
}
let options = parsed
guard arguments.isEmpty, let path = options["catalog"] else { fail("bad arguments", code: 2) }
func intOption(_ name: String, _ fallback: Int) -> Int {
    guard let text = options[name] else { return fallback }
    guard let value = Int(text), value >= 0 else { fail("--\(name) must be a non-negative integer", code: 2) }
    return value
}

/// Rows spread evenly over the chunk, with a message big enough to make transactions long.
func rows(for chunk: Chunk, count: Int) -> [StagedRow] {
    let startNanos = chunk.range.startMillis * 1_000_000
    let spanNanos = (chunk.range.endMillis - chunk.range.startMillis) * 1_000_000
    let filler = String(repeating: "x", count: 400)
    return (0..<count).map { i in
        // The access dataset's values, in its column order.
        var record = StagedRecordWriter()
        let texts: [String?] = ["GET /api/pypi/d/dist/simple/pkg\(i)/ HTTP/1.1 200 \(filler)", i % 3 == 0 ? nil : "user\(i % 7)",
                                "org\(i % 5)", "default", "dist", "pkg\(i)"]
        for text in texts { record.appendText(text) }
        record.appendInt(200)
        record.appendText("pip/24.0")
        record.appendText("10.0.0.\(i % 250)")
        return StagedRow(timestampNanos: startNanos + spanNanos * Int64(i) / Int64(max(count, 1)), ptr: "ptr-\(chunk.id)-\(i)",
                         record: record.bytes)
    }
}

do {
    switch command {
    case "setup":
        let catalog = try Catalog(path: path, mode: .createIfMissing)
        let count = intOption("chunks", 100)
        let start: Int64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z
        let range = TimeRange(startMillis: start, endMillis: start + Int64(count) * 300_000)
        let spec = BackfillSpec(logGroup: "probe-group", destinations: ["/tmp/probe-out"])
        let outcome = try catalog.createOrExtendBackfill(spec, range: range) { existing in
            guard existing.isEmpty else { return [] }
            return (0..<count).map { i in
                TimeRange(startMillis: start + Int64(i) * 300_000, endMillis: start + Int64(i + 1) * 300_000)
            }
        }
        say("backfill \(outcome.backfill.id) chunks \(outcome.totalChunks)")
        try catalog.close()

    case "claim", "stage":
        guard let owner = options["owner"] else { fail("--owner is required", code: 2) }
        let batch = command == "stage" ? 1 : max(1, intOption("batch", 2))
        let rowCount = intOption("rows", command == "stage" ? 2000 : 3)
        let lease = Int64(intOption("lease-ms", 60_000))
        let catalog = try Catalog(path: path, mode: .mustExist)
        var finished = 0
        // Bounded loop: at most one pass per chunk plus slack; it ends when nothing is claimable.
        for _ in 0..<1_000_000 {
            let claimed = try catalog.claimChunks(owner: owner, limit: batch, leaseMillis: lease)
            if claimed.isEmpty { break }
            for chunk in claimed {
                if command == "claim" { say("claimed \(chunk.id)") }
                try catalog.completeChunk(id: chunk.id, owner: owner, rows: rows(for: chunk, count: rowCount),
                                          statistics: ChunkStatistics(queries: 1, recordsMatched: Int64(rowCount),
                                                                      bytesScanned: Int64(rowCount) * 500))
                if command == "stage" { say("committed \(chunk.id)") }
                finished += 1
            }
        }
        say("finished \(finished)")
        try catalog.close()

    case "compact":
        let catalog = try Catalog(path: path, mode: .mustExist)
        for hour in try catalog.hoursReadyForCompaction() {
            guard let backfill = try catalog.backfill(id: hour.backfillID) else { continue }
            var count: Int64 = 0
            var minimum: Int64?
            var maximum: Int64?
            var digest: UInt64 = 1469598103934665603 // FNV-1a, enough to make distinct fake checksums
            try catalog.forEachStagedRowBatch(hour: hour, batchSize: 1000) { page in
                for row in page {
                    count += 1
                    minimum = min(minimum ?? row.timestampNanos, row.timestampNanos)
                    maximum = max(maximum ?? row.timestampNanos, row.timestampNanos)
                    for byte in row.ptr.utf8 { digest = (digest ^ UInt64(byte)) &* 1099511628211 }
                }
            }
            let name = "pulp_access_logs_\(hour.hourStartMillis).parquet"
            try catalog.registerPartition(PartitionRegistration(
                hour: hour, rows: count, bytes: 1000 + count * 100,
                sha256: String(repeating: String(digest, radix: 16), count: 4).prefix(64).description,
                minTimestampNanos: minimum, maxTimestampNanos: maximum, exportedAtMillis: CatalogClock.nowMillis(),
                writerVersion: "catalog-probe",
                files: backfill.spec.destinations.map { .init(destination: $0, uri: $0 + "/" + name) }))
            say("partition \(hour.backfillID) \(hour.hourStartMillis) \(count)")
        }
        try catalog.close()

    default:
        fail("unknown command \(command)", code: 2)
    }
} catch let error as CatalogError {
    fail(error.description, code: 1)
} catch {
    fail("\(error)", code: 1)
}
