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

/// The source side of points claims (docs/CONSENSUS.md §10): a node that holds another
/// outlet's claim on its members' points settles it on its own chain, signed by its node
/// key with the key's next sequence (``EnvelopeSigner``), once.
@Suite struct ClaimSettlementTests {
    @Test func aReplicatedClaimIsSettledOnceWithTheNodeKeysNextSequence() async throws {
        let network = TestNetwork(outlets: 4)
        let now = TimestampMs(Date().timeIntervalSince1970 * 1_000)
        let (source, claimant) = (ReplicationTests.Directory(), ReplicationTests.Directory())
        // Outlet 1's node: member M1 with 100 points.
        let store = try LedgerStore.create(dataDirectory: source.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let config = NodeConfig(outletId: 1, genesis: "g", nodeKey: "k", http: .init(host: "127.0.0.1", port: 1),
                                peer: .init(host: "127.0.0.1", port: 2), peers: [])
        let node = try LedgerNode(config: config, dataDirectory: source.path, store: store, nodeKey: network.nodeKeys[0], logger: Logger(label: "test"))
        let manager = TestNetwork.key("manager-1")
        for (key, sequence, body) in [
            (network.admin, UInt64(1), TransactionBody.registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager"))),
            (manager, 1, POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "M1")).transactionBody),
            (manager, 2, POSBody.loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 100, reason: "opening")).transactionBody),
        ] {
            guard case .committed = try await node.submit(network.transaction(key, sequence: sequence, outlet: 1, body: body, timestampMs: now)) else {
                Issue.record("setup transaction \(sequence) not committed"); return
            }
        }
        // Outlet 2's chain: two claims on M1's points at outlet 1, 30 and then 150.
        let claimantStore = try LedgerStore.create(dataDirectory: claimant.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: claimantStore, nodeKey: network.nodeKeys[1], rules: POSRules.chainRules)
        let till = TestNetwork.key("till-2")
        let ids = [UInt8(1), 2].map { TransferID(uncheckedBytes: Array(repeating: $0, count: TransferID.byteCount)) }
        let bodies: [(SigningKey, UInt64, TransactionBody)] = [
            (network.admin, 1, .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "till"))),
            (till, 1, POSBody.pointsClaim(PointsClaim(claimID: ids[0], memberID: "M1", points: 30, source: 1, checkpoint: 1, covered: 0,
                                                      outstanding: 0, allowance: 500)).transactionBody),
            (till, 2, POSBody.pointsClaim(PointsClaim(claimID: ids[1], memberID: "M1", points: 150, source: 1, checkpoint: 1, covered: 0,
                                                      outstanding: 0, allowance: 500)).transactionBody),
        ]
        for (key, sequence, body) in bodies {
            let outcomes = try writer.append([network.transaction(key, sequence: sequence, outlet: 2, body: body, timestampMs: now)], timestampMs: now)
            guard case .committed = outcomes[0] else { Issue.record("\(outcomes)"); return }
        }
        let replicator = try Replicator(node: node, logger: Logger(label: "test"))
        for height in UInt64(1)...3 {
            #expect(try replicator.apply(try claimantStore.environment.read { try claimantStore.block(2, height: height, $0)! }))
        }
        func nodeKeySequence() throws -> UInt64 {
            try node.withState(of: 1) { try EnvelopeSigner.registration(of: network.nodeKeys[0].publicKey, outlet: 1, state: $0).lastSequence }
        }
        let before = try nodeKeySequence()
        #expect(try ClaimSettlement.pending(node: node).count == 2)

        await ClaimSettlement.settlePending(node: node, logger: Logger(label: "test"))
        let (first, second, balance) = try node.withState(of: 1) { state in
            (try state.read(.pointsSettlement(ids[0])).map { try SettlementRecord(canonicalBytes: $0).settle },
             try state.read(.pointsSettlement(ids[1])).map { try SettlementRecord(canonicalBytes: $0).settle },
             try state.memberAccount("M1")?.balance ?? -1)
        }
        #expect(first == PointsSettle(claimID: ids[0], claimant: 2, memberID: "M1", points: 30, debited: 30))
        #expect(second == PointsSettle(claimID: ids[1], claimant: 2, memberID: "M1", points: 150, debited: 70), "what was left")
        #expect(balance == 0)
        #expect(try nodeKeySequence() == before + 2, "one settlement per claim, signed with the node key's next sequences")

        // Settled claims are not settled again.
        #expect(try ClaimSettlement.pending(node: node).isEmpty)
        await ClaimSettlement.settlePending(node: node, logger: Logger(label: "test"))
        #expect(try nodeKeySequence() == before + 2)
    }
}
