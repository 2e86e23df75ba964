import Testing
import Basics

/// Holders counted at once, and the most seen.
private actor Occupancy {
    var now = 0
    var most = 0
    func enter() { now += 1; most = max(most, now) }
    func leave() { now -= 1 }
}

@Suite struct AsyncSemaphoreTests {
    /// 24 tasks through a semaphore of 3: never more than 3 inside, and 3 at some point (the
    /// holders sleep, so the others queue). Fails if the limit is not enforced, or if a
    /// released slot is not passed on (fewer than 3 at once, or the group never ends).
    @Test func neverMoreHoldersThanTheLimit() async throws {
        let semaphore = AsyncSemaphore(limit: 3)
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    try await semaphore.withSlot {
                        await occupancy.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await occupancy.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await occupancy.most == 3)
        #expect(await occupancy.now == 0)
        #expect(await semaphore.inUse == 0)
    }

    /// A task cancelled while it waits ends with CancellationError and takes no slot: after the
    /// holder releases, the slot is free again. Fails if the waiter hangs, succeeds, or the
    /// slot is lost or handed to the cancelled task.
    @Test func cancellingAWaiterLosesNoSlot() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        try await Task.sleep(for: .milliseconds(20))  // let it queue (cancelled before queueing is handled too)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await semaphore.inUse == 1)
        await semaphore.release()
        #expect(await semaphore.inUse == 0)
        try await semaphore.acquire()
        #expect(await semaphore.inUse == 1)
        await semaphore.release()
    }

    /// An error thrown inside `withSlot` still gives the slot back. Fails if it leaks (inUse stays 1).
    @Test func withSlotReleasesOnError() async {
        struct Boom: Error {}
        let semaphore = AsyncSemaphore(limit: 1)
        await #expect(throws: Boom.self) { try await semaphore.withSlot { throw Boom() } }
        #expect(await semaphore.inUse == 0)
    }

    /// A limit below 1 is taken as 1 (a semaphore nobody could pass would hang the run).
    /// Fails if `acquire` on such a semaphore waits forever or counts wrongly.
    @Test func limitOfZeroMeansOne() async throws {
        let semaphore = AsyncSemaphore(limit: 0)
        try await semaphore.acquire()
        #expect(await semaphore.inUse == 1)
        await semaphore.release()
        #expect(await semaphore.inUse == 0)
    }
}
