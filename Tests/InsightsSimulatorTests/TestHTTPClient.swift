import NIOCore
import NIOHTTP1
import NIOPosix
import InsightsSimulator

/// A minimal HTTP/1.1 client for loopback tests: one request per connection.
struct TestHTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// False when the server closed or reset the connection before the response ended.
    var complete: Bool

    var json: JSONValue? { try? JSONParser.parse(bytes: body) }
    var errorType: String? { json?["__type"]?.stringValue }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

enum TestHTTPClient {
    static func post(port: Int, operation: String, _ body: String) async throws -> TestHTTPResponse {
        try await request(port: port, method: .POST, uri: "/", headers: [
            ("X-Amz-Target", "Logs_20140328.\(operation)"), ("Content-Type", "application/x-amz-json-1.1"),
        ], body: body)
    }

    static func request(port: Int, method: HTTPMethod, uri: String, headers: [(String, String)] = [], body: String = "") async throws -> TestHTTPResponse {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPHeaders()
            head.add(name: "Host", value: "127.0.0.1:\(port)")
            head.add(name: "Content-Length", value: String(body.utf8.count))
            head.add(name: "Connection", value: "close")
            for (k, v) in headers { head.add(name: k, value: v) }
            do {
                try await outbound.write(contentsOf: [
                    .head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: head)),
                    .body(.byteBuffer(ByteBuffer(string: body))), .end(nil),
                ])
            } catch {
                // The server has the whole request once the body is in, and may answer and close
                // before the end marker is written: read what it sent.
            }
            var response = TestHTTPResponse(status: 0, headers: [], body: [], complete: false)
            do {
                for try await part in inbound {
                    switch part {
                    case let .head(h):
                        response.status = Int(h.status.code)
                        response.headers = h.headers.map { ($0.name, $0.value) }
                    case let .body(buffer): response.body.append(contentsOf: buffer.readableBytesView)
                    case .end:
                        response.complete = true
                        return response
                    }
                }
            } catch {
                // Reset by peer: report what arrived.
            }
            return response
        }
    }
}
