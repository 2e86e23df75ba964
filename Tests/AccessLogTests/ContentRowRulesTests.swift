import Testing
@testable import AccessLog

/// The content datasets' row rules (`ContentRowRules`), rule by rule. Expected values are worked
/// out by hand from the line text; where Python's `re` or `round` decides an edge case, the
/// value was computed once with Python 3.11 and is written here as a literal.
@Suite struct ContentRowRulesTests {
    // MARK: - Helpers

    /// One cell of a kept row, as plain values.
    enum Cell: Equatable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
    {
        case null, text(String), int(Int64), bool(Bool)
        init(stringLiteral value: String) { self = .text(value) }
        init(integerLiteral value: Int64) { self = .int(value) }
        init(booleanLiteral value: Bool) { self = .bool(value) }
        init(nilLiteral: ()) { self = .null }
        var description: String {
            switch self {
            case .null: "null"
            case .text(let text): "\"\(text)\""
            case .int(let value): "\(value)"
            case .bool(let value): "\(value)"
            }
        }
    }

    struct Kept: Equatable {
        var nanos: Int64
        var ptr: String
        var cells: [String: Cell]
        /// The value of `column`; a column the dataset does not have is a test failure.
        subscript(_ column: String) -> Cell {
            guard let cell = cells[column] else {
                Issue.record("no column \(column)")
                return .null
            }
            return cell
        }
    }

    enum Parsed: Equatable {
        case kept(Kept)
        case skipped(SkipReason)
        case malformed(String)

        var row: Kept? {
            if case .kept(let row) = self { return row }
            return nil
        }
    }

    static let python = ContentDatasets.python
    static let rpm = ContentDatasets.rpm
    static let maven = ContentDatasets.maven
    static let all = [python, rpm, maven]

    /// 2026-07-20 09:00:00 UTC in nanoseconds (Python: `datetime(2026,7,20,9,tzinfo=utc).timestamp()`).
    static let jul20At0900: Int64 = 1_784_538_000_000_000_000

    /// Runs the dataset's rules on raw bytes. Also checks what every kept row must satisfy:
    /// one value per `valueColumns` entry, each of its column's type (an integer within the
    /// column's range), all text valid UTF-8 — a broken handover fails here.
    static func parse(
        _ dataset: Dataset, bytes message: [UInt8], timestamp: [UInt8]? = Array("2026-07-20 09:00:00.000".utf8),
        ptr: [UInt8] = Array("p".utf8)
    ) -> Parsed {
        var kept: Kept?
        let verdict = message.withUnsafeBufferPointer { message in
            ptr.withUnsafeBufferPointer { ptr in
                withOptional(timestamp) { timestamp in
                    dataset.rules.parse(timestamp: timestamp, message: message, ptr: ptr) { row in
                        #expect(row.values.count == dataset.valueColumns.count)
                        var cells: [String: Cell] = [:]
                        for (column, value) in zip(dataset.valueColumns, row.values) {
                            cells[column.name] = cell(value, column: column)
                        }
                        #expect(UTF8Repair.isValid(row.ptr))
                        kept = Kept(nanos: row.timestampNanos, ptr: String(decoding: row.ptr, as: UTF8.self), cells: cells)
                    }
                }
            }
        }
        switch verdict {
        case .kept:
            guard let kept else {
                Issue.record("kept without a row")
                return .skipped(.lineShape)
            }
            return .kept(kept)
        case .skipped(let reason):
            #expect(kept == nil, "a skipped row was handed over")
            return .skipped(reason)
        case .malformed(let reason):
            #expect(kept == nil, "a malformed row was handed over")
            return .malformed(reason)
        }
    }

    static func parse(
        _ dataset: Dataset, _ message: String, timestamp: String? = "2026-07-20 09:00:00.000", ptr: String = "p"
    ) -> Parsed {
        parse(dataset, bytes: Array(message.utf8), timestamp: timestamp.map { Array($0.utf8) }, ptr: Array(ptr.utf8))
    }

    private static func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBufferPointer { body($0) }
    }

    private static func cell(_ value: ColumnValue, column: DatasetColumn) -> Cell {
        switch value {
        case .null:
            return .null
        case .text(let bytes):
            #expect(column.type == .string, "\(column.name): text in a \(column.type) column")
            #expect(UTF8Repair.isValid(bytes), "\(column.name): invalid UTF-8")
            return .text(String(decoding: bytes, as: UTF8.self))
        case .int(let value):
            switch column.type {
            case .int16: #expect(Int16(exactly: value) != nil, "\(column.name): \(value) overflows int16")
            case .int32: #expect(Int32(exactly: value) != nil, "\(column.name): \(value) overflows int32")
            case .int64: break
            default: Issue.record("\(column.name): an integer in a \(column.type) column")
            }
            return .int(value)
        case .bool(let value):
            #expect(column.type == .bool, "\(column.name): bool in a \(column.type) column")
            return .bool(value)
        }
    }

    /// A content-app line; tests vary one part at a time. `requestTime: nil` is a line from
    /// before `request_time` was logged.
    static func line(
        host: String = "10.1.2.3", time: String = "20/Jul/2026:09:00:00 +0000",
        request: String? = nil, path: String = "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl",
        status: String = "200", bytes: String = "5", referer: String = "-", agent: String = "pip/25.1",
        cache: String = "HIT", size: String = "123", org: String = "42", forwardedFor: String = "1.2.3.4",
        requestTime: String? = "0.001000"
    ) -> String {
        let request = request ?? "GET \(path) HTTP/1.1"
        var text = "\(host) [\(time)] \"\(request)\" \(status) \(bytes) \"\(referer)\" \"\(agent)\" cache:\"\(cache)\""
            + " artifact_size:\"\(size)\" rh_org_id:\"\(org)\" x_forwarded_for:\"\(forwardedFor)\""
        if let requestTime { text += " request_time:\"\(requestTime)\"" }
        return text
    }

    static func keptPython(_ message: String, timestamp: String? = "2026-07-20 09:00:00.000") -> Kept? {
        parse(python, message, timestamp: timestamp).row
    }

    // MARK: - The 13 sample events (Tests/Fixtures style: copied from the shared samples)

    static let sampleEvents = #"""
        {"@timestamp": "2026-07-20 09:00:00.412", "@message": "{\"@timestamp\": \"2026-07-20T09:00:00.412Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.17 [20/Jul/2026:09:00:00 +0000] \\\"GET /api/pulp-content/acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl HTTP/1.1\\\" 200 812345678 \\\"-\\\" \\\"uv/0.7.2 {\\\"installer\\\":{\\\"name\\\":\\\"uv\\\"}}\\\" cache:\\\"MISS\\\" artifact_size:\\\"812345678\\\" rh_org_id:\\\"11223344\\\" x_forwarded_for:\\\"198.51.100.7, 10.0.0.4\\\" request_time:\\\"2.481200\\\"\"}", "@ptr": "Cm0000c0ntent"}
        {"@timestamp": "2026-07-20 09:00:01.003", "@message": "{\"@timestamp\": \"2026-07-20T09:00:01.003Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.18 [20/Jul/2026:09:00:01 +0000] \\\"GET /api/pulp-content/acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl.metadata HTTP/1.1\\\" 200 4521 \\\"-\\\" \\\"pip/25.1\\\" cache:\\\"HIT\\\" artifact_size:\\\"4521\\\" rh_org_id:\\\"11223344\\\" x_forwarded_for:\\\"198.51.100.7\\\" request_time:\\\"0.000900\\\"\"}", "@ptr": "Cm0001c0ntent"}
        {"@timestamp": "2026-07-20 09:00:02.250", "@message": "{\"@timestamp\": \"2026-07-20T09:00:02.250Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.19 [20/Jul/2026:09:00:02 +0000] \\\"GET /api/pulp-content/public-py/index/tools/ruff-0.9.1-1-py3-none-musllinux_1_2_aarch64.whl HTTP/1.1\\\" 304 0 \\\"-\\\" \\\"pip/24.3\\\" cache:\\\"HIT\\\" artifact_size:\\\"-\\\" rh_org_id:\\\"-\\\" x_forwarded_for:\\\"203.0.113.9\\\" request_time:\\\"0.001500\\\"\"}", "@ptr": "Cm0002c0ntent"}
        {"@timestamp": "2026-07-20 09:00:03.777", "@message": "{\"@timestamp\": \"2026-07-20T09:00:03.777Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.20 [20/Jul/2026:09:00:03 +0000] \\\"GET /api/pulp-content/public-py/index/tools/not-a-wheel.whl HTTP/1.1\\\" 200 10 \\\"-\\\" \\\"curl/8.9\\\" cache:\\\"MISS\\\" artifact_size:\\\"10\\\" rh_org_id:\\\"-\\\" x_forwarded_for:\\\"203.0.113.10\\\" request_time:\\\"0.000400\\\"\"}", "@ptr": "Cm0003c0ntent"}
        {"@timestamp": "2026-07-20 09:00:04.000", "@message": "{\"@timestamp\": \"2026-07-20T09:00:04.000Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.21 [20/Jul/2026:09:00:04 +0000] \\\"GET /api/pulp-content/copr-pub/user/project-42/epel-9-x86_64/Packages/z/zsh-5.9-8.el9.x86_64.rpm HTTP/1.1\\\" 200 3541233 \\\"-\\\" \\\"libdnf (Red Hat Enterprise Linux 9.5; generic; Linux.x86_64)\\\" cache:\\\"MISS\\\" artifact_size:\\\"3541233\\\" rh_org_id:\\\"55667788\\\" x_forwarded_for:\\\"192.0.2.44\\\" request_time:\\\"0.061500\\\"\"}", "@ptr": "Cm0004c0ntent"}
        {"@timestamp": "2026-07-20 09:00:05.120", "@message": "{\"@timestamp\": \"2026-07-20T09:00:05.120Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.22 [20/Jul/2026:09:00:05 +0000] \\\"GET /api/pulp-content/copr-pub/user/project-42/epel-9-x86_64/Packages/p/python3-attrs-1:22.2.0-3.el9.noarch.rpm HTTP/1.1\\\" 200 120001 \\\"-\\\" \\\"dnf/4.14.0\\\" cache:\\\"HIT\\\" artifact_size:\\\"120001\\\" rh_org_id:\\\"55667788\\\" x_forwarded_for:\\\"192.0.2.44, 192.0.2.1\\\" request_time:\\\"0.000500\\\"\"}", "@ptr": "Cm0005c0ntent"}
        {"@timestamp": "2026-07-20 09:00:06.900", "@message": "{\"@timestamp\": \"2026-07-20T09:00:06.900Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.23 [20/Jul/2026:09:00:06 +0000] \\\"GET /api/pulp-content/copr-pub/user/project-42/epel-9-x86_64/repodata/primary.xml.gz HTTP/1.1\\\" 200 99112 \\\"-\\\" \\\"dnf/4.14.0\\\" cache:\\\"HIT\\\" artifact_size:\\\"99112\\\" rh_org_id:\\\"-\\\" x_forwarded_for:\\\"192.0.2.44\\\" request_time:\\\"0.000300\\\"\"}", "@ptr": "Cm0006c0ntent"}
        {"@timestamp": "2026-07-20 09:00:07.010", "@message": "{\"@timestamp\": \"2026-07-20T09:00:07.010Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.24 [20/Jul/2026:09:00:07 +0000] \\\"GET /api/pulp-content/internal/rhel9-extras/bogus.rpm HTTP/1.1\\\" 404 0 \\\"-\\\" \\\"dnf/4.14.0\\\" cache:\\\"-\\\" artifact_size:\\\"-\\\" rh_org_id:\\\"-\\\" x_forwarded_for:\\\"192.0.2.45\\\" request_time:\\\"0.000200\\\"\"}", "@ptr": "Cm0007c0ntent"}
        {"@timestamp": "2026-07-20 09:00:08.333", "@message": "{\"@timestamp\": \"2026-07-20T09:00:08.333Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.25 [20/Jul/2026:09:00:08 +0000] \\\"GET /api/pulp-content/jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2.jar HTTP/1.1\\\" 302 702 \\\"-\\\" \\\"Apache-Maven/3.9.9 (Java 21.0.5; Linux 6.12.9)\\\" cache:\\\"MISS\\\" artifact_size:\\\"1698765\\\" rh_org_id:\\\"99887766\\\" x_forwarded_for:\\\"198.51.100.23\\\" request_time:\\\"0.120400\\\"\"}", "@ptr": "Cm0008c0ntent"}
        {"@timestamp": "2026-07-20 09:00:09.500", "@message": "{\"@timestamp\": \"2026-07-20T09:00:09.500Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.26 [20/Jul/2026:09:00:09 +0000] \\\"GET /api/pulp-content/jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2-javadoc.jar HTTP/1.1\\\" 302 702 \\\"-\\\" \\\"Gradle/8.12\\\" cache:\\\"HIT\\\" artifact_size:\\\"3412876\\\" rh_org_id:\\\"99887766\\\" x_forwarded_for:\\\"198.51.100.23\\\" request_time:\\\"0.004500\\\"\"}", "@ptr": "Cm0009c0ntent"}
        {"@timestamp": "2026-07-20 09:00:10.101", "@message": "{\"@timestamp\": \"2026-07-20T09:00:10.101Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.27 [20/Jul/2026:09:00:10 +0000] \\\"GET /api/pulp-content/jvm/libs-snapshot/org/acme/widget/0.3-SNAPSHOT/widget-0.3-SNAPSHOT.pom HTTP/1.1\\\" 302 650 \\\"-\\\" \\\"Apache-Maven/3.9.9\\\" cache:\\\"MISS\\\" artifact_size:\\\"1200\\\" rh_org_id:\\\"99887766\\\" x_forwarded_for:\\\"198.51.100.24\\\" request_time:\\\"0.050000\\\"\"}", "@ptr": "Cm0010c0ntent"}
        {"@timestamp": "2026-07-20 09:00:11.404", "@message": "{\"@timestamp\": \"2026-07-20T09:00:11.404Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.28 [20/Jul/2026:09:00:11 +0000] \\\"GET /api/pulp-content/jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2.jar.sha1 HTTP/1.1\\\" 302 650 \\\"-\\\" \\\"Apache-Maven/3.9.9\\\" cache:\\\"HIT\\\" artifact_size:\\\"40\\\" rh_org_id:\\\"99887766\\\" x_forwarded_for:\\\"198.51.100.23\\\" request_time:\\\"0.001000\\\"\"}", "@ptr": "Cm0011c0ntent"}
        {"@timestamp": "2026-06-10 18:30:00.000", "@message": "{\"@timestamp\": \"2026-06-10T18:30:00.000Z\", \"kubernetes\": {\"container_name\": \"pulp-content\", \"namespace_name\": \"pulp-prod\"}, \"level\": \"info\", \"message\": \"10.130.2.29 [10/Jun/2026:18:30:00 +0000] \\\"GET /api/pulp-content/public-py/index/tools/six-1.17.0-py2.py3-none-any.whl HTTP/1.1\\\" 200 11050 \\\"-\\\" \\\"pip/23.2\\\" cache:\\\"HIT\\\" artifact_size:\\\"11050\\\" rh_org_id:\\\"-\\\" x_forwarded_for:\\\"203.0.113.50\\\"\"}", "@ptr": "Cm0012c0ntent"}
        """#

    /// What each sample event becomes in each dataset: a complete row in the one dataset it
    /// belongs to (every column checked), the skip reason in the others.
    static let sampleExpectations: [(python: Parsed, rpm: Parsed, maven: Parsed)] = {
        let jul20 = jul20At0900
        func row(_ millis: Int64, _ ptr: String, _ cells: [String: Cell]) -> Parsed {
            .kept(Kept(nanos: jul20 + millis * 1_000_000, ptr: ptr, cells: cells))
        }
        let other = Parsed.skipped(.otherDataset)
        return [
            // 0: a wheel; the user agent holds raw quotes; 2.4812 s → 2481 ms.
            (row(412, "Cm0000c0ntent", [
                "domain": "acme-ai", "distribution": "wheels/cuda12", "package_name": "torch", "package_version": "2.6.0",
                "architecture": "manylinux_2_28_x86_64",
                "artifact_path": "/api/pulp-content/acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl",
                "artifact_size": 812_345_678, "status_code": 200, "cache_hit": false,
                "user_agent": #"uv/0.7.2 {"installer":{"name":"uv"}}"#, "org_id": "11223344",
                "x_forwarded_for": "198.51.100.7, 10.0.0.4", "request_time_ms": 2481,
                "build_tag": nil, "pyver": "cp311", "abi": "cp311",
            ]), other, other),
            // 1: .whl.metadata (the path keeps it); 0.0009 s → 0.9 → 1 ms.
            (row(1003, "Cm0001c0ntent", [
                "domain": "acme-ai", "distribution": "wheels/cuda12", "package_name": "torch", "package_version": "2.6.0",
                "architecture": "manylinux_2_28_x86_64",
                "artifact_path": "/api/pulp-content/acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl.metadata",
                "artifact_size": 4521, "status_code": 200, "cache_hit": true, "user_agent": "pip/25.1", "org_id": "11223344",
                "x_forwarded_for": "198.51.100.7", "request_time_ms": 1, "build_tag": nil, "pyver": "cp311", "abi": "cp311",
            ]), other, other),
            // 2: a build tag; artifact_size and rh_org_id "-" → null; 0.0015 s → 1.5 → 2 ms.
            (row(2250, "Cm0002c0ntent", [
                "domain": "public-py", "distribution": "index/tools", "package_name": "ruff", "package_version": "0.9.1",
                "architecture": "musllinux_1_2_aarch64",
                "artifact_path": "/api/pulp-content/public-py/index/tools/ruff-0.9.1-1-py3-none-musllinux_1_2_aarch64.whl",
                "artifact_size": nil, "status_code": 304, "cache_hit": true, "user_agent": "pip/24.3", "org_id": nil,
                "x_forwarded_for": "203.0.113.9", "request_time_ms": 2, "build_tag": "1", "pyver": "py3", "abi": "none",
            ]), other, other),
            // 3: ends in .whl but is no wheel name.
            (.skipped(.fileName), other, other),
            // 4: Packages/z/ dropped from the distribution; 0.0615 s → 61.5 → 62 ms.
            (other, row(4000, "Cm0004c0ntent", [
                "domain": "copr-pub", "distribution": "user/project-42/epel-9-x86_64", "package_name": "zsh",
                "package_version": "5.9", "architecture": "x86_64",
                "artifact_path": "/api/pulp-content/copr-pub/user/project-42/epel-9-x86_64/Packages/z/zsh-5.9-8.el9.x86_64.rpm",
                "artifact_size": 3_541_233, "status_code": 200, "cache_hit": false,
                "user_agent": "libdnf (Red Hat Enterprise Linux 9.5; generic; Linux.x86_64)", "org_id": "55667788",
                "x_forwarded_for": "192.0.2.44", "request_time_ms": 62, "epoch": 0, "release": "8.el9",
            ]), other),
            // 5: an epoch; noarch; 0.0005 s → 0.5 → 0 ms (half to even).
            (other, row(5120, "Cm0005c0ntent", [
                "domain": "copr-pub", "distribution": "user/project-42/epel-9-x86_64", "package_name": "python3-attrs",
                "package_version": "22.2.0", "architecture": "noarch",
                "artifact_path": "/api/pulp-content/copr-pub/user/project-42/epel-9-x86_64/Packages/p/python3-attrs-1:22.2.0-3.el9.noarch.rpm",
                "artifact_size": 120_001, "status_code": 200, "cache_hit": true, "user_agent": "dnf/4.14.0", "org_id": "55667788",
                "x_forwarded_for": "192.0.2.44, 192.0.2.1", "request_time_ms": 0, "epoch": 1, "release": "3.el9",
            ]), other),
            // 6: repodata: a valid path, but no dataset's file.
            (other, other, other),
            // 7: bogus.rpm has no "." before .rpm.
            (other, .skipped(.fileName), other),
            // 8: a jar without classifier; 0.1204 s → 120.39999… → 120 ms.
            (other, other, row(8333, "Cm0008c0ntent", [
                "domain": "jvm", "distribution": "libs-release", "package_name": "jackson-databind", "package_version": "2.18.2",
                "architecture": nil,
                "artifact_path": "/api/pulp-content/jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2.jar",
                "artifact_size": 1_698_765, "status_code": 302, "cache_hit": false,
                "user_agent": "Apache-Maven/3.9.9 (Java 21.0.5; Linux 6.12.9)", "org_id": "99887766",
                "x_forwarded_for": "198.51.100.23", "request_time_ms": 120,
                "group_id": "com.fasterxml.jackson.core", "classifier": nil, "packaging": "jar",
            ])),
            // 9: a classifier; 0.0045 s → 4.5 → 4 ms (half to even).
            (other, other, row(9500, "Cm0009c0ntent", [
                "domain": "jvm", "distribution": "libs-release", "package_name": "jackson-databind", "package_version": "2.18.2",
                "architecture": nil,
                "artifact_path": "/api/pulp-content/jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2-javadoc.jar",
                "artifact_size": 3_412_876, "status_code": 302, "cache_hit": true, "user_agent": "Gradle/8.12", "org_id": "99887766",
                "x_forwarded_for": "198.51.100.23", "request_time_ms": 4,
                "group_id": "com.fasterxml.jackson.core", "classifier": "javadoc", "packaging": "jar",
            ])),
            // 10: a SNAPSHOT pom.
            (other, other, row(10101, "Cm0010c0ntent", [
                "domain": "jvm", "distribution": "libs-snapshot", "package_name": "widget", "package_version": "0.3-SNAPSHOT",
                "architecture": nil, "artifact_path": "/api/pulp-content/jvm/libs-snapshot/org/acme/widget/0.3-SNAPSHOT/widget-0.3-SNAPSHOT.pom",
                "artifact_size": 1200, "status_code": 302, "cache_hit": false, "user_agent": "Apache-Maven/3.9.9",
                "org_id": "99887766", "x_forwarded_for": "198.51.100.24", "request_time_ms": 50,
                "group_id": "org.acme", "classifier": nil, "packaging": "pom",
            ])),
            // 11: a checksum file: no dataset keeps it.
            (other, other, other),
            // 12: before request_time was logged → null. 2026-06-10 18:30:00 UTC = 1 781 116 200 s.
            (.kept(Kept(nanos: 1_781_116_200_000_000_000, ptr: "Cm0012c0ntent", cells: [
                "domain": "public-py", "distribution": "index/tools", "package_name": "six", "package_version": "1.17.0",
                "architecture": "any", "artifact_path": "/api/pulp-content/public-py/index/tools/six-1.17.0-py2.py3-none-any.whl",
                "artifact_size": 11050, "status_code": 200, "cache_hit": true, "user_agent": "pip/23.2", "org_id": nil,
                "x_forwarded_for": "203.0.113.50", "request_time_ms": nil, "build_tag": nil, "pyver": "py2.py3", "abi": "none",
            ])), other, other),
        ]
    }()

    @Test func sampleEvents_eachDatasetGetsItsRowsAndSkipsTheOthers() throws {
        let lines = Self.sampleEvents.split(separator: "\n").map(String.init)
        try #require(lines.count == 13)
        for (index, (line, expected)) in zip(lines, Self.sampleExpectations).enumerated() {
            let row = try InsightsRowDecoder.decodeLine(line)
            for (dataset, want) in [(Self.python, expected.python), (Self.rpm, expected.rpm), (Self.maven, expected.maven)] {
                let got = Self.parse(dataset, row.message ?? "", timestamp: row.timestamp, ptr: row.ptr ?? "")
                // Fails on any wrong, missing or extra column value, or a wrong verdict.
                #expect(got == want, "sample line \(index), \(dataset.name)")
            }
        }
    }

    // MARK: - Rule 0: the line

    @Test func line_plainJSONLogMemberAndLineEnds() throws {
        let plain = Self.line()
        let expected = try #require(Self.keptPython(plain))
        #expect(expected["package_name"] == "pkg")
        // The `log` member when `message` is absent; trailing \r\n dropped (else the last quote
        // would not end the line and the row would be line-shape).
        let escaped = plain.replacingOccurrences(of: "\"", with: "\\\"")
        #expect(Self.keptPython(#"{"level":"info","log":""# + escaped + #"\r\n"}"#) == expected)
        #expect(Self.keptPython(plain + "\r\n") == expected)
        // `message` wins over `log`.
        #expect(Self.keptPython(#"{"log":"x","message":""# + escaped + #""}"#) == expected)
    }

    @Test func line_invalidUTF8IsReadAsReplacementCharacters() throws {
        // 0xFF and a truncated 3-byte sequence in the user agent; an invalid byte in @ptr.
        let text = Self.line(agent: "ua-MARK")
        var bytes = Array(text.utf8)
        let mark = try #require(text.range(of: "MARK")).lowerBound.utf16Offset(in: text)
        bytes.replaceSubrange(mark..<(mark + 4), with: [0xFF, 0x41, 0xE2, 0x82])
        let row = try #require(Self.parse(Self.python, bytes: bytes, ptr: [0x70, 0xC3]).row)
        #expect(row["user_agent"] == "ua-\u{FFFD}A\u{FFFD}")
        #expect(row.ptr == "p\u{FFFD}")
        #expect(row["package_name"] == "pkg")
    }

    // MARK: - Rule 1: line shape

    @Test func shape_rawQuotesInUserAgentAndReferer() throws {
        // Values computed with Python's re.fullmatch on the rule's pattern.
        #expect(Self.keptPython(Self.line(agent: #"Mozilla "quoted" x"#))?["user_agent"] == #"Mozilla "quoted" x"#)
        // The referer is the shortest: it ends at the first `" "`.
        #expect(Self.keptPython(Self.line(referer: "a", agent: #"b" "c"#))?["user_agent"] == #"b" "c"#)
        #expect(Self.keptPython(Self.line(referer: #"" ""#))?["user_agent"] == #"" "pip/25.1"#)
        // A user agent that looks like the tail: the tail is the line's last quotes.
        let fake = #"x" cache:"MISS" artifact_size:"1" rh_org_id:"2" x_forwarded_for:"3" request_time:"4"#
        let row = try #require(Self.keptPython(Self.line(agent: fake)))
        #expect(row["user_agent"] == .text(fake))
        #expect(row["cache_hit"] == true)
        #expect(row["request_time_ms"] == 1)
        let fakeOld = #"x" cache:"MISS" artifact_size:"1" rh_org_id:"2" x_forwarded_for:"3"#
        #expect(Self.keptPython(Self.line(agent: fakeOld, requestTime: nil))?["user_agent"] == .text(fakeOld))
        // Backslashes are not escapes: kept as logged.
        #expect(Self.keptPython(Self.line(agent: #"a\"b"#))?["user_agent"] == #"a\"b"#)
        // Empty user agent and referer.
        #expect(Self.keptPython(Self.line(agent: ""))?["user_agent"] == "")
        #expect(Self.keptPython(Self.line(referer: ""))?["user_agent"] == "pip/25.1")
        // NUL and \r are not \n: allowed in the user agent.
        #expect(Self.keptPython(Self.line(agent: "a\u{0}b\rc"))?["user_agent"] == "a\u{0}b\rc")
    }

    @Test func shape_newlinesWhereTheRegexAllowsThem() throws {
        // `[^"]*` and `[^\]]*` match \n; `.` (referer, user agent) does not.
        #expect(Self.keptPython(Self.line(forwardedFor: "a\nb"))?["x_forwarded_for"] == "a\nb")
        #expect(Self.keptPython(Self.line(time: "a\nb")) != nil)
        #expect(Self.parse(Self.python, Self.line(agent: "a\nb")) == .skipped(.lineShape))
        #expect(Self.parse(Self.python, Self.line(referer: "a\nb")) == .skipped(.lineShape))
    }

    @Test func shape_tokensAreUnicodeNonWhitespaceRunsEndedBySpaces() {
        // Each of these breaks the line (Python's \s includes them; checked with re.fullmatch).
        for host in ["a\tb", "a\u{A0}b", "a\u{1C}b", "a\u{85}b", "a\u{3000}b", "a\u{2028}b", "a\u{202F}b", "a\u{1680}b", ""] {
            #expect(Self.parse(Self.python, Self.line(host: host)) == .skipped(.lineShape), "host \(host.debugDescription)")
        }
        #expect(Self.parse(Self.python, Self.line(status: "2\u{A0}00")) == .skipped(.lineShape))
        #expect(Self.parse(Self.python, Self.line(bytes: "5\u{3000}")) == .skipped(.lineShape))
        #expect(Self.parse(Self.python, Self.line(status: " 200")) == .skipped(.lineShape))
        // Not whitespace for Python: U+180E, U+200B, "[x]" and quotes in tokens are fine.
        for host in ["a\u{180E}b", "a\u{200B}b", "[x]", "\u{7F}"] {
            #expect(Self.keptPython(Self.line(host: host)) != nil, "host \(host.debugDescription)")
        }
        #expect(Self.keptPython(Self.line(status: "\"200\""))?["status_code"] == .null)
        #expect(Self.keptPython(Self.line(bytes: "-")) != nil)
    }

    @Test func shape_brokenLinesAreLineShape() {
        let good = Self.line()
        let broken = [
            good + " ",  // anything after the last value
            good.replacingOccurrences(of: " cache:", with: " cache: "),
            good.replacingOccurrences(of: " rh_org_id:", with: " org_id:"),
            good.replacingOccurrences(of: " x_forwarded_for:\"1.2.3.4\"", with: ""),
            good.replacingOccurrences(of: "10.1.2.3 [", with: "10.1.2.3["),
            good.replacingOccurrences(of: "\"0.001000\"", with: "\"0.1\" x\""),  // a quote in request_time
            Self.line(requestTime: nil) + " request_time:0.1",
            "",
            "not a content line",
            // The API's gunicorn line is not a content line.
            #"pulp [abc]: 10.0.0.1 - user:alice org_id:42 [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/d/x/simple/p/ HTTP/1.1" 200 456 "-" "pip/24.0" 5 x_forwarded_for:"1.2.3.4""#,
        ]
        for text in broken {
            #expect(Self.parse(Self.python, text) == .skipped(.lineShape), "\(text.debugDescription)")
        }
    }

    @Test func shape_requestMustBeMethodTargetProtocol() throws {
        for request in ["get /api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl", "GET  /api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl",
            "-", "", "GET", "GET /api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl HTTP/1.1 x",
            "GET /api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl "]
        {
            #expect(Self.parse(Self.python, Self.line(request: request)) == .skipped(.lineShape), "\(request.debugDescription)")
        }
        // Without a protocol; a query and a fragment are cut from the path (and from artifact_path).
        let noProtocol = try #require(Self.keptPython(Self.line(request: "HEAD /api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl")))
        #expect(noProtocol["artifact_path"] == "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl")
        let query = try #require(Self.keptPython(Self.line(path: "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl?x=1#y")))
        #expect(query["artifact_path"] == "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl")
        let fragment = try #require(Self.keptPython(Self.line(path: "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl#a?b")))
        #expect(fragment["artifact_path"] == "/api/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl")
        // Percent-escapes are kept as logged.
        #expect(Self.keptPython(Self.line(path: "/api/pulp-content/d%2F/dist/pkg-1.0-py3-none-any.whl"))?["domain"] == "d%2F")
    }

    // MARK: - Rule 2: path

    @Test func path_prefixAndSegments() throws {
        func path(_ text: String) -> Parsed { Self.parse(Self.python, Self.line(path: text)) }
        #expect(path("/api/pypi/dom/dist/pkg-1.0-py3-none-any.whl") == .skipped(.contentPath))
        #expect(path("/api/pulp-content") == .skipped(.contentPath))
        #expect(path("/api/pulp-content/") == .skipped(.contentPath))
        #expect(path("/api/pulp-content/pkg-1.0-py3-none-any.whl") == .skipped(.contentPath))
        #expect(path("/api/pulp-content/dom/pkg-1.0-py3-none-any.whl") == .skipped(.contentPath))
        #expect(path("/API/pulp-content/dom/dist/pkg-1.0-py3-none-any.whl") == .skipped(.contentPath))
        // Empty segments are kept: an empty domain, an empty distribution segment.
        let emptyDomain = try #require(path("/api/pulp-content//dist/pkg-1.0-py3-none-any.whl").row)
        #expect(emptyDomain["domain"] == "")
        #expect(emptyDomain["distribution"] == "dist")
        #expect(path("/api/pulp-content/dom//pkg-1.0-py3-none-any.whl").row?["distribution"] == "")
        #expect(path("/api/pulp-content/dom/a//b/pkg-1.0-py3-none-any.whl").row?["distribution"] == "a//b")
        // The path rule comes before the dataset: a bad path of another dataset's file is `path`.
        #expect(path("/api/pulp-content/dom/x.rpm") == .skipped(.contentPath))
    }

    @Test func path_packagesPairAndRepodataDroppedOnce() {
        func distribution(_ middle: String) -> Parsed {
            Self.parse(Self.rpm, Self.line(path: "/api/pulp-content/dom/\(middle)/zsh-5.9-8.el9.x86_64.rpm"))
        }
        #expect(distribution("repo/Packages/z").row?["distribution"] == "repo")
        #expect(distribution("repo/Packages/Z").row?["distribution"] == "repo")
        #expect(distribution("a/b/Packages/7").row?["distribution"] == "a/b")
        #expect(distribution("repo/repodata").row?["distribution"] == "repo")
        // Not a pair: two letters, not alphanumeric, lower-case "packages", a non-ASCII letter.
        #expect(distribution("repo/Packages/zz").row?["distribution"] == "repo/Packages/zz")
        #expect(distribution("repo/Packages/_").row?["distribution"] == "repo/Packages/_")
        #expect(distribution("repo/packages/z").row?["distribution"] == "repo/packages/z")
        #expect(distribution("repo/Packages/é").row?["distribution"] == "repo/Packages/é")
        #expect(distribution("repo/Packages/").row?["distribution"] == "repo/Packages/")
        // Once: only the trailing pair, else the trailing repodata.
        #expect(distribution("repo/Packages/x/repodata").row?["distribution"] == "repo/Packages/x")
        #expect(distribution("repo/repodata/Packages/x").row?["distribution"] == "repo/repodata")
        #expect(distribution("repo/repodata/repodata").row?["distribution"] == "repo/repodata")
        // Nothing left → path.
        #expect(distribution("Packages/z") == .skipped(.contentPath))
        #expect(distribution("repodata") == .skipped(.contentPath))
        // A lone "Packages" or a single letter is a distribution.
        #expect(distribution("Packages").row?["distribution"] == "Packages")
        #expect(distribution("z").row?["distribution"] == "z")
    }

    // MARK: - Rule 3: dataset by suffix

    @Test func dataset_suffixesAreCaseSensitiveAndExclusive() {
        let files = [
            "pkg-1.0-py3-none-any.whl": "content-python", "pkg-1.0-py3-none-any.whl.metadata": "content-python",
            "zsh-5.9-8.el9.x86_64.rpm": "content-rpm", "a-1.jar": "content-maven", "a-1.pom": "content-maven",
            "pkg-1.0-py3-none-any.WHL": "", "a-1.jar.sha1": "", "a-1.pom.md5": "", "zsh-5.9-8.el9.x86_64.rpm.sig": "",
            "a-1.metadata": "", "whl": "", "": "", "x.RPM": "", "a-1.Jar": "",
        ]
        for (file, owner) in files {
            for dataset in Self.all {
                let got = Self.parse(dataset, Self.line(path: "/api/pulp-content/dom/repo/g/a/1/\(file)"))
                if dataset.name == owner {
                    #expect(got.row != nil, "\(file) in \(dataset.name): \(got)")
                } else {
                    #expect(got == .skipped(.otherDataset), "\(file) in \(dataset.name)")
                }
            }
        }
    }

    // MARK: - Rule 4: python

    @Test func python_wheelNames() throws {
        func wheel(_ file: String) -> Parsed { Self.parse(Self.python, Self.line(path: "/api/pulp-content/dom/dist/\(file)")) }
        // Values checked with Python's re.fullmatch on the rule's pattern.
        let build = try #require(wheel("pkg-1.0-1b-cp312-abi3-linux_x86_64.whl").row)
        #expect(build["package_name"] == "pkg")
        #expect(build["package_version"] == "1.0")
        #expect(build["build_tag"] == "1b")
        #expect(build["pyver"] == "cp312")
        #expect(build["abi"] == "abi3")
        #expect(build["architecture"] == "linux_x86_64")
        // The version may be empty; the platform may hold dots (even ".whl").
        #expect(wheel("pkg--py3-none-any.whl").row?["package_version"] == "")
        #expect(wheel("pkg-1.0-py3-none-a.b.whl").row?["architecture"] == "a.b")
        #expect(wheel("pkg-1.0-py3-none-any.whl.whl").row?["architecture"] == "any.whl")
        // A build tag starts with any Unicode decimal digit (\d), and may hold whitespace.
        #expect(wheel("pkg-1.0-\u{0661}x-py3-none-any.whl").row?["build_tag"] == "\u{0661}x")
        #expect(wheel("pkg-1.0-\u{1D7CE}x-py3-none-any.whl").row?["build_tag"] == "\u{1D7CE}x")
        #expect(wheel("pkg-1.0-1\tb-py3-none-any.whl").row?["build_tag"] == "1\tb")
        #expect(wheel("pkg-1.0-\u{B2}x-py3-none-any.whl") == .skipped(.fileName))  // superscript two is No, not Nd
        #expect(wheel("pkg-1.0-b1-py3-none-any.whl") == .skipped(.fileName))
        // U+200B is not whitespace for Python; U+00A0 and tab are.
        #expect(wheel("pk\u{200B}g-1.0-py3-none-any.whl").row?["package_name"] == "pk\u{200B}g")
        for bad in [
            "pk\u{A0}g-1.0-py3-none-any.whl", "pkg-1.\t0-py3-none-any.whl", "pkg-1.0-py3-no\u{3000}ne-any.whl",
            "-1.0-py3-none-any.whl", "pkg-1.0-py3-none-.whl", "pkg-1.0--none-any.whl", "pkg-1.0-py3--any.whl",
            "pkg-1.0-1-2-py3-none-any.whl", "pkg-1.0-none-any.whl", "not-a-wheel.whl", ".whl", ".whl.metadata",
        ] {
            #expect(wheel(bad) == .skipped(.fileName), "\(bad.debugDescription)")
        }
        // Only one .metadata belongs to a wheel file.
        #expect(wheel("pkg-1.0-py3-none-any.whl.metadata.metadata") == .skipped(.otherDataset))
        // .metadata is dropped before matching; artifact_path keeps it.
        let metadata = try #require(wheel("pkg-1.0-1-py3-none-any.whl.metadata").row)
        #expect(metadata["build_tag"] == "1")
        #expect(metadata["architecture"] == "any")
        #expect(metadata["artifact_path"] == "/api/pulp-content/dom/dist/pkg-1.0-1-py3-none-any.whl.metadata")
    }

    // MARK: - Rule 5: rpm

    @Test func rpm_nevra() throws {
        func rpm(_ file: String) -> Parsed { Self.parse(Self.rpm, Self.line(path: "/api/pulp-content/dom/dist/\(file)")) }
        func nevra(_ file: String) -> [Cell]? {
            rpm(file).row.map { [$0["package_name"], $0["epoch"], $0["package_version"], $0["release"], $0["architecture"]] }
        }
        #expect(nevra("kernel-core-5.14.0-427.13.1.el9_4.x86_64.rpm") == ["kernel-core", 0, "5.14.0", "427.13.1.el9_4", "x86_64"])
        #expect(nevra("a-2:1.0-3.noarch.rpm") == ["a", 2, "1.0", "3", "noarch"])
        // Epoch: the digits before the FIRST ":" (leading zeros allowed), up to int32's maximum.
        #expect(nevra("a-0007:1:2-3.x.rpm") == ["a", 7, "1:2", "3", "x"])
        #expect(nevra("a-2147483647:1-3.x.rpm") == ["a", 2_147_483_647, "1", "3", "x"])
        for bad in ["a-2147483648:1-3.x.rpm", "a-:1-3.x.rpm", "a-x:1-3.x.rpm", "a-+1:1-3.x.rpm", "a-\u{0661}:1-3.x.rpm"] {
            #expect(rpm(bad) == .skipped(.fileName), "\(bad)")
        }
        // Empty parts are allowed: the shape only needs a "." and two "-" before it.
        #expect(nevra("-1-2..rpm") == ["", 0, "1", "2", ""])
        #expect(nevra("a.b-1-2.c.rpm") == ["a.b", 0, "1", "2", "c"])
        for bad in ["bogus.rpm", "a-1.x86_64.rpm", "a-1-2.rpm", ".rpm", "a-1-2-3"] {
            let got = rpm(bad)
            #expect(got == .skipped(bad.hasSuffix(".rpm") ? .fileName : .otherDataset), "\(bad)")
        }
        // Both "-" after the last ".": the part before it has none (a file-name skip).
        #expect(rpm("a.b-1-2.rpm") == .skipped(.fileName))
    }

    // MARK: - Rule 6: maven

    @Test func maven_coordinates() throws {
        func maven(_ path: String) -> Parsed { Self.parse(Self.maven, Self.line(path: "/api/pulp-content/dom/\(path)")) }
        func coordinates(_ path: String) -> [Cell]? {
            maven(path).row.map {
                [$0["distribution"], $0["group_id"], $0["package_name"], $0["package_version"], $0["classifier"], $0["packaging"],
                    $0["architecture"]]
            }
        }
        #expect(coordinates("repo/org/x/1.0/x-1.0.jar") == ["repo", "org", "x", "1.0", nil, "jar", nil])
        #expect(coordinates("repo/a/b/c/x/1.0/x-1.0-sources.jar") == ["repo", "a.b.c", "x", "1.0", "sources", "jar", nil])
        // The classifier may be empty, or hold "." and "-".
        #expect(coordinates("repo/g/x/1.0/x-1.0-.pom") == ["repo", "g", "x", "1.0", "", "pom", nil])
        #expect(coordinates("repo/g/x/1.0/x-1.0-a-b.c.jar") == ["repo", "g", "x", "1.0", "a-b.c", "jar", nil])
        // Empty segments join as empty strings.
        #expect(coordinates("repo//x/1.0/x-1.0.jar") == ["repo", "", "x", "1.0", nil, "jar", nil])
        #expect(coordinates("repo/a//b/x/1.0/x-1.0.jar") == ["repo", "a..b", "x", "1.0", nil, "jar", nil])
        // Fewer than four distribution segments (after the drop rule) → path.
        #expect(maven("repo/x/1.0/x-1.0.jar") == .skipped(.contentPath))
        // The drop rule applies first: Packages/z goes, four segments remain.
        #expect(coordinates("repo/g/x/1.0/Packages/z/x-1.0.jar") == ["repo", "g", "x", "1.0", nil, "jar", nil])
        #expect(maven("repo/g/x/repodata/x-repodata.jar") == .skipped(.contentPath))
        // The file name must be artifact-version then ".P" (P without ".") or "-C.P".
        for bad in ["repo/g/x/1.0/y-1.0.jar", "repo/g/x/1.0/x-1.1.jar", "repo/g/x/1.0/x1.0.jar", "repo/g/x/1.0/x-1.0_a.jar",
            "repo/g/x/1.0/x-1.0.tar.jar", "repo/g/x/1.0/X-1.0.jar"]
        {
            #expect(maven(bad) == .skipped(.fileName), "\(bad)")
        }
        // A version that is a prefix of the name's rest.
        #expect(coordinates("repo/g/x/1/x-1.0.jar") == nil)
        #expect(maven("repo/g/x/1/x-1.0.jar") == .skipped(.fileName))
    }

    // MARK: - Rule 7: common fields

    @Test func common_statusCacheSizeOrgForwardedFor() throws {
        func value(_ column: String, _ line: String) -> Cell? { Self.keptPython(line)?[column] }
        for (status, expected) in [("100", Cell.int(100)), ("599", 599), ("0200", 200), ("099", nil), ("600", nil), ("2x", nil),
            ("-", nil), ("99999999999999999999999", nil)]
        {
            #expect(value("status_code", Self.line(status: status)) == expected, "status \(status)")
        }
        for (cache, expected) in [("HIT", Cell.bool(true)), ("MISS", false), ("hit", nil), ("-", nil), ("", nil), ("HIT ", nil)] {
            #expect(value("cache_hit", Self.line(cache: cache)) == expected, "cache \(cache)")
        }
        for (size, expected) in [("0", Cell.int(0)), ("007", 7), ("9223372036854775807", .int(Int64.max)), ("9223372036854775808", nil),
            ("-", nil), ("", nil), ("-5", nil), ("1.0", nil), (" 1", nil), ("\u{0661}", nil)]
        {
            #expect(value("artifact_size", Self.line(size: size)) == expected, "size \(size)")
        }
        for (org, expected) in [("123", Cell.text("123")), ("-", nil), ("", nil), ("--", "--"), (" - ", " - ")] {
            #expect(value("org_id", Self.line(org: org)) == expected, "org \(org)")
        }
        // x_forwarded_for and the user agent are kept whole, even "-" or empty.
        for forwarded in ["1.1.1.1, 2.2.2.2", "-", "", " a , b "] {
            #expect(value("x_forwarded_for", Self.line(forwardedFor: forwarded)) == .text(forwarded))
        }
        #expect(value("user_agent", Self.line(agent: "-")) == "-")
    }

    @Test func common_requestTimeRoundsLikePython() {
        // Each expected value is Python's round(float(v) * 1000), computed with Python 3.11.
        let cases: [(String?, Cell)] = [
            ("0.0005", 0), ("0.0015", 2), ("0.0025", 2), ("0.0035", 4), ("0.0045", 4), ("0.0125", 12), ("0.0665", 66),
            ("1.0005", 1000), ("1.0015", 1002), ("0.1235", 124), ("0.8345", 834),
            // The double product is not the decimal one: 501.49999999999994, 2000.5000000000002.
            ("0.5015", 501), ("2.0005", 2001), ("2.0045", 2005), ("2.0035", 2003),
            ("0.120400", 120), ("2.481200", 2481), ("0.000400", 0), ("0.000900", 1), ("5", 5000), ("1.", 1000), ("0.", 0), ("0.0", 0),
            // More digits than a double holds exactly (the slow path).
            ("0.0005000000000000000001", 0), ("0.00049999999999999999999", 0), ("0.00150000000000000000000001", 2),
            ("00000000000000000000000000001.0005", 1000), ("1.0005000000000000000000000", 1000),
            // int32 bounds: 2147483647.4999 fits, 2147483647.5 rounds out of range.
            ("2147483.647", 2_147_483_647), ("2147483.6474999", 2_147_483_647), ("2147483.6475", nil), ("2147483.648", nil),
            ("123456789012345678", nil), (String(repeating: "9", count: 400), nil),
            // Not `^[0-9]+(\.[0-9]*)?$`, or absent.
            ("-", nil), ("", nil), ("1e3", nil), (".5", nil), ("-1", nil), ("+1", nil), (" 1", nil), ("1 ", nil), ("0x10", nil),
            ("1.2.3", nil), ("inf", nil), ("nan", nil), ("\u{0661}", nil), (nil, nil),
        ]
        for (time, expected) in cases {
            let got = Self.keptPython(Self.line(requestTime: time))?["request_time_ms"]
            #expect(got == expected, "request_time \(time.debugDescription)")
        }
    }

    @Test func common_timestampFallbackAndMalformed() throws {
        let text = Self.line(time: "20/Jul/2026:11:00:00 +0200")
        // @timestamp wins; ISO forms and offsets read as in the access dataset.
        #expect(Self.parse(Self.python, text, timestamp: "2026-07-20 09:00:00.123").row?.nanos == Self.jul20At0900 + 123_000_000)
        #expect(Self.parse(Self.python, text, timestamp: "2026-07-20T10:00:00+01:00").row?.nanos == Self.jul20At0900)
        // Missing or unreadable → the line's [20/Jul/2026:11:00:00 +0200] = 09:00:00Z.
        #expect(Self.parse(Self.python, text, timestamp: nil).row?.nanos == Self.jul20At0900)
        #expect(Self.parse(Self.python, text, timestamp: "yesterday").row?.nanos == Self.jul20At0900)
        // Neither readable → malformed (with "timestamp" in the reason).
        let bad = Self.line(time: "20/Jul/2026:25:00:00 +0000")
        guard case .malformed(let reason) = Self.parse(Self.python, bad, timestamp: "yesterday") else {
            Issue.record("expected malformed")
            return
        }
        #expect(reason.contains("timestamp"))
        #expect(reason.contains("yesterday"))
        guard case .malformed(let missing) = Self.parse(Self.python, bad, timestamp: nil) else {
            Issue.record("expected malformed")
            return
        }
        #expect(missing.contains("no @timestamp"))
        // Skip rules come first: a row that is skipped anyway is never malformed.
        #expect(Self.parse(Self.python, bad + " ", timestamp: nil) == .skipped(.lineShape))
        #expect(Self.parse(Self.python, Self.line(time: "x", path: "/api/pulp-content/d/x.whl"), timestamp: nil) == .skipped(.contentPath))
        #expect(Self.parse(Self.rpm, Self.line(time: "x"), timestamp: nil) == .skipped(.otherDataset))
        #expect(Self.parse(Self.python, Self.line(time: "x", path: "/api/pulp-content/d/e/x.whl"), timestamp: nil) == .skipped(.fileName))
        // Only the line's own time field counts: a bracketed time elsewhere (here in the user
        // agent) does not rescue the row, nor does a time field with more text in it.
        #expect(Self.parse(Self.python, Self.line(time: "x", agent: "[20/Jul/2026:09:00:00 +0000]"), timestamp: nil)
            == .malformed("no @timestamp and no readable [dd/Mon/yyyy:HH:MM:SS ±hhmm] time field in the line"))
        if case .malformed = Self.parse(Self.python, Self.line(time: "20/Jul/2026:09:00:00 +0000 x"), timestamp: nil) {} else {
            Issue.record("a time field with trailing text was read")
        }
        if case .malformed = Self.parse(Self.python, Self.line(time: "20/jul/2026:09:00:00 +0000"), timestamp: nil) {} else {
            Issue.record("a lower-case month was read")
        }
    }

    @Test func ptrIsHandedOverAsIsOrEmpty() {
        #expect(Self.parse(Self.python, Self.line(), ptr: "abc").row?.ptr == "abc")
        #expect(Self.parse(Self.python, Self.line(), ptr: "").row?.ptr == "")
    }

    @Test func pythonCharacterClassesOverEveryScalar() {
        // Python 3.11's `\s` on str (every c with re.match(r"\s", chr(c))): a missing or extra
        // entry in `PythonRegexText.whitespaceLength` fails here.
        let whitespace: Set<UInt32> = [
            0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
            0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        ]
        var digits = 0
        var digitSum: UInt64 = 0
        var wrongSpace: [UInt32] = []
        // Every \s and \d lies below U+20000; above it, a sample of each plane.
        for value in Array(UInt32(0)...0x1FFFF) + stride(from: UInt32(0x20000), through: 0x10FFFF, by: 0x101).map { $0 } {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var encoded: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &encoded) { buffer in
                UTF8.encode(scalar) { byte in
                    buffer[count] = byte
                    count += 1
                }
            }
            withUnsafeBytes(of: encoded) { raw in
                let text = UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[..<count])
                let length = PythonRegexText.whitespaceLength(text, at: 0)
                if (length > 0) != whitespace.contains(value) || (length > 0 && length != text.count) { wrongSpace.append(value) }
                if PythonRegexText.isDecimalDigit(text, at: 0) {
                    digits += 1
                    digitSum += UInt64(value)
                }
            }
        }
        #expect(wrongSpace.isEmpty, "\(wrongSpace.prefix(10).map { String($0, radix: 16) })")
        // Python: len and sum of every c with re.match(r"\d", chr(c)).
        #expect(digits == 660)
        #expect(digitSum == 30_806_570)
    }

    @Test func datasetsDeclareTheContentSkipReasons() {
        // `status` lists these labels; a renamed or missing reason breaks what it shows.
        for dataset in Self.all {
            #expect(dataset.skipReasons.map(\.label) == ["line-shape", "path", "other-dataset", "file-name"])
        }
    }
}
