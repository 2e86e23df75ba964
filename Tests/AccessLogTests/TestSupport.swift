import Foundation
@testable import AccessLog

/// Helpers shared by the AccessLog tests.
enum TestSupport {
    /// `Tests/Fixtures/`, found from this file's path (tests never read /work/shared).
    static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    static func fixtureLines() throws -> [[UInt8]] {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent("sample-events.ndjson"))
        return data.split(separator: UInt8(ascii: "\n")).map { Array($0) }
    }

    /// 2026-02-04T14:30:00Z in nanoseconds, worked out by hand:
    /// 1970→2026 is 56 years with 14 leap days (1972…2024) = 20 454 days, + 31 (January)
    /// + 3 = 20 488 days = 1 770 163 200 s, + 14:30:00 (52 200 s) = 1 770 215 400 s.
    static let feb4At1430: Int64 = 1_770_215_400_000_000_000

    /// A complete, keepable access line; tests vary one part of it at a time.
    static func accessLine(
        prefix: String = "pulp [abc]: 10.0.0.1 - user:alice org_id:42 [04/Feb/2026:14:30:00 +0000] ",
        request: String = "\"GET /api/pypi/dom/dist/simple/pkg/ HTTP/1.1\"",
        afterRequest: String = " 200 456 \"-\" \"pip/24.0\" 5",
        suffix: String = " x_forwarded_for:\"1.2.3.4\""
    ) -> String {
        prefix + request + afterRequest + suffix
    }

    static func parse(
        _ message: String?, timestamp: String? = "2026-02-04 14:30:00.000", ptr: String? = "p",
        filter: PathFilter = .seedDefault
    ) -> RowOutcome {
        AccessLogParser(filter: filter).parse(InsightsRow(timestamp: timestamp, message: message, ptr: ptr))
    }

    static func kept(_ outcome: RowOutcome) -> AccessLogRow? {
        if case .kept(let row) = outcome { return row }
        return nil
    }
}
