import Testing
@testable import InsightsSimulator

/// The opt-in corpus options (content-app lines, dated API line shapes): off by default and
/// then byte-identical to the corpus every existing test and benchmark was built on; on, they
/// add the lines the content datasets and older-line rules need, still stateless per second.
@Suite struct CorpusOptionsTests {
    static let far: Int64 = 4_000_000_000_000

    func generator(seed: UInt64 = 42, eventsPerHour: Double = 20000, contentPerHour: Double = 0,
                   historicalShapes: Bool = false) -> PulpCorpusGenerator {
        PulpCorpusGenerator(.init(seed: seed, startMs: 0, endMs: CorpusOptionsTests.far, eventsPerHour: eventsPerHour,
                                  contentPerHour: contentPerHour, historicalShapes: historicalShapes))
    }

    static func ms(_ iso: String) -> Int64 { InsightsTime.parse(iso)! }

    /// Content lines only (the API corpus keeps one event on every 5-minute mark even at rate 0).
    static func contentOnly(_ events: [LogEvent]) -> [LogEvent] {
        events.filter { $0.logStream?.hasSuffix("_pulp-content.log") == true }
    }

    /// Digests of `insights-sim expected --start A --end B` (seed 42, defaults) taken before the
    /// options existed. Fails if any default draw, line byte, @ptr or order changed.
    @Test(arguments: [
        ("2026-02-04T14:00:00Z", "2026-02-04T14:10:00Z", 4905, "c7b9f41481195516cb3a7cd0852b03149f1ea5e36a8f6faef92d44ee31dae621"),
        ("2026-01-05T23:55:00Z", "2026-01-06T00:05:00Z", 1829, "7aa2120a3b68ebc6f0961596850a8b73f043ad44d6d1943453d0e13fa1784868"),
        ("2026-01-20T23:55:00Z", "2026-01-21T00:05:00Z", 1793, "27a81e66315c8c3d630b53937e6651ab175f79d035679d68e92e9bc490356604"),
        ("2026-07-16T23:55:00Z", "2026-07-17T00:05:00Z", 1802, "bc0170b805d1ec47c4568278905781ebc59ab73dc4ecc5e707027a4c22a4f21e"),
        ("2025-06-01T03:00:00Z", "2025-06-01T03:10:00Z", 1715, "8a4cfaf28939d0725c931579daa7f394182ef1c1b816356c4793dadaa3e03a05"),
    ])
    func defaultCorpusIsByteIdenticalToThePinnedDigest(start: String, end: String, lines: Int, sha256: String) {
        let events = generator().events(from: Self.ms(start), to: Self.ms(end))
        #expect(events.count == lines)
        #expect(CorpusDigest.sha256Hex(ofExpectedLines: events) == sha256)
    }

    /// Turning content lines on adds lines and changes none of the API ones (own RNG stream).
    /// Fails if the content draws leak into the API stream or the merge drops/reorders events.
    @Test func contentLinesLeaveTheAPILinesAsTheyWere() {
        let lo = Self.ms("2026-07-20T09:00:00Z"), hi = lo + 600_000
        let plain = generator().events(from: lo, to: hi)
        let mixed = generator(contentPerHour: 6000).events(from: lo, to: hi)
        let content = mixed.filter { $0.message.contains(#""container_name":"pulp-content""#) }
        #expect(content.count > 500)
        #expect(mixed.filter { !$0.message.contains(#""container_name":"pulp-content""#) } == plain)
        #expect(mixed.count == plain.count + content.count)
        #expect(zip(mixed, mixed.dropFirst()).allSatisfy { $0.timestampMs <= $1.timestampMs })
        #expect(Set(mixed.map(\.ptr)).count == mixed.count)
        #expect(Set(content.compactMap(\.logStream)).allSatisfy { $0.hasSuffix("_pulp-prod_pulp-content.log") })
    }

    /// Any sub-range is the matching slice of a larger one, with both options on.
    @Test func subRangeIsSliceWithOptionsOn() {
        let g = generator(eventsPerHour: 3000, contentPerHour: 3000, historicalShapes: true)
        let base = Self.ms("2026-01-05T23:55:00Z")
        let full = g.events(from: base, to: base + 600_000)
        for (lo, hi) in [(Int64(0), Int64(300_000)), (123_456, 456_789), (299_999, 300_001), (300_000, 600_000)] {
            let part = g.events(from: base + lo, to: base + hi)
            #expect(part == full.filter { $0.timestampMs >= base + lo && $0.timestampMs < base + hi })
        }
        #expect(g.events(from: base, to: base + 600_000) == full)
    }

    /// The content mix holds every case the content datasets' rules distinguish. Fails if a
    /// case disappears from the generator (the datasets' tests would silently stop covering it).
    @Test func contentLinesCoverTheDatasetRules() throws {
        let lo = Self.ms("2026-07-20T00:00:00Z")
        let events = Self.contentOnly(generator(eventsPerHour: 0, contentPerHour: 20000).events(from: lo, to: lo + 3_600_000))
        var lines: [String] = []
        for e in events {
            let doc = try JSONParser.parse(e.message)
            #expect(doc["kubernetes"]?["container_name"]?.stringValue == "pulp-content")
            lines.append(try #require(doc["message"]?.stringValue))
        }
        #expect(lines.count > 8000)  // 20,000/hour at the daily trough
        let wanted = [
            ".whl HTTP", ".whl.metadata HTTP", "-1-py3-none-any.whl", "-20260101-", ".tar.gz HTTP", "not-a-wheel.whl",
            ".noarch.rpm", ".x86_64.rpm", "/Packages/z/zsh-", "/repodata/repomd.xml", "/repodata/zsh-", "-1:22.2.0-", "-32:", "bogus.rpm",
            "/Packages/ab/", ".jar HTTP", ".pom HTTP", "-sources.jar", "-javadoc.jar", "-linux-x86_64.jar", "-SNAPSHOT/", "-SNAPSHOT.jar",
            "-20260720.", ".jar.sha1", ".pom.md5", "maven-metadata.xml", "/pulp/content/", "HEAD /api/pulp-content/", "?X-Amz-Expires=",
            #""odd "quoted" agent\path""#, #"uv/0.7.2 {"installer""#, #"cache:"HIT""#, #"cache:"MISS""#, #"cache:"-""#,
            #"artifact_size:"-""#, #"artifact_size:"""#, #"rh_org_id:"-""#, #"rh_org_id:"11223344""#, #"x_forwarded_for:"-""#,
            #"x_forwarded_for:"""#, ", 10.0.0.1\"", "\" 304 0 ", "\" 404 0 ", "\" 302 ", "\" 206 ", "\" 500 ",
        ]
        for needle in wanted {
            #expect(lines.contains { $0.contains(needle) }, "no content line contains \(needle)")
        }
        // Every line has the content app's shape, with request_time (6 decimals) on this date.
        for line in lines.prefix(3000) {
            #expect(line.hasPrefix("10.130."))
            #expect(line.contains(" [20/Jul/2026:"))
            let tail = try #require(line.split(separator: " request_time:\"").last)
            let parts = tail.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            #expect(tail.last == "\"" && parts.count == 2 && parts[1].count == 6 && !parts[0].isEmpty
                    && parts.joined().allSatisfy(\.isNumber), "\(line)")
        }
    }

    /// request_time appears from 2026-07-17 00:00 UTC on, never before.
    @Test func requestTimeOnlyFromTheSeventeenthOfJuly() throws {
        let g = generator(eventsPerHour: 0, contentPerHour: 20000)
        let cut = Self.ms("2026-07-17T00:00:00Z")
        let before = Self.contentOnly(g.events(from: cut - 300_000, to: cut))
        let after = Self.contentOnly(g.events(from: cut, to: cut + 300_000))
        #expect(before.count > 100 && after.count > 100)
        #expect(before.allSatisfy { !$0.message.contains("request_time:") })
        #expect(after.allSatisfy { $0.message.contains(#" request_time:\""#) })
        #expect(before.allSatisfy { $0.message.hasSuffix(#"\""}"#) && $0.message.contains(#"x_forwarded_for:\""#) })
    }

    func apiLines(_ g: PulpCorpusGenerator, _ lo: Int64, _ hi: Int64) throws -> [String] {
        try g.events(from: lo, to: hi).map { e in
            e.message.hasPrefix("{") ? try #require(try JSONParser.parse(e.message)["message"]?.stringValue) : e.message
        }.filter { !$0.hasPrefix("django.request") }
    }

    /// `--historical-shapes`: each era's shape, the parentheses on some lines, and today's shape
    /// from 2026-01-21 on. Fails if a line has the wrong shape for its date.
    @Test func historicalShapesFollowTheDates() throws {
        let g = generator(eventsPerHour: 20000, historicalShapes: true)
        let bare = try apiLines(g, Self.ms("2026-01-05T23:50:00Z"), Self.ms("2026-01-06T00:00:00Z"))
        let labelled = try apiLines(g, Self.ms("2026-01-06T00:00:00Z"), Self.ms("2026-01-06T00:10:00Z"))
        let today = try apiLines(g, Self.ms("2026-01-21T00:00:00Z"), Self.ms("2026-01-21T00:10:00Z"))
        for lines in [bare, labelled, today] { #expect(lines.count > 500) }
        // Before 2026-01-06: `pulp [cid]: HOST - USER [` with no labels and no x_forwarded_for.
        #expect(bare.allSatisfy { !$0.contains("user:") && !$0.contains("org_id:") && !$0.contains("x_forwarded_for") })
        #expect(bare.contains { $0.contains(" - alice [") } && bare.contains { $0.contains(" - carol.o'neil [") })
        #expect(bare.contains { $0.contains(" - - [") })
        for line in bare {
            let afterCid = try #require(line.split(separator: "]: ", maxSplits: 1).last)
            let head = try #require(afterCid.split(separator: " [", maxSplits: 1).first)
            #expect(head.split(separator: " ").count == 3, "\(line)")
        }
        // 2026-01-06 … 2026-01-21: labels, no x_forwarded_for.
        #expect(labelled.allSatisfy { $0.contains(" user:") && $0.contains(" org_id:") && !$0.contains("x_forwarded_for") })
        // From 2026-01-21: today's shape.
        #expect(today.allSatisfy { $0.contains(" user:") && $0.contains(" x_forwarded_for:\"") })
        // The production parentheses on some lines of every era, none without the option.
        for lines in [bare, labelled, today] {
            let wrapped = lines.filter { $0.hasPrefix("(pulp [") }
            #expect(wrapped.count > lines.count / 20 && wrapped.count < lines.count / 5)
            #expect(wrapped.allSatisfy { $0.hasSuffix(")") })
        }
        let plain = try apiLines(generator(), Self.ms("2026-01-05T23:50:00Z"), Self.ms("2026-01-06T00:00:00Z"))
        #expect(plain.allSatisfy { !$0.hasPrefix("(") && $0.contains(" user:") && $0.contains("x_forwarded_for:") })
    }
}
