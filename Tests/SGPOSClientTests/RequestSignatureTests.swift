import Foundation
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import Testing

/// RFC 9421 request signatures: the published Ed25519 vector (Appendix B.2.6), the
/// signer's output verifying under the parser's base, and strict, bounded parsing.
struct RequestSignatureTests {
    /// RFC 9421 Appendix B.1.4 `test-key-ed25519` (the PKCS#8 seed) and B.2.6.
    static let seed = Array(Data(base64Encoded: "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")!.suffix(32))
    static let publicKeyBase64URL = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
    static let input = #"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#
    static let signature = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
    static let base = """
        "date": Tue, 20 Apr 2021 02:07:55 GMT
        "@method": POST
        "@path": /foo
        "@authority": example.com
        "content-type": application/json
        "content-length": 18
        "@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"
        """

    @Test func theRFCsEd25519VectorParsesBuildsItsBaseAndVerifies() throws {
        let parsed = try HTTPMessageSignature.parse(signatureInput: Self.input, signature: Self.signature)
        #expect(parsed.label == "sig-b26")
        #expect(parsed.signatureInputField == Self.input, "parse then serialize is the identity")
        let request = ["date": "Tue, 20 Apr 2021 02:07:55 GMT", "@method": "POST", "@path": "/foo", "@authority": "example.com",
                       "content-type": "application/json", "content-length": "18"]
        let base = try parsed.base { request[$0] }
        #expect(String(decoding: base, as: UTF8.self) == Self.base)
        let key = try #require(SigningKey(seed: Self.seed))
        var b64 = Self.publicKeyBase64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        #expect(key.publicKey.bytes == Array(Data(base64Encoded: b64)!), "the seed is the RFC's key")
        #expect(key.publicKey.isValidSignature(Signature(uncheckedBytes: parsed.signature), for: base))
        // Ed25519 is deterministic: signing the base gives the RFC's bytes exactly.
        #expect(key.sign(base).bytes == parsed.signature)
        // One changed component and it no longer verifies.
        var changed = request
        changed["@method"] = "GET"
        #expect(!key.publicKey.isValidSignature(Signature(uncheckedBytes: parsed.signature), for: try parsed.base { changed[$0] }))
        #expect(throws: HTTPSignatureError.self) { try parsed.base { $0 == "date" ? nil : request[$0] } }
    }

    @Test func whatTheSignerSendsVerifiesUnderTheParsedBase() throws {
        let key = SigningKey.generate()
        let body = Array(#"{"lines":[{"sku":"PEN-BLUE","qty":1}]}"#.utf8)
        let headers = RequestSigner(key: key).headers(method: "post", target: "/v1/quote?x=%2F1", body: body, createdSeconds: 1_800_000_000,
                                                      nonce: Array(repeating: 7, count: 16))
        let fields = Dictionary(uniqueKeysWithValues: headers.map { ($0.name.lowercased(), $0.value) })
        #expect(fields["content-digest"] == RequestSigner.contentDigest(body))
        #expect(fields["content-digest"]?.hasPrefix("sha-256=:") == true)
        let parsed = try HTTPMessageSignature.parse(signatureInput: fields["signature-input"]!, signature: fields["signature"]!)
        #expect(parsed.components == ["@method", "@path", "@query", "content-digest"])
        #expect(parsed.parameter("keyid") == .string(key.publicKey.hex))
        #expect(parsed.parameter("created") == .integer(1_800_000_000))
        #expect(parsed.parameter("nonce") == .string(String(repeating: "07", count: 16)))
        let values = ["@method": "POST", "@path": "/v1/quote", "@query": "?x=%2F1", "content-digest": fields["content-digest"]!]
        #expect(key.publicKey.isValidSignature(Signature(uncheckedBytes: parsed.signature), for: try parsed.base { values[$0] }))
        // Without a body: no digest, and "@query" is "?".
        let get = RequestSigner(key: key).headers(method: "GET", target: "/v1/heads", body: nil)
        #expect(!get.contains { $0.name == "Content-Digest" })
        #expect(RequestSigner.split("/v1/heads") == ("/v1/heads", "?"))
        #expect(RequestSigner.split("") == ("/", "?"))
    }

    @Test func malformedFieldsAreRefusedWithAReasonNeverACrash() throws {
        let good = Self.signature
        let refused: [(String, String)] = [
            ("", good),
            (#"sig-b26=("@method")"#, "other=:" + String(repeating: "A", count: 86) + "==:"),
            (#"sig-b26=("@method"), sig2=("@path")"#, good),
            (#"sig-b26=("@Method")"#, good),
            (#"sig-b26=("@method" "@method")"#, good),
            (#"sig-b26=("@method");created=1;created=2"#, good),
            (#"sig-b26=("@method");keyid="a\b""#, good),
            (#"sig-b26=("@method");keyid="open"#, good),
            (#"sig-b26=("@method");created=1234567890123456"#, good),
            (#"sig-b26=("@method")"#, "sig-b26=:bm90IDY0IGJ5dGVz:"),
            (#"sig-b26=("@method")"#, "sig-b26=:!!!:"),
            (#"Sig=("@method")"#, good),
            (String(repeating: "a", count: 2_000), good),
            (#"sig-b26=("#, good),
            (#"sig-b26=("@method" "#, good),
        ]
        for (input, signature) in refused {
            #expect(throws: HTTPSignatureError.self, "\(input.prefix(60)) | \(signature.prefix(40))") {
                try HTTPMessageSignature.parse(signatureInput: input, signature: signature)
            }
        }
        // Random bytes: an error or a parse, never a trap.
        var state: UInt64 = 0x1234_5678
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 90) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append([0x22, 0x28, 0x29, 0x3B, 0x3D, 0x3A, 0x20, 0x5C, 0x61, 0x40, 0x2D, 0x31, 0xFF][Int(state >> 60) % 13])
            }
            _ = try? HTTPMessageSignature.parse(signatureInput: "s=" + String(decoding: bytes, as: UTF8.self), signature: good)
        }
    }
}
