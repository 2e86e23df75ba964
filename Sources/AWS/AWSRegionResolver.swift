import Foundation

/// The AWS profile a command uses: `--profile`, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`,
/// else `default`. `isExplicit` says whether the user named it (a named profile that exists in
/// neither file is an error; a missing `default` is not).
public struct AWSProfileSelection: Sendable, Equatable {
    public let name: String
    let isExplicit: Bool

    public init(flag: String?, environment: [String: String]) {
        let named = AWSRegionResolver.nonEmpty(flag)
            ?? AWSRegionResolver.nonEmpty(environment["AWS_PROFILE"])
            ?? AWSRegionResolver.nonEmpty(environment["AWS_DEFAULT_PROFILE"])
        name = named ?? "default"
        isExplicit = named != nil
    }
}

/// A resolved region and where it came from (`--aws-region`, `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, `profile NAME`, `default`), for `doctor` and error messages.
public struct AWSRegion: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let source: String
    public var description: String { "\(name) (from \(source))" }
}

/// The one place the region is decided, for every command: a backfill records its region as
/// part of its identity, so `plan`, `backfill`, `export` and `AWSConfiguration` (`doctor`,
/// `upload`) must all pick the same one from the same flags and environment. (`run` queries
/// each backfill's recorded region, handed to `AWSConfiguration` as the flag value.)
///
/// Order: the `--aws-region` flag, `AWS_REGION`, `AWS_DEFAULT_REGION`, the `region` of the
/// profile in use (see `AWSProfileSelection`; read from `AWS_CONFIG_FILE` /
/// `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws`), else `us-east-1` (the seed exporter's default).
/// Empty or blank values count as unset. Reading the profile never needs credentials.
public enum AWSRegionResolver {
    public static let fallback = "us-east-1"
    static let flagSource = "--aws-region"

    /// Pure form: `profileRegion` is the profile's `region` value (nil when the profile has
    /// none), asked for only when neither the flag nor the environment gives a region.
    public static func resolve(flag: String?, environment: [String: String], profileName: String,
                               profileRegion: () throws -> String?) throws -> AWSRegion {
        let region: AWSRegion
        if let r = nonEmpty(flag) { region = AWSRegion(name: r, source: flagSource) }
        else if let r = nonEmpty(environment["AWS_REGION"]) { region = AWSRegion(name: r, source: "AWS_REGION") }
        else if let r = nonEmpty(environment["AWS_DEFAULT_REGION"]) { region = AWSRegion(name: r, source: "AWS_DEFAULT_REGION") }
        else if let r = nonEmpty(try profileRegion()) { region = AWSRegion(name: r, source: "profile \(profileName)") }
        else { region = AWSRegion(name: fallback, source: "default") }
        try validate(region)
        return region
    }

    /// With the profile files already loaded (as `AWSConfiguration` has them). A profile the
    /// user named (flag, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`) must exist, even when the flag or
    /// the environment decides the region: a typo never passes silently.
    public static func resolve(flag: String?, environment: [String: String], profile: AWSProfileSelection,
                               files: ProfileFiles) throws -> AWSRegion {
        try requireProfile(profile, in: files)
        return try resolve(flag: flag, environment: environment, profileName: profile.name) {
            files.profile(profile.name)?["region"]
        }
    }

    /// For commands that only need the region (`plan`, `backfill`, `export` recording it):
    /// the profile files are read when a profile is named or when the flag and the
    /// environment give no region.
    public static func resolve(flag: String?, profileFlag: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSRegion {
        let profile = AWSProfileSelection(flag: profileFlag, environment: environment)
        if profile.isExplicit {
            return try resolve(flag: flag, environment: environment, profile: profile,
                               files: ProfileFiles(environment: environment))
        }
        return try resolve(flag: flag, environment: environment, profileName: profile.name) {
            try ProfileFiles(environment: environment).profile(profile.name)?["region"]
        }
    }

    /// AWS region names: lower-case ASCII letters, digits and inner hyphens (`us-east-1`,
    /// `cn-north-1`, `us-gov-west-1`). Anything else would make a wrong endpoint host, and
    /// `US-EAST-1` would be recorded as a different backfill than `us-east-1`.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.first, let last = name.last, name.count <= 63,
              first != "-", last != "-" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    static func validate(_ region: AWSRegion) throws {
        guard isValid(region.name) else {
            throw AWSError.configuration("invalid AWS region '\(region.name)' from \(region.source) (expected e.g. us-east-1)")
        }
    }

    static func requireProfile(_ profile: AWSProfileSelection, in files: ProfileFiles) throws {
        if profile.isExplicit && !files.hasProfile(profile.name) {
            throw AWSError.configuration("AWS profile '\(profile.name)' not found in \(files.credentialsPath) or \(files.configPath)")
        }
    }

    static func nonEmpty(_ s: String?) -> String? { AWSConfiguration.nonEmpty(s) }
}
