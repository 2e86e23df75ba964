import AccessLog
import Foundation
import Parquet
import Testing
@testable import BackfillCore

/// `pulp-backfill ddl`'s text, engine × layout × unit, compared byte for byte with the reviewed
/// files in Tests/Fixtures/ddl/ (Tests/interop/test_ddl.py and test_spark.py prove that the
/// engines accept it). After an intended change:
///   PULP_BACKFILL_REGENERATE_DDL=1 swift test --filter TableDDLTests
/// rewrites the files that differ and fails; review `git diff Tests/Fixtures/ddl`, then rerun.
@Suite struct TableDDLTests {
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/BackfillCoreTests/<file> → package root
        return url.path + "/Tests/Fixtures/ddl"
    }()
    /// The location every golden file is generated for.
    static let location = "s3://analytics/pulp/access-logs"

    static func fileName(_ engine: TableDDL.Engine, _ layout: HourFileLayout, _ unit: TimestampUnit) -> String {
        "\(engine.rawValue)-\(layout.rawValue)-\(unit.rawValue).sql"
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let engine: TableDDL.Engine, layout: HourFileLayout, unit: TimestampUnit
        var testDescription: String { TableDDLTests.fileName(engine, layout, unit) }
    }

    static let cases: [Case] = TableDDL.Engine.allCases.flatMap { engine in
        HourFileLayout.allCases.flatMap { layout in TimestampUnit.allCases.map { Case(engine: engine, layout: layout, unit: $0) } }
    }

    /// Fails when the generated text changes in any byte (a type, a quote, a property, a comment)
    /// without the golden file being regenerated and reviewed.
    @Test(arguments: cases) func matchesGoldenFile(_ c: Case) throws {
        let actual = try TableDDL.text(engine: c.engine, location: Self.location, unit: c.unit, layout: c.layout)
        let path = Self.fixtures + "/" + Self.fileName(c.engine, c.layout, c.unit)
        let expected = try? String(contentsOfFile: path, encoding: .utf8)
        if ProcessInfo.processInfo.environment["PULP_BACKFILL_REGENERATE_DDL"] == "1" {
            if actual != expected {
                try FileManager.default.createDirectory(atPath: Self.fixtures, withIntermediateDirectories: true)
                try actual.write(toFile: path, atomically: true, encoding: .utf8)
                // Comparing the file just written with itself would prove nothing: fail, and let
                // the rerun without the variable compare.
                Issue.record("regenerated \(path); review it and rerun without PULP_BACKFILL_REGENERATE_DDL")
            }
            return
        }
        #expect(expected != nil, "missing \(path): run PULP_BACKFILL_REGENERATE_DDL=1 swift test --filter TableDDLTests")
        #expect(actual == expected, "\(path) differs from the generated DDL: regenerate (see the suite's comment) if intended")
    }

    /// No golden file may be left over from an engine, layout or unit that no longer exists (a
    /// stale file would still look reviewed). Fails on any extra file in Tests/Fixtures/ddl.
    @Test func noStrayGoldenFiles() throws {
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.fixtures))
        let expected = Set(Self.cases.map(\.testDescription))
        #expect(present == expected)
    }

    /// Every column the writer writes appears, in the writer's order, in each engine's DDL —
    /// followed by date and hour with the hive layout only. Fails if the DDL stops following
    /// the dataset's schema (a column dropped, reordered or invented).
    @Test(arguments: cases) func namesTheWriterColumnsInOrder(_ c: Case) throws {
        let text = try TableDDL.text(engine: c.engine, location: Self.location, unit: c.unit, layout: c.layout)
        let names = DatasetParquet.schema(Dataset.access(), timestampUnit: c.unit).columns.map(\.name)
        // Snowflake's table has no partition columns (the hour is in each row's timestamp).
        let partitions = c.layout == .hive && c.engine != .snowflake ? ["date", "hour"] : []
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let declared = lines.compactMap { line -> String? in
            guard !line.hasPrefix("--") else { return nil }
            let first = line.split(separator: " ").first.map(String.init) ?? line
            let bare = first.trimmingCharacters(in: CharacterSet(charactersIn: "`\",")).lowercased()
            return (names + ["date", "hour"]).contains(bare) ? bare : nil
        }
        #expect(declared == names + partitions)
    }

    /// The timestamp column's type follows the unit in each engine: Spark cannot read
    /// nanoseconds as a timestamp (BIGINT + the setting), Trino and Snowflake carry the precision.
    /// Fails if a unit maps to another engine type than the one the files need.
    @Test func timestampTypePerUnit() throws {
        func line(_ engine: TableDDL.Engine, _ unit: TimestampUnit) throws -> String {
            let text = try TableDDL.text(engine: engine, location: Self.location, unit: unit)
            return text.split(separator: "\n").first { $0.hasPrefix("  `timestamp`") || $0.hasPrefix("  \"timestamp\"") || $0.hasPrefix("  timestamp ") }
                .map(String.init) ?? ""
        }
        #expect(try line(.spark, .ns) == "  `timestamp` BIGINT,")
        #expect(try line(.spark, .us) == "  `timestamp` TIMESTAMP_NTZ,")
        #expect(try line(.trino, .us) == "  \"timestamp\" timestamp(6),")
        #expect(try line(.snowflake, .ms) == "  timestamp TIMESTAMP_NTZ(3),")
        #expect(try line(.athena, .ns) == "  `timestamp` timestamp,")
        #expect(try TableDDL.text(engine: .spark, location: Self.location, unit: .ns).contains("SET spark.sql.legacy.parquet.nanosAsLong=true;"))
        #expect(try !TableDDL.text(engine: .spark, location: Self.location, unit: .us).contains("nanosAsLong=true"))
    }

    /// Reserved words are quoted in the dialect's own way; Snowflake quotes none of these (a
    /// quoted name would become case-sensitive). Fails if quoting changes per dialect.
    @Test func quotesReservedWordsPerDialect() {
        #expect(TableDDL.identifier("user", engine: .spark) == "`user`")
        #expect(TableDDL.identifier("date", engine: .athena) == "`date`")
        #expect(TableDDL.identifier("timestamp", engine: .trino) == "\"timestamp\"")
        #expect(TableDDL.identifier("select", engine: .duckdb) == "\"select\"")
        #expect(TableDDL.identifier("timestamp", engine: .snowflake) == "timestamp")
        #expect(TableDDL.identifier("table", engine: .snowflake) == "\"table\"")
        #expect(TableDDL.identifier("message", engine: .spark) == "message")
        #expect(TableDDL.identifier("org-id", engine: .duckdb) == "\"org-id\"")
        #expect(TableDDL.identifier("a`b", engine: .spark) == "`a``b`")
    }

    /// A quote or backslash in the location cannot end the string literal early: each dialect
    /// escapes it its own way. Fails if a location could inject SQL.
    @Test func locationLiteralsAreEscaped() throws {
        let spark = try TableDDL.text(engine: .spark, location: "/data/it's\\here", layout: .flat)
        #expect(spark.contains("LOCATION '/data/it\\'s\\\\here';"))
        let duck = try TableDDL.text(engine: .duckdb, location: "/data/it's", layout: .flat)
        #expect(duck.contains("read_parquet('/data/it''s/*.parquet'"))
        let trailing = try TableDDL.text(engine: .athena, location: "s3://b/p///")
        #expect(trailing.contains("LOCATION 's3://b/p/'"))
        #expect(trailing.contains("'storage.location.template' = 's3://b/p/date=${date}/hour=${hour}/'"))
    }

    /// What cannot become a table is a usage error with a message naming the flag. Fails if a
    /// bad dataset, table name or location produced DDL anyway.
    @Test func refusesWhatCannotBeATable() {
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .duckdb, location: "/x", dataset: "no-such-dataset") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .duckdb, location: "/x", table: "a;drop") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .duckdb, location: "/x", table: "a.b.c.d") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .athena, location: "/local/folder") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .snowflake, location: "/local/folder") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .spark, location: "") }
        #expect(throws: TableDDL.Failure.self) { try TableDDL.text(engine: .spark, location: "/a\n;DROP TABLE x") }
        #expect(TableDDL.schema(for: "access", unit: .us)?.columns.first?.kind == .timestampMicros)
    }

    /// A qualified table name reaches Trino's partition sync and Snowflake's stage name.
    /// Fails if the CALL or the stage ignore the catalog/schema the user gave.
    @Test func qualifiedTableNames() throws {
        let trino = try TableDDL.text(engine: .trino, location: Self.location, table: "lake.web.pulp")
        #expect(trino.contains("SET SESSION lake.timestamp_precision = 'NANOSECONDS';"))
        #expect(trino.contains("CALL lake.system.sync_partition_metadata(schema_name => 'web', table_name => 'pulp', mode => 'ADD');"))
        let snowflake = try TableDDL.text(engine: .snowflake, location: Self.location, table: "db.raw.pulp")
        #expect(snowflake.contains("CREATE STAGE db.raw.pulp_stage"))
        #expect(snowflake.contains("FROM @db.raw.pulp_stage"))
    }
}
