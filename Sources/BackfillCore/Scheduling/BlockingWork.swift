import Dispatch

/// Runs blocking work (SQLite transactions, Parquet encoding) on a dispatch queue instead of
/// the Swift concurrency pool. The pool has one thread per core — two here — and a thread
/// waiting on SQLite's lock or on the disk would otherwise stall every query task with it.
struct BlockingWork: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
