import Foundation

/// Credential sources that live next to the process: the container credentials endpoint
/// (ECS, EKS Pod Identity), the EC2 instance metadata service (IMDSv2), and a profile's
/// `credential_process`. Each returns a fetch function for `RefreshingCredentialProvider`.
enum MetadataCredentialSources {
    /// The JSON shape shared by the container endpoint, IMDS and credential_process.
    static func parseJSON(_ body: [UInt8], source: String) throws -> AWSCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let keyId = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw AWSError.credentials("\(source) did not return AccessKeyId and SecretAccessKey")
        }
        let token = (object["Token"] as? String) ?? (object["SessionToken"] as? String)
        let expiration = (object["Expiration"] as? String).flatMap(AWSDate.parse)
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token,
                              expiration: AWSDate.temporaryExpiration(expiration, sessionToken: token))
    }

    // MARK: Container credentials

    static let containerHost = "http://169.254.170.2"

    /// Fetch function for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`, or nil when
    /// neither is set. The authorization token is read on every fetch: EKS Pod Identity
    /// rotates the token file.
    static func container(environment: [String: String], http: AWSHTTPClient) throws
        -> (@Sendable () async throws -> AWSCredentials)? {
        let urlText: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            urlText = containerHost + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            urlText = full
        } else {
            return nil
        }
        let (endpoint, path, query) = try split(urlText, what: "container credentials URI")
        // Like botocore: a plain-http full URI must stay on this host or the ECS/EKS agent
        // address, so the authorization token is never sent in clear across the network.
        let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1", "localhost"]
        if endpoint.scheme == "http" && !(allowedHTTPHosts.contains(endpoint.host) || endpoint.host.hasPrefix("127.")) {
            throw AWSError.configuration("AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback/ECS/EKS agent host, not \(endpoint.host)")
        }
        let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let tokenValue = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return {
            var request = AWSHTTPRequest(method: "GET", endpoint: endpoint, path: path, query: query,
                                         headers: [("Accept", "application/json")])
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw AWSError.credentials("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
                }
                request.setHeader("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            } else if let tokenValue {
                request.setHeader("Authorization", tokenValue)
            }
            let response = try await http.send(request, operation: "container credentials endpoint", timeout: .seconds(5))
            guard response.status == 200 else {
                throw AWSError.credentials("container credentials endpoint \(endpoint) answered HTTP \(response.status)")
            }
            return try parseJSON(response.body, source: "container credentials endpoint")
        }
    }

    // MARK: IMDSv2

    /// Fetch function for the instance metadata service: PUT a session token, list the
    /// instance role, GET its credentials. Short timeouts: off EC2 nothing answers.
    static func instanceMetadata(environment: [String: String], http: AWSHTTPClient) throws
        -> (@Sendable () async throws -> AWSCredentials)? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        let base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        guard let endpoint = AWSEndpoint(url: base) else {
            throw AWSError.configuration("AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid http(s) URL: \(base)")
        }
        let operation = "EC2 instance metadata (IMDSv2)"
        return {
            let tokenResponse = try await http.send(
                AWSHTTPRequest(method: "PUT", endpoint: endpoint, path: "/latest/api/token",
                               headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]),
                operation: operation, timeout: .seconds(2))
            guard tokenResponse.status == 200 else {
                throw AWSError.credentials("\(operation) refused a session token (HTTP \(tokenResponse.status))")
            }
            let token = String(decoding: tokenResponse.body, as: UTF8.self)
            let header = [(name: "X-aws-ec2-metadata-token", value: token)]
            let rolePath = "/latest/meta-data/iam/security-credentials/"
            let roles = try await http.send(AWSHTTPRequest(method: "GET", endpoint: endpoint, path: rolePath, headers: header),
                                            operation: operation, timeout: .seconds(2))
            let role = String(decoding: roles.body, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            guard roles.status == 200, !role.isEmpty else {
                throw AWSError.credentials("\(operation): this instance has no IAM role attached")
            }
            let creds = try await http.send(
                AWSHTTPRequest(method: "GET", endpoint: endpoint, path: rolePath + AWSPercentEncoding.encode(role), headers: header),
                operation: operation, timeout: .seconds(2))
            guard creds.status == 200 else { throw AWSError.credentials("\(operation) answered HTTP \(creds.status)") }
            return try parseJSON(creds.body, source: operation)
        }
    }

    // MARK: credential_process

    /// Runs the profile's `credential_process` command (through `/bin/sh -c`, as the AWS CLI
    /// does on POSIX) and reads its JSON (`Version: 1`). Its stderr goes to ours; stdout is
    /// never echoed because it holds the secret.
    static func process(command: String, profile: String) -> @Sendable () async throws -> AWSCredentials {
        return {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch {
                throw AWSError.credentials("credential_process of profile \(profile) could not be started")
            }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw AWSError.credentials("credential_process of profile \(profile) exited with status \(process.terminationStatus)")
            }
            return try parseJSON(Array(data), source: "credential_process of profile \(profile)")
        }
    }

    static func split(_ url: String, what: String) throws -> (AWSEndpoint, String, String) {
        var rest = url
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
        }
        guard let parsed = AWSEndpoint(url: rest) else { throw AWSError.configuration("\(what) is not a valid URL: \(url)") }
        let endpoint = AWSEndpoint(scheme: parsed.scheme, host: parsed.host, port: parsed.port)
        return (endpoint, parsed.basePath, query)
    }
}
