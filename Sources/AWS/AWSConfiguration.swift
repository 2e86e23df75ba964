import Foundation

/// The services this tool talks to, with the names the endpoint settings use.
public enum AWSService: String, Sendable, CaseIterable {
    case logs, s3, sts

    /// Suffix of `AWS_ENDPOINT_URL_<ID>` (the service id, upper-cased, spaces → `_`).
    var endpointVariable: String {
        switch self {
        case .logs: return "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"
        case .s3: return "AWS_ENDPOINT_URL_S3"
        case .sts: return "AWS_ENDPOINT_URL_STS"
        }
    }
}

/// Settings a user can give on the command line; everything else comes from the environment
/// and the profile files, in boto3's order.
public struct AWSSettings: Sendable {
    public var region: String?
    public var endpointURL: String?
    public var profile: String?
    public var accessKeyId: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    /// Written out because it is public: the CLI and aws-probe build settings.
    public init(region: String? = nil, endpointURL: String? = nil, profile: String? = nil,
                accessKeyId: String? = nil, secretAccessKey: String? = nil, sessionToken: String? = nil) {
        self.region = region
        self.endpointURL = endpointURL
        self.profile = profile
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// Resolved region and endpoints for one set of settings.
public struct AWSConfiguration: Sendable {
    public let settings: AWSSettings
    public let environment: [String: String]
    let profiles: ProfileFiles
    /// The profile in use and whether the user named it (flag or `AWS_PROFILE`).
    public let profileName: String
    let profileNamedExplicitly: Bool
    public let region: String
    /// Where the region came from, e.g. `--aws-region`, `AWS_REGION`, `profile dev`, `default`
    /// (decided by `AWSRegionResolver`, as for every command).
    public let regionSource: String
    /// `AWS_MAX_ATTEMPTS`, else the profile's `max_attempts`, else 3 (boto3's standard mode).
    public let retryPolicy: AWSRetryPolicy

    public init(settings: AWSSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.settings = settings
        self.environment = environment
        profiles = try ProfileFiles(environment: environment)
        let profile = AWSProfileSelection(flag: settings.profile, environment: environment)
        profileName = profile.name
        profileNamedExplicitly = profile.isExplicit
        let resolved = try AWSRegionResolver.resolve(flag: settings.region, environment: environment,
                                                     profile: profile, files: profiles)
        (region, regionSource) = (resolved.name, resolved.source)
        let attemptsText = Self.nonEmpty(environment["AWS_MAX_ATTEMPTS"]) ?? Self.nonEmpty(profiles.profile(profileName)?["max_attempts"])
        if let attemptsText {
            guard let attempts = Int(attemptsText), attempts >= 1 else {
                throw AWSError.configuration("AWS_MAX_ATTEMPTS / max_attempts must be a whole number ≥ 1, not '\(attemptsText)'")
            }
            retryPolicy = AWSRetryPolicy(maxAttempts: attempts)
        } else {
            retryPolicy = .standard
        }
        for service in AWSService.allCases { _ = try endpoint(for: service) }
    }

    /// The endpoint for `service` and whether it is a custom one (custom S3 endpoints use
    /// path-style addressing). Order: the flag, `AWS_ENDPOINT_URL_<SERVICE>`,
    /// `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, then AWS's regional endpoint.
    public func endpoint(for service: AWSService) throws -> (endpoint: AWSEndpoint, isCustom: Bool, source: String) {
        let candidates: [(String?, String)] = [
            (settings.endpointURL, "command line"),
            (environment[service.endpointVariable], service.endpointVariable),
            (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
            (profiles.profile(profileName)?["endpoint_url"], "profile \(profileName)"),
        ]
        for (value, source) in candidates {
            guard let url = Self.nonEmpty(value) else { continue }
            guard let endpoint = AWSEndpoint(url: url) else {
                throw AWSError.configuration("endpoint URL from \(source) is not a valid http(s) URL: \(url)")
            }
            return (endpoint, true, source)
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return (AWSEndpoint(scheme: "https", host: "\(service.rawValue).\(region).\(suffix)"), false, "AWS default")
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s = s?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        return s
    }
}
