/// What a rule reads: the basket (lines with their net after earlier rules' discounts),
/// the customer, the block's time and outlet, and the current counter values.
public struct ContractInput: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var sku: String
        public var category: String
        public var quantity: Int64
        /// Cents.
        public var unitPrice: Int64
        /// Cents after earlier discounts.
        public var net: Int64
        /// The tax category's code: SR (standard-rated), ZR, ES or OS.
        public var tax: String
        /// Whether the unit price includes GST (the price list's flag).
        public var includesGST: Bool
        /// GST in basis points the line bears: the rate in force for an SR line, else 0.
        public var gstRate: Int64
        public init(sku: String, category: String, quantity: Int64, unitPrice: Int64, net: Int64,
                    tax: String = "SR", includesGST: Bool = true, gstRate: Int64 = 900) {
            self.sku = sku
            self.category = category
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.net = net
            self.tax = tax
            self.includesGST = includesGST
            self.gstRate = tax == "SR" ? gstRate : 0
        }
    }

    public struct Customer: Sendable, Hashable {
        public var id: String
        public var isMember: Bool
        /// 1 bronze … 5 diamond.
        public var tier: UInt8
        public var lifetimeSpend: Int64
        public var points: Int64
        /// The member's personal points multiplier in basis points (10,000 = 1.0×).
        public var multiplier: Int64
        public init(id: String, isMember: Bool, tier: UInt8, lifetimeSpend: Int64, points: Int64, multiplier: Int64 = 10_000) {
            self.id = id
            self.isMember = isMember
            self.tier = tier
            self.lifetimeSpend = lifetimeSpend
            self.points = points
            self.multiplier = multiplier
        }
    }

    public var lines: [Line]
    public var customer: Customer
    public var timeMs: Int64
    public var outlet: Int64
    /// Current values of the rule's counters (per member for `state`, global for `budget`).
    public var counters: [String: Int64]
    /// Basket discounts granted by earlier rules (cents): `basket.subtotal` is measured after them.
    public var basketDiscount: Int64 = 0
    /// Points rates by category in basis points (10,000 = 1 point per dollar at 1.0×), as the
    /// operator set them on chain; a category without an entry earns at `defaultPointRate`.
    public var pointRates: [String: Int64] = [:]
    public var defaultPointRate: Int64 = 10_000
    /// Promotion codes keyed in at the till for this basket (`has_code`), compared bytewise.
    public var codes: [String] = []
    /// The campaigns of the coupons keyed in (one entry per coupon): a `coupon` rule runs
    /// only when its campaign is here, and a rule set takes one entry per applied such rule.
    public var coupons: [String] = []

    public init(lines: [Line], customer: Customer = .guest, timeMs: Int64, outlet: Int64 = 1, counters: [String: Int64] = [:]) {
        self.lines = lines
        self.customer = customer
        self.timeMs = timeMs
        self.outlet = outlet
        self.counters = counters
    }
}

extension ContractInput.Customer {
    /// A shopper who is not a member.
    public static let guest = ContractInput.Customer(id: "", isMember: false, tier: 1, lifetimeSpend: 0, points: 0)
}

/// What a rule asks the ledger to do. Effects are data; the rule writes nothing itself.
public enum Effect: Sendable, Hashable {
    case lineDiscount(line: Int, amount: Int64, code: String)
    case basketDiscount(amount: Int64, code: String)
    case awardPoints(points: Int64, reason: String)
    /// Points taken from the member's balance (a reward bought with points).
    case redeemPoints(points: Int64, reason: String)
    case setTier(UInt8)
    case increment(counter: String, by: Int64)
}

/// The result of running one rule: all effects or none.
public enum Outcome: Sendable, Hashable {
    case applied([Effect], cost: UInt64)
    /// Skipped: outside its window (no reason), or at a `require … else skip`, with the
    /// reason it gives (`skip("limit reached")`), if any.
    case skipped(cost: UInt64, reason: String?)
    case failed(ContractError, cost: UInt64)

    public var cost: UInt64 {
        switch self {
        case .applied(_, let cost), .skipped(let cost, _), .failed(_, let cost): cost
        }
    }
}
