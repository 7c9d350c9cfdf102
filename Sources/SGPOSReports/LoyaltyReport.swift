import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// Loyalty points outstanding and what they are worth (docs/REPORTS.md, "loyalty"): per
/// outlet (the chain where each member is enrolled) and for the network, as of a day: the
/// points members can still use that day, their liability at the outlet's point value,
/// those that expire within the next `withinDays` days, and the accounts' lifetime earned,
/// redeemed and expired totals.
public struct LoyaltyReport: Sendable {
    public struct Figures: Sendable, Equatable {
        public var members: Int64 = 0
        public var outstandingPoints: Int64 = 0
        public var liability: Int64 = 0
        public var expiringPoints: Int64 = 0
        public var expiringLiability: Int64 = 0
        public var earnedTotal: Int64 = 0
        public var redeemedTotal: Int64 = 0
        public var expiredTotal: Int64 = 0
        /// The outlet's value of one point in cents (0 in the network's totals).
        public var pointValueCents: Int64 = 0
        /// Points the outlet may owe other outlets for claims on credit (its last claim's
        /// allowance: docs/CONSENSUS.md §10) and the points on credit now (unsettled as of
        /// the checkpoint, plus its claims since): `allowance` table, FORMAT.md §13.3.
        public var allowance: Int64 = 0
        public var onCredit: Int64 = 0

        mutating func add(_ other: Figures) {
            members += other.members
            outstandingPoints += other.outstandingPoints
            liability += other.liability
            expiringPoints += other.expiringPoints
            expiringLiability += other.expiringLiability
            earnedTotal += other.earnedTotal
            redeemedTotal += other.redeemedTotal
            expiredTotal += other.expiredTotal
            allowance += other.allowance
            onCredit += other.onCredit
        }
    }

    public let on: CivilTime.Date
    public let withinDays: Int64
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    public var byOutlet: [OutletID: Figures] = [:]
    public var totals = Figures()

    static func read(store: LedgerStore, on date: CivilTime.Date, withinDays: Int64, outlets: [OutletID], heads: [ChainHead],
                     _ transaction: LMDBTransaction) throws -> LoyaltyReport {
        var report = LoyaltyReport(on: date, withinDays: withinDays, outlets: outlets, heads: heads)
        let day = CivilTime.days(from: date)
        for outlet in outlets {
            let state = store.stateReader(outlet, transaction)
            let pointValue = try state.retailSettings().pointValueCents
            var figures = Figures(pointValueCents: pointValue)
            try state.scan(.members) { _, value in
                let account = try MemberAccount(canonicalBytes: value)
                let usable = account.lots.filter { $0.expiresOn >= day }
                let expiring = usable.filter { $0.expiresOn < day + withinDays }
                figures.members += 1
                figures.outstandingPoints += usable.reduce(0) { $0 + $1.points }
                figures.expiringPoints += expiring.reduce(0) { $0 + $1.points }
                figures.earnedTotal += account.pointsEarnedTotal
                figures.redeemedTotal += account.pointsRedeemedTotal
                figures.expiredTotal += account.pointsExpiredTotal
                return true
            }
            if let bytes = try state.read(.allowance) {
                let allowance = try AllowanceState(canonicalBytes: bytes)
                figures.allowance = allowance.allowance
                figures.onCredit = allowance.onCredit
            }
            figures.liability = figures.outstandingPoints * pointValue
            figures.expiringLiability = figures.expiringPoints * pointValue
            report.byOutlet[outlet] = figures
            report.totals.add(figures)
        }
        return report
    }
}
