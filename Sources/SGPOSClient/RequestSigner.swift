import Foundation
import SGPOSCodec
import SGPOSCrypto

/// Signs API requests as a node verifies them (docs/API.md, "Request signatures"): an
/// RFC 9421 signature labelled `sgpos` over `@method`, `@path`, `@query` and, when the
/// request has a body, `content-digest` (RFC 9530, `sha-256`), with parameters
/// `created` (Unix seconds), `keyid` (the signer's public key, lower-case hex), `alg`
/// (`ed25519`) and `nonce` (16 random bytes, hex). A fresh nonce per call: every
/// request, retries included, is signed anew.
public struct RequestSigner: Sendable {
    public let key: SigningKey

    public init(key: SigningKey) { self.key = key }

    /// The signature label SGPOS uses.
    public static let label = "sgpos"

    /// The headers to add: `Signature-Input`, `Signature` and, with a body, `Content-Digest`.
    /// `target` is the request target as sent (percent-encoded path, then `?query` if any).
    public func headers(method: String, target: String, body: [UInt8]?, createdSeconds: Int64? = nil,
                        nonce: [UInt8]? = nil) -> [(name: String, value: String)] {
        let (path, query) = RequestSigner.split(target)
        var components = ["@method", "@path", "@query"]
        var fields: [(name: String, value: String)] = []
        var digest: String?
        if let body, !body.isEmpty {
            let value = RequestSigner.contentDigest(body)
            components.append("content-digest")
            fields.append(("Content-Digest", value))
            digest = value
        }
        let created = createdSeconds ?? Int64(Date().timeIntervalSince1970.rounded(.down))
        var signature = HTTPMessageSignature(
            label: RequestSigner.label, components: components,
            parameters: [("created", .integer(created)), ("keyid", .string(key.publicKey.hex)), ("alg", .string("ed25519")),
                         ("nonce", .string(Hex.encode(nonce ?? secureRandomBytes(16))))],
            signature: [])
        let values: [String: String] = ["@method": method.uppercased(), "@path": path, "@query": query, "content-digest": digest ?? ""]
        // The base of our own components cannot lack a value.
        let base = (try? signature.base { values[$0] }) ?? []
        signature.signature = key.sign(base).bytes
        return fields + [("Signature-Input", signature.signatureInputField), ("Signature", signature.signatureField)]
    }

    /// `Content-Digest` of a body: `sha-256=:<base64>:` (RFC 9530).
    public static func contentDigest(_ body: [UInt8]) -> String {
        "sha-256=:" + Data(Hash256.sha256(body).bytes).base64EncodedString() + ":"
    }

    /// A request target's `@path` and `@query` (RFC 9421 §2.2.6–2.2.7): the path as sent
    /// ("/" when empty) and "?" followed by the query as sent ("?" when there is none).
    public static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target.isEmpty ? "/" : target, "?") }
        let path = String(target[..<mark])
        return (path.isEmpty ? "/" : path, String(target[mark...]))
    }
}
