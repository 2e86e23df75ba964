#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that appears at its final path complete or not at all.
///
/// Bytes go to a hidden temporary file in the destination directory (same filesystem,
/// so `rename(2)` is atomic); `commit()` fsyncs the file, renames it over the final path
/// and fsyncs the directory so the rename itself survives a crash. Anything that does not
/// reach `commit()` is removed by `discard()` — callers use `defer { file.discard() }`.
public final class AtomicFile {
    public let finalPath: String
    public let temporaryPath: String
    public private(set) var descriptor: Int32
    private var finished = false

    public init(finalPath: String) throws(FileOutputError) {
        self.finalPath = finalPath
        let (dir, name) = AtomicFile.split(finalPath)
        self.temporaryPath = "\(dir)/.\(name).tmp-\(getpid())"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileOutputError(path: finalPath, operation: "create", errno: errno) }
        self.descriptor = fd
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileOutputError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileOutputError(path: finalPath, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    public func commit() throws(FileOutputError) {
        precondition(!finished, "AtomicFile committed twice")
        guard fsync(descriptor) == 0 else { throw FileOutputError(path: finalPath, operation: "fsync", errno: errno) }
        guard close(descriptor) == 0 else { throw FileOutputError(path: finalPath, operation: "close", errno: errno) }
        descriptor = -1
        guard rename(temporaryPath, finalPath) == 0 else {
            throw FileOutputError(path: finalPath, operation: "rename", errno: errno)
        }
        finished = true
        let dir = open(AtomicFile.split(finalPath).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); _ = close(dir) }
    }

    /// Removes the temporary file unless the file was committed. Safe to call repeatedly.
    public func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { _ = close(descriptor); descriptor = -1 }
        _ = unlink(temporaryPath)
    }

    deinit { discard() }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}

/// A failed file-system call, with the path and the system's reason (`strerror`).
public struct FileOutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let code: Int32

    public init(path: String, operation: String, errno code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}
