import Foundation

/// `~/.aws/credentials` and `~/.aws/config`, read the way botocore reads them: credentials-file
/// sections are `[name]`, config-file sections are `[default]` or `[profile name]`; for a key
/// present in both, the credentials file wins. Indented sub-section lines (`s3 =` blocks) are
/// skipped; comment lines start with `#` or `;`.
public struct ProfileFiles: Sendable {
    let credentialsPath: String
    let configPath: String
    let credentialsSections: [String: [String: String]]
    let configSections: [String: [String: String]]

    /// Paths from `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`, else under `$HOME/.aws`.
    /// Missing files are empty; unreadable ones are a configuration error.
    public init(environment: [String: String]) throws {
        let home = environment["HOME"] ?? NSHomeDirectory()
        credentialsPath = Self.expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        configPath = Self.expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        credentialsSections = try Self.load(credentialsPath, isConfig: false)
        configSections = try Self.load(configPath, isConfig: true)
    }

    func hasProfile(_ name: String) -> Bool {
        credentialsSections[name] != nil || configSections[name] != nil
    }

    /// All settings of profile `name`: config-file values overlaid by credentials-file values.
    public func profile(_ name: String) -> [String: String]? {
        guard hasProfile(name) else { return nil }
        return (configSections[name] ?? [:]).merging(credentialsSections[name] ?? [:]) { _, fromCredentials in fromCredentials }
    }

    /// Whether `key` of profile `name` came from the credentials file (for the source name).
    func isFromCredentialsFile(_ name: String, _ key: String) -> Bool { credentialsSections[name]?[key] != nil }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    static func load(_ path: String, isConfig: Bool) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSError.configuration("cannot read AWS \(isConfig ? "config" : "credentials") file \(path); check its permissions")
        }
        return parse(String(decoding: data, as: UTF8.self), isConfig: isConfig)
    }

    static func parse(_ text: String, isConfig: Bool) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                var name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfig {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // [sso-session x], [services x]: not profiles
                        continue
                    }
                }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            // Indented lines belong to a nested block such as `s3 =`; botocore keeps them
            // under that key, and none of them matter for credentials or region.
            guard let section = current, line.first != " ", line.first != "\t" else { continue }
            guard let eq = trimmed.firstIndex(where: { $0 == "=" }) else { continue }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }
}
