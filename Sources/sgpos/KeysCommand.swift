import ArgumentParser
import SGPOSCommandSupport
import SGPOSCodec
import SGPOSCrypto

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create Ed25519 key files, and encrypt them with a passphrase.",
        subcommands: [Generate.self, Protect.self, Unprotect.self, Show.self, KeysRegister.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an Ed25519 key pair into a key file (mode 0600) and print its public key.")

        @Option(help: "Key file to write. It must not exist.")
        var out: String

        @Option(help: "A label stored in the file (who or what holds the key).")
        var label: String = "key"

        @Flag(help: "Encrypt the key with the passphrase in the file named by SGPOS_KEY_PASSPHRASE_FILE, or in SGPOS_KEY_PASSPHRASE.")
        var encrypt = false

        @Option(help: "With --encrypt: the Argon2id limits, interactive (default) or moderate.")
        var kdfLimits: KeyDerivationLimits?

        func run() throws {
            if FileManager.default.fileExists(atPath: out) {
                throw CLIError("\(out) already exists; refusing to overwrite a key")
            }
            guard encrypt || kdfLimits == nil else { throw CLIError("--kdf-limits needs --encrypt") }
            let key = SigningKey.generate()
            if encrypt {
                let passphrase = try KeyPassphrase.fromEnvironment(purpose: "encrypting key file \(out)")
                try EncryptedKeyFile.seal(key, label: label, passphrase: passphrase, limits: kdfLimits ?? .interactive).write(to: out)
            } else {
                try KeyFile(label: label, key: key).write(to: out)
            }
            print(key.publicKey.hex)
        }
    }
}

import Foundation
