import Crypto
import Foundation
import SGPOSCodec
import SGPOSCrypto
import NIOSSL
import SwiftASN1
import X509

/// HTTPS for the node's API: the server's TLS configuration (TLS 1.3 only) from the
/// operator's PEM files, and the certificates `sgpos node certificate` makes for a node
/// that has none from a CA (tills then pin the node's own authority: they trust that one
/// certificate and nothing else; its SHA-256 fingerprint is printed for checking).
public enum NodeTLS {
    /// The server side: `certificate` (a PEM chain, leaf first) and `privateKey` (PEM).
    public static func serverConfiguration(certificate: String, privateKey: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
            key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
        } catch {
            throw NodeError.configuration("TLS: cannot read the certificate \(certificate) or the key \(privateKey): \(error)")
        }
        guard !chain.isEmpty else { throw NodeError.configuration("TLS: \(certificate) holds no certificate") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv13
        return configuration
    }

    /// A node's own certificate authority and the server certificate it signs, for `hosts`
    /// (DNS names or IPv4 addresses, as tills will reach the node): both P-256, valid from
    /// an hour before `now` for `days` days. The authority's key is not kept (a new pair is
    /// made to renew); tills pin the authority's certificate. (TLS stacks such as BoringSSL
    /// refuse a lone self-signed server certificate as its own trust anchor, so the pair is
    /// a root and a leaf, as a CA would issue them.)
    public static func selfSigned(hosts: [String], now: Date = Date(), days: Int = 825) throws -> SelfSignedCertificate {
        precondition(!hosts.isEmpty && days > 0, "a certificate names at least one host")
        let notBefore = now.addingTimeInterval(-3_600)
        let notAfter = now.addingTimeInterval(Double(days) * 86_400)
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try DistinguishedName {
            // A serial of its own in the name: several nodes' authorities (one per node, on one
            // host or not) can then sit in one bundle a client trusts.
            CommonName("SGPOS node authority \(Hex.encode(secureRandomBytes(6))) for \(hosts[0])")
            OrganizationName("SGPOS node")
        }
        let authority = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(authorityKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: authorityName, subject: authorityName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(authorityKey))
        let serverKey = P256.Signing.PrivateKey()
        let serverName = try DistinguishedName {
            CommonName(hosts[0])
            OrganizationName("SGPOS node")
        }
        let names: [GeneralName] = hosts.map { host in
            if let address = ipv4Bytes(host) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))) }
            return .dnsName(host)
        }
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: authorityName, subject: serverName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(authorityKey))
        var serializer = DER.Serializer()
        try serializer.serialize(authority)
        let fingerprint = SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined(separator: ":")
        let authorityPEM = try authority.serializeAsPEM().pemString
        return SelfSignedCertificate(
            certificatePEM: try server.serializeAsPEM().pemString + "\n" + authorityPEM + "\n",
            privateKeyPEM: serverKey.pemRepresentation + "\n", authorityPEM: authorityPEM + "\n",
            sha256Fingerprint: fingerprint)
    }

    /// The four bytes of a dotted IPv4 address, or nil for a name.
    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}

/// A node's own TLS certificates, PEM: the server's chain (server certificate, then the
/// authority's) and key, the authority's certificate tills pin, and its SHA-256 fingerprint.
public struct SelfSignedCertificate: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String
    public let authorityPEM: String
    /// The authority certificate's, colon-separated lower-case hex (as `openssl x509
    /// -fingerprint -sha256` prints it, in upper case).
    public let sha256Fingerprint: String
}
