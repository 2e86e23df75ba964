import Foundation

/// A set of AWS credentials. `description` never shows the secret or the session token, so a
/// value that ends up in a log line or an error message cannot leak them.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public let expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken?.isEmpty == true ? nil : sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secret: <redacted>\(sessionToken == nil ? "" : ", session token: <redacted>"))"
    }
    public var debugDescription: String { description }

    /// Replaces the secret and session token wherever they occur in `text` — used on every
    /// message that came from a server or a subprocess before it reaches the user.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in [secretAccessKey, sessionToken].compactMap({ $0 }) where secret.count >= 4 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return out
    }
}
