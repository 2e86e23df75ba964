import Foundation
import GRDB
import Testing
@testable import Catalog

/// Empty → latest; every earlier version → latest with data kept; newer than the binary refused.
/// The real migrations are followed by two synthetic ones, so the mechanism is tested whatever
/// the number of real migrations (nothing here assumes how many there are).
@Suite struct MigrationTests {
    /// The real migrations plus two synthetic later ones that change existing tables.
    static let extended: [Migration] = EmbeddedMigrations.all + [
        Migration(version: EmbeddedMigrations.all.count + 1, fileName: "9998_chunk_note.sql",
                  sql: "ALTER TABLE chunk ADD COLUMN note TEXT NOT NULL DEFAULT 'n/a';"),
        Migration(version: EmbeddedMigrations.all.count + 2, fileName: "9999_backfill_owner.sql",
                  sql: "CREATE TABLE backfill_owner (backfill_id INTEGER PRIMARY KEY REFERENCES backfill(id), owner TEXT);\n"
                      + "INSERT INTO backfill_owner SELECT id, 'migrated' FROM backfill;"),
    ]

    static func tableNames(inSQL sql: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: #"CREATE TABLE (\w+)"#)
        let matches = regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql))
        return Set(matches.map { String(sql[Range($0.range(at: 1), in: sql)!]) })
    }

    /// `Sources/Catalog/EmbeddedMigrations.swift` read as text — neither through the generator
    /// that writes it nor through the compiled array: each `Migration(version: N, fileName: "F",
    /// sql: #"""…"""#)` literal is cut out of the source and must equal `migrations/F` byte for
    /// byte, with versions 1…n and one literal per file, however many files there are. Fails
    /// when a migration file was added, changed or removed without regenerating, and when a
    /// regeneration wrote something that does not read back as the files.
    @Test func embeddedSourceHoldsEveryMigrationFileVerbatim() throws {
        let source = try String(contentsOfFile: packageRoot + "/Sources/Catalog/EmbeddedMigrations.swift", encoding: .utf8)
        let directory = packageRoot + "/migrations"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)

        // A multi-line raw literal's value is what lies between the newline after its opening
        // delimiter and the newline before its closing one (closing delimiter unindented).
        let header = try NSRegularExpression(pattern: #"Migration\(version: (\d+), fileName: "([^"]+)", sql: #\"\"\"\n"#)
        var literals: [(version: Int, fileName: String, sql: String)] = []
        var searchStart = source.startIndex
        while let match = header.firstMatch(in: source, range: NSRange(searchStart..., in: source)) {
            let whole = Range(match.range, in: source)!
            let version = Int(source[Range(match.range(at: 1), in: source)!])!
            let fileName = String(source[Range(match.range(at: 2), in: source)!])
            let close = try #require(source.range(of: "\n\"\"\"#", range: whole.upperBound..<source.endIndex), "unterminated literal for \(fileName)")
            literals.append((version, fileName, String(source[whole.upperBound..<close.lowerBound])))
            searchStart = close.upperBound
        }
        #expect(literals.map(\.fileName) == files)
        #expect(literals.map(\.version) == Array(1...max(1, files.count)))
        for literal in literals {
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + literal.fileName))
            #expect(Data(literal.sql.utf8) == onDisk, "\(literal.fileName): EmbeddedMigrations.swift holds other text")
            #expect(literal.version == Int(literal.fileName.prefix(4)))
        }
    }

    @Test func emptyToLatest() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog(path: dir.file("c.sqlite"), mode: .createIfMissing)
        #expect(try catalog.schemaVersion() == Migrator().latestVersion)
        try catalog.close()

        let queue = try DatabaseQueue(path: dir.file("c.sqlite"))
        let appID = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA application_id") }
        let journal = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let tables = Set(try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") })
        let recorded = try queue.read { db in try String.fetchAll(db, sql: "SELECT file_name FROM schema_migration ORDER BY version") }
        try queue.close()
        #expect(appID.map { Int32($0) } == Migrator.applicationID)
        #expect(journal == "wal")
        let expected = EmbeddedMigrations.all.reduce(into: Set<String>()) { $0.formUnion(Self.tableNames(inSQL: $1.sql)) }
        #expect(expected.count >= 6)
        #expect(expected.isSubset(of: tables))
        #expect(tables.contains("schema_migration"))
        #expect(recorded == EmbeddedMigrations.all.map(\.fileName))
    }

    /// Version 1's data, written with version 1's own SQL rather than through today's Catalog
    /// (which writes the latest schema's columns and could not write an old schema), so this
    /// holds however many migrations follow: a backfill with a destination and a range, six
    /// chunks (the first done with its statistics) and one staged row.
    static let seededRow = StagedRow(timestampNanos: t0 * 1_000_000 + 7, ptr: "ptr-é-1", message: "GET /api/pypi/d/main/simple/caf\u{e9}/ 😀",
                                     user: "alice", orgID: nil, domain: "d", distribution: "main", package: "café",
                                     statusCode: 200, userAgent: "pip/24 \"q\"", xForwardedFor: "10.0.0.1")
    static let seededRanges = (0..<6).map { TimeRange(startMillis: t0 + Int64($0) * 5 * minute, endMillis: t0 + Int64($0 + 1) * 5 * minute) }

    static func seedVersion1(_ path: String) throws {
        let v1 = try Catalog(path: path, mode: .createIfMissing, migrator: Migrator(migrations: Array(extended.prefix(1))))
        #expect(try v1.schemaVersion() == 1)
        try v1.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO backfill (id, identity, log_group, aws_region, filter_paths, exclude_paths, compression, layout, created_at_ms)
                VALUES (1, 'seeded-v1', '/aws/pulp', 'eu-west-3', '["/api/pypi/"]', '["/livez","/status"]', 'zstd', 'flat', ?)
                """, arguments: [t0])
            try db.execute(sql: "INSERT INTO backfill_destination (backfill_id, position, uri) VALUES (1, 0, '/tmp/out')")
            try db.execute(sql: "INSERT INTO backfill_range (backfill_id, start_ms, end_ms, planned_at_ms) VALUES (1, ?, ?, ?)",
                           arguments: [t0, t0 + 30 * minute, t0])
            for range in seededRanges {
                try db.execute(sql: "INSERT INTO chunk (backfill_id, start_ms, end_ms, hour_ms) VALUES (1, ?, ?, ?)",
                               arguments: [range.startMillis, range.endMillis, t0])
            }
            try db.execute(sql: """
                UPDATE chunk SET state = 'done', attempts = 1, queries = 1, records_matched = 1, bytes_scanned = 10, rows = 1,
                finished_at_ms = ? WHERE start_ms = ?
                """, arguments: [t0, t0])
            let r = seededRow
            try db.execute(sql: """
                INSERT INTO staged_row (backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, message, user, org_id, domain,
                distribution, package, status_code, user_agent, x_forwarded_for)
                VALUES (1, ?, ?, ?, (SELECT id FROM chunk WHERE start_ms = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [t0, r.timestampNanos, r.ptr, t0, r.message, r.user, r.orgID, r.domain, r.distribution,
                                 r.package, r.statusCode.map { Int($0) }, r.userAgent, r.xForwardedFor])
        }
        try queue.close()
    }

    /// Data written at version 1, migrated to `startVersion` by the migrator of that day, then
    /// to the latest (real migrations plus the synthetic ones): every value is still there and
    /// reads back through today's Catalog. Fails if a migration loses or changes data (e.g. a
    /// staged string not kept byte for byte when its storage class changes).
    @Test(arguments: 1..<extended.count)
    func earlierVersionMigratesToLatestKeepingData(startVersion: Int) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("catalog.sqlite")
        try Self.seedVersion1(path)
        if startVersion > 1 {
            let old = try Catalog(path: path, mode: .mustExist, migrator: Migrator(migrations: Array(Self.extended.prefix(startVersion))))
            #expect(try old.schemaVersion() == startVersion)
            try old.close()
        }

        let migrated = try Catalog(path: path, mode: .mustExist, migrator: Migrator(migrations: Self.extended))
        #expect(try migrated.schemaVersion() == Self.extended.count)
        let chunks = try migrated.chunks(backfillID: 1)
        #expect(chunks.map(\.range) == Self.seededRanges)
        #expect(chunks.filter { $0.state == .done }.map(\.range) == [Self.seededRanges[0]])
        let backfill = try #require(try migrated.backfill(id: 1))
        #expect(backfill.spec.logGroup == "/aws/pulp" && backfill.spec.awsRegion == "eu-west-3")
        #expect(backfill.spec.filterPaths == ["/api/pypi/"] && backfill.spec.excludePaths == ["/livez", "/status"])
        #expect(backfill.spec.destinations == ["/tmp/out"])
        #expect(backfill.spec.compression == "zstd" && backfill.spec.layout == "flat")
        let hour = HourKey(backfillID: 1, hourStartMillis: t0)
        #expect(try migrated.stagedRowCount(hour: hour) == 1)
        #expect(try migrated.stagedRows(hour: hour, after: nil, limit: 10) == [Self.seededRow])
        try migrated.close()

        let queue = try DatabaseQueue(path: path)
        let versions = try queue.read { db in try Int.fetchAll(db, sql: "SELECT version FROM schema_migration ORDER BY version") }
        let owner = try queue.read { db in try String.fetchOne(db, sql: "SELECT owner FROM backfill_owner") }
        let note = try queue.read { db in try String.fetchOne(db, sql: "SELECT DISTINCT note FROM chunk") }
        try queue.close()
        #expect(versions == Array(1...Self.extended.count))
        #expect(owner == "migrated")
        #expect(note == "n/a")
    }

    @Test func newerCatalogIsRefusedUntouched() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("catalog.sqlite")
        let (catalog, _) = try catalogWithBackfill(dir, migrator: Migrator(migrations: Self.extended))
        try catalog.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for mode in [Catalog.OpenMode.mustExist, .createIfMissing, .readOnly] {
            #expect(throws: CatalogError.newerSchema(path: path, found: Self.extended.count, supported: Migrator().latestVersion)) {
                try Catalog(path: path, mode: mode)
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(dir.contents() == ["catalog.sqlite"])
    }

    @Test func failingMigrationLeavesTheLastWholeVersion() throws {
        let dir = TemporaryDirectory()
        let (catalog, backfill) = try catalogWithBackfill(dir)
        try catalog.close()
        let latest = EmbeddedMigrations.all.count
        let broken = Migrator(migrations: EmbeddedMigrations.all + [
            Migration(version: latest + 1, fileName: "9999_broken.sql", sql: "ALTER TABLE chunk ADD COLUMN x TEXT; SELECT * FROM no_such_table;"),
        ])
        #expect(throws: CatalogError.self) { try Catalog(path: dir.file("catalog.sqlite"), mode: .mustExist, migrator: broken) }
        let reopened = try Catalog(path: dir.file("catalog.sqlite"), mode: .mustExist)
        #expect(try reopened.schemaVersion() == latest)
        #expect(try reopened.chunks(backfillID: backfill.id).count == 12)
        try reopened.close()
    }
}
