import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file that appears at its final path complete or not at all.
///
/// Writers put the bytes in `temporaryPath` — a hidden name in the destination directory,
/// so that `rename(2)` stays on one filesystem and is atomic — and fsync them; `commit()`
/// renames the file over the final path and fsyncs the directory so the rename itself
/// survives a crash. Anything that does not reach `commit()` is removed by `discard()`
/// (also run by `deinit`), so a failed run leaves neither a partial nor a temporary file.
public final class AtomicFile {
    public let finalPath: String
    let temporaryPath: String
    private var finished = false

    public init(finalPath: String) {
        self.finalPath = finalPath
        let (dir, name) = AtomicFile.split(finalPath)
        self.temporaryPath = "\(dir == "/" ? "" : dir)/.\(name).tmp-\(getpid())"
    }

    /// Renames the (already fsynced) temporary file into place.
    public func commit() throws(FileSystemError) {
        precondition(!finished, "AtomicFile committed twice")
        guard rename(temporaryPath, finalPath) == 0 else {
            throw FileSystemError(path: finalPath, operation: "rename into place", errno: errno)
        }
        finished = true
        let dir = open(AtomicFile.split(finalPath).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); _ = close(dir) }
    }

    /// Removes the temporary file unless the file was committed. Safe to call repeatedly.
    func discard() {
        guard !finished else { return }
        finished = true
        _ = unlink(temporaryPath)
    }

    deinit { discard() }

    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}

/// A failed file-system call, with the path and the system's reason (`strerror`).
public struct FileSystemError: Error, CustomStringConvertible, Sendable {
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

/// Temporary files of processes that were killed (`kill -9` cannot run `discard()`): hidden
/// names ending in `.tmp-<pid>` whose process no longer exists.
enum StaleTemporaryFiles {
    /// Removes `<directory>/<prefix>….tmp-<pid>` files of dead processes; returns how many.
    @discardableResult
    static func remove(in directory: String, prefix: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var removed = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let marker = name.range(of: ".tmp-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...]), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH, unlink("\(directory)/\(name)") == 0 { removed += 1 }
        }
        return removed
    }
}
