import Foundation

/// S3-only overrides, as the seed exporter allowed for writing to a bucket in another account:
/// the same six settings as the main ones, each nil where the main one applies.
public typealias S3Settings = AWSSettings

extension S3Settings {
    /// Whether these S3 overrides name credentials of their own (keys or a profile).
    var hasOwnCredentials: Bool { accessKeyId != nil || secretAccessKey != nil || profile != nil }

    /// One destination's own settings from environment variables `PREFIX` + `ACCESS_KEY_ID`,
    /// `SECRET_ACCESS_KEY`, `SESSION_TOKEN`, `ENDPOINT_URL`, `REGION` (production's
    /// `BACKUP_S3_ACCESS_KEY_ID`… with prefix `BACKUP_S3_`), over `base` for what they leave
    /// out (endpoint, region). The key pair must be complete; its values are never printed.
    public static func fromEnvironment(prefix: String, base: S3Settings = S3Settings(),
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Settings {
        func value(_ name: String) -> String? {
            guard let v = environment[prefix + name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        guard let key = value("ACCESS_KEY_ID"), let secret = value("SECRET_ACCESS_KEY") else {
            throw AWSError.configuration("\(prefix)ACCESS_KEY_ID and \(prefix)SECRET_ACCESS_KEY must both be set for the destination's own credentials")
        }
        return S3Settings(region: value("REGION") ?? base.region, endpointURL: value("ENDPOINT_URL") ?? base.endpointURL,
                          accessKeyId: key, secretAccessKey: secret, sessionToken: value("SESSION_TOKEN"))
    }

    /// One destination's own settings from a profile (its credentials, region and endpoint
    /// as the profile files give them), over `base` for endpoint and region.
    public static func fromProfile(_ profile: String, base: S3Settings = S3Settings()) -> S3Settings {
        S3Settings(region: base.region, endpointURL: base.endpointURL, profile: profile)
    }
}

/// Everything resolved once per command: configuration, the winning credential provider, and
/// the shared HTTP client. Service clients are cheap values made from it.
public struct AWSSession: Sendable {
    public let configuration: AWSConfiguration
    public let credentials: any CredentialProvider
    public let http: AWSHTTPClient
    /// S3's own configuration and credentials (the main ones unless `--s3-*` flags say otherwise).
    public let s3Configuration: AWSConfiguration
    let s3Credentials: any CredentialProvider

    /// Resolves configuration and credentials. With `s3Only` (the `upload` command) and S3's
    /// own credentials given, a failure to find the main credentials is deferred to their
    /// first use, so `--s3-*` keys alone are enough to upload.
    public static func make(settings: AWSSettings, s3: S3Settings = S3Settings(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            http: AWSHTTPClient, s3Only: Bool = false) async throws -> AWSSession {
        let configuration = try AWSConfiguration(settings: settings, environment: environment)
        let credentials: any CredentialProvider
        do {
            credentials = try await CredentialChain(configuration: configuration, http: http).resolve()
        } catch let error as AWSError where s3Only && s3.hasOwnCredentials && error.kind == .credentials {
            credentials = UnavailableCredentialProvider(error: error)
        }
        var s3Settings = settings
        s3Settings.region = s3.region ?? settings.region
        s3Settings.endpointURL = s3.endpointURL ?? settings.endpointURL
        var s3Credentials = credentials
        if s3.hasOwnCredentials {
            s3Settings.profile = s3.profile ?? settings.profile
            s3Settings.accessKeyId = s3.accessKeyId
            s3Settings.secretAccessKey = s3.secretAccessKey
            s3Settings.sessionToken = s3.sessionToken
        }
        let s3Configuration = try AWSConfiguration(settings: s3Settings, environment: environment)
        if s3.hasOwnCredentials {
            s3Credentials = try await CredentialChain(configuration: s3Configuration, http: http).resolve()
        }
        return AWSSession(configuration: configuration, credentials: credentials, http: http,
                          s3Configuration: s3Configuration, s3Credentials: s3Credentials)
    }

    /// `retryPolicy` defaults to the configured one (AWS_MAX_ATTEMPTS); a scheduler with its
    /// own throttling backoff passes `.none`.
    public func logs(retryPolicy: AWSRetryPolicy? = nil) throws -> CloudWatchLogsClient {
        CloudWatchLogsClient(http: http, credentials: credentials, region: configuration.region,
                             endpoint: try configuration.endpoint(for: .logs).endpoint,
                             retryPolicy: retryPolicy ?? configuration.retryPolicy)
    }

    public func s3(multipartThreshold: Int = 16 << 20, partSize: Int = 16 << 20) throws -> S3Client {
        let (endpoint, isCustom, _) = try s3Configuration.endpoint(for: .s3)
        return S3Client(http: http, credentials: s3Credentials, region: s3Configuration.region, endpoint: endpoint,
                        pathStyle: isCustom, multipartThreshold: multipartThreshold, partSize: partSize,
                        retryPolicy: s3Configuration.retryPolicy)
    }
}

/// Stands in for main credentials that could not be found when only S3's own are needed.
struct UnavailableCredentialProvider: CredentialProvider {
    let error: AWSError
    var sourceName: String { "none" }
    func credentials() async throws -> AWSCredentials { throw error }
}
