import GRDB

/// One schema step: `migrations/NNNN_name.sql`, embedded into the binary at build time
/// (see `EmbeddedMigrations.swift`; a test proves it equals the files byte for byte).
public struct Migration: Sendable, Equatable {
    /// NNNN of the file name; versions are applied in increasing order.
    public let version: Int
    /// The file name, e.g. `0001_initial.sql`.
    public let fileName: String
    public let sql: String
}

/// Brings a catalog from whatever version it has to the latest one it knows.
///
/// The version lives in two places: `PRAGMA user_version` (cheap to read before touching
/// anything) and the `schema_migration` table (a readable history: which file, when).
/// `PRAGMA application_id` marks the file as ours, so we never migrate someone else's
/// SQLite database.
public struct Migrator: Sendable {
    /// "PULP" in ASCII; written into the SQLite header of every catalog.
    public static let applicationID: Int32 = 0x5055_4C50

    public let migrations: [Migration]

    public init(migrations: [Migration] = EmbeddedMigrations.all) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// What an open file turned out to be.
    enum FileKind: Equatable, Sendable {
        /// A fresh SQLite file without any table: safe to turn into a catalog.
        case empty
        /// Our catalog at this schema version.
        case catalog(version: Int)
        /// Some other SQLite database.
        case foreign(reason: String)
    }

    static func inspect(_ db: Database) throws -> FileKind {
        let appID = try Int32(truncatingIfNeeded: Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0)
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if appID == applicationID { return .catalog(version: version) }
        if appID == 0 && version == 0 && objects == 0 { return .empty }
        if appID != 0 { return .foreign(reason: "SQLite application_id is \(appID), not pulp-backfill's") }
        return .foreign(reason: "SQLite database without the pulp-backfill application_id")
    }

    /// Applies every migration newer than the file's version, each in its own transaction
    /// together with its version bookkeeping, so a crash leaves the file at a whole version.
    /// `path` is only used in error messages.
    func migrate(_ db: Database, path: String) throws {
        let current: Int
        switch try Self.inspect(db) {
        case .empty: current = 0
        case .catalog(let version): current = version
        case .foreign(let reason): throw CatalogError.notACatalog(path: path, reason: reason)
        }
        if current > latestVersion {
            throw CatalogError.newerSchema(path: path, found: current, supported: latestVersion)
        }
        for migration in migrations where migration.version > current {
            try db.inTransaction(.immediate) {
                try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migration (
                        version INTEGER PRIMARY KEY,
                        file_name TEXT NOT NULL,
                        applied_at_ms INTEGER NOT NULL
                    )
                    """)
                try db.execute(sql: migration.sql)
                try Self.dataSteps[migration.version]?(db)
                try db.execute(
                    sql: "INSERT INTO schema_migration (version, file_name, applied_at_ms) VALUES (?, ?, ?)",
                    arguments: [migration.version, migration.fileName, CatalogClock.nowMillis()])
                try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                return .commit
            }
        }
    }
}

extension Migrator {
    /// Steps that SQL cannot express, run right after their version's file, in the same
    /// transaction.
    static let dataSteps: [Int: @Sendable (Database) throws -> Void] = [5: convertStagedAccessRows]

    /// Version 5: rows staged by version 4 (the access dataset's columns) become records, in
    /// the access dataset's column order: message, user, org_id, domain, distribution,
    /// package, status_code, user_agent, x_forwarded_for.
    static func convertStagedAccessRows(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, message, user, org_id, domain, distribution,
                   package, status_code, user_agent, x_forwarded_for FROM staged_row_v4
            """)
        let insert = try db.makeStatement(sql: """
            INSERT OR IGNORE INTO staged_row (backfill_id, hour_ms, timestamp_ns, ptr, chunk_id, record) VALUES (?, ?, ?, ?, ?, ?)
            """)
        while let row = try rows.next() {
            func text(_ index: Int) -> String? { (row[index] as ExactText?)?.value }
            var record = StagedRecordWriter()
            for index in 5...10 { record.appendText(text(index)) }
            if let status = row[11] as Int64? { record.appendInt(status) } else { record.appendNull() }
            record.appendText(text(12))
            record.appendText(text(13))
            try insert.execute(arguments: [row[0] as Int64, row[1] as Int64, row[2] as Int64, ExactText(text(3) ?? ""), row[4] as Int64,
                                           StagedBytes(bytes: record.bytes)])
        }
        try db.execute(sql: "DROP TABLE staged_row_v4")
    }
}
