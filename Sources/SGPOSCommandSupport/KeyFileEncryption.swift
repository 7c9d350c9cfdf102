import CSodium
import Foundation
import SGPOSCodec
import SGPOSCrypto

/// libsodium must be initialised once per process before the key derivation picks its
/// fastest implementation; `sodium_init` may be called again (SGPOSCrypto calls it too).
private let sodiumReady: Bool = {
    let result = sodium_init()
    precondition(result >= 0, "libsodium failed to initialise (sodium_init returned \(result))")
    return true
}()

/// How hard the passphrase is to guess: libsodium's Argon2id presets.
public enum KeyDerivationLimits: String, CaseIterable, Sendable {
    /// 2 passes over 64 MiB (about 0.1 s): the default.
    case interactive
    /// 3 passes over 256 MiB (about 0.5 s or more): keys that are rarely loaded.
    case moderate

    public var opsLimit: UInt64 {
        switch self {
        case .interactive: UInt64(crypto_pwhash_argon2id_opslimit_interactive())
        case .moderate: UInt64(crypto_pwhash_argon2id_opslimit_moderate())
        }
    }

    public var memLimitBytes: UInt64 {
        switch self {
        case .interactive: UInt64(crypto_pwhash_argon2id_memlimit_interactive())
        case .moderate: UInt64(crypto_pwhash_argon2id_memlimit_moderate())
        }
    }

    /// Limits accepted when a file is read: libsodium's interactive preset up to its
    /// sensitive one (1 GiB), so a file cannot make loading weak or exhaust memory.
    static let acceptedOps = UInt64(crypto_pwhash_argon2id_opslimit_interactive())...UInt64(crypto_pwhash_argon2id_opslimit_sensitive())
    static let acceptedMemoryBytes = UInt64(crypto_pwhash_argon2id_memlimit_interactive())...UInt64(crypto_pwhash_argon2id_memlimit_sensitive())
}

/// A passphrase-encrypted key file (`sgpos-encrypted-key/1`, docs/SECURITY.md):
///
/// ```json
/// {"format": "sgpos-encrypted-key/1", "label": "till 7", "publicKey": hex32,
///  "encryption": {"kdf": "argon2id13", "opsLimit": 2, "memLimitBytes": 67108864, "salt": hex16},
///  "nonce": hex24, "ciphertext": hex48}
/// ```
///
/// The key is Argon2id (version 1.3) of the passphrase and salt with the stored limits,
/// 32 bytes; the ciphertext is XChaCha20-Poly1305-IETF of the 32-byte seed, with
/// ``associatedData`` (every other field) authenticated, so no field can be swapped.
public struct EncryptedKeyFile: Codable, Sendable, Equatable {
    public static let formatName = "sgpos-encrypted-key/1"
    public static let kdfName = "argon2id13"
    static let fields: Set<String> = ["format", "label", "publicKey", "encryption", "nonce", "ciphertext"]

    /// The key derivation: Argon2id v1.3 with these limits and salt.
    public struct Encryption: Codable, Sendable, Equatable {
        static let fields: Set<String> = ["kdf", "opsLimit", "memLimitBytes", "salt"]
        public var kdf: String
        public var opsLimit: UInt64
        public var memLimitBytes: UInt64
        /// 16 bytes, hex.
        public var salt: String
    }

    public var format: String
    public var label: String
    public var publicKey: String
    public var encryption: Encryption
    /// 24 bytes, hex.
    public var nonce: String
    /// The encrypted 32-byte seed and the 16-byte tag, hex.
    public var ciphertext: String

    static let keyBytes = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    static let saltBytes = Int(crypto_pwhash_argon2id_saltbytes())
    static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    static let seedBytes = Int(crypto_sign_seedbytes())
    static let ciphertextBytes = seedBytes + Int(crypto_aead_xchacha20poly1305_ietf_abytes())

    /// Encrypts `key`'s seed under `passphrase` (at least ``KeyPassphrase/encryptionBytesMin``
    /// bytes) with a fresh salt and nonce.
    public static func seal(_ key: SigningKey, label: String, passphrase: borrowing KeyPassphrase,
                            limits: KeyDerivationLimits = .interactive) throws -> EncryptedKeyFile {
        guard passphrase.count >= KeyPassphrase.encryptionBytesMin else {
            throw CLIError("the passphrase has \(passphrase.count) bytes; a key is encrypted with at least "
                + "\(KeyPassphrase.encryptionBytesMin)")
        }
        let salt = secureRandomBytes(saltBytes), nonce = secureRandomBytes(nonceBytes)
        var file = EncryptedKeyFile(
            format: formatName, label: label, publicKey: key.publicKey.hex,
            encryption: Encryption(kdf: kdfName, opsLimit: limits.opsLimit, memLimitBytes: limits.memLimitBytes, salt: Hex.encode(salt)),
            nonce: Hex.encode(nonce), ciphertext: "")
        let secretKey = try deriveKey(passphrase, salt: salt, opsLimit: limits.opsLimit, memLimitBytes: limits.memLimitBytes)
        let associated = file.associatedData(publicKey: key.publicKey.bytes, salt: salt)
        var seed = key.seed
        defer { wipe(&seed) }
        var sealed = [UInt8](repeating: 0, count: ciphertextBytes)
        let result = secretKey.withBytes { secretPointer, _ in
            sealed.withUnsafeMutableBufferPointer { out in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    out.baseAddress!, nil, seed, UInt64(seed.count), associated, UInt64(associated.count),
                    nil, nonce, secretPointer)
            }
        }
        guard result == 0 else { throw CLIError("encrypting the key failed (libsodium returned \(result))") }
        file.ciphertext = Hex.encode(sealed)
        return file
    }

    /// Decrypts the key; `path` names the file in errors. A wrong passphrase and any
    /// changed field fail the same way: the tag does not verify.
    public func open(passphrase: borrowing KeyPassphrase, path: String) throws -> SigningKey {
        let damaged = CLIError("key file \(path): wrong passphrase or damaged key file")
        guard format == Self.formatName, encryption.kdf == Self.kdfName else {
            throw CLIError("key file \(path) is not an \(Self.formatName) file with kdf \(Self.kdfName)")
        }
        guard KeyDerivationLimits.acceptedOps.contains(encryption.opsLimit),
              KeyDerivationLimits.acceptedMemoryBytes.contains(encryption.memLimitBytes) else {
            throw CLIError("key file \(path): encryption.opsLimit must be \(KeyDerivationLimits.acceptedOps) and "
                + "encryption.memLimitBytes \(KeyDerivationLimits.acceptedMemoryBytes)")
        }
        guard let publicBytes = Hex.decode(publicKey), publicBytes.count == PublicKey.byteCount,
              let salt = Hex.decode(encryption.salt), salt.count == Self.saltBytes,
              let nonceBytes = Hex.decode(nonce), nonceBytes.count == Self.nonceBytes,
              let sealed = Hex.decode(ciphertext), sealed.count == Self.ciphertextBytes else {
            throw CLIError("key file \(path): publicKey, encryption.salt, nonce and ciphertext must be lower-case hex of "
                + "\(PublicKey.byteCount), \(Self.saltBytes), \(Self.nonceBytes) and \(Self.ciphertextBytes) bytes")
        }
        let secretKey = try Self.deriveKey(passphrase, salt: salt, opsLimit: encryption.opsLimit, memLimitBytes: encryption.memLimitBytes)
        let associated = associatedData(publicKey: publicBytes, salt: salt)
        let seed = SecretBytes(capacity: Self.seedBytes)
        let result = secretKey.withBytes { secretPointer, _ in
            seed.withMutableBytes { out, _ in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    out, nil, nil, sealed, UInt64(sealed.count), associated, UInt64(associated.count), nonceBytes, secretPointer)
            }
        }
        guard result == 0 else { throw damaged }
        var seedArray = seed.withBytes { Array(UnsafeBufferPointer(start: $0, count: $1)) }
        defer { wipe(&seedArray) }
        guard let key = SigningKey(seed: seedArray), key.publicKey.bytes == publicBytes else { throw damaged }
        return key
    }

    /// What the tag authenticates besides the seed: every field but the nonce and the
    /// ciphertext (the nonce is authenticated by the cipher itself), in this order, each
    /// string as a 4-byte big-endian byte count and its UTF-8 bytes, each number as 8
    /// bytes big-endian, each hex field as its raw bytes:
    /// format, publicKey (32), label, encryption.kdf, opsLimit, memLimitBytes, salt (16).
    func associatedData(publicKey: [UInt8], salt: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        func string(_ text: String) {
            let utf8 = Array(text.utf8)
            bytes += withUnsafeBytes(of: UInt32(utf8.count).bigEndian, Array.init) + utf8
        }
        func number(_ value: UInt64) { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        string(format)
        bytes += publicKey
        string(label)
        string(encryption.kdf)
        number(encryption.opsLimit)
        number(encryption.memLimitBytes)
        bytes += salt
        return bytes
    }

    /// Argon2id v1.3 of the passphrase: the 32-byte cipher key.
    static func deriveKey(_ passphrase: borrowing KeyPassphrase, salt: [UInt8], opsLimit: UInt64, memLimitBytes: UInt64) throws -> SecretBytes {
        precondition(sodiumReady)
        let key = SecretBytes(capacity: keyBytes)
        let result = passphrase.bytes.withBytes { passphrasePointer, passphraseCount in
            key.withMutableBytes { out, count in
                passphrasePointer.withMemoryRebound(to: CChar.self, capacity: max(passphraseCount, 1)) { text in
                    crypto_pwhash_argon2id(out, UInt64(count), text, UInt64(passphraseCount), salt, opsLimit,
                                           Int(memLimitBytes), crypto_pwhash_argon2id_alg_argon2id13())
                }
            }
        }
        guard result == 0 else {
            throw CLIError("deriving the key from the passphrase failed (Argon2id with \(memLimitBytes) bytes of memory; out of memory?)")
        }
        return key
    }
}
