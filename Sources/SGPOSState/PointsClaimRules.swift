import SGPOSChain
import SGPOSCodec
import SGPOSRetail

/// Points claims and their settlement (docs/CONSENSUS.md §10, FORMAT.md §13.5).
extension POSTransition {
    /// A claim on the member's points at another outlet, on credit from this outlet's
    /// allowance. Signed by a till or an operator of this outlet. The claim states the
    /// newest checkpoint the till knew of and what it said of this outlet; the rule keeps
    /// those statements monotonic and the points on credit within the stated allowance:
    /// outstanding then + claims in blocks above the covered height + this claim ≤ allowance.
    mutating func claim(_ body: PointsClaim, height: UInt64, _ state: inout StateOverlay) throws {
        try require([.till, .operator], "a points claim")
        try requireText(body.memberID, "member id", max: POSLimits.memberIDBytesMax)
        try requirePositive(body.points, "claimed points", max: PointsClaim.pointsMax)
        guard body.source != outlet, genesis.outlet(body.source) != nil else {
            throw reject(.invalidField, "source outlet \(body.source) must be another outlet of the genesis")
        }
        guard body.outstanding >= 0, body.allowance >= 0, body.allowance <= 1_000_000_000_000 else {
            throw reject(.invalidField, "outstanding and allowance must be 0 or more (allowance at most 10^12 points)")
        }
        guard try state.read(.pointsClaim(body.claimID)) == nil else {
            throw reject(.claimAlreadyUsed, "claim id \(body.claimID) was used before at outlet \(outlet)")
        }
        var allowance = try state.read(.allowance).map { try AllowanceState(canonicalBytes: $0) } ?? AllowanceState()
        if body.checkpoint == allowance.checkpoint {
            guard body.covered == allowance.covered, body.outstanding == allowance.outstanding, body.allowance == allowance.allowance else {
                throw reject(.staleAllowance, "checkpoint \(body.checkpoint) was stated before with covered \(allowance.covered), outstanding \(allowance.outstanding), allowance \(allowance.allowance)")
            }
        } else {
            guard body.checkpoint > allowance.checkpoint, body.covered >= allowance.covered, body.covered < height else {
                throw reject(.staleAllowance, "the claim states checkpoint \(body.checkpoint) covering height \(body.covered); this outlet stated checkpoint \(allowance.checkpoint) covering \(allowance.covered) before, and is at block \(height)")
            }
            allowance.checkpoint = body.checkpoint
            allowance.covered = body.covered
            allowance.outstanding = body.outstanding
            allowance.allowance = body.allowance
            allowance.recent.removeAll { $0.height <= body.covered }
        }
        let onCredit = allowance.onCredit
        guard onCredit + body.points <= allowance.allowance else {
            throw reject(.allowanceExceeded, "outlet \(outlet) has \(onCredit) points on credit of its allowance \(allowance.allowance); \(body.points) more would exceed it")
        }
        guard allowance.recent.count < AllowanceState.recentMax else {
            throw reject(.allowanceExceeded, "\(AllowanceState.recentMax) claims wait for a checkpoint; no more until one covers them")
        }
        allowance.recent.append(.init(height: height, points: body.points))
        state.store(allowance, at: .allowance)
        state.store(ClaimRecord(claim: body, height: height), at: .pointsClaim(body.claimID))
        var account = try state.memberAccount(body.memberID) ?? MemberAccount(tier: LoyaltyTier.bronze.rawValue)
        let settings = try settings(state)
        account.bringUpToDate(day: SaleCalculator.day(atMs), reviewMonths: settings.tierReviewMonths)
        account.credit(body.points, expiresOn: SaleCalculator.expiryDay(earnedAtMs: atMs, months: settings.pointsExpiryMonths,
                                                                        rounding: settings.pointsExpiry))
        state.store(account, at: .member(body.memberID))
    }

    /// The source's settlement of a claim: debits min(claimed, balance) from the member's
    /// account here, once per claim.
    mutating func settle(_ body: PointsSettle, height: UInt64, _ state: inout StateOverlay) throws {
        try require([.node, .operator], "a points settlement")
        try requireText(body.memberID, "member id", max: POSLimits.memberIDBytesMax)
        try requirePositive(body.points, "claimed points", max: PointsClaim.pointsMax)
        guard body.claimant != outlet, genesis.outlet(body.claimant) != nil else {
            throw reject(.invalidField, "claimant outlet \(body.claimant) must be another outlet of the genesis")
        }
        guard try state.read(.pointsSettlement(body.claimID)) == nil else {
            throw reject(.claimAlreadyUsed, "claim \(body.claimID) was settled before at outlet \(outlet)")
        }
        var account = try state.memberAccount(body.memberID)
        account?.bringUpToDate(day: SaleCalculator.day(atMs), reviewMonths: try settings(state).tierReviewMonths)
        let due = min(body.points, account?.balance ?? 0)
        guard body.debited == due else {
            throw reject(.insufficientPoints, "member \"\(body.memberID)\" has \(account?.balance ?? 0) points here; the settlement of \(body.points) must debit \(due), not \(body.debited)")
        }
        if var account, due > 0 {
            account.debit(due)
            state.store(account, at: .member(body.memberID))
        }
        state.store(SettlementRecord(settle: body, height: height), at: .pointsSettlement(body.claimID))
    }
}
