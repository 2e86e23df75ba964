import Catalog
import Foundation
import Testing
@testable import BackfillCore
import TestRandom

/// Property tests (seeded): chunks cover a range exactly, on the UTC 5-minute grid, and
/// re-planning any mix of overlapping ranges never duplicates or overlaps a chunk.
@Suite struct PlanningChunkPlannerTests {
    static let grid: Int64 = 300_000
    static let base: Int64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z

    /// A random range of up to ~2 days with millisecond-precision ends (often unaligned).
    static func randomRange(_ generator: inout TestRandom) -> TimeRange {
        let start = base + Int64.random(in: 0...(3 * 86_400_000), using: &generator)
        let length: Int64
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: length = Int64.random(in: 1...grid, using: &generator)           // inside a cell or two
        case 1: length = grid * Int64.random(in: 1...30, using: &generator)     // whole cells
        default: length = Int64.random(in: 1...(2 * 86_400_000), using: &generator)
        }
        return TimeRange(startMillis: start, endMillis: start + length)
    }

    /// No gap, no overlap, sorted, each chunk inside one grid cell, boundaries on the grid
    /// except the range's own ends.
    static func checkExactCover(_ chunks: [TimeRange], of range: TimeRange) {
        #expect(chunks.first?.startMillis == range.startMillis)
        #expect(chunks.last?.endMillis == range.endMillis)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.endMillis == b.startMillis, "gap or overlap at \(a) / \(b)")
        }
        for chunk in chunks {
            let cell = ChunkPlanner.floorToGrid(chunk.startMillis)
            #expect(chunk.endMillis <= cell + grid, "chunk crosses a 5-minute boundary: \(chunk)")
            #expect(chunk.startMillis == range.startMillis || chunk.startMillis % grid == 0)
            #expect(chunk.endMillis == range.endMillis || chunk.endMillis % grid == 0)
        }
    }

    @Test func randomRangesAreCoveredExactly() {
        var generator = TestRandom(seed: 20_260_204)
        for _ in 0..<500 {
            let range = Self.randomRange(&generator)
            Self.checkExactCover(ChunkPlanner.gridChunks(range), of: range)
            Self.checkExactCover(ChunkPlanner.newChunks(requested: range, existing: []), of: range)
        }
    }

    @Test func everyTimestampBelongsToExactlyOneChunk() {
        var generator = TestRandom(seed: 99)
        for _ in 0..<100 {
            let range = Self.randomRange(&generator)
            let chunks = ChunkPlanner.gridChunks(range)
            for _ in 0..<50 {
                let t = Int64.random(in: range.startMillis..<range.endMillis, using: &generator)
                #expect(chunks.filter { $0.startMillis <= t && t < $0.endMillis }.count == 1)
            }
        }
    }

    @Test func alignedDayHas288Chunks() {
        let day = TimeRange(startMillis: Self.base, endMillis: Self.base + 86_400_000)
        #expect(ChunkPlanner.gridChunks(day).count == 288)
        let partial = TimeRange(startMillis: Self.base + 60_000, endMillis: Self.base + 11 * 60_000)
        #expect(ChunkPlanner.gridChunks(partial).map { ($0.endMillis - $0.startMillis) / 60_000 } == [4, 5, 1])
    }

    @Test func splitPartialChunkRule() {
        // An earlier plan ended at 10:02; a new plan covers 10:00–10:10.
        let ten = Self.base + 10 * 3_600_000
        let existing = [TimeRange(startMillis: ten, endMillis: ten + 2 * 60_000)]
        let added = ChunkPlanner.newChunks(requested: TimeRange(startMillis: ten, endMillis: ten + 10 * 60_000), existing: existing)
        #expect(added == [TimeRange(startMillis: ten + 2 * 60_000, endMillis: ten + 5 * 60_000),
                          TimeRange(startMillis: ten + 5 * 60_000, endMillis: ten + 10 * 60_000)])
    }

    /// Plans random overlapping ranges into one real catalog, again and again: the chunks
    /// never overlap, cover exactly the union of all requested ranges, and planning the same
    /// ranges a second time adds nothing.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func replanningIsIdempotentInARealCatalog(seed: UInt64) throws {
        let directory = NSTemporaryDirectory() + "planning-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try Catalog(path: directory + "/c.sqlite", mode: .createIfMissing)
        defer { try? catalog.close() }
        let spec = BackfillSpec(logGroup: "/g", destinations: ["/out"])
        var generator = TestRandom(seed: seed)
        var requested: [TimeRange] = []
        for _ in 0..<12 {
            var range = Self.randomRange(&generator)
            if let earlier = requested.randomElement(using: &generator), Bool.random(using: &generator) {
                // Force overlap with (and partial splits of) an earlier range.
                let start = Int64.random(in: earlier.startMillis..<earlier.endMillis, using: &generator)
                range = TimeRange(startMillis: start, endMillis: start + Int64.random(in: 1...(6 * 3_600_000), using: &generator))
            }
            requested.append(range)
            _ = try catalog.createOrExtendBackfill(spec, range: range) { ChunkPlanner.newChunks(requested: range, existing: $0) }
        }
        let backfill = try #require(try catalog.backfill(matching: spec))
        let chunks = try catalog.chunks(backfillID: backfill.id).map(\.range)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.endMillis <= b.startMillis, "overlap \(a) \(b)") }
        for chunk in chunks {
            #expect(ChunkPlanner.floorToGrid(chunk.startMillis) == ChunkPlanner.floorToGrid(chunk.endMillis - 1))
        }
        // Union of requested ranges == union of chunks.
        #expect(Self.union(chunks) == Self.union(requested))
        for range in requested {
            let again = try catalog.createOrExtendBackfill(spec, range: range) { ChunkPlanner.newChunks(requested: range, existing: $0) }
            #expect(again.addedChunks.isEmpty && !again.created)
        }
        #expect(try catalog.chunks(backfillID: backfill.id).map(\.range) == chunks)
    }

    static func union(_ ranges: [TimeRange]) -> [TimeRange] {
        var merged: [TimeRange] = []
        for range in ranges.sorted() {
            if let last = merged.last, range.startMillis <= last.endMillis {
                merged[merged.count - 1] = TimeRange(startMillis: last.startMillis, endMillis: max(last.endMillis, range.endMillis))
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
