import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCrypto
@testable import SGPOSNode
import SGPOSStore
import Testing

/// The peer port speaks mutually authenticated TLS 1.3 bound to the genesis node keys
/// (docs/PEERS.md §1), against a real node process: `openssl s_client` with a certificate
/// outlet 2's node key signed completes TLS 1.3; TLS 1.2 is refused; a certificate bound
/// to a key not in the genesis is refused in the handshake and the refusal is logged with
/// its reason; the demo's nodes (peer TLS on by default) replicate and checkpoint over it.
@Suite(.serialized) struct PeerTLSTests {
    @Test func thePeerPortCompletesTLS13OnlyForGenesisKeys() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: demo + "/node-1.json"))) as! [String: Any]
        let peerPort = (config["peer"] as! [String: Any])["port"] as! Int
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-2").genesis

        func files(_ identity: PeerTLSIdentity, _ name: String) throws -> (String, String) {
            let certificate = "\(scratch.path)/\(name)-cert.pem", key = "\(scratch.path)/\(name)-key.pem"
            try identity.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
            try identity.privateKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)
            return (certificate, key)
        }
        let tls = TLSTests()
        // Outlet 2's node key signs the certificate: TLS 1.3 completes.
        let outlet2 = try files(try PeerTLSIdentity.make(nodeKey: try NodeTests().loadKey(demo + "/keys/outlet-2.key"), outlet: 2,
                                                         genesisID: genesis.id), "outlet-2")
        let good = try await tls.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(peerPort)", "-tls1_3",
                                                          "-cert", outlet2.0, "-key", outlet2.1, "-brief"], input: "")
        #expect(good.status == 0 && good.output.contains("TLSv1.3"), "\(good.output)")
        let old = try await tls.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(peerPort)", "-tls1_2",
                                                         "-cert", outlet2.0, "-key", outlet2.1, "-brief"], input: "")
        #expect(old.status != 0, "TLS 1.2 is refused: \(old.output)")

        // A key that is not in the genesis, claiming outlet 2: refused in the handshake, and logged.
        let forged = try files(try PeerTLSIdentity.make(nodeKey: SigningKey.generate(), outlet: 2, genesisID: genesis.id), "forged")
        let bad = try await tls.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(peerPort)", "-tls1_3",
                                                         "-cert", forged.0, "-key", forged.1, "-brief"], input: "")
        var patience = Patience(seconds: 10, checks: 50)
        var logged = false
        while patience.keepWaiting(), !logged {
            let log = (try? String(contentsOfFile: node.log, encoding: .utf8)) ?? ""
            logged = log.contains("peer refused in the TLS handshake") && log.contains("not outlet 2's genesis node key")
            if !logged { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(logged, "the node logs the refusal with its reason; s_client said: \(bad.output); node: \(node.logTail())")
        // No certificate at all: refused too.
        let anonymous = try await tls.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(peerPort)", "-tls1_3", "-brief"],
                                          input: "")
        #expect(!anonymous.output.contains("Verification: OK") || anonymous.status != 0 || anonymous.output.contains("alert"),
                "\(anonymous.output)")
        #expect(try await node.client.health().peersConnected == 0, "no forged or anonymous peer became a peer")
        #expect(node.process.isRunning)
    }
}
