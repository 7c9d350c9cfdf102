import ArgumentParser
import SGPOSCommandSupport
import SGPOSCodec
import SGPOSCrypto

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create Ed25519 key files.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an Ed25519 key pair into a key file (mode 0600) and print its public key.")

        @Option(help: "Key file to write. It must not exist.")
        var out: String

        @Option(help: "A label stored in the file (who or what holds the key).")
        var label: String = "key"

        func run() throws {
            if FileManager.default.fileExists(atPath: out) {
                throw CLIError("\(out) already exists; refusing to overwrite a key")
            }
            let key = SigningKey.generate()
            try KeyFile(label: label, key: key).write(to: out)
            print(key.publicKey.hex)
        }
    }
}

import Foundation
