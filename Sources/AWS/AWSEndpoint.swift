/// Where a service lives: scheme, host, optional port and base path, parsed from a URL such as
/// `https://logs.us-east-1.amazonaws.com` or `http://127.0.0.1:5000`.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    /// Host name as written (lower-cased), without brackets for IPv6.
    public let host: String
    public let port: Int?
    public let basePath: String

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "/") {
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
        self.basePath = basePath.isEmpty ? "/" : basePath
    }

    /// Parses `scheme://host[:port][/path]`; nil for anything else (no user info, no query).
    public init?(url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = Substring(url[schemeEnd.upperBound...])
        var path = "/"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        guard !rest.isEmpty, !rest.contains("@"), !rest.contains("?"), !path.contains("?") else { return nil }
        var host = String(rest)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            } else if !after.isEmpty { return nil }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return nil }
        self.init(scheme: scheme, host: host, port: port, basePath: path)
    }

    var isIPv6: Bool { host.contains(":") }

    /// The `Host` header value, as botocore derives it: lower-case host, port only when not
    /// the scheme's default.
    public var hostHeader: String {
        let h = isIPv6 ? "[\(host)]" : host
        if let port, port != (scheme == "https" ? 443 : 80) { return "\(h):\(port)" }
        return h
    }

    /// `scheme://host[:port]` without the base path.
    public var url: String {
        let h = isIPv6 ? "[\(host)]" : host
        return port.map { "\(scheme)://\(h):\($0)" } ?? "\(scheme)://\(h)"
    }

    public var description: String { basePath == "/" ? url : url + basePath }
}
