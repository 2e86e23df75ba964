import Parquet

/// A place hourly files go: a local directory or an S3 prefix. Every hour goes to every
/// destination of its backfill; storing again under the same key replaces the file, so
/// re-exporting an hour is idempotent. Destinations are parsed and opened by
/// `OutputDestination` (OutputDestination.swift), the one place that knows every kind.
public protocol PartitionDestination: Sendable {
    /// The destination as planned and stored in the catalog (directory or `s3://bucket/prefix`).
    var uri: String { get }
    /// Puts the complete local file `path` at `key` under this destination, replacing any
    /// earlier file; returns the file's full location. Never leaves a partial file behind.
    func store(file path: String, key: String, contentType: String) async throws -> String
    /// The full location of `key` here (what `store` returns).
    func location(of key: String) -> String
    /// Which of `keys` exist here, with their sizes (`--if-exists`). `dayPrefixes` are the
    /// keys' common prefixes per day: a destination that lists (S3) lists each once instead of
    /// asking per key.
    func existingFiles(_ keys: [String], dayPrefixes: [String]) async throws -> [String: Int64]
    /// The size of the file at `key`, nil when there is none.
    func size(of key: String) async throws -> Int64?
    /// The Parquet footer of the file at `key`.
    func footer(of key: String) async throws -> ParquetFooter
    /// The SHA-256 (hex) of the file at `key`, if this destination can tell without reading
    /// it remotely (a local file is read; S3 gives the checksum stored at upload, if any).
    func sha256(of key: String) async throws -> String?
    /// What `verify` compares with the catalog: the file at `key` as found here. `deep`: read
    /// every byte even where that is costly (remote files). Never throws: a file that cannot
    /// be checked says why in `unreachable`.
    func observe(key: String, deep: Bool) async -> PartitionVerification.ObservedFile
    /// `doctor`: writes and removes a probe file; returns what was proven ("writable …"), or
    /// throws what to fix.
    func probe() async throws -> String
}

extension PartitionDestination {
    /// Stores an hourly (Parquet) file.
    public func store(file path: String, key: String) async throws -> String {
        try await store(file: path, key: key, contentType: "application/vnd.apache.parquet")
    }
}
