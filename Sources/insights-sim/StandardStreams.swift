#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stdout/stderr through the file descriptors (the C `stdout` globals are
/// not concurrency-safe in Swift 6, and the port line must reach a pipe immediately).
enum StandardStreams {
    static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    static func printLine(_ text: String) { _ = write(Array((text + "\n").utf8), to: 1) }
    static func printError(_ text: String) { _ = write(Array((text + "\n").utf8), to: 2) }
}
