import SGPOSChain
import SGPOSCodec
import SGPOSState
import SGPOSStore

/// The node's own check of a points claim before it reaches the chain (docs/CONSENSUS.md
/// §10): the source must hold, in this node's copy of its chain, the claimed points of
/// the member, less what this outlet already claimed on them and the source has not
/// settled. Not a chain rule — a cut-off node sees an old copy, which the allowance
/// bounds — but it keeps a careless till from turning a claim into a loss while the
/// network is whole. A resubmitted claim (same idempotency id) is not checked again.
enum ClaimPolicy {
    /// Own claims read per check.
    static let claimsScannedMax = 10_000

    static func refusal(_ signed: SignedTransaction, node: LedgerNode) -> LedgerRejection? {
        guard case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.pointsClaim,
              case .pointsClaim(let claim)? = try? POSBody.decode(type: type, payload: payload)
        else { return nil }
        return try? node.read { transaction -> LedgerRejection? in
            let store = node.store
            guard node.genesis.outlet(claim.source) != nil, claim.source != node.outletID else { return nil }
            if try store.idempotentResult(node.outletID, signed.envelope.idempotencyID, transaction) != nil { return nil }
            let atMs = Int64(wallClockMs())
            let held = try store.stateReader(claim.source, transaction).memberAccount(claim.memberID)?
                .balance(onDay: SaleCalculator.day(atMs)) ?? 0
            var unsettled: Int64 = 0
            let database = try store.database(named: "state")
            let prefix = StoreLayout.stateKey(node.outletID, StateKey(.pointsClaims, []))
            let source = store.stateReader(claim.source, transaction)
            var scanned = 0
            try transaction.scan(database, from: prefix, limit: claimsScannedMax) { key, value in
                guard key.starts(with: prefix), scanned < claimsScannedMax else { return false }
                scanned += 1
                let earlier = try ClaimRecord(canonicalBytes: value).claim
                if earlier.source == claim.source, earlier.memberID == claim.memberID,
                   try source.read(.pointsSettlement(earlier.claimID)) == nil {
                    unsettled += earlier.points
                }
                return true
            }
            guard claim.points > held - unsettled else { return nil }
            return LedgerRejection(.insufficientPoints,
                "outlet \(claim.source) holds \(held) points of member \"\(claim.memberID)\" in this node's copy of its chain, "
                    + "\(unsettled) of them already claimed here and not settled; \(claim.points) cannot be claimed (node policy)")
        } ?? nil
    }
}
