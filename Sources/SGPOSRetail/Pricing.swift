/// A priced basket line.
public struct PricedLine: Hashable, Sendable {
    public let sku: String
    public let category: String
    public let quantity: Int64
    public let unitPrice: Money
    /// quantity × unit price.
    public let gross: Money
    /// Discounts in rule order, including points redeemed as a discount.
    public let discounts: [AppliedDiscount]
    public let discount: Money
    /// gross − discount: the taxable value (discounts reduce it, IRAS).
    public let net: Money
    public let gst: Money
    /// What the customer pays for the line: net for GST-inclusive prices, net + GST otherwise.
    public let total: Money
    public let priceIncludesGST: Bool
    /// Lines other than standard-rated bear no GST.
    public let taxCategory: TaxCategory
}

/// A priced basket: the quote a till shows and the totals a sale records.
public struct Quote: Hashable, Sendable {
    public let lines: [PricedLine]
    /// Sum of line gross amounts.
    public let subtotal: Money
    public let discount: Money
    public let gst: Money
    public let total: Money
    /// GST rate applied (basis points) and the Singapore date that decided it.
    public let gstBasisPoints: Int64
    public let taxDate: CivilTime.Date
    public let method: GSTMethod
    /// Points redeemed (as a discount, inside ``discount``; or as a tender).
    public let pointsRedeemed: Int64
    /// Part of ``total`` paid with points when they are a tender; zero otherwise.
    public let pointsTender: Money

    /// What the redeemed points are worth: their share of ``discount`` (the
    /// `loyalty-points` discounts) when they are a discount, ``pointsTender`` when a tender.
    public var pointsValue: Money {
        let discounted = lines.flatMap(\.discounts).filter { $0.rule == AppliedDiscount.loyaltyPointsRule }.reduce(0) { $0 + $1.amount.cents }
        return Money(uncheckedCents: discounted + pointsTender.cents)
    }

    /// What is left to pay in other tenders (before any cash rounding).
    public var amountDue: Money { Money(uncheckedCents: total.cents - pointsTender.cents) }
    /// IRAS Reg 13: a simplified tax invoice may be issued when the total payable is at most S$1,000.
    public var allowsSimplifiedInvoice: Bool { total.cents <= 100_000 }
    /// Rule ids that produced a discount, in first-applied order, each once.
    public var appliedRules: [String] {
        var seen: [String] = []
        for line in lines {
            for discount in line.discounts where !seen.contains(discount.rule) { seen.append(discount.rule) }
        }
        return seen
    }
}

/// Prices baskets: the one code path the quote command, the till and the state machine share.
public struct PricingEngine: Sendable {
    public let rates: GSTRateTable

    public init(rates: GSTRateTable) { self.rates = rates }

    public func quote(_ input: Basket) throws(RetailError) -> Quote {
        try input.validate()
        let date = CivilTime.singaporeDate(epochMs: input.atEpochMs)
        let rate = try rates.basisPoints(on: date)
        var basket = input
        var gross: [Money] = []
        var net: [Money] = []
        for line in basket.lines {
            let amount = try line.unitPrice.multiplied(by: line.quantity)
            gross.append(amount)
            net.append(try amount.subtracting(line.discount))
        }
        var pointsTender = Money.zero
        if let redemption = basket.redemption {
            var value = try redemption.value()
            switch redemption.treatment {
            case .discount:
                // Points reduce the taxable value (IRAS R10), spread over lines by what is
                // left of each after the rules' discounts.
                let left = try Money.sum(net)
                if redemption.upToNet, left < value { value = left }
                guard value <= left else {
                    throw .invalidAmount("\(redemption.points) points are worth \(value), more than the \(left) left to pay")
                }
                let parts = try GSTCalculator.allocate(value, over: net.map(\.cents))
                for index in basket.lines.indices where parts[index].cents > 0 {
                    basket.lines[index].discounts.append(AppliedDiscount(rule: AppliedDiscount.loyaltyPointsRule, amount: parts[index]))
                    net[index] = try net[index].subtracting(parts[index])
                }
            case .tender:
                pointsTender = value
            }
        }
        let gst = try lineTaxes(basket, net: net, rate: rate)
        var priced: [PricedLine] = []
        for (index, line) in basket.lines.enumerated() {
            let total = line.priceIncludesGST ? net[index] : try net[index].adding(gst[index])
            priced.append(PricedLine(
                sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice,
                gross: gross[index], discounts: line.discounts, discount: line.discount, net: net[index], gst: gst[index],
                total: total, priceIncludesGST: line.priceIncludesGST, taxCategory: line.taxCategory))
        }
        let total = try Money.sum(priced.map(\.total))
        guard pointsTender <= total else {
            throw .invalidAmount("\(basket.redemption?.points ?? 0) points are worth \(pointsTender), more than the total \(total)")
        }
        let quote = Quote(
            lines: priced, subtotal: try Money.sum(gross), discount: try Money.sum(basket.lines.map(\.discount)),
            gst: try Money.sum(gst), total: total, gstBasisPoints: rate, taxDate: date,
            method: basket.method, pointsRedeemed: basket.redemption?.points ?? 0, pointsTender: pointsTender)
        assert(quote.subtotal.cents - quote.discount.cents == Money.sum(uncheckedNet: net), "subtotal − discount = net")
        return quote
    }

    /// GST per line. Per-line: each line's own rounded tax. Per-invoice: one rounded tax
    /// for the inclusive lines and one for the exclusive lines, allocated to lines. Only
    /// standard-rated lines bear GST; the others have none and join neither sum.
    private func lineTaxes(_ basket: Basket, net: [Money], rate: Int64) throws(RetailError) -> [Money] {
        switch basket.method {
        case .perLine:
            var taxes: [Money] = []
            for (index, line) in basket.lines.enumerated() {
                taxes.append(line.taxCategory != .standardRated ? .zero : line.priceIncludesGST
                    ? try GSTCalculator.taxIncluded(in: net[index], basisPoints: rate)
                    : try GSTCalculator.taxOnTop(of: net[index], basisPoints: rate))
            }
            return taxes
        case .perInvoice:
            var taxes = Array(repeating: Money.zero, count: net.count)
            for inclusive in [true, false] {
                let indexes = basket.lines.indices.filter {
                    basket.lines[$0].priceIncludesGST == inclusive && basket.lines[$0].taxCategory == .standardRated
                }
                guard !indexes.isEmpty else { continue }
                let taxable = try Money.sum(indexes.map { net[$0] })
                let tax = inclusive
                    ? try GSTCalculator.taxIncluded(in: taxable, basisPoints: rate)
                    : try GSTCalculator.taxOnTop(of: taxable, basisPoints: rate)
                let parts = try GSTCalculator.allocate(tax, over: indexes.map { net[$0].cents })
                for (position, index) in indexes.enumerated() { taxes[index] = parts[position] }
            }
            return taxes
        }
    }
}

extension Money {
    static func sum(uncheckedNet values: [Money]) -> Int64 { values.reduce(0) { $0 + $1.cents } }
}
