// Files written by ParquetFileWriter are read back by pyarrow, DuckDB, polars and fastparquet
// (one Python process for the whole set), every cell is compared, and the metadata is checked.
import Foundation
import Testing
@testable import Parquet
import TestRandom

private let createdBy = "pulp-backfill version 2026.11.29.0"

/// One file to write and the facts to check about it.
private struct InteropCase {
    var name: String
    var table: TestTable
    var options: ParquetWriterOptions
    var batchSizes: [Int] = [Int.max]
    var expectRowGroups: Int?
    /// true: every chunk dictionary-encoded, false: every chunk PLAIN, nil: don't care.
    var expectDictionary: [String: Bool] = [:]
    var expectMultiplePages: Bool = false
    /// Columns whose every chunk must have several data pages.
    var expectPagedColumns: Set<String> = []
}

private let accessLogNames = ["timestamp", "message", "user", "org_id", "domain", "distribution",
                              "package", "status_code", "user_agent", "x_forwarded_for"]

/// Access-log-like random rows: increasing timestamps, long unique messages, low-cardinality
/// strings, nulls everywhere, a few empty strings and non-ASCII text.
private func accessLogTable(rows: Int, seed: UInt64, nullRate: Double = 0.1) -> TestTable {
    var rng = TestRandom(seed: seed)
    func maybe<T>(_ value: T) -> T? { Double.random(in: 0..<1, using: &rng) < nullRate ? nil : value }
    let users = ["alice", "bob", "", "zoë", "é", "z", "service-account"]
    let packages = ["requests", "numpy", "django", "flask", "pip", "setuptools", "ça-va"]
    var t: Int64 = 1_764_000_000_000_000_000
    var timestamps: [Int64?] = [], messages: [String?] = [], user: [String?] = [], org: [String?] = []
    var domain: [String?] = [], dist: [String?] = [], package: [String?] = [], status: [Int16?] = []
    var agent: [String?] = [], xff: [String?] = []
    for i in 0..<rows {
        t += Int64.random(in: 0...5_000_000, using: &rng)
        timestamps.append(maybe(t))
        let filler = String(repeating: "x", count: Int.random(in: 0...300, using: &rng))
        messages.append(maybe("10.0.\(i % 256).\(Int.random(in: 0...255, using: &rng)) - - \"GET /api/pypi/d/dist/simple/p\(i)/ HTTP/1.1\" 200 \(filler) ✓"))
        user.append(maybe(users.randomElement(using: &rng)!))
        org.append(maybe("org-\(Int.random(in: 0..<20, using: &rng))"))
        domain.append(maybe(["pulp", "console", "stage"].randomElement(using: &rng)!))
        dist.append(maybe("dist/\(Int.random(in: 0..<5, using: &rng))"))
        package.append(maybe(packages.randomElement(using: &rng)!))
        status.append(maybe([200, 304, 404, 500, -32768, 32767].randomElement(using: &rng)!))
        agent.append(maybe("pip/\(Int.random(in: 20...25, using: &rng)).0"))
        xff.append(maybe("192.168.\(Int.random(in: 0...3, using: &rng)).\(Int.random(in: 0...255, using: &rng))"))
    }
    return TestTable(names: accessLogNames, columns: [
        .timestamps(timestamps), .strings(messages), .strings(user), .strings(org), .strings(domain),
        .strings(dist), .strings(package), .int16s(status), .strings(agent), .strings(xff),
    ])
}

private func options(_ compression: ParquetCompression = .snappy, configure: (inout ParquetWriterOptions) -> Void = { _ in }) -> ParquetWriterOptions {
    var o = ParquetWriterOptions(createdBy: createdBy, compression: compression)
    configure(&o)
    return o
}

private func interopCases() -> [InteropCase] {
    var cases: [InteropCase] = []
    // Random access-log data, several row groups and several pages per chunk, default codec.
    cases.append(InteropCase(
        name: "random-multi-group", table: accessLogTable(rows: 5_000, seed: 1),
        options: options { $0.rowGroupRowLimit = 2_000; $0.dataPageByteLimit = 16 << 10 },
        batchSizes: [700, 1, 3_000, 13], expectRowGroups: 3,
        expectDictionary: ["message": false, "user": true, "package": true, "status_code": true],
        expectMultiplePages: true))
    // Each codec.
    cases.append(InteropCase(
        name: "zstd", table: accessLogTable(rows: 1_500, seed: 2),
        options: options(.zstd) { $0.keyValueMetadata = [ParquetKeyValue(key: "source", value: "pulp-backfill test")] },
        expectRowGroups: 1))
    cases.append(InteropCase(name: "uncompressed", table: accessLogTable(rows: 1_500, seed: 3), options: options(.none), expectRowGroups: 1))
    // Dictionary fallback forced by a tiny dictionary limit: every chunk PLAIN, none mixed.
    cases.append(InteropCase(
        name: "dictionary-fallback", table: accessLogTable(rows: 3_000, seed: 4),
        options: options { $0.dictionaryByteLimit = 20; $0.dataPageByteLimit = 4 << 10 },
        expectDictionary: ["user": false, "package": false, "org_id": false, "status_code": false, "timestamp": false],
        expectMultiplePages: true))
    // Row groups cut by the byte limit, fed one row at a time.
    cases.append(InteropCase(
        name: "byte-limited-groups", table: accessLogTable(rows: 600, seed: 5),
        options: options { $0.rowGroupByteLimit = 32 << 10 }, batchSizes: [1]))
    // All-null columns (every kind), empty strings, and huge strings.
    let n = 300
    var rng = TestRandom(seed: 6)
    let huge: [String?] = (0..<n).map { i in
        if i % 7 == 0 { return nil }
        if i % 50 == 1 { return String(repeating: i % 100 == 1 ? "ÿ" : "\u{10FFFF}", count: 25_000) + "tail\(i)" }  // ~100 KB
        if i % 3 == 0 { return "" }
        return String((0..<Int.random(in: 1...40, using: &rng)).map { _ in "aé€😀z".randomElement(using: &rng)! })
    }
    cases.append(InteropCase(
        name: "nulls-empty-huge",
        table: TestTable(names: ["ts_null", "s_null", "i_null", "empty", "huge"], columns: [
            .timestamps(Array(repeating: nil, count: n)), .strings(Array(repeating: nil, count: n)),
            .int16s(Array(repeating: nil, count: n)), .strings(Array(repeating: "", count: n)), .strings(huge),
        ]),
        options: options { $0.dataPageByteLimit = 64 << 10 }))
    // A column's dictionary choice sticks for the whole file (fastparquet misreads a string column
    // mixing dictionary and PLAIN chunks): "sticky" starts low-cardinality, then turns unique
    // beyond the dictionary limit; "plainFirst" does the opposite; "late" starts all-null.
    let half = 400
    let sticky: [String?] = (0..<(2 * half)).map { $0 < half ? "v\($0 % 5)" : "unique-\($0)-" + String(repeating: "q", count: 40) }
    let plainFirst: [String?] = (0..<(2 * half)).map { $0 < half ? "unique-\($0)-" + String(repeating: "q", count: 40) : "v\($0 % 5)" }
    let late: [String?] = (0..<(2 * half)).map { $0 < half ? nil : "late\($0 % 3)" }
    cases.append(InteropCase(
        name: "sticky-dictionary",
        table: TestTable(names: ["sticky", "plainFirst", "late"], columns: [.strings(sticky), .strings(plainFirst), .strings(late)]),
        options: options { $0.rowGroupRowLimit = half; $0.dictionaryByteLimit = 2_048 },
        expectRowGroups: 2, expectDictionary: ["sticky": true, "plainFirst": false]))
    // Zero rows.
    cases.append(InteropCase(name: "zero-rows", table: accessLogTable(rows: 0, seed: 7), options: options()))
    // bool, int32, int64: several row groups, several pages per chunk (a 200-byte page holds
    // ~800 booleans), dictionaries only for the int columns that pay off.
    cases.append(InteropCase(
        name: "new-kinds", table: newKindsTable(rows: 5_000, seed: 8),
        options: options { $0.rowGroupRowLimit = 2_000; $0.dataPageByteLimit = 200 },
        batchSizes: [700, 1, 3_000, 13], expectRowGroups: 3,
        expectDictionary: ["flag": false, "flag_no_null": false, "i32_low": true, "i64_low": true, "i64_unique": false],
        expectMultiplePages: true, expectPagedColumns: ["flag", "flag_no_null", "i32", "i64", "i64_unique"]))
    cases.append(InteropCase(
        name: "new-kinds-zstd", table: newKindsTable(rows: 1_200, seed: 9), options: options(.zstd), expectRowGroups: 1,
        expectDictionary: ["flag": false, "i32_low": true, "i64_low": true]))
    // A dictionary limit too small for any int column: every chunk PLAIN.
    cases.append(InteropCase(
        name: "new-kinds-plain", table: newKindsTable(rows: 1_500, seed: 10), options: options(.none) { $0.dictionaryByteLimit = 8 },
        expectDictionary: ["i32": false, "i32_low": false, "i64": false, "i64_low": false, "i64_unique": false]))
    // Row groups cut by the byte limit (booleans count 2 bytes a row), one row at a time.
    cases.append(InteropCase(
        name: "new-kinds-byte-limited", table: newKindsTable(rows: 400, seed: 11),
        options: options { $0.rowGroupByteLimit = 8 << 10 }, batchSizes: [1]))
    cases.append(InteropCase(name: "new-kinds-zero-rows", table: newKindsTable(rows: 0, seed: 12), options: options()))
    return cases
}

private let newKindsNames = ["timestamp", "flag", "flag_no_null", "flag_null", "i32", "i32_low", "i32_null",
                             "i64", "i64_low", "i64_unique", "i64_null", "s"]

/// bool, int32 and int64 columns: nulls, all-null and null-free columns, the types' extreme
/// values, long runs of true and of false (RLE-friendly levels, whole bytes of equal bits) and
/// isolated values, low-cardinality ints (dictionary) and unique ones (PLAIN).
private func newKindsTable(rows: Int, seed: UInt64) -> TestTable {
    var rng = TestRandom(seed: seed)
    func maybe<T>(_ value: T) -> T? { Int.random(in: 0..<10, using: &rng) == 0 ? nil : value }
    let int32Edges: [Int32] = [.min, .max, 0, -1, 1, .min + 1, .max - 1]
    let int64Edges: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1, 1 << 53 + 1]
    var timestamps: [Int64?] = [], flag: [Bool?] = [], flagNoNull: [Bool?] = [], i32: [Int32?] = [], i32Low: [Int32?] = []
    var i64: [Int64?] = [], i64Low: [Int64?] = [], i64Unique: [Int64?] = [], s: [String?] = []
    for i in 0..<rows {
        timestamps.append(1_764_000_000_000_000_000 + Int64(i) * 1_000)
        // Runs of 300 true, 300 false, then random with nulls.
        switch (i / 300) % 3 {
        case 0: flag.append(true)
        case 1: flag.append(false)
        default: flag.append(maybe(Bool.random(using: &rng)))
        }
        flagNoNull.append(i % 7 == 0 || i % 3 == 1)
        i32.append(i < int32Edges.count ? int32Edges[i] : maybe(Int32.random(in: .min ... .max, using: &rng)))
        i32Low.append(maybe([200, 404, -7, Int32.max, Int32.min][Int.random(in: 0..<5, using: &rng)]))
        i64.append(i < int64Edges.count ? int64Edges[i] : maybe(Int64.random(in: .min ... .max, using: &rng)))
        i64Low.append(maybe([0, 1_048_576, -3, Int64.max, Int64.min][Int.random(in: 0..<5, using: &rng)]))
        i64Unique.append(Int64(i) * 4_294_967_311 - (1 << 40))
        s.append(maybe("s\(i % 4)"))
    }
    return TestTable(names: newKindsNames, columns: [
        .timestamps(timestamps), .bools(flag), .bools(flagNoNull), .bools(Array(repeating: nil, count: rows)),
        .int32s(i32), .int32s(i32Low), .int32s(Array(repeating: nil, count: rows)),
        .int64s(i64), .int64s(i64Low), .int64s(i64Unique), .int64s(Array(repeating: nil, count: rows)), .strings(s),
    ])
}

/// UTF-8 bytewise order, the order Parquet defines for STRING statistics.
private func utf8Less(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

@Test func readersAgreeWithWhatWasWritten() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-interop-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { if ProcessInfo.processInfo.environment["PARQUET_KEEP_TEST_FILES"] == nil { try? FileManager.default.removeItem(at: directory) } }

    let cases = interopCases()
    var manifest: [[String: String]] = []
    var summaries: [String: ParquetFileSummary] = [:]
    for item in cases {
        let path = directory.appendingPathComponent("\(item.name).parquet").path
        let expected = directory.appendingPathComponent("\(item.name).json").path
        summaries[path] = try item.table.write(to: path, options: item.options, batchSizes: item.batchSizes)
        try item.table.writeExpectedJSON(to: expected)
        manifest.append(["path": path, "expected": expected])
    }
    let output = try PythonRunner.run(script: readerInteropScript, stdin: JSONSerialization.data(withJSONObject: manifest))
    let results = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [String: Any]])

    for item in cases {
        let path = directory.appendingPathComponent("\(item.name).parquet").path
        let result = try #require(results[path], "no result for \(item.name)")
        let readers = try #require(result["readers"] as? [String: String])
        for reader in ["pyarrow", "duckdb", "polars", "fastparquet"] {
            #expect(readers[reader] == "ok", "\(item.name): \(reader): \(readers[reader] ?? "missing")")
        }
        #expect(result["metadata_error"] == nil, "\(item.name): \(result["metadata_error"] ?? "")")
        let metadata = try #require(result["metadata"] as? [String: Any])
        checkMetadata(metadata, item, summary: summaries[path]!)
        if item.name == "random-multi-group" {
            #expect(result["duckdb_types"] as? [String: String] == [
                "timestamp": "TIMESTAMP_NS", "message": "VARCHAR", "user": "VARCHAR", "org_id": "VARCHAR",
                "domain": "VARCHAR", "distribution": "VARCHAR", "package": "VARCHAR", "status_code": "SMALLINT",
                "user_agent": "VARCHAR", "x_forwarded_for": "VARCHAR",
            ])
        }
        if item.name == "new-kinds" {
            // DuckDB sees the plain SQL types (an annotation mix-up would show as e.g. SMALLINT).
            #expect(result["duckdb_types"] as? [String: String] == [
                "timestamp": "TIMESTAMP_NS", "flag": "BOOLEAN", "flag_no_null": "BOOLEAN", "flag_null": "BOOLEAN",
                "i32": "INTEGER", "i32_low": "INTEGER", "i32_null": "INTEGER", "i64": "BIGINT", "i64_low": "BIGINT",
                "i64_unique": "BIGINT", "i64_null": "BIGINT", "s": "VARCHAR",
            ])
        }
    }
}

private func checkMetadata(_ metadata: [String: Any], _ item: InteropCase, summary: ParquetFileSummary) {
    let name = item.name
    #expect(metadata["created_by"] as? String == createdBy, "\(name)")
    let keyValues = Dictionary(uniqueKeysWithValues: item.options.keyValueMetadata.map { ($0.key, $0.value ?? "") })
    #expect(metadata["key_value"] as? [String: String] == keyValues, "\(name)")
    #expect(metadata["num_rows"] as? Int == item.table.rowCount, "\(name)")
    #expect(metadata["names"] as? [String] == item.table.names, "\(name)")
    let expectedTypes = item.table.columns.map { column -> String in
        switch column {
        case .timestamps: "timestamp[ns]"
        case .strings: "string"
        case .int16s: "int16"
        case .bools: "bool"
        case .int32s: "int32"
        case .int64s: "int64"
        }
    }
    #expect(metadata["schema"] as? [String] == expectedTypes, "\(name)")
    // pq.read_schema (footer only) gives exactly these types, every field nullable.
    #expect(metadata["read_schema"] as? [String] == expectedTypes, "\(name)")
    #expect(metadata["nullable"] as? [Bool] == Array(repeating: true, count: expectedTypes.count), "\(name)")
    let groups = metadata["row_groups"] as? [[String: Any]] ?? []
    #expect(groups.count == summary.rowGroups, "\(name)")
    if let expectRowGroups = item.expectRowGroups { #expect(groups.count == expectRowGroups, "\(name)") }
    if item.name == "byte-limited-groups" { #expect(groups.count > 1, "\(name): byte limit did not cut row groups") }

    let codec = switch item.options.compression {
    case .snappy: "SNAPPY"
    case .zstd: "ZSTD"
    case .none: "UNCOMPRESSED"
    }
    var sawMultiplePages = false
    var groupStart = 0
    for group in groups {
        let rowCount = group["num_rows"] as? Int ?? 0
        let rows = groupStart..<(groupStart + rowCount)
        groupStart += rowCount
        let columns = group["columns"] as? [[String: Any]] ?? []
        #expect(columns.count == item.table.columns.count)
        for (index, column) in columns.enumerated() where index < item.table.columns.count {
            let columnName = item.table.names[index]
            let label = "\(name) column \(columnName) rows \(rows)"
            #expect(column["compression"] as? String == codec, "\(label)")
            #expect(column["num_values"] as? Int == rowCount, "\(label)")
            // Pages as walked in the file: never dictionary and PLAIN data pages in one chunk.
            let pages = column["pages"] as? [[Int]] ?? []
            let dictionaryPages = pages.filter { $0[0] == 2 }
            let dataEncodings = Set(pages.filter { $0[0] == 0 }.map { $0[1] })
            let hasDictionary = !dictionaryPages.isEmpty
            #expect(dictionaryPages.count <= 1, "\(label)")
            #expect(column["has_dictionary_page"] as? Bool == hasDictionary, "\(label)")
            #expect(dataEncodings == (hasDictionary ? [8] : [0]), "\(label): data page encodings \(dataEncodings)")
            if pages.count - dictionaryPages.count > 1 { sawMultiplePages = true }
            if item.expectPagedColumns.contains(columnName) {
                #expect(pages.count - dictionaryPages.count > 1, "\(label): expected several data pages")
            }
            if let want = item.expectDictionary[columnName] { #expect(hasDictionary == want, "\(label): dictionary") }
            checkStatistics(column, item.table.columns[index], rows: rows, label: label)
        }
    }
    if item.expectMultiplePages { #expect(sawMultiplePages, "\(name): expected chunks with several pages") }
}

private func checkStatistics(_ column: [String: Any], _ expected: ExpectedColumn, rows: Range<Int>, label: String) {
    switch expected {
    case .timestamps(let values):
        checkOrdered(column, values[rows].compactMap { $0 }, nulls: values[rows].filter { $0 == nil }.count, label: label)
    case .int16s(let values):
        checkOrdered(column, values[rows].compactMap { $0.map(Int.init) }, nulls: values[rows].filter { $0 == nil }.count, label: label)
    case .int32s(let values):
        checkOrdered(column, values[rows].compactMap { $0.map(Int.init) }, nulls: values[rows].filter { $0 == nil }.count, label: label)
    case .int64s(let values):
        checkOrdered(column, values[rows].compactMap { $0.map(Int.init) }, nulls: values[rows].filter { $0 == nil }.count, label: label)
    case .bools(let values):
        // false < true: min is false unless every value is true, max is true unless none is.
        let present = values[rows].compactMap { $0 }
        #expect(column["null_count"] as? Int == rows.count - present.count, "\(label)")
        if present.isEmpty {
            #expect(column["has_min_max"] as? Bool == false, "\(label): min/max on an all-null chunk")
        } else {
            #expect(column["min"] as? Bool == !present.contains(false), "\(label): min")
            #expect(column["max"] as? Bool == present.contains(true), "\(label): max")
        }
    case .strings(let values):
        let present = values[rows].compactMap { $0 }
        #expect(column["null_count"] as? Int == rows.count - present.count, "\(label)")
        guard let minimum = present.min(by: utf8Less), let maximum = present.max(by: utf8Less) else {
            #expect(column["has_min_max"] as? Bool == false, "\(label): min/max on an all-null chunk")
            return
        }
        let gotMin = column["min"] as? String
        let gotMax = column["max"] as? String
        if maximum.utf8.count <= ColumnStatistics.maxStatisticsValueLength && minimum.utf8.count <= ColumnStatistics.maxStatisticsValueLength {
            #expect(gotMin == minimum, "\(label): min")
            #expect(gotMax == maximum, "\(label): max")
        } else if let gotMin, let gotMax {
            // Truncated statistics must still bound every value.
            #expect(!utf8Less(minimum, gotMin), "\(label): truncated min above a value")
            #expect(!utf8Less(gotMax, maximum), "\(label): truncated max below a value")
            #expect(gotMax.utf8.count <= ColumnStatistics.maxStatisticsValueLength + 4, "\(label)")
        }
    }
}

private func checkOrdered<T: Comparable>(_ column: [String: Any], _ present: [T], nulls: Int, label: String) {
    #expect(column["null_count"] as? Int == nulls, "\(label)")
    if let minimum = present.min(), let maximum = present.max() {
        #expect(column["min"] as? T == minimum, "\(label): min")
        #expect(column["max"] as? T == maximum, "\(label): max")
    } else {
        #expect(column["has_min_max"] as? Bool == false, "\(label): min/max on an all-null chunk")
    }
}
