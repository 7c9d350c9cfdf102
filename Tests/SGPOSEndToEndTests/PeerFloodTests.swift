import Foundation
import SGPOSClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Unauthenticated peer connections cannot pin the node's memory (issue 13): before the
/// handshake a frame may be at most 4 KiB, and inbound connections are capped in all and
/// per address. 256 connections from another loopback address each announce a 32 MiB
/// frame and try to send 1 MiB of it, 256 more send nothing; the node's RSS stays ≤ 200 MB, it
/// keeps answering, and its real peer (from 127.0.0.1) stays connected.
@Suite(.serialized) struct PeerFloodTests {
    @Test func preHandshakeFloodsStayBoundedAndTheRealPeerStaysConnected() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        var nodes = [try NodeProcess.start(demo: demo, outlet: 1), try NodeProcess.start(demo: demo, outlet: 2)]
        defer { nodes.forEach { $0.stop() } }
        try await nodes[0].waitHealthy(peers: 1)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: demo + "/node-1.json"))) as? [String: Any]
        let peerPort = try #require((config?["peer"] as? [String: Any])?["port"] as? Int)
        let pid = nodes[0].process.processIdentifier
        let before = try residentBytes(pid)

        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        let header: [UInt8] = [0x02, 0, 0, 0]  // big-endian u32 length: 32 MiB
        let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)
        for index in 0..<512 {
            guard let socket = loopbackConnection(from: "127.0.0.2", to: UInt16(peerPort)) else { continue }
            sockets.append(socket)
            guard index % 2 == 0 else { continue }
            _ = header.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            for _ in 0..<16 {  // up to 1 MiB, as fast as the node reads it; stops when it closes
                let sent = chunk.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if sent <= 0 { break }
            }
        }
        #expect(sockets.count >= 256, "the kernel accepted \(sockets.count) connections")
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let during = try residentBytes(pid)
        #expect(during <= 200 << 20, "RSS \(during >> 20) MB during the flood (before: \(before >> 20) MB)")
        #expect(nodes[0].process.isRunning, "the node died: \(nodes[0].logTail(lines: 30))")
        let health = try await nodes[0].client.health()
        #expect(health.peersConnected == 1, "the real peer was pushed out: \(health.peersConnected) peers")
        // The node closed what it refused: most flood sockets read end-of-file (or a reset) by now.
        let closed = closedByThePeer(sockets)
        #expect(closed >= sockets.count - 40, "\(closed) of \(sockets.count) flood connections were closed by the node")
        let log = (try? String(contentsOfFile: nodes[0].log, encoding: .utf8)) ?? ""
        #expect(log.contains("refused: "), "refusals are logged with the reason")

        // The API port: 400 idle connections from 127.0.0.2 (the cap is 256 per address);
        // a till on 127.0.0.1 is still served, and the node's memory stays bounded.
        let httpPort = try #require((config?["http"] as? [String: Any])?["port"] as? Int)
        var apiSockets: [Int32] = []
        defer { apiSockets.forEach { close($0) } }
        for _ in 0..<400 {
            if let socket = loopbackConnection(from: "127.0.0.2", to: UInt16(httpPort)) { apiSockets.append(socket) }
        }
        try await Task.sleep(nanoseconds: 1_000_000_000)
        #expect(try await nodes[0].client.health().outletId == 1, "a till is served during the flood")
        let apiClosed = closedByThePeer(apiSockets)
        #expect(apiClosed >= apiSockets.count - 256, "\(apiClosed) of \(apiSockets.count) API connections over the cap were closed")
        #expect(try residentBytes(pid) <= 200 << 20)
        let apiLog = (try? String(contentsOfFile: nodes[0].log, encoding: .utf8)) ?? ""
        #expect(apiLog.contains("API connection from 127.0.0.2 refused"), "API refusals are logged")
    }

    /// How many of `sockets` the other end has closed (end-of-file or a reset waiting).
    func closedByThePeer(_ sockets: [Int32]) -> Int {
        sockets.count { socket in
            var byte: UInt8 = 0
            var pollRequest = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            return poll(&pollRequest, 1, 0) == 1 && recv(socket, &byte, 1, Int32(MSG_DONTWAIT)) <= 0
        }
    }

    /// The node's resident set size, from /proc.
    func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes * 1_024
    }

}
