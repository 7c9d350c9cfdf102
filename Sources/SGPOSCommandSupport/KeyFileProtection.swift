import ArgumentParser
import Foundation
import SGPOSCrypto

extension KeyDerivationLimits: ExpressibleByArgument {}

/// Encrypting a key file in place and decrypting it back (`sgpos keys protect` and
/// `unprotect`); the passphrase comes from the environment (``KeyPassphrase``). Each
/// replaces the file atomically (``writePrivateFileAtomically(_:to:)``), keeping the key
/// and its label.
public enum KeyFileProtection {
    /// Encrypts the plain key file at `path`; refused when it is encrypted already.
    @discardableResult
    public static func protect(_ path: String, limits: KeyDerivationLimits = .interactive,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EncryptedKeyFile {
        guard case .plain(let plain) = try StoredKeyFile.read(path) else {
            throw CLIError("key file \(path) is encrypted already")
        }
        let key = try plain.signingKey(path: path)
        let passphrase = try KeyPassphrase.fromEnvironment(environment, purpose: "encrypting key file \(path)")
        let sealed = try EncryptedKeyFile.seal(key, label: plain.label, passphrase: passphrase, limits: limits)
        try sealed.write(to: path)
        return sealed
    }

    /// Decrypts the encrypted key file at `path` into a plain one; refused when it is plain.
    @discardableResult
    public static func unprotect(_ path: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeyFile {
        guard case .encrypted(let sealed) = try StoredKeyFile.read(path) else {
            throw CLIError("key file \(path) is not encrypted")
        }
        let passphrase = try KeyPassphrase.fromEnvironment(environment, purpose: "key file \(path) is encrypted")
        let plain = KeyFile(label: sealed.label, key: try sealed.open(passphrase: passphrase, path: path))
        try plain.write(to: path)
        return plain
    }
}

extension EncryptedKeyFile {
    /// Writes the file with mode 0600, atomically.
    public func write(to path: String) throws {
        try writePrivateFileAtomically(try JSON.encode(self), to: path)
    }
}
