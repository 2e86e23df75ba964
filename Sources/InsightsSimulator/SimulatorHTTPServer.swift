import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// HTTP/1.1 front end on SwiftNIO: `POST /` with X-Amz-Target goes to SimulatorService,
// `GET /_sim/stats` returns the operator view. Connections and query workers all run as
// children of one task group, so cancelling `run` stops everything.

public struct InsightsSimulatorServer: Sendable {
    public let service: SimulatorService
    /// Tasks executing queries concurrently (each query runs on one).
    public var queryWorkers: Int

    public init(configuration: SimulatorConfiguration, source: any EventSource, queryWorkers: Int = 2) {
        service = SimulatorService(configuration: configuration, source: source)
        self.queryWorkers = queryWorkers
    }

    /// Binds, reports the bound port through `onListening`, then serves until cancelled.
    public func run(onListening: @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        let configuration = service.configuration
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(configuration.host, server.channel.localAddress?.port ?? configuration.port)
        let service = self.service
        let workers = queryWorkers
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<max(1, workers) {
                group.addTask { await service.runQueryWorker() }
            }
            group.addTask {
                // Stop the workers once the server is cancelled.
                await withTaskCancellationHandler {
                    await service.waitForever()
                } onCancel: {
                    service.finishQueryWorkers()
                }
            }
            do {
                try await withTaskCancellationHandler {
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await InsightsSimulatorServer.serve(connection, service: service) }
                        }
                    }
                } onCancel: {
                    server.channel.close(promise: nil)
                }
            } catch is CancellationError {
                // Cancellation is the normal way to stop the server.
            }
        }
    }

    /// Starts a server on a free loopback port, runs `body` with its port, then shuts it down.
    public static func withRunningServer<T: Sendable>(
        configuration: SimulatorConfiguration, source: any EventSource,
        _ body: @Sendable (_ port: Int, _ service: SimulatorService) async throws -> T
    ) async throws -> T {
        let server = InsightsSimulatorServer(configuration: configuration, source: source)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run { _, port in portContinuation.yield(port); portContinuation.finish() }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(port, server.service)
            group.cancelAll()
            while let _ = try await group.next() {}
            return result
        }
    }

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, service: SimulatorService) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case let .head(h):
                        head = h
                        body.clear()
                    case var .body(chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let request = head else { continue }
                        let keepAlive = request.isKeepAlive
                        let response = respond(to: request, body: body, service: service)
                        if response.delayMs > 0 { try await Task.sleep(nanoseconds: UInt64(response.delayMs) * 1_000_000) }
                        var headers = HTTPHeaders()
                        headers.add(name: "x-amzn-RequestId", value: response.requestId)
                        headers.add(name: "Content-Type", value: response.contentType)
                        headers.add(name: "Content-Length", value: String(response.body.count))
                        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
                        let status = HTTPResponseStatus(statusCode: response.status)
                        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
                        if response.resetMidResponse {
                            // Half the body, then an RST (SO_LINGER 0) instead of an orderly close.
                            let half = ByteBuffer(bytes: response.body.prefix(response.body.count / 2))
                            try await outbound.write(.body(.byteBuffer(half)))
                            if let provider = connection.channel as? SocketOptionProvider {
                                try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                            }
                            return
                        }
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                        try await outbound.write(.end(nil))
                        if !keepAlive { return }
                        head = nil
                    }
                }
            }
        } catch {
            // A client that goes away mid-request is routine; nothing to report.
        }
    }

    struct HTTPReply {
        var status: Int
        var body: [UInt8]
        var contentType = "application/x-amz-json-1.1"
        var delayMs = 0
        var resetMidResponse = false
        var requestId: String
    }

    static func respond(to request: HTTPRequestHead, body: ByteBuffer, service: SimulatorService) -> HTTPReply {
        let requestId = service.nextRequestId()
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        if request.method == .GET, path == "/_sim/stats" {
            return HTTPReply(status: 200, body: Array(service.statisticsJSON().serialized.utf8), contentType: "application/json", requestId: requestId)
        }
        guard request.method == .POST, path == "/" else {
            let error = SimulatedServiceError(type: "UnknownOperationException", message: "\(request.method) \(path) is not an API of this service", httpStatus: 404)
            return HTTPReply(status: 404, body: Array(error.body.serialized.utf8), requestId: requestId)
        }
        let target = request.headers.first(name: "X-Amz-Target")
        let bodyBytes = Array(body.readableBytesView)
        if let verifier = service.configuration.sigV4 {
            let signed = SigV4Request(method: request.method.rawValue, uri: request.uri,
                                      headers: request.headers.map { ($0.name, $0.value) }, body: bodyBytes)
            if let error = verifier.verify(signed, nowEpochSeconds: Int64(time(nil))) {
                service.recordRejected(target: target, error: error)
                return HTTPReply(status: error.httpStatus, body: Array(error.body.serialized.utf8), requestId: requestId)
            }
        }
        let response = service.handle(target: target,
                                      body: bodyBytes,
                                      authorization: request.headers.first(name: "Authorization"))
        return HTTPReply(status: response.status, body: response.body, delayMs: response.delayMs,
                         resetMidResponse: response.resetMidResponse, requestId: requestId)
    }
}
