import Foundation

/// Finds credentials in boto3's order and returns the provider that won:
///
/// 1. explicit keys (command-line flags)
/// 2. environment: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`
///    (skipped when a profile is named on the command line, as boto3 does)
/// 3. the profile's `role_arn` + `source_profile` / `credential_source` → STS AssumeRole
/// 4. web identity: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, or the profile's
///    `role_arn` + `web_identity_token_file` → STS AssumeRoleWithWebIdentity (IRSA)
/// 5. the profile's keys in the credentials file
/// 6. the profile's `credential_process`
/// 7. the profile's keys in the config file
/// 8. container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`)
/// 9. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`
public struct CredentialChain: Sendable {
    public let configuration: AWSConfiguration
    public let http: AWSHTTPClient

    public init(configuration: AWSConfiguration, http: AWSHTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// The winning provider. Sources that need the network (STS, container, IMDS) are not
    /// contacted here except IMDS, whose presence can only be learned by asking.
    public func resolve() async throws -> any CredentialProvider {
        let settings = configuration.settings
        let env = configuration.environment
        if settings.accessKeyId != nil || settings.secretAccessKey != nil {
            guard let id = AWSConfiguration.nonEmpty(settings.accessKeyId),
                  let secret = AWSConfiguration.nonEmpty(settings.secretAccessKey) else {
                throw AWSError.configuration("give both the access key id and the secret access key flags, or neither")
            }
            return StaticCredentialProvider(
                AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: settings.sessionToken),
                sourceName: "explicit (command-line flags)")
        }
        if settings.profile == nil, let id = AWSConfiguration.nonEmpty(env["AWS_ACCESS_KEY_ID"]) {
            guard let secret = AWSConfiguration.nonEmpty(env["AWS_SECRET_ACCESS_KEY"]) else {
                throw AWSError.credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return StaticCredentialProvider(
                AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: AWSConfiguration.nonEmpty(env["AWS_SESSION_TOKEN"])),
                sourceName: "env (AWS_ACCESS_KEY_ID)")
        }
        let name = configuration.profileName
        let profile = configuration.profiles.profile(name) ?? [:]
        if profile["role_arn"] != nil && profile["web_identity_token_file"] == nil {
            return try assumeRoleProvider(profileName: name, visited: [])
        }
        if let provider = try webIdentityProvider(profile: profile, profileName: name) { return provider }
        if let provider = staticProfileKeys(name, profile, fromCredentialsFile: true) { return provider }
        if let command = AWSConfiguration.nonEmpty(profile["credential_process"]) {
            return RefreshingCredentialProvider(sourceName: "custom-process (profile \(name))",
                                                fetch: MetadataCredentialSources.process(command: command, profile: name))
        }
        if let provider = staticProfileKeys(name, profile, fromCredentialsFile: false) { return provider }
        if let fetch = try MetadataCredentialSources.container(environment: env, http: http) {
            return RefreshingCredentialProvider(sourceName: "container-role", fetch: fetch)
        }
        if let fetch = try MetadataCredentialSources.instanceMetadata(environment: env, http: http) {
            let provider = RefreshingCredentialProvider(sourceName: "iam-role (EC2 instance metadata)", fetch: fetch)
            if (try? await provider.credentials()) != nil { return provider }
        }
        throw AWSError.credentials("no credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            + "pick a profile with --profile or AWS_PROFILE, or run with a web identity, container or instance role")
    }

    private func staticProfileKeys(_ name: String, _ profile: [String: String], fromCredentialsFile: Bool) -> (any CredentialProvider)? {
        guard let id = AWSConfiguration.nonEmpty(profile["aws_access_key_id"]),
              let secret = AWSConfiguration.nonEmpty(profile["aws_secret_access_key"]),
              configuration.profiles.isFromCredentialsFile(name, "aws_access_key_id") == fromCredentialsFile else { return nil }
        let source = fromCredentialsFile ? "shared-credentials-file" : "config-file"
        return StaticCredentialProvider(
            AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: AWSConfiguration.nonEmpty(profile["aws_session_token"])),
            sourceName: "\(source) (profile \(name))")
    }

    private func sts() throws -> STSClient {
        STSClient(http: http, region: configuration.region, endpoint: try configuration.endpoint(for: .sts).endpoint)
    }

    /// `role_arn` with `source_profile` (whose own credentials may again be a role, up to a
    /// short chain) or `credential_source = Environment | EcsContainer | Ec2InstanceMetadata`.
    private func assumeRoleProvider(profileName: String, visited: [String]) throws -> any CredentialProvider {
        guard visited.count < 5, !visited.contains(profileName) else {
            throw AWSError.configuration("AWS profile '\(profileName)': source_profile chain loops or is too long")
        }
        guard let profile = configuration.profiles.profile(profileName) else {
            throw AWSError.configuration("AWS profile '\(profileName)' (a source_profile) not found in \(configuration.profiles.configPath)")
        }
        guard let roleArn = profile["role_arn"] else {
            if let keys = staticProfileKeys(profileName, profile, fromCredentialsFile: true)
                ?? staticProfileKeys(profileName, profile, fromCredentialsFile: false) { return keys }
            throw AWSError.configuration("AWS profile '\(profileName)' has neither keys nor role_arn")
        }
        let source: any CredentialProvider
        if let sourceProfile = AWSConfiguration.nonEmpty(profile["source_profile"]) {
            source = sourceProfile == profileName
                ? (staticProfileKeys(profileName, profile, fromCredentialsFile: true)
                    ?? StaticCredentialProvider(AWSCredentials(accessKeyId: "", secretAccessKey: ""), sourceName: "none"))
                : try assumeRoleProvider(profileName: sourceProfile, visited: visited + [profileName])
        } else if let credentialSource = profile["credential_source"] {
            source = try credentialSourceProvider(credentialSource, profileName: profileName)
        } else {
            throw AWSError.configuration("AWS profile '\(profileName)' has role_arn but no source_profile or credential_source")
        }
        let sts = try sts()
        let sessionName = profile["role_session_name"] ?? "pulp-backfill-\(Int(Date().timeIntervalSince1970))"
        let externalId = profile["external_id"]
        let duration = profile["duration_seconds"].flatMap { Int($0) }
        return RefreshingCredentialProvider(sourceName: "assume-role (profile \(profileName), via \(source.sourceName))") {
            try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName, externalId: externalId,
                                     durationSeconds: duration, source: source)
        }
    }

    private func credentialSourceProvider(_ name: String, profileName: String) throws -> any CredentialProvider {
        let env = configuration.environment
        switch name {
        case "Environment":
            guard let id = AWSConfiguration.nonEmpty(env["AWS_ACCESS_KEY_ID"]),
                  let secret = AWSConfiguration.nonEmpty(env["AWS_SECRET_ACCESS_KEY"]) else {
                throw AWSError.credentials("profile \(profileName): credential_source = Environment but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set")
            }
            return StaticCredentialProvider(AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                                           sessionToken: env["AWS_SESSION_TOKEN"]), sourceName: "env")
        case "EcsContainer":
            guard let fetch = try MetadataCredentialSources.container(environment: env, http: http) else {
                throw AWSError.credentials("profile \(profileName): credential_source = EcsContainer but no container credentials URI is set")
            }
            return RefreshingCredentialProvider(sourceName: "container-role", fetch: fetch)
        case "Ec2InstanceMetadata":
            guard let fetch = try MetadataCredentialSources.instanceMetadata(environment: env, http: http) else {
                throw AWSError.credentials("profile \(profileName): credential_source = Ec2InstanceMetadata but AWS_EC2_METADATA_DISABLED is true")
            }
            return RefreshingCredentialProvider(sourceName: "iam-role (EC2 instance metadata)", fetch: fetch)
        default:
            throw AWSError.configuration("profile \(profileName): unknown credential_source '\(name)'")
        }
    }

    /// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (what EKS injects for IRSA), or the
    /// profile's `role_arn` + `web_identity_token_file`. The token file is re-read on every
    /// refresh because the kubelet rotates it.
    private func webIdentityProvider(profile: [String: String], profileName: String) throws -> (any CredentialProvider)? {
        let env = configuration.environment
        let roleArn: String
        let tokenFile: String
        let sessionName: String?
        if let arn = AWSConfiguration.nonEmpty(env["AWS_ROLE_ARN"]), let file = AWSConfiguration.nonEmpty(env["AWS_WEB_IDENTITY_TOKEN_FILE"]) {
            (roleArn, tokenFile, sessionName) = (arn, file, AWSConfiguration.nonEmpty(env["AWS_ROLE_SESSION_NAME"]))
        } else if let arn = profile["role_arn"], let file = AWSConfiguration.nonEmpty(profile["web_identity_token_file"]) {
            (roleArn, tokenFile, sessionName) = (arn, file, profile["role_session_name"])
        } else {
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw AWSError.credentials("web identity token file \(tokenFile) is missing or unreadable (AWS_WEB_IDENTITY_TOKEN_FILE)")
        }
        let sts = try sts()
        let session = sessionName ?? "pulp-backfill-\(Int(Date().timeIntervalSince1970))"
        return RefreshingCredentialProvider(sourceName: "assume-role-with-web-identity") {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw AWSError.credentials("web identity token file \(tokenFile) is missing or unreadable")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: session, token: token)
        }
    }
}
