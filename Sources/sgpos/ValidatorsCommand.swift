import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSNode
import SGPOSStore
import SGPOSClient

/// `sgpos validators`: show the checkpoint chain's validator sets and change them
/// (docs/CONSENSUS.md §9, docs/OPERATIONS.md "Changing the validators").
struct ValidatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validators", abstract: "Show or change the validators of the checkpoint chain.",
        subcommands: [Show.self, Update.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the validator sets of a node's working height and the next.")

        @Option(help: "Node API base URL, e.g. http://127.0.0.1:7101.") var node: String
        @Option(help: "Key file that signs the request (any registered key: reads need a request signature).") var key: String
        @Option(help: "PEM certificate authority to trust for an https node (its tls/api-ca.pem).") var ca: String?

        func run() async throws {
            let view = try await nodeClient(node, ca: ca).signed(by: try KeyFile.load(key)).validators()
            for set in [view.current, view.next] {
                print("checkpoint height \(set.height): \(set.validators.count) validators, total power \(set.totalPower), final with \(set.quorum)")
                for validator in set.validators { print("  \(validator.index)  power \(validator.power)  \(validator.publicKey)") }
            }
            for update in view.pending {
                print("pending update \(update.id): " + update.changes.map { "\($0.publicKey)=\($0.power)" }.joined(separator: ", "))
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a validator update with a genesis admin key and hand it to nodes.",
            discussion: """
                Each --set KEY=POWER sets a validator's power (1-1000), adds KEY if it is not a \
                validator, or removes it with power 0. A key change is --set OLD=0 --set NEW=P. \
                The first checkpoint that carries the update changes the set two heights later; \
                give the update to the validators' nodes (any one that proposes will carry it).
                """)

        @Option(help: "The network's genesis file.") var genesis: String
        @Option(name: .customLong("admin-key"), help: "Key file of a genesis admin.") var adminKey: String
        @Option(name: .customLong("set"), help: "KEY=POWER (64 hex digits = 0...1000); repeat for each change.") var changes: [String]
        @Option(help: "Tells apart updates with the same changes (default: now in ms).") var serial: UInt64?
        @Option(help: "Node API base URL to hand the update to; repeat for several.") var node: [String] = []
        @Option(help: "PEM certificate authorities to trust for https nodes (their tls/api-ca.pem, concatenated for several).") var ca: String?
        @Option(help: "Also write the update's canonical bytes (hex) to this file.") var out: String?

        func run() async throws {
            let genesis = try loadGenesis(genesis)
            let admin = try KeyFile.load(adminKey)
            guard genesis.admins.contains(where: { $0.publicKey == admin.publicKey }) else {
                throw CLIError("\(adminKey) is not the key of a genesis admin of this network")
            }
            var parsed: [ValidatorUpdate.Change] = []
            for item in changes {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let bytes = Hex.decode(parts[0]), let key = PublicKey(bytes: bytes),
                      let power = UInt64(parts[1]), power <= ValidatorSet.powerRange.upperBound
                else { throw CLIError("--set \(item): expected KEY=POWER, KEY 64 hex digits, POWER 0...1000") }
                guard !parsed.contains(where: { $0.key == key }) else { throw CLIError("--set names \(parts[0]) twice") }
                parsed.append(.init(key: key, power: power))
            }
            guard !parsed.isEmpty else { throw CLIError("give at least one --set KEY=POWER") }
            let update = ValidatorUpdate(chainID: genesis.id, serial: serial ?? UInt64(wallClockMs()), changes: parsed, admin: admin)
            print("validator update \(update.id.hex)")
            if let out { try writeFile(Data((Hex.encode(update.canonicalBytes) + "\n").utf8), to: out) }
            var failures = 0
            for url in node {
                do {
                    let accepted = try await nodeClient(url, ca: ca).signed(by: admin).submitValidatorUpdate(update)
                    print("\(url): accepted; a checkpoint from height \(accepted.carriedFrom) carries it, effective two heights after")
                } catch {
                    failures += 1
                    print("\(url): \(error)")
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
