@testable import AWS
@testable import Catalog
@testable import Retry
import Testing
@testable import BackfillCore

@Suite struct FullJitterBackoffTests {
    @Test func ceilingDoublesUpToTheCap() {
        let backoff = FullJitterBackoff(base: 0.5, cap: 10)
        #expect((1...7).map { backoff.ceiling(retry: $0) } == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(backoff.ceiling(retry: 10_000) == 10)
    }

    @Test func delaysAreJitteredWithinTheCeiling() {
        var rng = SystemRandomNumberGenerator()
        let backoff = FullJitterBackoff(base: 1, cap: 8)
        let delays = (0..<500).map { _ in backoff.delay(retry: 3, using: &rng) }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= 4 })
        // Fails if the jitter is dropped (every delay equal to the ceiling).
        #expect(Set(delays.map { Int($0) }).count >= 3, "full jitter should spread delays over [0, 4]")
    }
}

@Suite struct RetryRuleTests {
    let rule = RetryRule(maxAttempts: 3, backoff: FullJitterBackoff(base: 1, cap: 30))

    @Test func transientErrorsAreRetriedUntilTheAttemptsRunOut() {
        #expect(rule.decide(after: 1, .transient) == .retry(ceilingSeconds: 1))
        #expect(rule.decide(after: 2, .transient) == .retry(ceilingSeconds: 2))
        #expect(rule.decide(after: 3, .transient) == .giveUp)
    }

    @Test func permanentErrorsAreNeverRetried() {
        #expect(rule.decide(after: 1, .permanent) == .giveUp)
    }

    func service(_ code: String, _ status: Int) -> AWSError {
        .service(AWSError.ServiceError(code: code, message: "", httpStatus: status, operation: "test"))
    }

    @Test func errorsAreClassifiedOnce() {
        #expect(RetryClass.of(service("ThrottlingException", 400)) == .throttle)
        #expect(RetryClass.of(service("InternalError", 500)) == .transient)
        #expect(RetryClass.of(service("AccessDenied", 403)) == .permanent)
        #expect(RetryClass.of(ChunkFetchError.secondTooDense(second: 1, rowsPerAnswer: 10_000)) == .permanent)
        #expect(RetryClass.of(InsightsQueryEnded(status: "Failed", queryID: "q")) == .transient)
        struct Unknown: Error {}
        #expect(RetryClass.of(Unknown()) == .transient)
    }

    @Test func theBudgetStatesItsWorstCases() {
        let budget = RetryBudget()
        // The README's retry table quotes these numbers; change both together.
        #expect(budget.worstCaseInsightsRequestTries == 5 * 201)
        #expect(budget.worstCaseUploadRequestTries == 3 * 3)
        #expect(AWSRetryPolicy.standard.maxAttempts == budget.awsRequest.maxAttempts)
    }
}

@Suite struct LeaseVerdictTests {
    let me = LeaseHolder(host: "a", pid: 10, processStart: "boot:100")
    func group(_ holder: LeaseHolder?, expires: Int64) -> LeaseGroup {
        LeaseGroup(owner: "o", holder: holder, chunks: 3, expiresMillis: expires)
    }

    @Test func anExpiredLeaseIsFreeWhoeverHeldIt() {
        #expect(LeaseVerdict.judge(group(me, expires: 1_000), nowMillis: 1_000, isAlive: { _ in true }) == .expired)
    }

    @Test func aDeadOwnerOnThisHostIsTakenOverBeforeItsLeaseEnds() {
        let dead = LeaseHolder(host: "a", pid: 11, processStart: "boot:5")
        #expect(LeaseVerdict.judge(group(dead, expires: 9_000), nowMillis: 1_000, isAlive: { _ in false }) == .ownerGone)
        #expect(!LeaseVerdict.ownerGone.isLive)
    }

    @Test func aLiveOwnerIsWaitedFor() {
        #expect(LeaseVerdict.judge(group(me, expires: 9_000), nowMillis: 1_000, isAlive: { _ in true }) == .heldByLiveOwner)
    }

    @Test func anotherHostsLeaseIsWaitedForUntilItExpires() {
        let foreign = LeaseHolder(host: "b", pid: 10, processStart: "x")
        #expect(LeaseVerdict.judge(group(foreign, expires: 9_000), nowMillis: 1_000, isAlive: { _ in nil })
                == .heldUntilExpiry(untilMillis: 9_000))
        #expect(LeaseVerdict.judge(group(nil, expires: 9_000), nowMillis: 1_000, isAlive: { _ in false })
                == .heldUntilExpiry(untilMillis: 9_000))
    }

    @Test func thisProcessIsAliveAndAReusedPidIsNot() {
        let current = ProcessIdentity.current
        #expect(ProcessIdentity.isAlive(current) == true)
        #expect(ProcessIdentity.isAlive(LeaseHolder(host: current.host, pid: current.pid, processStart: "other-boot:1")) == false)
        #expect(ProcessIdentity.isAlive(LeaseHolder(host: current.host + "-elsewhere", pid: current.pid,
                                                    processStart: current.processStart)) == nil)
    }
}
