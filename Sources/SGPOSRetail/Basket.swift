/// One line of a basket as the till submits it.
public struct BasketLine: Hashable, Sendable {
    public var sku: String
    public var category: String
    /// Units, 1...``Basket/quantityMax``.
    public var quantity: Int64
    public var unitPrice: Money
    /// Whether `unitPrice` includes GST (retail prices do).
    public var priceIncludesGST: Bool
    /// Only standard-rated lines bear GST.
    public var taxCategory: TaxCategory
    /// Discounts on this line, each naming the rule that produced it, in the order the
    /// rules ran. Each ≥ 0; together ≤ the line's amount.
    public var discounts: [AppliedDiscount]

    public init(sku: String, category: String, quantity: Int64, unitPrice: Money, priceIncludesGST: Bool = true,
                taxCategory: TaxCategory = .standardRated, discounts: [AppliedDiscount] = []) {
        self.sku = sku
        self.category = category
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.priceIncludesGST = priceIncludesGST
        self.taxCategory = taxCategory
        self.discounts = discounts
    }

    /// Sum of the line's discounts (unchecked: each is bounded by validation).
    public var discount: Money { Money(uncheckedCents: discounts.reduce(0) { $0 + $1.amount.cents }) }
}

/// A discount and the rule that produced it (`loyalty-points` for points redeemed as a
/// discount; contract rule ids otherwise).
public struct AppliedDiscount: Hashable, Sendable {
    /// Most discounts on one line.
    public static let perLineMax = 8
    /// Rule id of points redeemed as a discount.
    public static let loyaltyPointsRule = "loyalty-points"

    public var rule: String
    public var amount: Money

    public init(rule: String, amount: Money) {
        self.rule = rule
        self.amount = amount
    }
}

/// Loyalty points the customer redeems on this basket, and how (a chain parameter,
/// retail.md R18: IRAS material does not settle it).
public struct PointsRedemption: Hashable, Sendable {
    public enum Treatment: UInt8, Hashable, Sendable {
        /// The points' value is a discount: it reduces the taxable value and the GST.
        case discount = 1
        /// The points pay like money: GST is charged on the full price.
        case tender = 2
    }

    public var points: Int64
    /// Value of one point in cents (≥ 1).
    public var pointValueCents: Int64
    public var treatment: Treatment
    /// A discount of at most what is left to pay (re-pricing the kept part of a sale,
    /// FORMAT.md §13.5): the value is capped instead of refused.
    public var upToNet: Bool

    public init(points: Int64, pointValueCents: Int64, treatment: Treatment, upToNet: Bool = false) {
        self.points = points
        self.pointValueCents = pointValueCents
        self.treatment = treatment
        self.upToNet = upToNet
    }

    /// points × value, checked.
    public func value() throws(RetailError) -> Money {
        try Money(cents: 1).multiplied(by: points).multiplied(by: pointValueCents)
    }
}

/// A basket to price at a moment in time.
public struct Basket: Hashable, Sendable {
    /// Most lines in one basket.
    public static let linesMax = 500
    /// Most units on one line.
    public static let quantityMax: Int64 = 100_000
    /// Highest unit price: S$1,000,000.00.
    public static let unitPriceMaxCents: Int64 = 100_000_000

    /// When the supply happens (ms since the epoch); decides the GST rate.
    public var atEpochMs: Int64
    public var method: GSTMethod
    public var lines: [BasketLine]
    /// Points the customer redeems, if any.
    public var redemption: PointsRedemption?

    public init(atEpochMs: Int64, method: GSTMethod, lines: [BasketLine], redemption: PointsRedemption? = nil) {
        self.atEpochMs = atEpochMs
        self.method = method
        self.lines = lines
        self.redemption = redemption
    }

    /// Refuses baskets outside the limits with a message naming the line and field.
    public func validate() throws(RetailError) {
        guard !lines.isEmpty else { throw .invalidBasket("the basket has no lines") }
        guard lines.count <= Basket.linesMax else {
            throw .invalidBasket("the basket has \(lines.count) lines; at most \(Basket.linesMax)")
        }
        for (index, line) in lines.enumerated() {
            var label: String { "line \(index + 1) (\(line.sku))" }  // built only for a message
            guard !line.sku.isEmpty, line.sku.utf8.count <= 64 else {
                throw .invalidBasket("line \(index + 1): sku must be 1...64 bytes")
            }
            guard line.category.utf8.count <= 64 else { throw .invalidBasket("\(label): category over 64 bytes") }
            guard (1...Basket.quantityMax).contains(line.quantity) else {
                throw .invalidQuantity("\(label): quantity \(line.quantity) must be 1...\(Basket.quantityMax)")
            }
            guard (0...Basket.unitPriceMaxCents).contains(line.unitPrice.cents) else {
                throw .amountOutOfRange("\(label): unit price \(line.unitPrice) must be 0.00...1000000.00")
            }
            guard line.discounts.count <= AppliedDiscount.perLineMax else {
                throw .invalidBasket("\(label): \(line.discounts.count) discounts; at most \(AppliedDiscount.perLineMax)")
            }
            for discount in line.discounts {
                guard discount.amount.cents > 0, !discount.rule.isEmpty, discount.rule.utf8.count <= 64 else {
                    throw .invalidAmount("\(label): discount \(discount.amount) by rule \"\(discount.rule)\" must be above 0 and name its rule (1...64 bytes)")
                }
            }
            guard line.discount.cents <= line.unitPrice.cents * line.quantity else {
                throw .invalidAmount("\(label): discounts \(line.discount) exceed the line amount")
            }
        }
        if let redemption {
            guard redemption.points > 0, redemption.points <= 1_000_000_000, (1...10_000).contains(redemption.pointValueCents) else {
                throw .invalidAmount("redeemed points must be 1...1000000000 and a point worth 1...10000 cents")
            }
        }
    }
}
