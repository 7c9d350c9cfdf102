import Foundation

/// A key file as stored: plain (`sgpos-key/1`, ``KeyFile``) or passphrase-encrypted
/// (`sgpos-encrypted-key/1`, ``EncryptedKeyFile``). Reading checks the file's mode and its
/// fields, and decrypts nothing.
public enum StoredKeyFile: Sendable {
    case plain(KeyFile)
    case encrypted(EncryptedKeyFile)

    /// Reads `path`: refused when any group or other permission bit is set, when the
    /// format is neither of the two, and when a field is missing, `null` or unknown.
    public static func read(_ path: String) throws -> StoredKeyFile {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o077 != 0 {
            throw CLIError("key file \(path) has mode \(String(status.st_mode & 0o777, radix: 8)): others on this machine can read "
                + "or change the key; run chmod 600 \(path)")
        }
        let data = try readFile(path, what: "key file")
        let what = "key file \(path)"
        struct Format: Decodable { var format: String }
        switch try JSON.decode(Format.self, from: data, what: what).format {
        case KeyFile.formatName:
            try refuseUnknownFields(data, allowed: KeyFile.fields, nested: [:], what: what)
            return .plain(try JSON.decode(KeyFile.self, from: data, what: what))
        case EncryptedKeyFile.formatName:
            try refuseUnknownFields(data, allowed: EncryptedKeyFile.fields,
                                    nested: ["encryption": EncryptedKeyFile.Encryption.fields], what: what)
            return .encrypted(try JSON.decode(EncryptedKeyFile.self, from: data, what: what))
        case let other:
            throw CLIError("\(what): format \"\(other)\" is neither \(KeyFile.formatName) nor \(EncryptedKeyFile.formatName)")
        }
    }

    /// The label and public key, in clear in both forms (in an encrypted file they are
    /// authenticated only when it is opened).
    public var label: String {
        switch self {
        case .plain(let file): file.label
        case .encrypted(let file): file.label
        }
    }

    public var publicKey: String {
        switch self {
        case .plain(let file): file.publicKey
        case .encrypted(let file): file.publicKey
        }
    }

    /// Refuses a field the format does not have (a typo, or a field of the other form),
    /// at the top level and in the objects named in `nested`.
    private static func refuseUnknownFields(_ data: Data, allowed: Set<String>, nested: [String: Set<String>], what: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("\(what): not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CLIError("\(what): unknown field \"\(unknown)\"")
        }
        for (field, fields) in nested {
            guard let inner = object[field] as? [String: Any] else { continue }  // the decoder names a wrong type
            if let unknown = inner.keys.sorted().first(where: { !fields.contains($0) }) {
                throw CLIError("\(what): unknown field \"\(field).\(unknown)\"")
            }
        }
    }
}
