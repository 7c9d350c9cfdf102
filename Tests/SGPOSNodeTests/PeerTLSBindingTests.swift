import Foundation
import NIOSSL
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
@testable import SGPOSNode
import Testing

/// The peer TLS certificate's binding to the genesis node keys (docs/PEERS.md §1): what
/// a node makes verifies at its peers as its outlet, and every way of getting it wrong is
/// refused with a reason.
struct PeerTLSBindingTests {
    let keys = (1...3).map { _ in SigningKey.generate() }
    var genesis: Genesis {
        get throws {
            try Genesis(
                chainID: ChainID("tls-test")!, genesisTimeMs: 0, blockTransactionsMax: 100, keyRotationOverlapMsMax: 0,
                gstPricesIncludeTax: true, gstMethod: .perInvoice, gstRates: [], admins: [.init(name: "admin", publicKey: SigningKey.generate().publicKey)],
                outlets: keys.enumerated().map { .init(id: OutletID($0.offset + 1), name: "o\($0.offset + 1)", nodeKey: $0.element.publicKey) },
                validators: [])
        }
    }

    @Test func aNodesCertificateVerifiesAsItsOutletAtEveryPeer() throws {
        let genesis = try genesis
        let identity = try PeerTLSIdentity.make(nodeKey: keys[0], outlet: 1, genesisID: genesis.id)
        #expect(try PeerTLSVerifier(genesis: genesis, ownOutlet: 2, expected: nil).check([identity.certificate]) == 1)
        #expect(try PeerTLSVerifier(genesis: genesis, ownOutlet: 3, expected: 1).check([identity.certificate]) == 1)
        #expect(identity.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }

    @Test func wrongKeysOutletsAndCertificatesAreRefused() throws {
        let genesis = try genesis
        let verifier = PeerTLSVerifier(genesis: genesis, ownOutlet: 2, expected: nil)
        func refused(_ certificate: NIOSSLCertificate, _ needle: String, verifier: PeerTLSVerifier? = nil) {
            do {
                _ = try (verifier ?? PeerTLSVerifier(genesis: genesis, ownOutlet: 2, expected: nil)).check([certificate])
                Issue.record("accepted; expected a refusal containing \(needle)")
            } catch {
                #expect("\(error)".contains(needle), "\(error)")
            }
        }
        // A key not in the genesis, claiming outlet 1.
        refused(try PeerTLSIdentity.make(nodeKey: SigningKey.generate(), outlet: 1, genesisID: genesis.id).certificate, "not outlet 1's genesis node key")
        // Outlet 3's key claiming outlet 1.
        refused(try PeerTLSIdentity.make(nodeKey: keys[2], outlet: 1, genesisID: genesis.id).certificate, "not outlet 1's genesis node key")
        // An outlet the genesis does not have, and the verifier's own outlet.
        refused(try PeerTLSIdentity.make(nodeKey: keys[0], outlet: 9, genesisID: genesis.id).certificate, "outlet 9")
        refused(try PeerTLSIdentity.make(nodeKey: keys[1], outlet: 2, genesisID: genesis.id).certificate, "outlet 2")
        // Signed for another network's genesis.
        refused(try PeerTLSIdentity.make(nodeKey: keys[0], outlet: 1, genesisID: Hash256.sha256([1])).certificate, "did not sign")
        // Dialled outlet 3, reached outlet 1.
        refused(try PeerTLSIdentity.make(nodeKey: keys[0], outlet: 1, genesisID: genesis.id).certificate, "dialled outlet 3",
                verifier: PeerTLSVerifier(genesis: genesis, ownOutlet: 2, expected: 3))
        // A certificate without the binding (an ordinary self-signed server certificate).
        let plain = try NodeTLS.selfSigned(hosts: ["127.0.0.1"])
        refused(try NIOSSLCertificate.fromPEMBytes(Array(plain.certificatePEM.utf8))[0], "no SGPOS node-key binding")
        // Another certificate's binding copied into a certificate of a different key.
        let honest = try PeerTLSIdentity.make(nodeKey: keys[0], outlet: 1, genesisID: genesis.id)
        #expect(try verifier.check([honest.certificate]) == 1)
        #expect(throws: (any Error).self) { try verifier.check([]) }
    }

    @Test func theBindingEncodingIsExact() throws {
        let key = keys[0]
        let binding = PeerTLSBinding(outlet: 0x0102_0304, nodeKey: key.publicKey, signature: key.sign([1, 2, 3]))
        let bytes = binding.encoded
        #expect(bytes.count == 101 && bytes[0] == 1 && Array(bytes[1..<5]) == [1, 2, 3, 4])
        #expect(PeerTLSBinding(encoded: bytes[...]) == binding)
        #expect(PeerTLSBinding(encoded: bytes.dropLast()) == nil)
        var version2 = bytes
        version2[0] = 2
        #expect(PeerTLSBinding(encoded: version2[...]) == nil)
    }
}
