import Foundation
import Testing
@testable import Catalog

/// The binary embeds `migrations/*.sql`; these tests prove the embedded set is exactly the files.
@Suite struct EmbeddedMigrationsTests {
    static let migrationsDirectory = packageRoot + "/migrations"
    static let generatedFile = packageRoot + "/Sources/Catalog/EmbeddedMigrations.swift"

    /// `NNNN_name.sql` files of migrations/, sorted.
    static func migrationFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: migrationsDirectory)
            .filter { $0.hasSuffix(".sql") }.sorted()
    }

    /// The Swift source `EmbeddedMigrations.swift` must contain for the current files.
    static func generatedSource() throws -> String {
        var out = """
            // GENERATED from migrations/*.sql — do not edit by hand.
            // Regenerate: PULP_BACKFILL_REGENERATE_MIGRATIONS=1 swift test --filter EmbeddedMigrationsTests
            // (EmbeddedMigrationsTests fails whenever this file and migrations/ differ by a byte.)

            extension EmbeddedMigrations {
                public static let all: [Migration] = [

            """
        for name in try migrationFiles() {
            let sql = try String(contentsOfFile: migrationsDirectory + "/" + name, encoding: .utf8)
            out += "        Migration(version: \(Int(name.prefix(4))!), fileName: \"\(name)\", sql: #\"\"\"\n\(sql)\n\"\"\"#),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    @Test func fileNamesFollowTheConvention() throws {
        let files = try Self.migrationFiles()
        #expect(!files.isEmpty)
        for (index, name) in files.enumerated() {
            #expect(name.range(of: #"^\d{4}_[a-z0-9_]+\.sql$"#, options: .regularExpression) != nil, "bad name \(name)")
            #expect(Int(name.prefix(4)) == index + 1, "versions must be 1, 2, 3… without gaps: \(name)")
        }
    }

    @Test func embeddedSetEqualsTheFilesByteForByte() throws {
        let files = try Self.migrationFiles()
        #expect(EmbeddedMigrations.all.map(\.fileName) == files)
        for migration in EmbeddedMigrations.all {
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: Self.migrationsDirectory + "/" + migration.fileName))
            #expect(Data(migration.sql.utf8) == onDisk, "\(migration.fileName) differs from its embedded copy; regenerate")
            #expect(migration.version == Int(migration.fileName.prefix(4)))
        }
    }

    @Test func generatedSourceIsUpToDate() throws {
        let expected = try Self.generatedSource()
        let actual = try String(contentsOfFile: Self.generatedFile, encoding: .utf8)
        if ProcessInfo.processInfo.environment["PULP_BACKFILL_REGENERATE_MIGRATIONS"] == "1", actual != expected {
            // Comparing the file just written with itself would prove nothing, and this binary
            // still embeds the old migrations: write it and fail, so the rerun (rebuilt, without
            // the variable) checks it — also by MigrationTests, which reads it back as text.
            try expected.write(toFile: Self.generatedFile, atomically: true, encoding: .utf8)
            Issue.record("regenerated Sources/Catalog/EmbeddedMigrations.swift from migrations/*.sql; rerun without PULP_BACKFILL_REGENERATE_MIGRATIONS to check it")
            return
        }
        #expect(actual == expected, "Sources/Catalog/EmbeddedMigrations.swift is stale: run PULP_BACKFILL_REGENERATE_MIGRATIONS=1 swift test --filter EmbeddedMigrationsTests")
    }
}
