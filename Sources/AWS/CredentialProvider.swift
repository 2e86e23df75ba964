import Foundation

/// A source of AWS credentials. `sourceName` says where they come from (for `doctor`); it is
/// never a secret.
public protocol CredentialProvider: Sendable {
    var sourceName: String { get }
    func credentials() async throws -> AWSCredentials
}

/// Long-term (or fixed temporary) keys: flags, environment, a profile's keys.
public struct StaticCredentialProvider: CredentialProvider {
    public let sourceName: String
    let value: AWSCredentials
    public init(_ credentials: AWSCredentials, sourceName: String) {
        value = credentials
        self.sourceName = sourceName
    }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Temporary credentials fetched by `fetch` (STS, container endpoint, IMDS, credential_process)
/// and fetched again before they expire.
///
/// Concurrency: the first caller that finds the credentials stale runs `fetch` itself (no
/// extra task); callers arriving meanwhile suspend on a continuation and receive that same
/// result, so a burst of requests at expiry costs one STS call.
public actor RefreshingCredentialProvider: CredentialProvider {
    public nonisolated let sourceName: String
    /// Refresh when less than this remains (botocore refreshes 15 minutes early; 5 is plenty
    /// for requests that take seconds).
    let refreshMargin: TimeInterval
    let fetch: @Sendable () async throws -> AWSCredentials
    private var cached: AWSCredentials?
    private var refreshing = false
    private var waiters: [CheckedContinuation<AWSCredentials, Error>] = []
    /// Number of completed fetches (tests check that concurrent callers share one).
    public private(set) var fetchCount = 0

    public init(sourceName: String, refreshMargin: TimeInterval = 300,
                fetch: @escaping @Sendable () async throws -> AWSCredentials) {
        self.sourceName = sourceName
        self.refreshMargin = refreshMargin
        self.fetch = fetch
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        if refreshing {
            return try await withCheckedThrowingContinuation { waiters.append($0) }
        }
        refreshing = true
        let result: Result<AWSCredentials, Error>
        do { result = .success(try await fetch()) } catch { result = .failure(error) }
        refreshing = false
        if case .success(let fresh) = result {
            cached = fresh
            fetchCount += 1
        }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(with: result) }
        return try result.get()
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSinceNow < refreshMargin
    }
}

/// Parses AWS's credential timestamps (`2026-11-29T04:05:06Z`, optional fraction or offset).
enum AWSDate {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Temporary credentials whose expiry is missing or unreadable are treated as expiring in
    /// 15 minutes, so they are fetched again rather than used until they fail.
    static func temporaryExpiration(_ expiration: Date?, sessionToken: String?) -> Date? {
        if let expiration { return expiration }
        return sessionToken == nil ? nil : Date().addingTimeInterval(900)
    }
}
