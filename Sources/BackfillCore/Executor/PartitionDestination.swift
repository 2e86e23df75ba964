import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// A place hourly files go: a local directory or an S3 prefix (design §4). Every hour goes to
/// every destination of its backfill; storing again under the same key replaces the file, so
/// re-exporting an hour is idempotent.
public protocol PartitionDestination: Sendable {
    /// The destination as planned and stored in the catalog (directory or `s3://bucket/prefix`).
    var uri: String { get }
    /// Puts the complete local file `path` at `key` under this destination, replacing any
    /// earlier file; returns the file's full location. Never leaves a partial file behind.
    func store(file path: String, key: String) async throws -> String
    /// The full location of `key` here (what `store` returns).
    func location(of key: String) -> String
    /// Which of `keys` exist here, with their sizes. `dayPrefixes` are the keys' common
    /// prefixes per day: a destination that lists (S3) lists each once instead of asking per key.
    func existingFiles(_ keys: [String], dayPrefixes: [String]) async throws -> [String: Int64]
    /// The Parquet footer of the file at `key`.
    func footer(of key: String) async throws -> ParquetFooter
    /// The SHA-256 (hex) of the file at `key`, if this destination can tell without reading
    /// it remotely (a local file is read; S3 gives the checksum stored at upload, if any).
    func sha256(of key: String) async throws -> String?
}

/// A local directory: the file is copied to a hidden temporary name, fsynced, and renamed
/// into place, so readers see the old file or the new one, never half of one.
public struct LocalDirectoryDestination: PartitionDestination {
    public let directory: String
    public var uri: String { directory }

    public init(directory: String) { self.directory = directory }

    public func location(of key: String) -> String { directory + "/" + key }

    public func existingFiles(_ keys: [String], dayPrefixes: [String]) async throws -> [String: Int64] {
        var found: [String: Int64] = [:]
        for key in keys {
            var info = stat()
            if stat(location(of: key), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { found[key] = Int64(info.st_size) }
        }
        return found
    }

    public func footer(of key: String) async throws -> ParquetFooter {
        try ParquetFooterReader.read(path: location(of: key))
    }

    public func sha256(of key: String) async throws -> String? {
        PartitionVerification.observeLocal(path: location(of: key)).sha256Hex
    }

    public func store(file path: String, key: String) async throws -> String {
        let target = directory + "/" + key
        let parent = AtomicFile.split(target).directory
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(path: parent, operation: "create directory", errno: errno == 0 ? EACCES : errno)
        }
        try LocalFileCopy.copy(from: path, to: target)
        // A run killed while copying this hour left its hidden temporary file here.
        StaleTemporaryFiles.remove(in: parent, prefix: "." + AtomicFile.split(target).name + ".tmp-")
        return target
    }
}

/// Streaming copy into an `AtomicFile` (constant memory whatever the file size).
public enum LocalFileCopy {
    public static func copy(from source: String, to target: String) throws(FileSystemError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileSystemError(path: source, operation: "open", errno: errno) }
        defer { close(input) }
        let file = AtomicFile(finalPath: target)
        defer { file.discard() }
        let output = open(file.temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw FileSystemError(path: target, operation: "create", errno: errno) }
        var closed = false
        defer { if !closed { close(output) } }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FileSystemError(path: source, operation: "read", errno: errno) }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + written, n - written) }
                if w < 0 && errno == EINTR { continue }
                if w < 0 { throw FileSystemError(path: target, operation: "write", errno: errno) }
                written += w
            }
        }
        guard fsync(output) == 0 else { throw FileSystemError(path: target, operation: "fsync", errno: errno) }
        closed = true
        guard close(output) == 0 else { throw FileSystemError(path: target, operation: "close", errno: errno) }
        try file.commit()
    }
}
