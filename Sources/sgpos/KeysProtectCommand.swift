import ArgumentParser
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSCrypto

/// `sgpos keys protect`, `unprotect` and `show`: passphrase encryption of key files.
extension KeysCommand {
    static let passphraseHelp = "The passphrase is read from the file named by SGPOS_KEY_PASSPHRASE_FILE (mode 0600; one "
        + "trailing newline dropped) or else from SGPOS_KEY_PASSPHRASE. Every command that loads a key file reads "
        + "the passphrase of an encrypted one the same way."

    struct Protect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encrypt a key file in place with a passphrase (Argon2id, XChaCha20-Poly1305).",
            discussion: KeysCommand.passphraseHelp + " The file is replaced atomically; the key and its label stay the same. "
                + "The old plain file's bytes may survive on the disk: encrypt new keys with `keys generate --encrypt`.")
        @Argument(help: "The plain key file.") var file: String
        @Option(help: "The Argon2id limits: interactive (default) or moderate.") var kdfLimits: KeyDerivationLimits = .interactive

        func run() throws {
            let sealed = try KeyFileProtection.protect(file, limits: kdfLimits)
            print("\(file) encrypted (\(sealed.encryption.kdf), \(kdfLimits.rawValue) limits), public key \(sealed.publicKey)")
        }
    }

    struct Unprotect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decrypt an encrypted key file in place into a plain one (mode 0600).",
            discussion: KeysCommand.passphraseHelp)
        @Argument(help: "The encrypted key file.") var file: String

        func run() throws {
            let plain = try KeyFileProtection.unprotect(file)
            print("\(file) decrypted, public key \(plain.publicKey)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a key file, decrypting it when it is encrypted, and print its public key and label.",
            discussion: KeysCommand.passphraseHelp + " A wrong passphrase or a changed file is an error; nothing is written.")
        @Argument(help: "The key file.") var file: String

        func run() throws {
            let stored = try StoredKeyFile.read(file)
            let key = try KeyFile.load(file)
            print(key.publicKey.hex)
            switch stored {
            case .plain(let plain):
                print("label \"\(plain.label)\", plain (\(plain.format))")
            case .encrypted(let sealed):
                print("label \"\(sealed.label)\", encrypted (\(sealed.format): \(sealed.encryption.kdf), opsLimit "
                    + "\(sealed.encryption.opsLimit), memLimitBytes \(sealed.encryption.memLimitBytes)); the passphrase opens it")
            }
        }
    }
}
