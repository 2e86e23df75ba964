import AWS
import BackfillCore
import ArgumentParser
import Foundation

/// `--aws-region` and `--profile`: what decides the region a backfill is recorded under.
/// `plan` takes just these; every command that talks to AWS takes them through `AWSOptions`,
/// so the same flags and environment give the same region (and the same backfill) everywhere.
struct RegionOptions: ParsableArguments {
    @Option(name: .customLong("aws-region"),
            help: "AWS region. Order: this flag, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.")
    var region: String?

    @Option(name: .customLong("profile"),
            help: "Profile from ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE); default: AWS_PROFILE, AWS_DEFAULT_PROFILE, default.")
    var profile: String?

    /// The region for these flags and `environment` (see `AWSRegionResolver`); an invalid
    /// region or a named profile that does not exist is a usage error (exit 2).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSRegion {
        do {
            return try AWSRegionResolver.resolve(flag: region, profileFlag: profile, environment: environment)
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}

/// AWS flags shared by every command that talks to AWS (names follow the seed exporter and
/// the AWS CLI). Credentials given here win over everything else, as explicit keys do in boto3;
/// prefer the environment or a profile, because flags are visible in the process list.
struct AWSOptions: ParsableArguments {
    @OptionGroup var regionOptions: RegionOptions
    var region: String? { regionOptions.region }
    var profile: String? { regionOptions.profile }

    @Option(name: .customLong("endpoint-url"), help: "Custom endpoint for every AWS service (e.g. a local moto or MinIO).")
    var endpointURL: String?

    @Option(name: .customLong("aws-access-key-id"), help: "Explicit access key id (needs --aws-secret-access-key).")
    var accessKeyId: String?

    @Option(name: .customLong("aws-secret-access-key"), help: "Explicit secret access key.")
    var secretAccessKey: String?

    @Option(name: .customLong("aws-session-token"), help: "Explicit session token for temporary keys.")
    var sessionToken: String?

    var settings: AWSSettings {
        AWSSettings(region: region, endpointURL: endpointURL, profile: profile,
                    accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }
}

/// The seed exporter's S3-only overrides, for writing to a bucket with other credentials.
/// They mirror `AWSOptions` flag for flag, and stay written out one by one on purpose: each
/// flag's name appears literally (a search for `--s3-endpoint-url` finds it) and the two sets
/// differ in names and help.
struct S3Options: ParsableArguments {
    @Option(name: .customLong("s3-access-key-id"), help: "Access key id for S3 destinations only.")
    var accessKeyId: String?

    @Option(name: .customLong("s3-secret-access-key"), help: "Secret access key for S3 destinations only.")
    var secretAccessKey: String?

    @Option(name: .customLong("s3-session-token"), help: "Session token for S3 destinations only.")
    var sessionToken: String?

    @Option(name: .customLong("s3-endpoint-url"), help: "Endpoint for S3 only (path-style addressing is used).")
    var endpointURL: String?

    @Option(name: .customLong("s3-region"), help: "Region of the S3 bucket, if it differs from --aws-region.")
    var region: String?

    @Option(name: .customLong("s3-profile"), help: "Profile whose credentials are used for S3 only.")
    var profile: String?

    @Option(name: .customLong("destination-env"),
            help: "An S3 destination's own credentials from environment variables: URI=PREFIX reads PREFIXACCESS_KEY_ID, PREFIXSECRET_ACCESS_KEY, PREFIXSESSION_TOKEN, PREFIXENDPOINT_URL, PREFIXREGION (e.g. s3://backup=BACKUP_S3_). Repeatable.")
    var destinationEnv: [String] = []

    @Option(name: .customLong("destination-profile"), help: "An S3 destination's own credentials from a profile: URI=PROFILE. Repeatable.")
    var destinationProfile: [String] = []

    var settings: S3Settings {
        S3Settings(region: region, endpointURL: endpointURL, profile: profile,
                   accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    /// Each S3 destination given its own credentials, by its canonical URI (as the catalog
    /// stores it). Bad syntax is a usage error (exit 2); missing variables a configuration
    /// error (exit 2) naming them, never their values.
    func destinationSettings() throws -> [String: S3Settings] {
        var result: [String: S3Settings] = [:]
        for (flag, values) in [("--destination-env", destinationEnv), ("--destination-profile", destinationProfile)] {
            for value in values {
                guard let equals = value.lastIndex(of: "="), OutputDestination.takesCredentials(value) else {
                    throw CommandFailure.usage("\(flag) \(value): expected s3://bucket[/prefix]=\(flag == "--destination-env" ? "PREFIX" : "PROFILE")")
                }
                let name = String(value[value.index(after: equals)...])
                let uri: String
                do {
                    uri = try OutputDestination.parse(String(value[..<equals])).uri
                } catch let invalid as OutputDestination.Invalid {
                    throw CommandFailure.usage("\(flag): \(invalid.description)")
                }
                guard !name.isEmpty else { throw CommandFailure.usage("\(flag) \(value): the part after = is empty") }
                guard result[uri] == nil else { throw CommandFailure.usage("\(flag): \(uri) is given credentials twice") }
                do {
                    result[uri] = flag == "--destination-env"
                        ? try S3Settings.fromEnvironment(prefix: name, base: settings)
                        : S3Settings.fromProfile(name, base: settings)
                } catch {
                    throw CommandFailure.exit(for: error)
                }
            }
        }
        return result
    }
}
