import Foundation
import GRDB
import Testing
@testable import Catalog

/// Empty → latest; every earlier version → latest with data kept; newer than the binary refused.
/// With one real migration, later ones are synthetic: the mechanism is what is tested.
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

    @Test(arguments: 1..<extended.count)
    func earlierVersionMigratesToLatestKeepingData(startVersion: Int) throws {
        let dir = TemporaryDirectory()
        let old = Migrator(migrations: Array(Self.extended.prefix(startVersion)))
        let (catalog, backfill) = try catalogWithBackfill(dir, minutes: 30, migrator: old)
        let chunks = try catalog.chunks(backfillID: backfill.id)
        let staged = row(chunks[0].range.startMillis, "p1\u{0}tail")
        if startVersion < EmbeddedMigrations.all.count {
            // A schema older than this binary writes: stage a row as version 1 did (strings as
            // TEXT), so the migration must carry it over (a NUL inside, as v1 stored it).
            try catalog.write { db in
                try db.execute(sql: "UPDATE chunk SET state = 'done', rows = 1 WHERE id = ?", arguments: [chunks[0].id])
                try db.execute(sql: """
                    INSERT INTO staged_row (backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, message, user, domain,
                                            distribution, package, status_code, user_agent)
                    VALUES (?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [backfill.id, chunks[0].hourStartMillis, staged.timestampNanos, Data(staged.ptr.utf8), chunks[0].id,
                                     staged.message, staged.user, staged.domain, staged.distribution, staged.package,
                                     staged.statusCode.map { Int($0) }, staged.userAgent])
            }
        } else {
            let claimed = try catalog.claimChunks(owner: "w", limit: 1, leaseMillis: 60_000, now: t0)
            try catalog.completeChunk(id: claimed[0].id, owner: "w", rows: [staged],
                                      statistics: ChunkStatistics(queries: 1, recordsMatched: 1, bytesScanned: 10), now: t0)
        }
        #expect(try catalog.schemaVersion() == startVersion)
        try catalog.close()

        let latest = Migrator(migrations: Self.extended)
        let migrated = try Catalog(path: dir.file("catalog.sqlite"), mode: .mustExist, migrator: latest)
        #expect(try migrated.schemaVersion() == Self.extended.count)
        #expect(try migrated.chunks(backfillID: backfill.id) .map(\.range) == chunks.map(\.range))
        #expect(try migrated.backfill(id: backfill.id) == backfill)
        // Fails if a migration loses or truncates staged rows (e.g. at the NUL).
        #expect(try migrated.stagedRows(hour: HourKey(backfillID: backfill.id, hourStartMillis: t0), after: nil, limit: 10) == [staged])
        try migrated.close()

        let queue = try DatabaseQueue(path: dir.file("catalog.sqlite"))
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
