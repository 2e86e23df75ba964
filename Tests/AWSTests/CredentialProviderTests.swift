import Foundation
import Testing
@testable import AWS

/// Counts fetches across concurrent callers (the fetch closure must be Sendable).
actor FetchCounter {
    var count = 0
    func next() -> Int { count += 1; return count }
}

@Suite struct RefreshingCredentialProviderTests {
    @Test func concurrentCallersShareOneFetch() async throws {
        let counter = FetchCounter()
        let provider = RefreshingCredentialProvider(sourceName: "test") {
            let n = await counter.next()
            try await Task.sleep(for: .milliseconds(50))  // keep the refresh in flight while others arrive
            return AWSCredentials(accessKeyId: "AKID\(n)", secretAccessKey: "s", sessionToken: "t",
                                  expiration: Date().addingTimeInterval(3600))
        }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await provider.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids) == ["AKID1"])
        #expect(await counter.count == 1)
        #expect(await provider.fetchCount == 1)
    }

    @Test func refreshesWhenExpiryIsWithinTheMargin() async throws {
        let counter = FetchCounter()
        let provider = RefreshingCredentialProvider(sourceName: "test", refreshMargin: 300) {
            let n = await counter.next()
            // The first credentials expire in 2 minutes (inside the margin), the next in an hour.
            return AWSCredentials(accessKeyId: "AKID\(n)", secretAccessKey: "s",
                                  expiration: Date().addingTimeInterval(n == 1 ? 120 : 3600))
        }
        #expect(try await provider.credentials().accessKeyId == "AKID1")
        #expect(try await provider.credentials().accessKeyId == "AKID2")
        #expect(try await provider.credentials().accessKeyId == "AKID2")
        #expect(await counter.count == 2)
    }

    @Test func concurrentCallersAllSeeOneFailedFetch() async throws {
        let counter = FetchCounter()
        let provider = RefreshingCredentialProvider(sourceName: "test") {
            _ = await counter.next()
            try await Task.sleep(for: .milliseconds(50))
            throw AWSError.credentials("STS unreachable")
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { (try? await provider.credentials()) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 20)
        #expect(await counter.count == 1)
    }

    @Test func aFailedFetchIsReportedAndRetriedByTheNextCaller() async throws {
        let counter = FetchCounter()
        let provider = RefreshingCredentialProvider(sourceName: "test") {
            if await counter.next() == 1 { throw AWSError.credentials("endpoint down") }
            return AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s")
        }
        await #expect(throws: AWSError.self) { try await provider.credentials() }
        #expect(try await provider.credentials().accessKeyId == "AKID")
    }
}

/// A class so `deinit` can remove the directories each test created (one instance per test).
@Suite final class CredentialChainOrderTests {
    private var directories: [URL] = []
    deinit { for dir in directories { try? FileManager.default.removeItem(at: dir) } }

    func scratchDirectory() throws -> URL {
        let dir = try TestSupport.temporaryDirectory()
        directories.append(dir)
        return dir
    }

    /// Writes profile files into a fresh directory and returns an environment pointing at them.
    func environment(credentials: String = "", config: String = "", _ extra: [String: String] = [:]) throws -> [String: String] {
        let dir = try scratchDirectory()
        try credentials.write(to: dir.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try config.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return ["HOME": dir.path, "AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
                "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path, "AWS_EC2_METADATA_DISABLED": "true"]
            .merging(extra) { $1 }
    }

    func resolve(_ settings: AWSSettings = AWSSettings(), _ env: [String: String]) async throws -> (String, AWSCredentials?) {
        try await AWSHTTPClient.withClient { http in
            let config = try AWSConfiguration(settings: settings, environment: env)
            let provider = try await CredentialChain(configuration: config, http: http).resolve()
            // Static sources can be read without network; temporary ones are not fetched here.
            let creds = provider is StaticCredentialProvider ? try await provider.credentials() : nil
            return (provider.sourceName, creds)
        }
    }

    static let fileCredentials = "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n"
        + "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n"

    @Test func explicitFlagsBeatEnvironmentWhichBeatsProfiles() async throws {
        let env = try environment(credentials: Self.fileCredentials, ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret"])
        let explicit = try await resolve(AWSSettings(accessKeyId: "AKIDFLAG", secretAccessKey: "flagsecret"), env)
        #expect(explicit.0 == "explicit (command-line flags)" && explicit.1?.accessKeyId == "AKIDFLAG")
        let fromEnv = try await resolve(AWSSettings(), env)
        #expect(fromEnv.0 == "env (AWS_ACCESS_KEY_ID)" && fromEnv.1?.accessKeyId == "AKIDENV")
        // AWS_PROFILE does not hide the environment keys (boto3 behaves the same)…
        var withProfileVariable = env
        withProfileVariable["AWS_PROFILE"] = "dev"
        #expect(try await resolve(AWSSettings(), withProfileVariable).1?.accessKeyId == "AKIDENV")
        // …but a profile named on the command line does.
        let flagged = try await resolve(AWSSettings(profile: "dev"), env)
        #expect(flagged.0 == "shared-credentials-file (profile dev)" && flagged.1?.accessKeyId == "AKIDDEV")
    }

    @Test func credentialsFileBeatsCredentialProcessWhichBeatsConfigFileKeys() async throws {
        let config = "[profile p]\naws_access_key_id = AKIDCONF\naws_secret_access_key = confsecret\ncredential_process = /bin/false\n"
        let env = try environment(config: config)
        #expect(try await resolve(AWSSettings(profile: "p"), env).0 == "custom-process (profile p)")
        let env2 = try environment(config: "[profile p]\naws_access_key_id = AKIDCONF\naws_secret_access_key = confsecret\n")
        let fromConfig = try await resolve(AWSSettings(profile: "p"), env2)
        #expect(fromConfig.0 == "config-file (profile p)" && fromConfig.1?.accessKeyId == "AKIDCONF")
        let env3 = try environment(credentials: "[p]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n", config: config)
        #expect(try await resolve(AWSSettings(profile: "p"), env3).1?.accessKeyId == "AKIDCRED")
    }

    @Test func roleProfilesAndWebIdentityComeBeforeSharedKeys() async throws {
        let dir = try scratchDirectory()
        let tokenFile = dir.appendingPathComponent("token")
        try "jwt".write(to: tokenFile, atomically: true, encoding: .utf8)
        let webIdentity = try environment(credentials: Self.fileCredentials,
                                          ["AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path])
        #expect(try await resolve(AWSSettings(), webIdentity).0 == "assume-role-with-web-identity")
        let role = try environment(credentials: Self.fileCredentials,
                                   config: "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n")
        #expect(try await resolve(AWSSettings(profile: "r"), role).0 == "assume-role (profile r, via shared-credentials-file (profile dev))")
        let profileWebIdentity = try environment(credentials: Self.fileCredentials,
            config: "[profile w]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = \(tokenFile.path)\n")
        #expect(try await resolve(AWSSettings(profile: "w"), profileWebIdentity).0 == "assume-role-with-web-identity")
        let fromEnvironment = try environment(config: "[profile e]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n",
                                              ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(try await resolve(AWSSettings(profile: "e"), fromEnvironment).0 == "assume-role (profile e, via env)")
        let loop = try environment(config: "[profile a]\nrole_arn = x\nsource_profile = b\n[profile b]\nrole_arn = y\nsource_profile = a\n")
        await #expect(throws: AWSError.self) { try await resolve(AWSSettings(profile: "a"), loop) }
    }

    @Test func containerCredentialsComeAfterProfilesAndBadSetupsFailClearly() async throws {
        let container = try environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"])
        #expect(try await resolve(AWSSettings(), container).0 == "container-role")
        let remote = try environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/creds"])
        await #expect(throws: AWSError.self) { try await resolve(AWSSettings(), remote) }
        let pod = try environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"])
        #expect(try await resolve(AWSSettings(), pod).0 == "container-role")
        await #expect(throws: AWSError.self) { try await resolve(AWSSettings(), try environment()) }
        do {
            _ = try await resolve(AWSSettings(profile: "missing"), try environment(credentials: Self.fileCredentials))
            Issue.record("an unknown profile must fail")
        } catch let error as AWSError {
            #expect(error.kind == .configuration && error.description.contains("profile 'missing' not found"))
        }
        do {
            _ = try await resolve(AWSSettings(), try environment(["AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token"]))
            Issue.record("an unreadable token file must fail")
        } catch let error as AWSError {
            #expect(error.kind == .credentials && error.description.contains("/nonexistent/token"))
        }
        do {
            _ = try await resolve(AWSSettings(), try environment(["AWS_ACCESS_KEY_ID": "AKID"]))
            Issue.record("a key id without a secret must fail")
        } catch let error as AWSError {
            #expect(error.description.contains("AWS_SECRET_ACCESS_KEY is not"))
        }
    }
}
