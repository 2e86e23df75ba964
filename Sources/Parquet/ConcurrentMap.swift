// Runs independent encoding tasks on all cores and collects their results in order.
import Dispatch
import Synchronization

enum ConcurrentMap {
    /// `body(0..<count)` on Dispatch's worker threads (the caller's thread takes part), results in
    /// index order. The first error (by index) is rethrown after every task finished.
    /// With `parallel` false the tasks run one after the other on the caller's thread.
    static func map<T: Sendable>(_ count: Int, parallel: Bool = true, _ body: @Sendable (Int) throws(ParquetError) -> T) throws(ParquetError) -> [T] {
        if count == 0 { return [] }
        if count == 1 || !parallel {
            var values: [T] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(try body(index)) }
            return values
        }
        let results = ResultSlots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result: Result<T, ParquetError>
            do throws(ParquetError) { result = .success(try body(index)) } catch { result = .failure(error) }
            results.store(result, at: index)
        }
        return try results.collect()
    }
}

/// Per-task result slots behind a mutex (each task stores once, so contention is negligible).
private final class ResultSlots<T: Sendable>: Sendable {
    private let slots: Mutex<[Result<T, ParquetError>?]>

    init(_ count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ result: Result<T, ParquetError>, at index: Int) {
        slots.withLock { $0[index] = result }
    }

    func collect() throws(ParquetError) -> [T] {
        let all = slots.withLock { slots in
            let taken = slots
            slots = []
            return taken
        }
        var values: [T] = []
        values.reserveCapacity(all.count)
        for result in all {
            guard let result else { preconditionFailure("concurrentPerform skipped a task") }
            values.append(try result.get())
        }
        return values
    }
}
