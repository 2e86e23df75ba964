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

    /// Every query received, with the @ptr values answered to it (in answer order).
    final class QueryLog: Sendable {
        private let entries = Mutex<[(query: InsightsQuery, ptrs: [String])]>([])
        func append(_ q: InsightsQuery, _ ptrs: [String]) { entries.withLock { $0.append((q, ptrs)) } }
        var all: [InsightsQuery] { entries.withLock { $0.map(\.query) } }
        var answeredPtrs: [[String]] { entries.withLock { $0.map(\.ptrs) } }
    }

    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult {
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
        queries.append(query, rows.compactMap(\.ptr))
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

/// The start seconds of the queries a chunk must take, worked out from the documented rule
/// alone (README "No truncation"), without the fetcher: query from the second holding the
/// chunk's start; an answer is full when it carries `limit` rows or fewer than matched; a full
/// answer whose newest row is still before the chunk's end is continued from that row's second.
/// The answer's newest row is the `limit`-th oldest event of the query's window, whatever order
/// Insights gives ties. Nil when a second is too dense to finish.
func expectedQueryStarts(_ events: [InMemoryInsights.Event], start: Int64, end: Int64, limit: Int) -> [Int64]? {
    let sorted = events.map(\.millis).sorted()
    let lastSecond = end / 1000
    var from = start / 1000
    var starts: [Int64] = []
    while true {
        starts.append(from)
        let window = sorted.filter { $0 >= from * 1000 && $0 < (lastSecond + 1) * 1000 }
        let answered = window.prefix(limit)
        let full = answered.count >= limit || window.count > answered.count
        guard full, let newest = answered.last, newest < end else { return starts }
        guard newest / 1000 > from else { return nil }
        from = newest / 1000
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
        // Exactly the queries the documented rule asks for: fails on a skipped, repeated or
        // mis-started continuation, or on a query count that differs from what was sent.
        #expect(starts == expectedQueryStarts(events, start: hour, end: hour + fiveMinutes, limit: 10_000))
        #expect(fetched.queries == starts.count)
    }

    /// A hand-computed case (limit 10): seconds S…S+4 hold 4 events each, S+5 holds 3, and the
    /// chunk's end second (outside the chunk, inside the query) holds 2. Query 1 from S answers
    /// 10 rows (S, S+1 and 2 of S+2's 4); query 2 must start at S+2 and answers S+2, S+3 and 2
    /// of S+4; query 3 starts at S+4 and gets the remaining 9 (< 10: complete). The two rows of
    /// S+2 (and of S+4) come twice; each must be kept once. Fails if a continuation is missing,
    /// starts at the wrong second, if the overlap did not happen, or if a row is lost or doubled.
    @Test(arguments: 1...5) func continuationsStartAtTheNewestSecondAndOverlapsAreDeduplicated(seed: UInt64) async throws {
        let start = hour + 60_000, end = hour + 120_000
        let s0 = start / 1000
        var events: [InMemoryInsights.Event] = []
        for (offset, count) in [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4), (5, 3), (60, 2)] {
            for i in 0..<count {
                events.append(.init(millis: (s0 + Int64(offset)) * 1000 + Int64(i * 100), ptr: "s\(offset)-\(i)"))
            }
        }
        events.append(.init(millis: start - 1, ptr: "before"))  // outside the chunk and the queries
        let (f, sim) = fetcher(events, limit: 10, seed: seed)
        let fetched = try await f.fetch(startMillis: start, endMillis: end)

        #expect(sim.queries.all.map(\.startSecond) == [s0, s0 + 2, s0 + 4])
        #expect(sim.queries.all.allSatisfy { $0.endSecond == end / 1000 && $0.limit == 10 })
        #expect(expectedQueryStarts(events, start: start, end: end, limit: 10) == [s0, s0 + 2, s0 + 4])
        #expect(fetched.queries == 3)
        let answered = sim.queries.answeredPtrs
        #expect(answered.map(\.count) == [10, 10, 9])
        #expect(Set(answered[0]).intersection(answered[1]).count == 2, "query 2 re-reads 2 rows of S+2")
        #expect(Set(answered[1]).intersection(answered[2]).count == 2, "query 3 re-reads 2 rows of S+4")

        let ptrs = fetched.rows.compactMap(\.ptr)
        let want = events.filter { $0.millis >= start && $0.millis < end }.map(\.ptr)
        #expect(ptrs.count == 23 && Set(ptrs).count == ptrs.count, "no row twice")
        #expect(Set(ptrs) == Set(want), "no row lost, none from outside the chunk")
        let stamps = fetched.rows.compactMap(\.timestamp)
        #expect(stamps == stamps.sorted(), "oldest first")
    }

    /// A random chunk (limit, bounds, events) for `seed`.
    static func randomCase(seed: Int) -> (limit: Int, start: Int64, end: Int64, events: [InMemoryInsights.Event]) {
        let hour: Int64 = 1_770_213_600_000
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
        return (limit, start, end, events)
    }

    @Test(arguments: 0..<40) func randomChunksAreExact(seed: Int) async throws {
        let (limit, start, end, events) = Self.randomCase(seed: seed)
        let (f, sim) = fetcher(events, limit: limit, seed: UInt64(seed))
        let fetched = try await f.fetch(startMillis: start, endMillis: end)
        let want = Set(events.filter { $0.millis >= start && $0.millis < end }.map(\.ptr))
        #expect(fetched.rows.count == want.count, "duplicates or losses")
        #expect(Set(fetched.rows.compactMap(\.ptr)) == want)
        // The continuations are exactly those the documented rule asks for: fails on a
        // skipped, repeated or mis-started continuation.
        let starts = sim.queries.all.map(\.startSecond)
        #expect(starts == expectedQueryStarts(events, start: start, end: end, limit: limit))
        #expect(fetched.queries == starts.count)
    }

    /// The random cases above are not all single-query chunks: many need continuations, so
    /// their exactness checks cover overlapping answers. Fails if the generator drifts into
    /// cases that never continue.
    @Test func randomChunksNeedContinuations() {
        let continued = (0..<40).filter { seed in
            let c = Self.randomCase(seed: seed)
            return (expectedQueryStarts(c.events, start: c.start, end: c.end, limit: c.limit)?.count ?? 0) > 1
        }
        #expect(continued.count >= 30, "\(continued)")
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
