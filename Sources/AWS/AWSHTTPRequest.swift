/// One HTTP request to an AWS endpoint, in the form the signer and the transport share.
/// `path` and `query` are already percent-encoded exactly as they go on the wire.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    public var endpoint: AWSEndpoint
    /// Percent-encoded path, starting with `/`.
    public var path: String
    /// Percent-encoded query string without the leading `?`; empty when there is none.
    public var query: String
    /// Header fields in order; a name may repeat.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, endpoint: AWSEndpoint, path: String = "/", query: String = "",
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.endpoint = endpoint
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The full URL the transport requests.
    public var url: String {
        let base = endpoint.url + (endpoint.basePath == "/" ? "" : endpoint.basePath.trimmingSuffix("/")) + path
        return query.isEmpty ? base : base + "?" + query
    }

    /// The path as the server sees it (endpoint base path + request path).
    var fullPath: String {
        endpoint.basePath == "/" ? path : endpoint.basePath.trimmingSuffix("/") + path
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    mutating func setHeader(_ name: String, _ value: String) {
        removeHeader(name)
        headers.append((name, value))
    }

    mutating func removeHeader(_ name: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
