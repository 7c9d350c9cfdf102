import Foundation
import SGPOSClient
import Testing

/// HTTPS on the API (issue 13): a node configured with the certificates that `sgpos node
/// certificate` makes speaks TLS 1.3 to `openssl s_client` and to a till that pins the
/// node's authority, and to nothing that does not trust it; plain HTTP off loopback
/// needs TLS or an explicit flag.
@Suite(.serialized) struct TLSTests {
    @Test func aNodeServesTLS13ToAPinningTillAndRefusesPlainOrUntrustingClients() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let made = try await CLI.run(["node", "certificate", "--out", demo + "/tls", "--host", "127.0.0.1", "--host", "localhost"])
        #expect(made.status == 0, "\(made.error)")
        let fingerprint = try #require(made.output.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let certificate = demo + "/tls/api-ca.pem"
        let keyMode = try FileManager.default.attributesOfItem(atPath: demo + "/tls/api-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600, "the key file is private")
        let printed = try await run("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", certificate])
        #expect(printed.output.lowercased().contains(fingerprint.lowercased()), "\(printed.output) vs \(fingerprint)")

        // Node 1 with TLS (paths relative to its configuration file).
        let configPath = demo + "/node-1.json"
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as! [String: Any]
        config["tls"] = ["certificate": "tls/api-cert.pem", "privateKey": "tls/api-key.pem"]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let port = (config["http"] as! [String: Any])["port"] as! Int
        let node = try NodeProcess.start(demo: demo, outlet: 1)
        defer { node.stop() }
        let pinned = try NodeClient(baseURL: "https://127.0.0.1:\(port)", pinnedCertificatePEM: String(contentsOfFile: certificate, encoding: .utf8),
                                    timeoutSeconds: 2, attemptsMax: 1)
        var health: API.Health?
        var lastError = "none"
        for _ in 0..<50 where health == nil {
            do { health = try await pinned.health() } catch {
                lastError = "\(error)"
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        #expect(health?.outletId == 1, "the pinning till reaches the node over HTTPS: \(lastError); node: \(node.logTail())")

        let handshake = try await run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-CAfile", certificate,
                                                         "-verify_return_error", "-brief"], input: "")
        #expect(handshake.status == 0 && handshake.output.contains("TLSv1.3"), "\(handshake.output)")
        let oldTLS = try await run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-brief"], input: "")
        #expect(oldTLS.status != 0, "TLS 1.2 is refused: \(oldTLS.output)")
        // A client that trusts only the system's CAs, and a plain-HTTP client, get nothing.
        await #expect(throws: (any Error).self) {
            try await NodeClient(baseURL: "https://127.0.0.1:\(port)", timeoutSeconds: 2, attemptsMax: 1).health()
        }
        await #expect(throws: (any Error).self) {
            try await NodeClient(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: 2, attemptsMax: 1).health()
        }

        // Off loopback without TLS the node does not start (unless allowPlainHTTP is set).
        var open = config
        open["tls"] = nil
        open["http"] = ["host": "0.0.0.0", "port": port + 1]
        try JSONSerialization.data(withJSONObject: open).write(to: URL(fileURLWithPath: demo + "/node-open.json"))
        let refused = try await CLI.run(["node", "run", "--data", demo + "/outlet-2", "--config", demo + "/node-open.json"], timeoutSeconds: 30)
        #expect(refused.status != 0 && refused.error.contains("is not loopback"), "\(refused.error)")
    }

    /// Runs a program with `input` on its standard input; its exit status and combined output.
    func run(_ program: String, _ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
