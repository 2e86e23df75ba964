import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The one HTTP client every AWS call goes through: a pooled AsyncHTTPClient with connect and
/// read timeouts. Create it with `withClient`, which shuts the pool down when the body returns
/// (or throws), so no connection or event-loop thread outlives its user.
public final class AWSHTTPClient: Sendable {
    public struct Timeouts: Sendable {
        public var connect: Duration
        public var read: Duration
        public init(connect: Duration = .seconds(10), read: Duration = .seconds(60)) {
            self.connect = connect
            self.read = read
        }
    }

    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]
        public func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name.lowercased() == lower }?.value
        }
    }

    let client: HTTPClient
    let timeouts: Timeouts
    /// Largest response body read into memory (GetObject of an hourly Parquet file fits).
    let maxResponseBytes: Int

    private init(timeouts: Timeouts, maxResponseBytes: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(timeouts.connect.nanoseconds),
                                      read: .nanoseconds(timeouts.read.nanoseconds))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        // AsyncHTTPClient would otherwise keep re-dialing a refused connection until the
        // connect timeout; retries belong to AWSRetryPolicy, which knows what is retryable.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Redirects would change the signed host; AWS errors say where to go instead.
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeouts = timeouts
        self.maxResponseBytes = maxResponseBytes
    }

    /// Runs `body` with a fresh client and always shuts the client down afterwards.
    public static func withClient<T: Sendable>(
        timeouts: Timeouts = Timeouts(), maxResponseBytes: Int = 1 << 30,
        _ body: (AWSHTTPClient) async throws -> T
    ) async throws -> T {
        let http = AWSHTTPClient(timeouts: timeouts, maxResponseBytes: maxResponseBytes)
        do {
            let result = try await body(http)
            try await http.client.shutdown()
            return result
        } catch {
            try? await http.client.shutdown()
            throw error
        }
    }

    /// Sends `request` and returns the whole response. `timeout` bounds the entire exchange
    /// (used for short metadata-service probes); transport failures become `AWSError.transport`.
    func send(_ request: AWSHTTPRequest, operation: String, timeout: Duration? = nil) async throws -> Response {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.uppercased())
        for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
        if !outgoing.headers.contains(name: "Host") {
            outgoing.headers.add(name: "Host", value: request.endpoint.hostHeader)
        }
        if !request.body.isEmpty || ["PUT", "POST"].contains(request.method.uppercased()) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let deadline = timeout ?? (timeouts.connect + timeouts.read + .seconds(600))
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(deadline.nanoseconds))
            var bodyBytes: [UInt8] = []
            if request.method.uppercased() != "HEAD" {
                let buffer = try await response.body.collect(upTo: maxResponseBytes)
                bodyBytes = Array(buffer.readableBytesView)
            }
            return Response(status: Int(response.status.code),
                            headers: response.headers.map { ($0.name, $0.value) }, body: bodyBytes)
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError.transport(Self.classify(error, endpoint: request.endpoint.description, operation: operation))
        }
    }

    static func classify(_ error: Error, endpoint: String, operation: String) -> AWSError.TransportError {
        let text = String(describing: error)
        let kind: AWSError.TransportError.Kind
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout, .tlsHandshakeTimeout:
                kind = .timeout
            case .remoteConnectionClosed: kind = .connectionReset
            default: kind = text.contains("refused") ? .connectionRefused : .other
            }
        } else if error is NIOConnectionError || text.contains("connectionRefused") || text.contains("Connection refused") {
            kind = text.lowercased().contains("dns") || text.contains("resolution") ? .dns : .connectionRefused
        } else if text.contains("reset") || text.contains("ECONNRESET") || text.contains("EPIPE") {
            kind = .connectionReset
        } else if text.lowercased().contains("tls") || text.lowercased().contains("ssl") || text.contains("BoringSSL") {
            kind = .tls
        } else if text.contains("imeout") {
            kind = .timeout
        } else {
            kind = .other
        }
        return AWSError.TransportError(kind: kind, endpoint: endpoint, operation: operation, detail: String(text.prefix(200)))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
