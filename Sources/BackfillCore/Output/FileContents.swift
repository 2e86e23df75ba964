#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading whole input files with plain POSIX calls: one `fstat`, one allocation, large `read`s.
public enum FileContents {
    public enum Kind: Sendable { case regularFile, directory, missing, other }

    public static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat", errno: errno) }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        // Read straight into the array's storage: inputs can be gigabytes.
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let n = Glibc.read(fd, buffer.baseAddress! + initialized, size - initialized)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }  // the file shrank since fstat
                initialized += n
            }
        }
        if failure != 0 { throw FileSystemError(path: path, operation: "read", errno: failure) }
        return bytes
    }
}
