// Reusable scratch memory for page bodies. Pages are built, compressed and dropped many times per
// row group; reusing the same few buffers avoids fresh allocations whose page faults cost more
// than the encoding itself.
import Synchronization

final class ScratchBuffers: Sendable {
    static let shared = ScratchBuffers()

    /// Buffers larger than this are not kept (one huge page must not pin memory for good).
    private let maxRetainedBytes = 8 << 20
    private let maxRetainedBuffers = 8
    private let free = Mutex<[[UInt8]]>([])

    /// Runs `body` with at least `capacity` bytes of scratch memory (contents unspecified).
    func withBuffer<R>(capacity: Int, _ body: (UnsafeMutableRawBufferPointer) throws(ParquetError) -> R) throws(ParquetError) -> R {
        var buffer = free.withLock { $0.popLast() } ?? []
        if buffer.count < capacity {
            buffer = [UInt8](repeating: 0, count: max(capacity, 1 << 20))
        }
        let result: Result<R, ParquetError> = buffer.withUnsafeMutableBytes { raw in
            do throws(ParquetError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        if buffer.count <= maxRetainedBytes {
            free.withLock { list in
                if list.count < maxRetainedBuffers { list.append(buffer) }
            }
        }
        return try result.get()
    }
}
