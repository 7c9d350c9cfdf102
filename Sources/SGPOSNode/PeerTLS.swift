import Crypto
import Foundation
import NIOCore
import NIOSSL
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SwiftASN1
import Synchronization
import X509

/// Mutually authenticated TLS 1.3 between nodes, bound to the genesis node keys (as
/// libp2p's TLS handshake binds certificates to peer ids): each node makes an ephemeral
/// P-256 key and a self-signed certificate whose ``bindingOID`` extension carries its
/// outlet id, its node key and the node key's Ed25519 signature over the certificate's
/// public key. A peer accepts the certificate only if that outlet is in the genesis, the
/// node key is the outlet's genesis key and the signature verifies; TLS itself proves the
/// peer holds the certificate's private key. No CA is involved, and a wrong key is
/// refused in the handshake (docs/PEERS.md §1).
struct PeerTLSIdentity: Sendable {
    /// The binding extension's OID (under IANA's example enterprise number 32473).
    static let bindingOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 32473, 1597, 1]
    /// Domain separation of the binding signature.
    static let bindingContext = Array("SGPOS-peer-tls-v1".utf8)

    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey
    let certificateDER: [UInt8]
    /// PEM of the certificate and of its key (for tools such as `openssl s_client`).
    let certificatePEM: String
    let privateKeyPEM: String

    /// A fresh key and certificate for `outlet`, signed into the binding by `nodeKey`.
    static func make(nodeKey: SigningKey, outlet: OutletID, genesisID: Hash256, now: Date = Date()) throws -> PeerTLSIdentity {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let binding = PeerTLSBinding(outlet: outlet, nodeKey: nodeKey.publicKey,
                                     signature: nodeKey.sign(try message(genesisID: genesisID, outlet: outlet, publicKey: publicKey)))
        let name = try DistinguishedName { CommonName("SGPOS outlet \(outlet) node") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(10 * 366 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions([
                Certificate.Extension(oid: bindingOID, critical: false, value: ArraySlice(binding.encoded)),
            ]),
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        return PeerTLSIdentity(certificate: try NIOSSLCertificate(bytes: der, format: .der),
                               privateKey: try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der),
                               certificateDER: der, certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                               privateKeyPEM: key.pemRepresentation + "\n")
    }

    /// What the node key signs: the context, the genesis id, the outlet id (big-endian)
    /// and SHA-256 of the certificate's DER SubjectPublicKeyInfo.
    static func message(genesisID: Hash256, outlet: OutletID, publicKey: Certificate.PublicKey) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(publicKey)
        var message = bindingContext + genesisID.bytes
        withUnsafeBytes(of: outlet.bigEndian) { message += $0 }
        return message + Array(SHA256.hash(data: serializer.serializedBytes))
    }

    /// The TLS configuration of both sides: TLS 1.3 only, this certificate, and the
    /// peer's certificate required (its checks are ``PeerTLSVerifier``'s).
    func configuration(server: Bool) -> TLSConfiguration {
        var configuration = server
            ? TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(privateKey))
            : TLSConfiguration.makeClientConfiguration()
        if !server {
            configuration.certificateChain = [.certificate(certificate)]
            configuration.privateKey = .privateKey(privateKey)
        }
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        configuration.certificateVerification = .noHostnameVerification
        // A refused or failed connection closes at once instead of waiting up to 5 s for
        // the other side's close_notify (a flood must not hold sockets open).
        configuration.shutdownTimeout = .milliseconds(200)
        return configuration
    }
}

/// The binding extension's value: version 1 ‖ outlet id `u32` ‖ node key (32) ‖ signature (64).
struct PeerTLSBinding: Sendable, Equatable {
    let outlet: OutletID
    let nodeKey: PublicKey
    let signature: Signature

    var encoded: [UInt8] {
        var bytes: [UInt8] = [1]
        withUnsafeBytes(of: outlet.bigEndian) { bytes += $0 }
        return bytes + nodeKey.bytes + signature.bytes
    }

    init(outlet: OutletID, nodeKey: PublicKey, signature: Signature) {
        self.outlet = outlet
        self.nodeKey = nodeKey
        self.signature = signature
    }

    init?(encoded bytes: ArraySlice<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == 101, bytes[0] == 1 else { return nil }
        outlet = bytes[1..<5].reduce(0) { $0 << 8 | OutletID($1) }
        nodeKey = PublicKey(uncheckedBytes: Array(bytes[5..<37]))
        signature = Signature(uncheckedBytes: Array(bytes[37..<101]))
    }
}

/// Checks a peer's certificate in the TLS handshake and remembers which outlet it proved.
/// One per connection: `expected` is the outlet a dialler meant to reach (nil when accepting).
final class PeerTLSVerifier: Sendable {
    let genesis: Genesis
    let ownOutlet: OutletID
    let expected: OutletID?
    private let proven = Mutex<OutletID?>(nil)
    private let refusal = Mutex<String?>(nil)

    init(genesis: Genesis, ownOutlet: OutletID, expected: OutletID?) {
        self.genesis = genesis
        self.ownOutlet = ownOutlet
        self.expected = expected
    }

    /// The outlet whose genesis node key the peer's certificate is bound to (nil before
    /// the handshake, or if it failed).
    var provenOutlet: OutletID? { proven.withLock { $0 } }
    /// Why the peer's certificate was refused, if it was.
    var refusalReason: String? { refusal.withLock { $0 } }

    /// NIOSSL's custom verification callback.
    func verify(_ certificates: [NIOSSLCertificate], _ promise: EventLoopPromise<NIOSSLVerificationResult>) {
        do {
            let outlet = try check(certificates)
            proven.withLock { $0 = outlet }
            promise.succeed(.certificateVerified)
        } catch {
            refusal.withLock { $0 = "\(error)" }
            promise.succeed(.failed)
        }
    }

    func check(_ certificates: [NIOSSLCertificate], now: Date = Date()) throws -> OutletID {
        guard let leaf = certificates.first else { throw NodeError.peerProtocol("the peer sent no certificate") }
        let certificate = try Certificate(derEncoded: try leaf.toDERBytes())
        guard certificate.notValidBefore <= now.addingTimeInterval(3_600), now <= certificate.notValidAfter else {
            throw NodeError.peerProtocol("the peer's certificate is not valid now")
        }
        guard let value = certificate.extensions[oid: PeerTLSIdentity.bindingOID]?.value,
              let binding = PeerTLSBinding(encoded: value) else {
            throw NodeError.peerProtocol("the peer's certificate carries no SGPOS node-key binding")
        }
        guard binding.outlet != ownOutlet, let genesisKey = genesis.outlet(binding.outlet)?.nodeKey else {
            throw NodeError.peerProtocol("the peer's certificate names outlet \(binding.outlet), which is not a peer of outlet \(ownOutlet)")
        }
        guard expected == nil || expected == binding.outlet else {
            throw NodeError.peerProtocol("dialled outlet \(expected ?? 0), the certificate is outlet \(binding.outlet)'s")
        }
        guard binding.nodeKey == genesisKey else {
            throw NodeError.peerProtocol("the peer's certificate is bound to key \(binding.nodeKey), not outlet \(binding.outlet)'s genesis node key")
        }
        let message = try PeerTLSIdentity.message(genesisID: genesis.id, outlet: binding.outlet, publicKey: certificate.publicKey)
        guard genesisKey.isValidSignature(binding.signature, for: message) else {
            throw NodeError.peerProtocol("outlet \(binding.outlet)'s node key did not sign the certificate's key")
        }
        return binding.outlet
    }
}
