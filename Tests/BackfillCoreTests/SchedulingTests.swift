import Testing
@testable import BackfillCore

@Suite struct RequestPacingTests {
    @Test func steadyRateSpacesRequestsOneIntervalApart() {
        var pacing = RequestPacing(rate: 5)
        let waits = (0..<10).map { _ in pacing.reserve(now: 100) }
        for (i, wait) in waits.enumerated() {
            #expect(abs(wait - Double(i) * 0.2) < 1e-9, "request \(i) waited \(wait)")
        }
    }

    @Test func burstAllowsThatManyImmediateRequestsAfterIdleTime() {
        var pacing = RequestPacing(rate: 10, burst: 4)
        _ = pacing.reserve(now: 0)
        let waits = (0..<6).map { _ in pacing.reserve(now: 50) }
        #expect(waits.prefix(4).allSatisfy { $0 == 0 })
        #expect(waits[4] > 0 && waits[5] > waits[4])
    }

    @Test func throughputOverAMinuteNeverExceedsTheRate() {
        var pacing = RequestPacing(rate: 5, burst: 1)
        var sent: [Double] = []
        var now = 0.0
        while now < 60 {
            let wait = pacing.reserve(now: now)
            sent.append(now + wait)
            now += wait + Double.random(in: 0...0.05)
        }
        for start in stride(from: 0.0, to: 59, by: 0.5) {
            // 1e-6 absorbs float accumulation of the 0.2 s steps.
            let inWindow = sent.filter { $0 >= start && $0 < start + 1 - 1e-6 }.count
            #expect(inWindow <= 5, "\(inWindow) requests in [\(start), \(start + 1))")
        }
    }

    @Test func throttlesCutTheRateAndSuccessesRestoreIt() {
        var pacing = RequestPacing(rate: 10)
        pacing.recordThrottle()
        #expect(abs(pacing.rate - 7) < 1e-9)
        for _ in 0..<100 { pacing.recordThrottle() }
        #expect(pacing.rate == pacing.minimumRate)
        for _ in 0..<1000 { pacing.recordSuccess() }
        #expect(pacing.rate == 10)
    }

    @Test func limiterWaitsForItsSlot() async throws {
        let limiter = RequestRateLimiter(rate: 20)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<6 { try await limiter.acquire() }
        // Six requests at 20/s need at least five intervals of 50 ms.
        #expect(start.duration(to: clock.now) >= .milliseconds(240))
    }

    @Test func cancelledWaitThrows() async {
        // One request per 1,000 s: the second waits far longer than any stall of a loaded
        // machine between the two calls (at 0.1/s a 10 s stall let it through unwaited).
        let limiter = RequestRateLimiter(rate: 0.001)
        try? await limiter.acquire()
        let task = Task { try await limiter.acquire() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
