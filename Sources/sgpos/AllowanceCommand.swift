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

/// `sgpos allowance`: grant outlets points they may redeem on credit while other outlets
/// are out of reach, and show an outlet's allowance (docs/CONSENSUS.md §10).
struct AllowanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allowance", abstract: "Grant or show an outlet's points allowance.", subcommands: [Show.self, Grant.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an outlet's allowance as its node's network state has it.")
        @Option(help: "Node API base URL of the outlet, e.g. http://127.0.0.1:7104.") var node: String
        @Option(help: "Key file that signs the request (any registered key: reads need a request signature).") var key: String
        @Option(help: "PEM certificate authority to trust for an https node (its tls/api-ca.pem).") var ca: String?

        func run() async throws {
            let a = try await nodeClient(node, ca: ca).signed(by: try KeyFile.load(key)).allowance()
            print("outlet \(a.outletId) as of checkpoint \(a.checkpoint) (covering its block \(a.covered)): granted \(a.granted), "
                + "lost \(a.losses), allowance \(a.allowance); on credit \(a.outstanding) unsettled + \(a.claimedSince) claimed since; "
                + "\(a.available) points left to claim")
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an allowance grant with a genesis admin key and hand it to nodes.",
            discussion: "The grant sets the outlet's granted points (replacing the previous grant) from the checkpoint that carries it.")

        @Option(help: "The network's genesis file.") var genesis: String
        @Option(name: .customLong("admin-key"), help: "Key file of a genesis admin.") var adminKey: String
        @Option(help: "Outlet id.") var outlet: UInt32
        @Option(help: "Points the outlet may hold on credit (0 withdraws the allowance).") var points: Int64
        @Option(help: "Tells apart grants with the same outlet and points (default: now in ms).") var serial: UInt64?
        @Option(help: "Node API base URL to hand the grant to; repeat for several.") var node: [String] = []
        @Option(help: "PEM certificate authorities to trust for https nodes (their tls/api-ca.pem, concatenated for several).") var ca: String?

        func run() async throws {
            let genesis = try loadGenesis(genesis)
            let admin = try KeyFile.load(adminKey)
            let grant = AllowanceGrant(chainID: genesis.id, serial: serial ?? UInt64(wallClockMs()), outlet: outlet, points: points, admin: admin)
            guard grant.isValid(genesis: genesis) else {
                throw CLIError("the grant is not valid: the key must be a genesis admin's, outlet \(outlet) a genesis outlet, points 0...\(AllowanceGrant.pointsMax)")
            }
            print("allowance grant \(grant.id.hex): outlet \(outlet), \(points) points")
            var failures = 0
            for url in node {
                do {
                    _ = try await nodeClient(url, ca: ca).signed(by: admin).submitAllowanceGrant(grant)
                    print("\(url): accepted; in force from the checkpoint that carries it")
                } catch {
                    failures += 1
                    print("\(url): \(error)")
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
