import Foundation
import NIOCore
import SGPOSCommandSupport
import SGPOSCodec
import NIOHTTP1
import NIOPosix
import SGPOSClient

/// The load generator's HTTP/1.1 client for `make bench`: one keep-alive connection per
/// till on SwiftNIO, one request at a time, TCP_NODELAY. URLSession on Linux adds tens of
/// milliseconds of client-side latency per request (measured: the node idle 60 % of the
/// time while 32 tills waited on their answers), which would measure the client, not
/// the node. Tills in shops keep using ``NodeClient``.
enum BenchHTTPClient {
    struct Answer: Sendable {
        let status: UInt
        let body: [UInt8]
        /// When the answer's last byte arrived (uptime ns).
        let at: UInt64
    }

    /// POSTs each body to `path` in order on one connection. `before(i)` runs before
    /// request i (a paced till sleeps there until it is due).
    static func post(_ bodies: [[UInt8]], path: String, host: String, port: Int, group: any EventLoopGroup,
                     contentType: String = "application/json",
                     before: @Sendable (Int) async throws -> Void = { _ in }) async throws -> [Answer] {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            var answers: [Answer] = []
            answers.reserveCapacity(bodies.count)
            for (index, body) in bodies.enumerated() {
                try await before(index)
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
                head.headers.add(name: "Host", value: "\(host):\(port)")
                head.headers.add(name: "Content-Type", value: contentType)
                head.headers.add(name: "Content-Length", value: String(body.count))
                try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
                var status: UInt = 0
                var received: [UInt8] = []
                responseLoop: while let part = try await responses.next() {
                    switch part {
                    case .head(let response): status = response.status.code
                    case .body(let buffer): received += buffer.readableBytesView
                    case .end: break responseLoop
                    }
                }
                guard status != 0 else { throw CLIError("the node closed the connection before answering request \(index)") }
                answers.append(Answer(status: status, body: received, at: DispatchTime.now().uptimeNanoseconds))
            }
            return answers
        }
    }

    /// Host and port of a node's `http://host:port` base URL.
    static func endpoint(_ baseURL: String) throws -> (host: String, port: Int) {
        let parts = baseURL.replacingOccurrences(of: "http://", with: "").split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw CLIError("not an http://host:port address: \(baseURL)") }
        return (String(parts[0]), port)
    }

    /// The JSON body of `POST /v1/transactions` for a signed transaction.
    static func submitBody(_ encoded: [UInt8]) -> [UInt8] {
        Array("{\"transaction\":\"".utf8) + Array(Hex.encode(encoded).utf8) + Array("\"}".utf8)
    }
}
