import Foundation
import Testing
@testable import AWS

/// A class so `deinit` can remove the directories each test created (one instance per test).
@Suite final class ConfigurationTests {
    private var directories: [URL] = []
    deinit { for dir in directories { try? FileManager.default.removeItem(at: dir) } }

    func env(config: String = "", _ extra: [String: String] = [:]) throws -> [String: String] {
        let dir = try TestSupport.temporaryDirectory()
        directories.append(dir)
        try config.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return ["HOME": dir.path, "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path].merging(extra) { $1 }
    }

    @Test func regionPrecedence() throws {
        let config = "[default]\nregion = ap-south-1\n[profile x]\nregion = eu-north-1\n"
        #expect(try AWSConfiguration(settings: .init(region: "eu-west-3"), environment: env(config: config, ["AWS_REGION": "us-west-2"])).region == "eu-west-3")
        #expect(try AWSConfiguration(settings: .init(), environment: env(config: config, ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ca-central-1"])).region == "us-west-2")
        #expect(try AWSConfiguration(settings: .init(), environment: env(config: config, ["AWS_DEFAULT_REGION": "ca-central-1"])).region == "ca-central-1")
        #expect(try AWSConfiguration(settings: .init(), environment: env(config: config)).region == "ap-south-1")
        #expect(try AWSConfiguration(settings: .init(profile: "x"), environment: env(config: config)).regionSource == "profile x")
        let fallback = try AWSConfiguration(settings: .init(), environment: env())
        #expect(fallback.region == "us-east-1" && fallback.regionSource == "default")
    }

    /// The resolver's order, pure: each case removes the winner of the previous one, so a
    /// swapped pair of steps (e.g. AWS_DEFAULT_REGION before AWS_REGION, or the profile before
    /// the environment) fails the case where both are present.
    @Test func regionResolverOrder() throws {
        var profileReads = 0
        func resolve(_ flag: String?, _ env: [String: String], profile: String? = "eu-north-1") throws -> AWSRegion {
            try AWSRegionResolver.resolve(flag: flag, environment: env, profileName: "dev") {
                profileReads += 1
                return profile
            }
        }
        let both = ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ca-central-1"]
        #expect(try resolve("eu-west-3", both) == AWSRegion(name: "eu-west-3", source: "--aws-region"))
        #expect(try resolve(nil, both) == AWSRegion(name: "us-west-2", source: "AWS_REGION"))
        #expect(try resolve(nil, ["AWS_DEFAULT_REGION": "ca-central-1"]) == AWSRegion(name: "ca-central-1", source: "AWS_DEFAULT_REGION"))
        // Fails if the profile is read although the flag or the environment already decided.
        #expect(profileReads == 0)
        #expect(try resolve(nil, [:]) == AWSRegion(name: "eu-north-1", source: "profile dev"))
        #expect(try resolve(nil, [:], profile: nil) == AWSRegion(name: "us-east-1", source: "default"))
        #expect(profileReads == 2)
        // Blank values are unset, as boto3 treats them (fails if "" or "  " became a region).
        #expect(try resolve("  ", ["AWS_REGION": "", "AWS_DEFAULT_REGION": " "], profile: "") == AWSRegion(name: "us-east-1", source: "default"))
        #expect(try resolve(" ap-south-1 ", [:]).name == "ap-south-1")
    }

    /// Invalid names are configuration errors (exit 2 in the CLI) naming where they came from;
    /// fails if an upper-case or malformed region were accepted (it would be recorded as a
    /// different backfill, or make a wrong endpoint host).
    @Test func invalidRegionsAreConfigurationErrors() throws {
        for bad in ["US-EAST-1", "us_east_1", "us east 1", "-us-east-1", "us-east-1-", "eu-wëst-1", "us-east-1/x", String(repeating: "a", count: 64)] {
            do {
                _ = try AWSRegionResolver.resolve(flag: nil, environment: ["AWS_REGION": bad], profileName: "default") { nil }
                Issue.record("\(bad) accepted")
            } catch let error as AWSError {
                #expect(error.kind == .configuration && error.description.contains("from AWS_REGION"), "\(bad): \(error)")
            }
        }
        for good in ["us-east-1", "cn-north-1", "us-gov-west-1", "eu-central-2", "mx-central-1"] {
            #expect(AWSRegionResolver.isValid(good), "\(good)")
        }
        // The profile's value is checked too (fails if only flag/environment values were).
        let e = try env(config: "[default]\nregion = EU-WEST-1\n")
        #expect(throws: AWSError.self) { try AWSRegionResolver.resolve(flag: nil, profileFlag: nil, environment: e) }
        #expect(throws: AWSError.self) { try AWSConfiguration(settings: .init(), environment: e) }
    }

    /// The profile whose region applies: --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, default;
    /// read from AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE without any credentials. Fails
    /// if a step of the profile order is swapped or the credentials file is ignored.
    @Test func profileRegionFromFilesWithoutCredentials() throws {
        let config = "[default]\nregion = ap-south-1\n[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n[profile c]\nregion = eu-west-3\n"
        func region(_ flag: String?, _ extra: [String: String]) throws -> AWSRegion {
            try AWSRegionResolver.resolve(flag: nil, profileFlag: flag, environment: env(config: config, extra))
        }
        #expect(try region("a", ["AWS_PROFILE": "b", "AWS_DEFAULT_PROFILE": "c"]) == AWSRegion(name: "eu-west-1", source: "profile a"))
        #expect(try region(nil, ["AWS_PROFILE": "b", "AWS_DEFAULT_PROFILE": "c"]) == AWSRegion(name: "eu-west-2", source: "profile b"))
        #expect(try region(nil, ["AWS_DEFAULT_PROFILE": "c"]) == AWSRegion(name: "eu-west-3", source: "profile c"))
        #expect(try region(nil, [:]) == AWSRegion(name: "ap-south-1", source: "profile default"))
        // The environment still beats the profile.
        #expect(try region("a", ["AWS_DEFAULT_REGION": "sa-east-1"]).name == "sa-east-1")
        // A region in the credentials file (botocore reads it there too) wins over the config file's.
        let dir = try TestSupport.temporaryDirectory()
        directories.append(dir)
        let creds = dir.appendingPathComponent("credentials")
        try "[a]\nregion = il-central-1\n".write(to: creds, atomically: true, encoding: .utf8)
        let withCreds = try env(config: config, ["AWS_SHARED_CREDENTIALS_FILE": creds.path])
        #expect(try AWSRegionResolver.resolve(flag: nil, profileFlag: "a", environment: withCreds).name == "il-central-1")
        // No files at all (HOME without .aws): the default region, no error.
        #expect(try AWSRegionResolver.resolve(flag: nil, profileFlag: nil, environment: ["HOME": dir.path]) == AWSRegion(name: "us-east-1", source: "default"))
        // A named profile that does not exist is an error even when the flag decides the region
        // (fails if a typo in --profile passed silently); an absent `default` is not.
        #expect(throws: AWSError.self) { try AWSRegionResolver.resolve(flag: "us-east-1", profileFlag: "nope", environment: env(config: config)) }
        #expect(throws: AWSError.self) { try AWSRegionResolver.resolve(flag: nil, profileFlag: nil, environment: env(config: config, ["AWS_PROFILE": "nope"])) }
        #expect(try AWSRegionResolver.resolve(flag: nil, profileFlag: nil, environment: env(config: "[profile a]\n")).source == "default")
    }

    /// AWSConfiguration (what `doctor`, `upload` and the clients of `run` use) decides exactly as
    /// the resolver the CLI records backfills with; fails if either grows its own rule.
    @Test func configurationUsesTheResolver() throws {
        let config = "[default]\nregion = ap-south-1\n[profile x]\nregion = eu-north-1\n"
        let cases: [(String?, String?, [String: String])] = [
            ("eu-west-3", nil, ["AWS_REGION": "us-west-2"]), (nil, nil, ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ca-central-1"]),
            (nil, nil, ["AWS_DEFAULT_REGION": "ca-central-1"]), (nil, nil, [:]), (nil, "x", [:]), (nil, nil, ["AWS_PROFILE": "x"]),
            (nil, nil, ["AWS_DEFAULT_PROFILE": "x"]), (nil, "x", ["AWS_PROFILE": "default"]),
        ]
        for (flag, profile, extra) in cases {
            let e = try env(config: config, extra)
            let c = try AWSConfiguration(settings: .init(region: flag, profile: profile), environment: e)
            let r = try AWSRegionResolver.resolve(flag: flag, profileFlag: profile, environment: e)
            #expect(AWSRegion(name: c.region, source: c.regionSource) == r, "\(flag ?? "-") \(profile ?? "-") \(extra)")
        }
    }

    @Test func endpointPrecedenceAndPathStyleForCustomEndpoints() throws {
        let e = try env(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3": "http://minio:9000"])
        let c = try AWSConfiguration(settings: .init(region: "eu-west-1"), environment: e)
        #expect(try c.endpoint(for: .s3).endpoint.description == "http://minio:9000")
        #expect(try c.endpoint(for: .logs).endpoint.description == "http://127.0.0.1:5000")
        #expect(try c.endpoint(for: .sts).source == "AWS_ENDPOINT_URL")
        let flag = try AWSConfiguration(settings: .init(endpointURL: "https://vpce.example:8443"), environment: e)
        #expect(try flag.endpoint(for: .s3).endpoint.hostHeader == "vpce.example:8443")
        let aws = try AWSConfiguration(settings: .init(region: "eu-west-1"), environment: env(["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://logs.local"]))
        #expect(try aws.endpoint(for: .logs).endpoint.description == "http://logs.local")
        let s3 = try aws.endpoint(for: .s3)
        #expect(s3.endpoint.description == "https://s3.eu-west-1.amazonaws.com" && !s3.isCustom)
        #expect(throws: AWSError.self) { try AWSConfiguration(settings: .init(endpointURL: "ftp://x"), environment: env()) }
    }

    @Test func s3AddressingIsVirtualHostedOnAWSAndPathStyleOnCustomEndpoints() async throws {
        try await AWSHTTPClient.withClient { http in
            let creds = StaticCredentialProvider(AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), sourceName: "t")
            let onAWS = S3Client(http: http, credentials: creds, region: "us-east-1",
                                 endpoint: AWSEndpoint(url: "https://s3.us-east-1.amazonaws.com")!, pathStyle: false)
            let r = onAWS.request("GET", S3Location(bucket: "logs", key: "a b/c+d.parquet"))
            #expect(r.url == "https://logs.s3.us-east-1.amazonaws.com/a%20b/c%2Bd.parquet")
            let dotted = onAWS.request("GET", S3Location(bucket: "my.logs", key: "k"))
            #expect(dotted.url == "https://s3.us-east-1.amazonaws.com/my.logs/k")
            let custom = S3Client(http: http, credentials: creds, region: "us-east-1",
                                  endpoint: AWSEndpoint(url: "http://127.0.0.1:9000")!, pathStyle: true)
            #expect(custom.request("PUT", S3Location(bucket: "logs", key: "é"), query: "uploads").url == "http://127.0.0.1:9000/logs/%C3%A9?uploads")
        }
    }

    @Test func profileFilesParsing() {
        let config = """
        # comment
        [default]
        region = us-west-2
        s3 =
          addressing_style = path
        [profile dev]
        ; another comment
        role_arn = arn:aws:iam::1:role/r
        source_profile = default
        [sso-session corp]
        sso_region = us-east-1
        [services local]
        s3 =
          endpoint_url = http://x
        """
        let sections = ProfileFiles.parse(config, isConfig: true)
        #expect(Set(sections.keys) == ["default", "dev"])
        #expect(sections["default"] == ["region": "us-west-2", "s3": ""])
        #expect(sections["dev"]?["source_profile"] == "default")
        let creds = ProfileFiles.parse("[default]\r\naws_access_key_id=AKID\r\nAWS_Secret_Access_Key = s = x\r\n", isConfig: false)
        #expect(creds["default"] == ["aws_access_key_id": "AKID", "aws_secret_access_key": "s = x"])
    }

    @Test func endpointAndS3URIParsing() throws {
        let v6 = try #require(AWSEndpoint(url: "https://[::1]:443/base"))
        #expect(v6.hostHeader == "[::1]" && v6.basePath == "/base")
        #expect(AWSEndpoint(url: "http://Example.com:80")?.hostHeader == "example.com")
        #expect(AWSEndpoint(url: "http://h:0") == nil && AWSEndpoint(url: "h:80") == nil && AWSEndpoint(url: "http://u@h") == nil)
        #expect(try S3Location(uri: "s3://b-1.x/a/b c") == S3Location(bucket: "b-1.x", key: "a/b c"))
        for bad in ["s3:/b/k", "s3://b", "s3://ab/k", "s3://UPPER/k", "s3://-bad/k", "s3://a..b/k"] {
            #expect(throws: AWSError.self) { try S3Location(uri: bad) }
        }
    }
}

@Suite struct ErrorParsingTests {
    func error(_ status: Int, _ body: String, _ format: AWSServiceClient.ErrorFormat) -> AWSError {
        AWSServiceClient.serviceError(.init(status: status, headers: [], body: Array(body.utf8)), operation: "Op", format: format,
                                      redactor: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "topsecretvalue"))
    }

    @Test func jsonAndXmlErrorsAreTypedAndRedacted() {
        let json = error(400, #"{"__type":"com.amazonaws.logs#ThrottlingException","message":"slow down topsecretvalue"}"#, .json)
        guard case .service(let e) = json else { Issue.record("not a service error"); return }
        #expect(e.code == "ThrottlingException" && e.message == "slow down <redacted>")
        #expect(json.isThrottling && json.isRetryable)
        let xml = error(403, "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>no &amp; never</Message></Error>", .xml)
        #expect(xml.kind == .accessDenied && !xml.isRetryable && xml.description.contains("AccessDenied: no & never"))
        let sts = error(400, "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>", .xml)
        #expect(sts.kind == .invalidCredentials)
        #expect(error(502, "", .json).kind == .serverError)
        #expect(error(500, "", .xml).isRetryable)
        #expect(error(400, #"{"__type":"MalformedQueryException"}"#, .json).kind == .malformedQuery)
    }

    @Test func credentialDocumentsAndExpiryTimestamps() throws {
        let sts = try STSClient.parseCredentials(Array("""
            <AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>
            <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>
            <Expiration>2026-11-29T05:00:00.123Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>
            """.utf8), operation: "test")
        #expect(sts.accessKeyId == "ASIA1" && sts.expiration == Date(timeIntervalSince1970: 1_795_928_400.123))
        let container = try MetadataCredentialSources.parseJSON(Array(#"{"AccessKeyId":"A","SecretAccessKey":"s","Token":"t","Expiration":"garbage"}"#.utf8), source: "x")
        let expiry = try #require(container.expiration)  // unreadable expiry on temporary keys: assume soon
        #expect(expiry.timeIntervalSinceNow > 800 && expiry.timeIntervalSinceNow <= 900)
        let longTerm = try MetadataCredentialSources.parseJSON(Array(#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s"}"#.utf8), source: "x")
        #expect(longTerm.expiration == nil && longTerm.sessionToken == nil)
        #expect(throws: AWSError.self) { try MetadataCredentialSources.parseJSON(Array(#"{"AccessKeyId":"A"}"#.utf8), source: "x") }
    }

    @Test func tinyXMLFindsNestedElementsAndEntities() {
        let xml = "<R><Credentials><AccessKeyId>A</AccessKeyId><SessionToken>x&#43;y&#x2F;z</SessionToken></Credentials><Code/><CodeX>no</CodeX></R>"
        #expect(TinyXML.text(of: "SessionToken", in: xml, within: "Credentials") == "x+y/z")
        #expect(TinyXML.text(of: "Code", in: xml) == "")
        #expect(TinyXML.text(of: "Missing", in: xml) == nil)
        #expect(TinyXML.all("AccessKeyId", in: xml) == ["A"])
    }
}
