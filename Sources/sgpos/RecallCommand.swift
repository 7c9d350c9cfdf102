import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSClient
import SGPOSNode
import SGPOSStore

/// `sgpos recall`: withdraw a lot from sale across the network (FORMAT.md §9.8, §13.6), and
/// show which recalls each outlet has recorded. Where the lot is: `sgpos report lot`.
struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall", abstract: "Recall a lot of a product at every outlet, or list the recalls.", subcommands: [Issue.self, List.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a product recall with a genesis admin key and hand it to nodes.",
            discussion: "The next checkpoint carries it; every outlet then records it on its own chain and its tills refuse the lot. "
                + "An outlet that is cut off records it when it reconnects.")

        @Option(help: "The network's genesis file.") var genesis: String
        @Option(name: .customLong("admin-key"), help: "Key file of a genesis admin.") var adminKey: String
        @Option(help: "The product's GTIN: 14 digits (a GTIN-13 with a leading 0), check digit included.") var gtin: String
        @Option(help: "The lot or batch number (GS1 AI 10), 1-20 characters.") var lot: String
        @Option(help: "Why, as the tills and the report show it (1-128 bytes).") var reason: String
        @Option(help: "Tells apart recalls of the same lot (default: now in ms).") var serial: UInt64?
        @Option(help: "Node API base URL to hand the recall to; repeat for several.") var node: [String] = []
        @Option(help: "PEM certificate authorities to trust for https nodes (their tls/api-ca.pem, concatenated for several).") var ca: String?

        func run() async throws {
            let genesis = try loadGenesis(genesis)
            let admin = try KeyFile.load(adminKey)
            let recall = ProductRecall(chainID: genesis.id, serial: serial ?? UInt64(wallClockMs()), gtin: gtin, lot: lot, reason: reason, admin: admin)
            if let problem = recall.problem(genesis: genesis) { throw CLIError("the recall is not valid: \(problem)") }
            print("recall \(recall.id.hex): lot \(lot) of GTIN \(gtin): \(reason)")
            var failures = 0
            for url in node {
                do {
                    _ = try await nodeClient(url, ca: ca).signed(by: admin).submitRecall(recall)
                    print("\(url): accepted; every outlet refuses the lot once the checkpoint that carries it reaches it")
                } catch {
                    failures += 1
                    print("\(url): \(error)")
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The recalls a node's checkpoints carried, and whether its outlet recorded each.")
        @Option(help: "Node API base URL of the outlet.") var node: String
        @Option(help: "Key file that signs the request (any registered key).") var key: String
        @Option(help: "PEM certificate authority to trust for an https node (its tls/api-ca.pem).") var ca: String?

        func run() async throws {
            let recalls = try await nodeClient(node, ca: ca).signed(by: try KeyFile.load(key)).recalls()
            for recall in recalls.carried {
                print("checkpoint \(recall.checkpoint ?? 0): lot \(recall.lot) of GTIN \(recall.gtin) (\(recall.reason)): "
                    + (recall.recordedHere ? "recorded by outlet \(recalls.outletId), its tills refuse it" : "not recorded by outlet \(recalls.outletId) yet"))
            }
            for recall in recalls.pending { print("waiting for a checkpoint: lot \(recall.lot) of GTIN \(recall.gtin) (\(recall.reason))") }
            if recalls.carried.isEmpty, recalls.pending.isEmpty { print("no recalls") }
        }
    }
}
