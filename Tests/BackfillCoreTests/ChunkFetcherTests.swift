import AccessLog
import Synchronization
import Testing
@testable import BackfillCore
import TestRandom

/// An in-memory stand-in with Insights' result semantics: whole-second bounds inclusive at
/// both ends (the end second up to its last millisecond), sort by @timestamp ascending with
/// ties in arbitrary order, at most `limit` rows, recordsMatched counting all matches.
/// (The end-to-end tests run against insights-sim over HTTP; this isolates the algorithm.)
struct InMemoryInsights: InsightsQueryRunning {
    struct Event: Sendable { var millis: Int64; var ptr: String }
    let events: [Event]
    let seed: UInt64
    let queries = QueryLog()

    final class QueryLog: Sendable {
        private let entries = Mutex<[InsightsQuery]>([])
        func append(_ q: InsightsQuery) { entries.withLock { $0.append(q) } }
        var all: [InsightsQuery] { entries.withLock { $0 } }
    }

    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult {
        queries.append(query)
        var rng = TestRandom(seed: seed &+ UInt64(bitPattern: query.startSecond))
        let low = query.startSecond * 1000, high = (query.endSecond + 1) * 1000
        let inRange: [Event] = events.filter { $0.millis >= low && $0.millis < high }
        let tieBreaks: [UInt64] = inRange.map { _ in rng.next() }
        let order: [Int] = inRange.indices.sorted { a, b in
            inRange[a].millis != inRange[b].millis ? inRange[a].millis < inRange[b].millis : tieBreaks[a] < tieBreaks[b]
        }
        let matched: [Event] = order.map { inRange[$0] }
        let rows = matched.prefix(query.limit).map {
            InsightsRow(timestamp: Self.format($0.millis), message: "m", ptr: $0.ptr)
        }
        return InsightsQueryResult(rows: Array(rows), recordsMatched: matched.count, bytesScanned: Double(matched.count))
    }

    static func format(_ millis: Int64) -> String {
        let seconds = millis / 1000, ms = millis % 1000
        let days = seconds / 86_400, rem = seconds % 86_400
        // 2026-02-04 is day 20488 since the epoch; tests stay within that day.
        precondition(days == 20_488)
        func pad(_ v: Int64, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return "2026-02-04 \(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2)).\(pad(ms, 3))"
    }
}

@Suite struct ChunkFetcherTests {
    // 2026-02-04 14:00:00 UTC
    let hour: Int64 = 1_770_213_600_000
    let fiveMinutes: Int64 = 300_000

    func fetcher(_ events: [InMemoryInsights.Event], limit: Int = 10_000, seed: UInt64 = 1) -> (ChunkFetcher, InMemoryInsights) {
        let sim = InMemoryInsights(events: events, seed: seed)
        return (ChunkFetcher(runner: sim, logGroups: ["g"], queryString: "q", limit: limit), sim)
    }

    @Test func boundaryEventsBelongToExactlyOneChunk() async throws {
        let start = hour + fiveMinutes, end = start + fiveMinutes
        let events = [start - 1, start, start + 1, end - 1, end, end + 999].enumerated().map {
            InMemoryInsights.Event(millis: $0.element, ptr: "p\($0.offset)")
        }
        let (f, _) = fetcher(events)
        let fetched = try await f.fetch(startMillis: start, endMillis: end)
        #expect(fetched.rows.map(\.ptr) == ["p1", "p2", "p3"])
        let (previous, _) = fetcher(events)
        #expect(try await previous.fetch(startMillis: start - fiveMinutes, endMillis: start).rows.map(\.ptr) == ["p0"])
        #expect(try await previous.fetch(startMillis: end, endMillis: end + fiveMinutes).rows.map(\.ptr) == ["p4", "p5"])
    }

    @Test func burstAboveTheCapIsFetchedCompletelyAndOnce() async throws {
        var rng = TestRandom(seed: 42)
        let events = (0..<25_000).map { i in
            InMemoryInsights.Event(millis: hour + Int64(rng.next() % UInt64(fiveMinutes)), ptr: "e\(i)")
        }
        let (f, sim) = fetcher(events)
        let fetched = try await f.fetch(startMillis: hour, endMillis: hour + fiveMinutes)
        #expect(fetched.rows.count == 25_000)
        #expect(Set(fetched.rows.compactMap(\.ptr)).count == 25_000)
        #expect(fetched.queries >= 3)
        let starts = sim.queries.all.map(\.startSecond)
        #expect(starts == starts.sorted() && Set(starts).count == starts.count, "each continuation starts later")
    }

    @Test(arguments: 0..<40) func randomChunksAreExact(seed: Int) async throws {
        var rng = TestRandom(seed: UInt64(seed))
        let limit = 20 + Int(rng.next() % 60)
        let start = hour + Int64(rng.next() % 3_000_000)
        let end = start + 1 + Int64(rng.next() % 400_000)
        // Dense seconds, shared milliseconds, events on and around both ends; never more than
        // `limit - 1` events in one second, so the chunk can always be completed.
        var events: [InMemoryInsights.Event] = []
        var perSecond: [Int64: Int] = [:]
        for i in 0..<Int(rng.next() % 1500) {
            let anchor = [start, end, start + Int64(rng.next() % UInt64(end - start + 1))][Int(rng.next() % 3)]
            let millis = anchor + Int64(rng.next() % 3000) - 1500
            guard millis >= hour - 10_000, millis < hour + 3_590_000 else { continue }
            let second = millis / 1000
            guard perSecond[second, default: 0] < limit - 1 else { continue }
            perSecond[second, default: 0] += 1
            events.append(.init(millis: millis, ptr: "r\(seed)-\(i)"))
        }
        let (f, _) = fetcher(events, limit: limit, seed: UInt64(seed))
        let fetched = try await f.fetch(startMillis: start, endMillis: end)
        let want = Set(events.filter { $0.millis >= start && $0.millis < end }.map(\.ptr))
        #expect(fetched.rows.count == want.count, "duplicates or losses")
        #expect(Set(fetched.rows.compactMap(\.ptr)) == want)
    }

    @Test func aSecondDenserThanOneAnswerFailsLoudly() async throws {
        let events = (0..<120).map { InMemoryInsights.Event(millis: hour + 7_000 + Int64($0 % 1000), ptr: "d\($0)") }
        let (f, _) = fetcher(events, limit: 100)
        await #expect(throws: ChunkFetchError.secondTooDense(second: hour / 1000 + 7, rowsPerAnswer: 100)) {
            _ = try await f.fetch(startMillis: hour + 7_000, endMillis: hour + fiveMinutes)
        }
    }

    @Test func queryTextFiltersASupersetOfTheClientRules() {
        let text = InsightsQueryText.backfill(filter: .seedDefault)
        #expect(text == #"fields @timestamp, @message, @ptr, @logStream | filter @message like /\\?\/api\\?\/pypi\\?\// | sort @timestamp asc | limit 10000"#)
        let custom = InsightsQueryText.backfill(filter: PathFilter(includePrefixes: ["/a.b/", "/c"], excludePrefixes: []), logStream: "pod\"1")
        #expect(custom.contains(#"filter @logStream = "pod\"1""#))
        #expect(custom.contains(#"@message like /\\?\/a\.b\\?\// or @message like /\\?\/c/"#))
        // A prefix JSON could escape differently disables the server filter rather than risk a loss.
        #expect(!InsightsQueryText.backfill(filter: PathFilter(includePrefixes: ["/é/"], excludePrefixes: [])).contains("like"))
    }
}
