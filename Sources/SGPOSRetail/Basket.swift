/// One line of a basket as the till submits it.
public struct BasketLine: Hashable, Sendable {
    public var sku: String
    public var category: String
    /// Units, 1...``Basket/quantityMax``.
    public var quantity: Int64
    public var unitPrice: Money
    /// Whether `unitPrice` includes GST (retail prices do).
    public var priceIncludesGST: Bool
    /// Discount on this line (from promotion rules), ≥ 0 and ≤ the line's amount.
    public var discount: Money

    public init(sku: String, category: String, quantity: Int64, unitPrice: Money, priceIncludesGST: Bool = true,
                discount: Money = .zero) {
        self.sku = sku
        self.category = category
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.priceIncludesGST = priceIncludesGST
        self.discount = discount
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

    public init(atEpochMs: Int64, method: GSTMethod, lines: [BasketLine]) {
        self.atEpochMs = atEpochMs
        self.method = method
        self.lines = lines
    }

    /// Refuses baskets outside the limits with a message naming the line and field.
    public func validate() throws(RetailError) {
        guard !lines.isEmpty else { throw .invalidBasket("the basket has no lines") }
        guard lines.count <= Basket.linesMax else {
            throw .invalidBasket("the basket has \(lines.count) lines; at most \(Basket.linesMax)")
        }
        for (index, line) in lines.enumerated() {
            let label = "line \(index + 1) (\(line.sku))"
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
            guard line.discount.cents >= 0, line.discount.cents <= line.unitPrice.cents * line.quantity else {
                throw .invalidAmount("\(label): discount \(line.discount) must be between 0 and the line amount")
            }
        }
    }
}
