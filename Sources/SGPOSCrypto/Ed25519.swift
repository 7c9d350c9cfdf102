import CSodium
import SGPOSCodec

/// libsodium must be initialised once per process before any other call.
private let sodiumReady: Bool = {
    let result = sodium_init()
    precondition(result >= 0, "libsodium failed to initialise (sodium_init returned \(result))")
    return true
}()

/// An Ed25519 public key (RFC 8032): identifies outlets, tills, operators and admins.
public struct PublicKey: FixedSizeBytes, CanonicalEncodable, CanonicalDecodable {
    public static let byteCount = 32
    /// The 32 key bytes.
    public let bytes: [UInt8]

    public init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == PublicKey.byteCount, "an Ed25519 public key is 32 bytes")
        bytes = uncheckedBytes
    }

    /// Verifies an Ed25519 signature over `message` (libsodium's strict verification:
    /// non-canonical and small-order encodings are rejected).
    public func isValidSignature(_ signature: Signature, for message: [UInt8]) -> Bool {
        precondition(sodiumReady)
        return signature.bytes.withNonNullPointer { sig, _ in
            message.withNonNullPointer { msg, messageCount in
                bytes.withNonNullPointer { key, _ in
                    crypto_sign_verify_detached(sig, msg, UInt64(messageCount), key) == 0
                }
            }
        }
    }
}

/// A 64-byte Ed25519 signature.
public struct Signature: FixedSizeBytes, CanonicalEncodable, CanonicalDecodable {
    public static let byteCount = 64
    public let bytes: [UInt8]

    public init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == Signature.byteCount, "an Ed25519 signature is 64 bytes")
        bytes = uncheckedBytes
    }
}

/// An Ed25519 signing key. The secret lives in memory the type allocates itself and
/// wipes (sodium_memzero) when the last reference goes away.
public final class SigningKey: @unchecked Sendable {
    // @unchecked: `secret` is written once in init and only read afterwards.
    private let secret: UnsafeMutableRawBufferPointer
    /// The matching public key.
    public let publicKey: PublicKey

    /// Derives the key pair from a 32-byte seed (RFC 8032 "private key").
    public init?(seed: [UInt8]) {
        precondition(sodiumReady)
        guard seed.count == Int(crypto_sign_SEEDBYTES) else { return nil }
        let secret = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Int(crypto_sign_SECRETKEYBYTES), alignment: 16)
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        let secretPointer = secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let result = seed.withNonNullPointer { seedPointer, _ in
            publicBytes.withUnsafeMutableBufferPointer { publicBuffer in
                crypto_sign_seed_keypair(publicBuffer.baseAddress!, secretPointer, seedPointer)
            }
        }
        precondition(result == 0, "crypto_sign_seed_keypair failed")
        self.secret = secret
        self.publicKey = PublicKey(bytes: publicBytes)!
    }

    /// A fresh key from libsodium's CSPRNG.
    public static func generate() -> SigningKey {
        precondition(sodiumReady)
        var seed = [UInt8](repeating: 0, count: Int(crypto_sign_SEEDBYTES))
        seed.withUnsafeMutableBufferPointer { randombytes_buf($0.baseAddress!, $0.count) }
        defer { seed.withUnsafeMutableBufferPointer { sodium_memzero($0.baseAddress!, $0.count) } }
        return SigningKey(seed: seed)!
    }

    /// The 32-byte seed, for writing a key file.
    public var seed: [UInt8] {
        Array(secret[0..<Int(crypto_sign_SEEDBYTES)])
    }

    /// Signs `message` (deterministic, RFC 8032).
    public func sign(_ message: [UInt8]) -> Signature {
        var signature = [UInt8](repeating: 0, count: Signature.byteCount)
        let secretPointer = secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let result = message.withNonNullPointer { msg, messageCount in
            signature.withUnsafeMutableBufferPointer { sig in
                crypto_sign_detached(sig.baseAddress!, nil, msg, UInt64(messageCount), secretPointer)
            }
        }
        precondition(result == 0, "crypto_sign_detached failed")
        return Signature(bytes: signature)!
    }

    deinit {
        sodium_memzero(secret.baseAddress!, secret.count)
        secret.deallocate()
    }
}

/// Cryptographically secure random bytes (libsodium), for idempotency ids and keys.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    precondition(sodiumReady)
    precondition(count >= 0 && count <= 1 << 20, "random byte request out of range")
    guard count > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBufferPointer { randombytes_buf($0.baseAddress!, $0.count) }
    return bytes
}

extension Array where Element == UInt8 {
    /// Calls `body` with a pointer that is never null, even for an empty array (C APIs
    /// annotated nonnull accept a zero length but not a null pointer).
    func withNonNullPointer<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        if isEmpty {
            let placeholder: [UInt8] = [0]
            return try placeholder.withUnsafeBufferPointer { try body($0.baseAddress!, 0) }
        }
        return try withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
    }
}
