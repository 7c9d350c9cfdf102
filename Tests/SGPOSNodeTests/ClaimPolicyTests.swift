import Foundation
import Logging
@testable import SGPOSNode
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing

/// A node refuses a points claim its own copy of the source's chain cannot cover, before
/// the chain sees it (docs/CONSENSUS.md §10); one it can cover goes on to the chain's rules.
@Suite struct ClaimPolicyTests {
    @Test func aClaimBeyondTheSourcesPointsIsRefusedByTheNode() async throws {
        let network = TestNetwork(outlets: 4)
        let now = TimestampMs(Date().timeIntervalSince1970 * 1_000)
        let (source, replica) = (ReplicationTests.Directory(), ReplicationTests.Directory())
        // Outlet 1: member M1 with 100 points.
        let sourceStore = try LedgerStore.create(dataDirectory: source.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: sourceStore, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        let manager = TestNetwork.key("manager-1")
        let bodies: [(SigningKey, UInt64, TransactionBody)] = [
            (network.admin, 1, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager"))),
            (manager, 1, POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "M1")).transactionBody),
            (manager, 2, POSBody.loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 100, reason: "opening")).transactionBody),
        ]
        for (key, sequence, body) in bodies {
            let outcomes = try writer.append([network.transaction(key, sequence: sequence, outlet: 1, body: body, timestampMs: now)], timestampMs: now)
            guard case .committed = outcomes[0] else { Issue.record("\(outcomes)"); return }
        }
        // Outlet 2's node holds a copy of outlet 1's chain and a till of its own.
        let (replicator, node) = try ReplicationTests().replicaNode(network, replica)
        for height in 1...3 {
            #expect(try replicator.apply(try sourceStore.environment.read { try sourceStore.block(1, height: UInt64(height), $0)! }))
        }
        let till = TestNetwork.key("till-2")
        _ = try await node.submit(network.transaction(network.admin, sequence: 1, outlet: 2,
                                                      body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "till")), timestampMs: now))
        func claim(_ points: Int64, sequence: UInt64) -> SignedTransaction {
            let body = PointsClaim(claimID: TransferID(uncheckedBytes: Array(repeating: UInt8(sequence), count: 16)), memberID: "M1", points: points,
                                   source: 1, checkpoint: 0, covered: 0, outstanding: 0, allowance: 0)
            return network.transaction(till, sequence: sequence, outlet: 2, body: POSBody.pointsClaim(body).transactionBody, timestampMs: now)
        }
        guard case .rejected(let refused) = try await node.submit(claim(150, sequence: 1)) else { Issue.record("150 of 100 points was not refused"); return }
        #expect(refused.reason == .insufficientPoints && refused.detail.contains("node policy") && refused.detail.contains("holds 100 points"), "\(refused)")
        // Within what outlet 1 holds: the node lets it through, and the chain answers (no allowance granted here).
        guard case .rejected(let chain) = try await node.submit(claim(80, sequence: 2)) else { Issue.record("a claim without allowance was committed"); return }
        #expect(chain.reason == .allowanceExceeded, "\(chain)")
        // The batch path applies the same check, per transaction.
        let outcomes = try await node.submitAll([claim(150, sequence: 3), claim(80, sequence: 4)])
        #expect(outcomes.count == 2)
        if case .rejected(let first) = outcomes[0] { #expect(first.reason == .insufficientPoints) } else { Issue.record("\(outcomes[0])") }
        if case .rejected(let second) = outcomes[1] { #expect(second.reason == .allowanceExceeded) } else { Issue.record("\(outcomes[1])") }
    }
}
