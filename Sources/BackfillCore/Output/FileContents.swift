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

    /// The bytes of the file at `path`; a pipe or device is read until its end.
    public static func read(_ path: String) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat", errno: errno) }
        if info.st_mode & S_IFMT == S_IFREG {
            // One allocation of the file's size, read straight into: inputs can be gigabytes.
            return try readUpTo(Int(info.st_size), from: fd, path: path)
        }
        var bytes: [UInt8] = []
        while true {
            let chunk = try readUpTo(1 << 20, from: fd, path: path)
            bytes += chunk
            if chunk.count < 1 << 20 { return bytes }
        }
    }

    /// Up to `size` bytes from `fd`; fewer only at the end of the file.
    private static func readUpTo(_ size: Int, from fd: Int32, path: String) throws(FileSystemError) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let n = Glibc.read(fd, buffer.baseAddress! + initialized, size - initialized)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                initialized += n
            }
        }
        if failure != 0 { throw FileSystemError(path: path, operation: "read", errno: failure) }
        return bytes
    }

    /// Calls `body` with the bytes of the file at `path`. A regular file is mapped into memory
    /// rather than copied (inputs can be gigabytes, and a copy costs a page fault per 4 KiB);
    /// anything else (a pipe, a device) is read. The bytes are valid only during the call.
    public static func withContents<R>(of path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "open", errno: errno) }
        var info = stat()
        let isRegular = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        if isRegular, info.st_size > 0, let mapping = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED {
            close(fd)
            defer { munmap(mapping, Int(info.st_size)) }
            // The whole file is read front to back (by a few threads at once): ask for read-ahead.
            _ = madvise(mapping, Int(info.st_size), MADV_WILLNEED)
            return try body(UnsafeRawBufferPointer(start: mapping, count: Int(info.st_size)))
        }
        close(fd)
        let bytes = try read(path)
        return try bytes.withUnsafeBytes { try body($0) }
    }
}
