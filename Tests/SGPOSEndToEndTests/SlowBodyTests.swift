import Foundation
import SGPOSClient
import Testing

/// A body trickled in a byte at a time, each byte well inside the idle timeout, does not
/// hold its connection (and what it sent) for ever: the whole body must arrive within 30 s,
/// else 408 (found by an attacker's test; docs/API.md, "Errors").
@Suite struct SlowBodyTests {
    @Test func aTrickledBodyGets408WithinTheDeadlineAndTheNodeServesOn() async throws {
        let scratch = Scratch()
        let node = try await NodeProcess.ofSmallDemo(in: scratch)
        defer { node.stop() }
        let port = try #require(UInt16(URL(string: node.client.baseURL)!.port!))

        let socket = try #require(loopbackConnection(from: "127.0.0.1", to: port))
        defer { close(socket) }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        let head = Array("POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n".utf8)
        #expect(head.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == head.count)
        let started = Date()
        var answer = ""
        // One byte every 2 s (the idle timeout is 30 s) for up to 60 s.
        while answer.isEmpty, Date().timeIntervalSince(started) < 60 {
            var byte: UInt8 = 0x20
            _ = send(socket, &byte, 1, Int32(MSG_NOSIGNAL))
            var buffer = [UInt8](repeating: 0, count: 512)
            let read = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if read > 0 { answer = String(decoding: buffer.prefix(read), as: UTF8.self) }
            if read == 0 { answer = "(closed)" }
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
        let waited = Date().timeIntervalSince(started)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "after \(Int(waited)) s: \(answer.prefix(200))")
        #expect(waited < 50, "answered after \(Int(waited)) s")
        #expect(try await node.client.health().status == "ok", "the node serves on")
    }
}
