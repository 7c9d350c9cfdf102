import ArgumentParser
import Foundation
import SGPOSClient
import SGPOSCommandSupport
import SGPOSRetail

/// `sgpos status`: a running node summarised for its operator — what it is, its chain,
/// its peers, every chain it holds and how far the checkpoints cover them, and anything
/// that needs looking at.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise a running node: its outlet and chain, peers, the chains it holds, checkpoints and anything to look at.",
        discussion: """
            Without --key only the public health answer is read. With a registered key (an operator of the outlet, \
            an auditor or an admin) also the heads of every chain the node holds and its checkpoint status. \
            Exit 0 when the node answers and nothing needs looking at, 1 otherwise (each WARNING line says what).
            """)
    @Option(help: "Node API base URL, e.g. https://10.0.1.10:7101 or http://127.0.0.1:7101.") var node: String
    @Option(help: "Key file that signs the reads (heads, checkpoint status).") var key: String?
    @Option(help: "The node's API certificate authority to pin (tls/api-ca.pem, as `node init` wrote it) for https.") var ca: String?

    func run() async throws {
        var client = try nodeClient(node, ca: ca)
        let health: API.Health
        do {
            health = try await client.health()
        } catch {
            print("node \(node): no answer (\(error))")
            throw ExitCode(1)
        }
        var warnings: [String] = []
        print("node \(node): outlet \(health.outletId), chain \(health.chainId), genesis \(health.genesisId.prefix(16))…")
        print("  own chain height \(health.height); \(health.peersConnected) peer(s) connected\(health.isolated ? "; ISOLATED by a fault drill" : "")")
        if health.isolated { warnings.append("the node is isolated from its peers (POST /v1/admin/isolate)") }
        if health.peersConnected == 0 { warnings.append("no peer is connected: other outlets' chains and checkpoints do not reach this node") }
        if let key {
            client = client.signed(by: try KeyFile.load(key))
            let heads = try await client.heads()
            let status = try? await client.checkpointStatus()
            print("  chains held:")
            for head in heads.sorted(by: { $0.outletId < $1.outletId }) {
                let covered = status?.covered[String(head.outletId)]
                let waiting = covered.map { head.height - min(head.height, $0) }
                print("    outlet \(head.outletId): height \(head.height)"
                      + (covered.map { ", checkpoint covers \($0)" } ?? "") + (waiting.map { $0 > 0 ? " (\($0) block(s) not yet covered)" : "" } ?? ""))
            }
            if let status {
                let agreed = status.agreedTimeMs.map { " agreed time " + CivilTime.singaporeDateTime(epochMs: Int64($0)) } ?? ""
                let decided = status.decidedAtMs.map { Int64(Date().timeIntervalSince1970 * 1_000) - Int64($0) }
                print("  checkpoints: height \(status.checkpointHeight)\(agreed)\(decided.map { ", decided \($0 / 1_000) s ago" } ?? ""); "
                      + "working on \(status.working) round \(status.round); \(status.validators) validator(s), power \(status.totalPower)"
                      + (status.validatorIndex.map { ", this node is validator \($0)" } ?? ", this node does not vote"))
                if let p50 = status.finalityP50Ms, let p99 = status.finalityP99Ms {
                    print("  finality of own blocks: p50 \(p50) ms, p99 \(p99) ms over \(status.finalitySamples) blocks")
                }
                let uncovered = heads.contains { head in (status.covered[String(head.outletId)] ?? 0) < head.height }
                if uncovered, let decided, decided > 60_000 {
                    warnings.append("no checkpoint for \(decided / 1_000) s while blocks wait to be covered (are more than 2/3 of the validators connected?)")
                }
                if status.doubleVotes > 0 { warnings.append("\(status.doubleVotes) double vote(s) recorded: see DATA/evidence/") }
                if let divergence = status.networkDivergence { warnings.append("network state diverges: \(divergence)") }
            }
        }
        for warning in warnings { print("WARNING: \(warning)") }
        if !warnings.isEmpty { throw ExitCode(1) }
    }
}
