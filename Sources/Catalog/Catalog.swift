import Foundation
import GRDB

/// The SQLite catalog: backfills, chunks with leases, staged rows, exported partitions.
///
/// Connection choice: one GRDB `DatabaseQueue` (a single serialized connection) with the file
/// in WAL mode. Inside the process GRDB runs one database access at a time, so there is one
/// writer at a time and every read sees the latest commit. Across processes WAL lets
/// `status`/`catalog` read while a `run` writes, and every write is an IMMEDIATE transaction
/// (it takes the write lock up front, so the busy timeout resolves contention between
/// processes instead of failing with a lock-upgrade deadlock). A `DatabasePool` would add
/// parallel readers inside one process, which a CLI process doing one thing at a time does
/// not need, and its read-only reader connections leave the -wal/-shm files behind on close.
public final class Catalog: Sendable {
    public let path: String
    let database: DatabaseQueue

    /// How to treat a path without a file.
    public enum OpenMode: Sendable {
        /// `plan`: create the catalog if there is no file yet.
        case createIfMissing
        /// `status`, `catalog`, `run`: the file must exist.
        case mustExist
        /// `plan --dry-run`: the file must exist at the latest version; only reads, never migrates.
        case readOnly
    }

    /// How long a connection waits for another process's write lock before failing.
    static let busyTimeout: TimeInterval = 30

    /// Opens (and, if needed, creates or migrates) the catalog at `path`.
    ///
    /// Nothing is written before the file is known to be a catalog (or absent): a file that is
    /// not SQLite, or a SQLite database of another application, is refused untouched. A new
    /// catalog is built under a temporary name in the same directory and linked into place
    /// only when complete, so a failure never leaves a partial file at `path`.
    public init(path: String, mode: OpenMode, migrator: Migrator = Migrator()) throws {
        self.path = path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw CatalogError.notACatalog(path: path, reason: "it is a directory") }
            try Self.checkHeader(path: path, allowEmpty: mode == .createIfMissing)
            try Self.inspectWithoutWriting(path: path, migrator: migrator, allowEmpty: mode == .createIfMissing,
                                           requireLatest: mode == .readOnly)
        } else {
            guard mode == .createIfMissing else { throw CatalogError.missing(path: path) }
            try Self.createAtomically(path: path, migrator: migrator)
        }
        database = try Self.mappingErrors(path: path) {
            // `.readOnly` still opens a read-write connection (and only reads): a read-only
            // SQLite connection cannot remove the -wal/-shm files it creates, so it would
            // leave files behind; the version check above already ran without writing.
            // The journal mode is not configured here: WAL is persistent in the file, set once
            // by `createAtomically`, and GRDB's WAL set-up would write to the file on every open.
            let database = try DatabaseQueue(path: path, configuration: Self.configuration())
            if mode != .readOnly {
                try database.writeWithoutTransaction { db in
                    // Only files verified above as ours (or as empty) get here. A file that was
                    // formatted in place (an empty file) is not in WAL mode yet.
                    if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                        try db.execute(sql: "PRAGMA journal_mode = WAL")
                    }
                    try migrator.migrate(db, path: path)
                }
            }
            return database
        }
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        config.label = "pulp-backfill-catalog"
        // WAL + synchronous=NORMAL: a commit no longer waits for fsync (only checkpoints do).
        // A killed process loses nothing; a power cut can roll back the last commits, which
        // stays consistent — a lost "done" is fetched again, a lost partition exported again —
        // while claiming and completing hundreds of chunks a minute stops queueing on the disk.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Staged rows are written once and read back once by the compactor: reading them
            // through a 64 MiB map instead of a read() copy per page took a simulated week's
            // backfill from 147 s to 126 s of wall time (less system time on 2 cores). Bounded,
            // as mapped catalog pages count in the resident size.
            try db.execute(sql: "PRAGMA mmap_size = 67108864")
        }
        return config
    }

    /// SQLite files start with this 16-byte header; anything else is refused before SQLite sees it.
    static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    static func checkHeader(path: String, allowEmpty: Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CatalogError.sqlite(path: path, message: "cannot read the file (permission denied?)")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 16)) ?? Data())
        if head.isEmpty {
            if allowEmpty { return }
            throw CatalogError.notACatalog(path: path, reason: "the file is empty")
        }
        if head != sqliteHeader {
            throw CatalogError.notACatalog(path: path, reason: "not an SQLite database")
        }
    }

    /// Reads the application id and version before anything may write, so refusing a foreign or
    /// newer file leaves it untouched. The connection is read-write but only reads: a read-only
    /// connection to a WAL file could not remove the -wal/-shm files it creates.
    static func inspectWithoutWriting(path: String, migrator: Migrator, allowEmpty: Bool, requireLatest: Bool) throws {
        let kind: Migrator.FileKind
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            kind = try queue.read { db in try Migrator.inspect(db) }
            try queue.close()
        } catch {
            throw CatalogError.sqlite(path: path, message: describe(error))
        }
        switch kind {
        case .empty:
            // An SQLite file with no tables at all: nobody's data, safe to format.
            if !allowEmpty { throw CatalogError.notACatalog(path: path, reason: "the database has no tables") }
        case .catalog(let version):
            if version > migrator.latestVersion {
                throw CatalogError.newerSchema(path: path, found: version, supported: migrator.latestVersion)
            }
            if requireLatest && version < migrator.latestVersion {
                throw CatalogError.sqlite(path: path, message: "schema version \(version) needs an upgrade; run a command without --dry-run first")
            }
        case .foreign(let reason):
            throw CatalogError.notACatalog(path: path, reason: reason)
        }
    }

    /// Builds a complete catalog at a temporary name, then hard-links it to `path` (which fails
    /// instead of overwriting if another process created the catalog meanwhile) and removes the
    /// temporary name.
    static func createAtomically(path: String, migrator: Migrator) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CatalogError.directoryMissing(path: directory)
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).creating-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        try mappingErrors(path: path) {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration())
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try migrator.migrate(db, path: path)
            }
            try queue.close()
        }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { return } // someone else created it: open theirs
            throw CatalogError.sqlite(path: path, message: String(cString: strerror(code)))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "SQLite error \(db.resultCode)"
        }
        return "\(error)"
    }

    /// Runs `body`, passing a `CatalogError` through and turning any other error (SQLite's,
    /// GRDB's) into `CatalogError.sqlite` for `path`.
    static func mappingErrors<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError.sqlite(path: path, message: describe(error))
        }
    }

    /// Runs `body` in an IMMEDIATE write transaction, turning SQLite errors into `CatalogError`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors(path: path) {
            try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors(path: path) { try database.read(body) }
    }

    /// Like `read`, on a second connection to the file opened for `body` and closed after it,
    /// so that a long read does not hold up the catalog's own connection.
    func readOnOwnConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors(path: path) {
            let reader = try DatabaseQueue(path: path, configuration: Self.configuration())
            defer { try? reader.close() }
            return try reader.read(body)
        }
    }

    /// The schema version of the open file.
    public func schemaVersion() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// `PRAGMA integrity_check` result: `["ok"]` for a healthy file.
    public func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Closes the connection (the last connection to a file checkpoints and removes the WAL).
    public func close() throws {
        try database.close()
    }
}
