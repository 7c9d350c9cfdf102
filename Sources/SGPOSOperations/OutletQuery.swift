import SGPOSChain
import SGPOSRetail
import SGPOSState

/// The reads a till or a manager makes of one outlet's state: a SKU's stock on hand, a
/// till's shift, the outlet's books, a member's standing. Each checks its input against
/// ``RequestLimits`` before a state key is built from it. The node's API (and its network
/// view) call it; the state is whichever copy of the outlet's chain the caller holds.
public struct OutletQuery: Sendable {
    public let outlet: OutletID

    public init(outlet: OutletID) { self.outlet = outlet }

    /// Units of `sku` on hand (0 for a SKU never stocked).
    public func stock(sku: String, state: some StateReader) throws -> Int64 {
        try RequestLimits.sku(sku)
        return try state.stockOnHand(outlet: outlet, sku: sku)
    }

    /// Till `till`'s current (or last) shift, or nil when it never opened one.
    public func shift(till: String, state: some StateReader) throws -> ShiftRecord? {
        try RequestLimits.principal(till)
        return try state.shift(outlet: outlet, till: till)
    }

    /// The outlet's Z numbering, open shifts and the totals of the period since its last Z.
    public func books(state: some StateReader) throws -> OutletBooks {
        try state.outletBooks(outlet)
    }

    /// Member `id`'s account in this outlet's state as of day `todayMs` (Singapore date;
    /// lots expired by then are left out), or nil when the outlet never held one.
    public func member(_ id: String, todayMs: Int64, state: some StateReader) throws -> MemberStanding? {
        try RequestLimits.memberID(id, field: "member id")
        guard let account = try state.memberAccount(id) else { return nil }
        return MemberStanding(account, today: SaleCalculator.day(todayMs))
    }
}

/// A member's account at one outlet on one day: tier, lifetime spend, the points that are
/// still valid and the lots they come in.
public struct MemberStanding: Sendable, Hashable {
    public struct Lot: Sendable, Hashable {
        /// The last day the points may be used.
        public var expiresOn: CivilTime.Date
        public var points: Int64

        public init(expiresOn: CivilTime.Date, points: Int64) {
            self.expiresOn = expiresOn
            self.points = points
        }
    }

    /// The recorded tier (bronze for a value this build does not know).
    public var tier: LoyaltyTier
    /// Cents.
    public var lifetimeSpend: Int64
    /// The sum of ``lots``.
    public var points: Int64
    public var lots: [Lot]

    /// `account` with the lots that expired before day `today` (days since 1970-01-01) left out.
    public init(_ account: MemberAccount, today: Int64) {
        tier = LoyaltyTier(rawValue: account.tier) ?? .bronze
        lifetimeSpend = account.lifetimeSpend
        let valid = account.lots.filter { $0.expiresOn >= today }
        points = valid.reduce(0) { $0 + $1.points }
        lots = valid.map { Lot(expiresOn: CivilTime.date(fromDays: $0.expiresOn), points: $0.points) }
    }
}
