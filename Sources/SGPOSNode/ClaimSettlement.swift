import Foundation
import Logging
import ServiceLifecycle
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// Settles other outlets' points claims and records checkpointed product recalls on this
/// outlet's chain about once a second, in its own task: a slow settlement never delays a
/// vote of the checkpoint service.
public struct ClaimSettlementService: Service {
    let node: LedgerNode
    let logger: Logger
    static let periodMs: UInt64 = 1_000

    public init(node: LedgerNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(nanoseconds: Self.periodMs * 1_000_000)
                await ClaimSettlement.settlePending(node: node, logger: logger)
                await RecallApplication.applyPending(node: node, logger: logger)
            }
        }
    }
}

/// The source side of points claims (docs/CONSENSUS.md §10): another outlet credited a
/// member with points from this outlet's account of them; as soon as this node holds that
/// outlet's claim (replicated), it settles it on its own chain, signed by its node key:
/// the member's points here are debited by the claim, or by what is left if that is less.
enum ClaimSettlement {
    /// Claims settled per pass: claims are rare (a member redeeming where they did not earn).
    static let perPassMax = 64

    /// Claims on this outlet that other outlets made and this chain has not settled yet.
    static func pending(node: LedgerNode) throws -> [(claimant: OutletID, record: ClaimRecord)] {
        try node.read { transaction in
            let database = try node.store.database(named: "state")
            let own = node.store.stateReader(node.outletID, transaction)
            var found: [(OutletID, ClaimRecord)] = []
            for outlet in node.genesis.outlets.map(\.id).sorted() where outlet != node.outletID {
                let prefix = StoreLayout.stateKey(outlet, StateKey(.pointsClaims, []))
                try transaction.scan(database, from: prefix, limit: 10_000) { key, value in
                    guard key.starts(with: prefix), found.count < perPassMax else { return false }
                    let record = try ClaimRecord(canonicalBytes: value)
                    if record.claim.source == node.outletID, try own.read(.pointsSettlement(record.claim.claimID)) == nil {
                        found.append((outlet, record))
                    }
                    return true
                }
            }
            return found
        }
    }

    /// Settles every pending claim, one transaction each; a refused one is logged and
    /// tried again on the next pass.
    static func settlePending(node: LedgerNode, logger: Logger) async {
        guard let claims = try? pending(node: node), !claims.isEmpty else { return }
        for (claimant, record) in claims {
            let claim = record.claim
            do {
                let atMs = Int64(wallClockMs())
                let (resumed, balance) = try node.withState(of: node.outletID) { state in
                    (try EnvelopeSigner.resume(chainID: node.genesis.chainID, outlet: node.outletID, key: node.nodeKey, state: state),
                     try state.memberAccount(claim.memberID)?.balance(onDay: SaleCalculator.day(atMs)) ?? 0)
                }
                var signer = resumed
                let body = PointsSettle(claimID: claim.claimID, claimant: claimant, memberID: claim.memberID, points: claim.points,
                                        debited: min(claim.points, balance))
                let outcome = try await node.submit(signer.sign(POSBody.pointsSettle(body).transactionBody, atMs: atMs))
                logger.notice("settled outlet \(claimant)'s claim \(claim.claimID) on member \(claim.memberID): \(body.debited) of \(claim.points) points (\(outcome))")
            } catch {
                logger.warning("could not settle outlet \(claimant)'s claim \(claim.claimID): \(error)")
            }
        }
    }
}
