import Foundation

/// STS over the query protocol (form-encoded POST, XML answer): the two calls credential
/// resolution needs.
public struct STSClient: Sendable {
    public let http: AWSHTTPClient
    public let region: String
    public let endpoint: AWSEndpoint

    /// `AssumeRole`, signed with `source` credentials (role_arn + source_profile).
    func assumeRole(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
                           source: any CredentialProvider) async throws -> AWSCredentials {
        var params = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
                      ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        let service = AWSServiceClient(http: http, credentials: source, region: region, endpoint: endpoint,
                                       signingName: "sts", errorFormat: .xml)
        let response = try await service.send(formRequest(params), operation: "STS AssumeRole")
        return try Self.parseCredentials(response.body, operation: "STS AssumeRole")
    }

    /// `AssumeRoleWithWebIdentity` (IRSA): the OIDC token is the proof, so the request is unsigned.
    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let params = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
                      ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        var request = formRequest(params)
        request.setHeader("User-Agent", "pulp-backfill")
        let operation = "STS AssumeRoleWithWebIdentity"
        let response = try await http.send(request, operation: operation)
        guard (200..<300).contains(response.status) else {
            var error = AWSServiceClient.serviceError(response, operation: operation, format: .xml, redactor: nil)
            if case .service(let e) = error {
                // The token is a bearer secret: make sure the server's message cannot echo it.
                error = .service(.init(code: e.code, message: e.message.replacingOccurrences(of: token, with: "<redacted>"),
                                       httpStatus: e.httpStatus, operation: e.operation))
            }
            throw error
        }
        return try Self.parseCredentials(response.body, operation: operation)
    }

    private func formRequest(_ params: [(String, String)]) -> AWSHTTPRequest {
        AWSHTTPRequest(method: "POST", endpoint: endpoint, path: "/",
                       headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                       body: Array(AWSPercentEncoding.formEncode(params).utf8))
    }

    static func parseCredentials(_ body: [UInt8], operation: String) throws -> AWSCredentials {
        let xml = String(decoding: body, as: UTF8.self)
        guard let keyId = TinyXML.text(of: "AccessKeyId", in: xml, within: "Credentials"),
              let secret = TinyXML.text(of: "SecretAccessKey", in: xml, within: "Credentials") else {
            throw AWSError.invalidResponse("\(operation) answered without credentials")
        }
        let token = TinyXML.text(of: "SessionToken", in: xml, within: "Credentials")
        let expiration = TinyXML.text(of: "Expiration", in: xml, within: "Credentials").flatMap(AWSDate.parse)
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token,
                              expiration: AWSDate.temporaryExpiration(expiration, sessionToken: token))
    }
}
