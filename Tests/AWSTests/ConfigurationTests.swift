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
