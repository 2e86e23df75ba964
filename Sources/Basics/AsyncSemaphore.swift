/// A FIFO async semaphore: at most `limit` holders at once, the others wait in arrival order.
/// Cancellation of a waiting task ends its wait with `CancellationError`; a slot is never lost
/// or handed out twice. The backfill caps its Insights queries in flight with one
/// (`CloudWatchQueryRunner.slots`, `--concurrency`).
public actor AsyncSemaphore {
    private var available: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var cancelledBeforeWaiting: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
        available = self.limit
    }

    public func acquire() async throws {
        try Task.checkCancellation()
        if available > 0 {
            available -= 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                if cancelledBeforeWaiting.remove(id) != nil {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            // Hop onto the actor; it finds the waiter (or notes the id if it is not queued yet).
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Slots held right now (for the query runner: queries in flight).
    public var inUse: Int { limit - available }

    public func release() {
        if waiters.isEmpty {
            available = min(limit, available + 1)
        } else {
            waiters.removeFirst().continuation.resume()  // the slot passes straight to the next waiter
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(throwing: CancellationError())
        } else {
            cancelledBeforeWaiting.insert(id)
        }
    }

    /// Runs `body` holding a slot.
    public func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }
}
