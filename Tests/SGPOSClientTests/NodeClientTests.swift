import Foundation
import NIOCore
import NIOPosix
import SGPOSClient
import Synchronization
import Testing

/// The till's client against real sockets: a node that never answers, one that answers
/// 503 before it answers, and a caller that gives up.
@Suite struct NodeClientTests {
    /// A loopback server that reads requests and answers each with the next canned
    /// response (nil: never answer), recording the request bodies it saw.
    final class CannedServer: Sendable {
        let channel: any Channel
        let state: Canned
        var port: Int { channel.localAddress!.port! }
        var seen: [String] { state.seen.withLock { $0 } }

        init(responses: [String?]) async throws {
            let state = Canned(responses)
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(Responder(state))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            self.state = state
        }

        func close() async { try? await channel.close() }
    }

    /// What the server has left to answer and what it was sent.
    final class Canned: Sendable {
        let seen = Mutex<[String]>([])
        let queue: Mutex<[String?]>
        init(_ responses: [String?]) { queue = Mutex(responses) }
    }

    /// Answers once a request's body (after the blank line, Content-Length bytes) is in.
    final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: Canned
        var received = ""

        init(_ state: Canned) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
            guard let split = received.range(of: "\r\n\r\n") else { return }
            let head = received[..<split.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = String(received[split.upperBound...])
            guard body.utf8.count >= length else { return }
            received = ""
            state.seen.withLock { $0.append(body) }
            let next: String?? = state.queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            guard let response = next ?? nil else { return }  // never answer
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        }
    }

    static func http(_ status: String, _ body: String) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static let heads = #"[{"outletId":1,"height":7,"blockId":"00","stateRoot":"11"}]"#

    @Test func aNodeThatNeverAnswersFailsEveryAttemptAndNothingHangs() async throws {
        let server = try await CannedServer(responses: [nil, nil])
        defer { Task { await server.close() } }
        let client = NodeClient(baseURL: "http://127.0.0.1:\(server.port)", timeoutSeconds: 0.3, attemptsMax: 2)
        do {
            _ = try await client.heads()
            Issue.record("a node that never answers gave an answer")
        } catch let failure as NodeClient.Failure {
            #expect(failure.status == 0 && failure.message.contains("after 2 attempt(s)"), "\(failure)")
        }
        #expect(server.seen.count == 2, "each attempt reached the node")
    }

    @Test func overloadIsRetriedWithTheSameBytes() async throws {
        let server = try await CannedServer(responses: [
            Self.http("503 Service Unavailable", #"{"error":"overloaded","code":0,"message":"busy"}"#),
            Self.http("200 OK", Self.heads),
        ])
        defer { Task { await server.close() } }
        let client = NodeClient(baseURL: "http://127.0.0.1:\(server.port)", timeoutSeconds: 2, attemptsMax: 3)
        let body = Data(#"{"transactions":["00ff"]}"#.utf8)
        let heads: [API.Head] = try await client.call("POST", "/v1/heads", body: body, retry: true)
        #expect(heads.first?.height == 7)
        let seen = server.seen
        #expect(seen.count == 2 && seen.allSatisfy { $0 == String(decoding: body, as: UTF8.self) }, "\(seen)")
    }

    @Test func aRefusalIsNotRetriedAndCarriesTheProblem() async throws {
        let server = try await CannedServer(responses: [
            Self.http("422 Unprocessable Content", #"{"error":"rejected","code":310,"message":"member M1 has 5 points"}"#),
        ])
        defer { Task { await server.close() } }
        let client = NodeClient(baseURL: "http://127.0.0.1:\(server.port)", timeoutSeconds: 2, attemptsMax: 3)
        do {
            _ = try await client.heads()
            Issue.record("a refusal was taken for an answer")
        } catch let failure as NodeClient.Failure {
            #expect(failure.status == 422 && failure.problem?.code == 310, "\(failure)")
        }
        #expect(server.seen.count == 1)
    }

    @Test func anAnswerOverTheBodyLimitFailsInsteadOfFillingMemory() async throws {
        let big = "[" + Array(repeating: Self.heads.dropFirst().dropLast(), count: 40).joined(separator: ",") + "]"
        let server = try await CannedServer(responses: [Self.http("200 OK", big), Self.http("200 OK", Self.heads)])
        defer { Task { await server.close() } }
        let tight = NodeClient(baseURL: "http://127.0.0.1:\(server.port)", timeoutSeconds: 2, attemptsMax: 1,
                               responseBytesMax: 1_024)
        #expect(big.utf8.count > 1_024)
        await #expect(throws: NodeClient.Failure.self) { _ = try await tight.heads() }
        #expect(try await tight.heads().count == 1, "an answer within the limit is read")
    }

    @Test func cancellingTheCallerEndsTheCallInFlight() async throws {
        let server = try await CannedServer(responses: [nil])
        defer { Task { await server.close() } }
        let client = NodeClient(baseURL: "http://127.0.0.1:\(server.port)", timeoutSeconds: 600, attemptsMax: 1)
        let call = Task { try await client.heads() }
        while server.seen.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        call.cancel()
        // With a 600 s deadline, only the cancellation can end this call; a watchdog turns
        // a call that ignores it into a failure instead of a hung test.
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await call.result; return true }
            group.addTask { try? await Task.sleep(nanoseconds: 60_000_000_000); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(ended, "the cancelled call was still running after 60 s")
        let result = await call.result
        #expect(throws: (any Error).self) { try result.get() }
    }
}
