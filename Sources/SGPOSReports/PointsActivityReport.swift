import SGPOSChain
import SGPOSState

/// Loyalty points that moved in a range of business dates (docs/REPORTS.md, "points"):
/// per outlet and in all, what sales earned and redeemed, what refunds and voids took back
/// or returned, manual adjustments, claims made here on other outlets' accounts, and
/// claims this outlet settled for others — each as the bodies on chain record it.
public struct PointsActivityReport: Sendable {
    public struct Figures: Sendable, Equatable {
        public var earned: Int64 = 0
        public var redeemed: Int64 = 0
        /// Earned points taken back by refunds (their `pointsReversed`).
        public var reversedByRefunds: Int64 = 0
        /// Earned points taken back by voids.
        public var reversedByVoids: Int64 = 0
        /// Redeemed points returned by voids.
        public var returnedByVoids: Int64 = 0
        /// Manual adjustments that added points, and those that took points away.
        public var adjustedUp: Int64 = 0
        public var adjustedDown: Int64 = 0
        public var claimsCount: Int64 = 0
        public var claimedPoints: Int64 = 0
        public var settlementsCount: Int64 = 0
        /// Points settlements debited here for other outlets' claims.
        public var settledPoints: Int64 = 0

        mutating func add(_ other: Figures) {
            earned += other.earned
            redeemed += other.redeemed
            reversedByRefunds += other.reversedByRefunds
            reversedByVoids += other.reversedByVoids
            returnedByVoids += other.returnedByVoids
            adjustedUp += other.adjustedUp
            adjustedDown += other.adjustedDown
            claimsCount += other.claimsCount
            claimedPoints += other.claimedPoints
            settlementsCount += other.settlementsCount
            settledPoints += other.settledPoints
        }
    }

    public let range: ReportRange
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    public var byOutlet: [OutletID: Figures] = [:]
    public var totals: Figures {
        byOutlet.values.reduce(into: Figures()) { $0.add($1) }
    }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
        for outlet in outlets { byOutlet[outlet] = Figures() }
    }

    mutating func add(_ event: ReportEvent) {
        var figures = byOutlet[event.outlet] ?? Figures()
        switch event.kind {
        case .sale(let sale) where !sale.training && !sale.memberID.isEmpty:
            figures.earned += sale.pointsEarned
            // Points redeemed at the till and points the rules took for rewards (the
            // sale's rule record, FORMAT.md §13.2 version 3).
            figures.redeemed += sale.pointsRedeemed + (sale.ruleRecord?.rewardPoints ?? 0)
        case .refund(let refund, _): figures.reversedByRefunds += refund.pointsReversed
        case .void(_, let original) where !original.memberID.isEmpty:
            figures.reversedByVoids += original.pointsEarned
            figures.returnedByVoids += original.pointsRedeemed
        case .loyaltyAdjust(let adjust):
            if adjust.delta > 0 { figures.adjustedUp += adjust.delta } else { figures.adjustedDown -= adjust.delta }
        case .pointsClaim(let claim):
            figures.claimsCount += 1
            figures.claimedPoints += claim.points
        case .pointsSettle(let settle):
            figures.settlementsCount += 1
            figures.settledPoints += settle.debited
        default: return
        }
        byOutlet[event.outlet] = figures
    }
}
