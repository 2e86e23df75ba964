// Where the writer's bytes go: a buffered POSIX file or memory.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A sink for the bytes of one Parquet file, written strictly in order.
public protocol ParquetOutput: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError)
    /// Pushes buffered bytes down (called by the writer's `close`).
    func flush() throws(ParquetError)
}

extension ParquetOutput {
    func write(_ bytes: [UInt8]) throws(ParquetError) {
        // `withUnsafeBytes` cannot carry a typed throw through its closure, so map it back.
        let result: Result<Void, ParquetError> = bytes.withUnsafeBytes { raw in
            do throws(ParquetError) { try write(raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }
}

/// Collects the file in memory (tests, small files, uploads).
public final class ParquetMemoryOutput: ParquetOutput {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        self.bytes.append(contentsOf: bytes)
    }

    public func flush() throws(ParquetError) {}
}

/// A file written through a POSIX descriptor with a 1 MiB buffer; large writes bypass the buffer.
/// The file is created (or truncated) with mode 0644. Call `sync()` before renaming a temp file
/// into place, and `close()` when done (deinit closes a forgotten descriptor too).
public final class ParquetFileOutput: ParquetOutput {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferCapacity = 1 << 20

    public init(path: String) throws(ParquetError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io("open \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(bufferCapacity)
    }

    deinit {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        if buffer.count + bytes.count <= bufferCapacity {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= bufferCapacity / 2 {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func flush() throws(ParquetError) {
        guard !buffer.isEmpty else { return }
        let result: Result<Void, ParquetError> = buffer.withUnsafeBytes { raw in
            do throws(ParquetError) { try writeAll(raw); return .success(()) } catch { return .failure(error) }
        }
        buffer.removeAll(keepingCapacity: true)
        try result.get()
    }

    /// Flushes the buffer and fsyncs the file, so a following rename publishes complete data.
    public func sync() throws(ParquetError) {
        try flush()
        if fsync(fd) != 0 { throw .io("fsync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Flushes and closes the descriptor. Safe to call twice.
    public func close() throws(ParquetError) {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        try flush()
        if Glibc.close(fd) != 0 { throw .io("close \(path): \(String(cString: strerror(errno)))") }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard fd >= 0 else { throw .io("write \(path): file is closed") }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
