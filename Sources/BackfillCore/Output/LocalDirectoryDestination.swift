import AWS
import Crypto
import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

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
            if let size = regularFileSize(location(of: key)) { found[key] = size }
        }
        return found
    }

    public func size(of key: String) async throws -> Int64? { regularFileSize(location(of: key)) }

    private func regularFileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    public func footer(of key: String) async throws -> ParquetFooter {
        try ParquetFooterReader.read(path: location(of: key))
    }

    public func sha256(of key: String) async throws -> String? {
        await observe(key: key, deep: true).sha256Hex
    }

    public func store(file path: String, key: String, contentType: String) async throws -> String {
        let target = location(of: key)
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

    /// A local file is always read whole (`deep` or not): its size, its bytes' SHA-256 (read
    /// in pieces) and its footer.
    public func observe(key: String, deep: Bool) async -> PartitionVerification.ObservedFile {
        let path = location(of: key)
        var observed = PartitionVerification.ObservedFile()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return observed }
        observed.exists = true
        observed.size = (attributes[.size] as? NSNumber)?.int64Value
        guard let handle = FileHandle(forReadingAtPath: path) else {
            observed.unreachable = "cannot open \(path)"
            return observed
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try? handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(data: piece) }
        observed.sha256Hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        observed.footer = Result { () throws(ParquetFooterError) in try ParquetFooterReader.read(path: path) }
        return observed
    }

    /// Creates the directory (with its parents) and a probe file in it, then removes the probe.
    public func probe() async throws -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ProbeFailure("cannot create the directory; check the path and its parent's permissions")
        }
        let probe = location(of: ".pulp-backfill-doctor-\(UUID().uuidString)")
        guard fm.createFile(atPath: probe, contents: Data("probe\n".utf8)) else {
            throw ProbeFailure("directory is not writable; fix its permissions")
        }
        try? fm.removeItem(atPath: probe)
        return "writable"
    }

    /// Why a probe failed, as the fix to make.
    struct ProbeFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension LocalDirectoryDestination: DestinationKind {
    public static var scheme: String? { nil }
    public static var written: String { "local directories" }
    public static var awsServices: [AWSService] { [] }
    public static var takesCredentials: Bool { false }

    /// An absolute, standardized path without trailing slash; a path that exists must be a
    /// directory.
    public static func canonicalURI(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> String {
        let standardized = try absolutePath(text, currentDirectory: currentDirectory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputDestination.Invalid(value: text, reason: "exists and is not a directory (hourly files go into a directory)")
        }
        return standardized
    }

    /// The file's directory and name; neither needs to exist (the caller checks what it writes).
    public static func fileLocation(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> (uri: String, key: String) {
        let (directory, name) = AtomicFile.split(try absolutePath(text, currentDirectory: currentDirectory))
        return (directory, name == "/" ? "" : name)
    }

    private static func absolutePath(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> String {
        guard !text.isEmpty else { throw OutputDestination.Invalid(value: text, reason: "empty path") }
        let absolute = text.hasPrefix("/") ? text : currentDirectory + "/" + text
        var standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
        while standardized.count > 1 && standardized.hasSuffix("/") { standardized.removeLast() }
        return standardized
    }

    public static func prepare(uri: String, region: String?, clients: DestinationClients) async throws {}

    public static func open(uri: String, region: String?, clients: DestinationClients) throws -> any PartitionDestination {
        LocalDirectoryDestination(directory: uri)
    }
}

/// Streaming copy into an `AtomicFile` (constant memory whatever the file size).
enum LocalFileCopy {
    static func copy(from source: String, to target: String) throws(FileSystemError) {
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
