import Foundation
import NIOCore
import SGPOSCommandSupport
import SGPOSCodec
import NIOHTTP1
import NIOPosix
import SGPOSClient

/// The load generator's HTTP/1.1 client for `make bench`: one keep-alive connection per
/// till on SwiftNIO, one request at a time, TCP_NODELAY, driven from the connection's
/// event loop. Each request's bytes are encoded before the clock starts and each answer
/// is read with a minimal parser (status line, `Content-Length`, body), so the client
/// costs the shared cores as little as it can: the figure is the node's, not the load
/// generator's. (URLSession on Linux added tens of milliseconds per request; an
/// `NIOAsyncChannel` with NIO's HTTP codecs cost ≈ 70 µs of CPU per request.) Tills in
/// shops keep using ``NodeClient``.
enum BenchHTTPClient {
    struct Answer: Sendable {
        let status: UInt
        let body: [UInt8]
        /// When the answer's last byte arrived (uptime ns).
        let at: UInt64
    }

    /// POSTs each body to `path` in order on one connection. `due(i)`, if given, is when
    /// request i may be sent (uptime ns): a paced till waits until then.
    static func post(_ bodies: [[UInt8]], path: String, host: String, port: Int, group: any EventLoopGroup,
                     contentType: String = "application/json",
                     due: (@Sendable (Int) -> UInt64)? = nil) async throws -> [Answer] {
        let requests = bodies.map { body in
            var buffer = ByteBuffer()
            buffer.writeString("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n")
            buffer.writeBytes(body)
            return buffer
        }
        return try await send(requests, host: host, port: port, group: group, due: due)
    }

    /// GETs `path` `count` times in order on one connection.
    static func get(_ path: String, count: Int, host: String, port: Int, group: any EventLoopGroup) async throws -> [Answer] {
        var request = ByteBuffer()
        request.writeString("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n")
        return try await send(Array(repeating: request, count: count), host: host, port: port, group: group, due: nil)
    }

    private static func send(_ requests: [ByteBuffer], host: String, port: Int, group: any EventLoopGroup,
                             due: (@Sendable (Int) -> UInt64)?) async throws -> [Answer] {
        let loop = group.next()
        let done = loop.makePromise(of: [Answer].self)
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TillConnection(requests: requests, due: due, done: done))
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        return try await done.futureResult.get()
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

/// One till's connection: sends request i, reads its whole answer, then sends request
/// i + 1 (at its due time, if paced); completes `done` with every answer in order, or
/// fails it if the connection closes or an answer cannot be read.
private final class TillConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let requests: [ByteBuffer]
    private let due: (@Sendable (Int) -> UInt64)?
    private let done: EventLoopPromise<[BenchHTTPClient.Answer]>
    private var answers: [BenchHTTPClient.Answer] = []
    private var received = ByteBuffer()
    private var finished = false

    init(requests: [ByteBuffer], due: (@Sendable (Int) -> UInt64)?, done: EventLoopPromise<[BenchHTTPClient.Answer]>) {
        self.requests = requests
        self.due = due
        self.done = done
        answers.reserveCapacity(requests.count)
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNext(context: context)
    }

    private func sendNext(context: ChannelHandlerContext) {
        let index = answers.count
        guard index < requests.count else { return finish(.success(answers), context: context) }
        if let due {
            let now = DispatchTime.now().uptimeNanoseconds
            let at = due(index)
            if at > now {
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(at - now))) {
                    context.writeAndFlush(self.wrapOutboundOut(self.requests[index]), promise: nil)
                }
                return
            }
        }
        context.writeAndFlush(wrapOutboundOut(requests[index]), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        do {
            guard let (status, body) = try Self.answer(in: &received) else { return }
            answers.append(.init(status: status, body: body, at: DispatchTime.now().uptimeNanoseconds))
            received.discardReadBytes()
            sendNext(context: context)
        } catch {
            finish(.failure(error), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(CLIError("the node closed the connection before answering request \(answers.count)")), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error), context: context)
    }

    private func finish(_ result: Result<[BenchHTTPClient.Answer], any Error>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
        context.close(promise: nil)
    }

    /// Reads one whole answer (status line, headers, `Content-Length` body) from the front
    /// of `buffer`, or nil if it has not all arrived. Only what the node sends is read.
    static func answer(in buffer: inout ByteBuffer) throws -> (UInt, [UInt8])? {
        let view = buffer.readableBytesView
        guard let headEnd = view.firstRange(of: [13, 10, 13, 10]) else {
            guard view.count <= 16_384 else { throw CLIError("an answer's head exceeds 16 KiB") }
            return nil
        }
        let head = String(decoding: view[view.startIndex..<headEnd.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = UInt(statusParts[1]) else {
            throw CLIError("not an HTTP/1.1 answer: \(lines.first ?? "")")
        }
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding" { throw CLIError("the bench client reads Content-Length answers only (got Transfer-Encoding: \(value))") }
        }
        guard let length else { throw CLIError("an answer without Content-Length") }
        let headBytes = headEnd.upperBound - view.startIndex
        guard view.count >= headBytes + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headBytes)
        return (status, buffer.readBytes(length: length)!)
    }
}
