import AWS
import Synchronization

/// The AWS sessions destinations are opened with, made once and shared: one per region (a
/// run's queries in that region use the same one), and one per destination that has S3
/// credentials of its own (`--destination-env`, `--destination-profile`). Made lazily, so a
/// command whose destinations are all local never needs AWS credentials.
public final class DestinationClients: Sendable {
    let http: AWSHTTPClient
    /// The AWS settings of the command; `region` arguments below replace its region.
    let aws: AWSSettings
    /// The `--s3-*` settings, for every S3 destination without credentials of its own.
    let s3: S3Settings
    /// S3 destinations with credentials of their own, by canonical URI.
    let own: [String: S3Settings]
    /// `upload`/`export`: S3's own keys are enough (see `AWSSession.make`).
    let s3Only: Bool
    let multipartThreshold: Int
    let partSize: Int

    private struct Made {
        var sessions: [String: AWSSession] = [:]
        var s3: [String: S3Client] = [:]
    }
    private let made = Mutex(Made())

    public init(http: AWSHTTPClient, aws: AWSSettings, s3: S3Settings = S3Settings(), own: [String: S3Settings] = [:],
                s3Only: Bool = false, multipartThreshold: Int = 16 << 20, partSize: Int = 16 << 20) {
        self.http = http
        self.aws = aws
        self.s3 = s3
        self.own = own
        self.s3Only = s3Only
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
    }

    public func hasOwnCredentials(_ uri: String) -> Bool { own[uri] != nil }

    /// The session of `region` (nil: the settings' own), made on first use.
    public func session(region: String?) async throws -> AWSSession {
        let key = Self.key(region, nil)
        if let session = made.withLock({ $0.sessions[key] }) { return session }
        let session = try await AWSSession.make(settings: settings(region), s3: s3, http: http, s3Only: s3Only)
        made.withLock { $0.sessions[key] = session }
        return session
    }

    /// Uses `session` as the session of `region` (`doctor` makes it first, to report on it).
    public func adopt(_ session: AWSSession, region: String?) {
        made.withLock { $0.sessions[Self.key(region, nil)] = session }
    }

    /// Makes the S3 client of destination `uri` in `region`: with its own credentials if it
    /// has some, else the region session's.
    func prepareS3(uri: String, region: String?) async throws {
        let key = s3Key(uri: uri, region: region)
        if made.withLock({ $0.s3[key] }) != nil { return }
        let session: AWSSession
        if let settings = own[uri] {
            session = try await AWSSession.make(settings: self.settings(region), s3: settings, http: http, s3Only: s3Only)
        } else {
            session = try await self.session(region: region)
        }
        let client = try session.s3(multipartThreshold: multipartThreshold, partSize: partSize)
        made.withLock { $0.s3[key] = client }
    }

    /// The client `prepareS3` made for `uri` in `region`.
    public func s3Client(uri: String, region: String?) throws -> S3Client {
        guard let client = made.withLock({ $0.s3[s3Key(uri: uri, region: region)] }) else {
            throw AWSError.configuration("no S3 client for \(uri)")
        }
        return client
    }

    private func settings(_ region: String?) -> AWSSettings {
        var settings = aws
        if let region { settings.region = region }
        return settings
    }

    private func s3Key(uri: String, region: String?) -> String { Self.key(region, own[uri] == nil ? nil : uri) }

    private static func key(_ region: String?, _ uri: String?) -> String { "\(region ?? "") \(uri ?? "")" }
}
