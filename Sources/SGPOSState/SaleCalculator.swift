import SGPOSChain
import SGPOSCodec
import SGPOSRetail

/// Prices a sale from the outlet's price list and the member's account: the one code
/// path of the quote command, the till and the state machine. The state machine accepts
/// a signed sale only if it equals what this produces from the same inputs.
public struct SaleCalculator: Sendable {
    public let outlet: UInt32
    public let settings: RetailSettings
    public let engine: PricingEngine
    public let method: GSTMethod

    public init(genesis: Genesis, outlet: UInt32, settings: RetailSettings) throws(LedgerRejection) {
        self.outlet = outlet
        self.settings = settings
        var entries: [GSTRateTable.Entry] = []
        for rate in genesis.gstRates {
            guard let date = CivilTime.Date(iso: rate.effectiveFrom) else {
                throw reject(.pricingRefused, "genesis GST rate date \(rate.effectiveFrom) is not a date")
            }
            entries.append(.init(effectiveFrom: date, basisPoints: Int64(rate.basisPoints)))
        }
        do {
            engine = PricingEngine(rates: try GSTRateTable(entries: entries))
        } catch {
            throw reject(.pricingRefused, error.message)
        }
        method = genesis.gstMethod == .perLine ? .perLine : .perInvoice
    }

    /// What the customer is asked to pay, before tenders.
    public struct PricedBasket: Sendable {
        public let quote: Quote
        /// The member's tier for earning (nil without a member).
        public let tier: LoyaltyTier?
        public let memberID: String
    }

    /// Prices `lines` (SKU and quantity) at `atMs` for `memberID` (or "") redeeming
    /// `redeemPoints`. Unknown SKUs, unknown members and points beyond the balance are
    /// refused with the reason.
    public func price(
        lines: [StockLine], memberID: String, redeemPoints: Int64, atMs: Int64, state: some StateReader
    ) throws -> PricedBasket {
        guard !lines.isEmpty, lines.count <= POSLimits.linesMax else {
            throw reject(.invalidField, "a sale needs 1...\(POSLimits.linesMax) lines, got \(lines.count)")
        }
        var basketLines: [BasketLine] = []
        basketLines.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let price = try state.priceRecord(outlet: outlet, sku: line.sku), price.active else {
                throw reject(.unknownSKU, "line \(index + 1): SKU \"\(line.sku)\" is not on outlet \(outlet)'s price list")
            }
            guard (1...POSLimits.quantityMax).contains(line.quantity) else {
                throw reject(.invalidField, "line \(index + 1) (\(line.sku)): quantity \(line.quantity) must be 1...\(POSLimits.quantityMax)")
            }
            basketLines.append(BasketLine(
                sku: line.sku, category: price.category, quantity: line.quantity,
                unitPrice: try money(price.unitPrice), priceIncludesGST: price.priceIncludesGST))
        }
        var tier: LoyaltyTier?
        if !memberID.isEmpty {
            guard var account = try state.memberAccount(memberID) else {
                throw reject(.unknownMember, "member \"\(memberID)\" is not enrolled")
            }
            account.expire(before: SaleCalculator.day(atMs))
            tier = LoyaltyTier(rawValue: account.tier) ?? .bronze
            guard redeemPoints <= account.balance else {
                throw reject(.insufficientPoints, "member \"\(memberID)\" has \(account.balance) points; \(redeemPoints) cannot be redeemed")
            }
        }
        guard redeemPoints >= 0 else { throw reject(.invalidField, "redeemed points must not be negative") }
        guard redeemPoints == 0 || !memberID.isEmpty else {
            throw reject(.unknownMember, "points can only be redeemed by a member")
        }
        let redemption = redeemPoints == 0 ? nil : PointsRedemption(
            points: redeemPoints, pointValueCents: settings.pointValueCents,
            treatment: settings.redemptionIsTender ? .tender : .discount)
        let basket = Basket(atEpochMs: atMs, method: method, lines: basketLines, redemption: redemption)
        do {
            return PricedBasket(quote: try engine.quote(basket), tier: tier, memberID: memberID)
        } catch {
            throw reject(.pricingRefused, "code \(error.code): \(error.message)")
        }
    }

    /// The sale the state machine expects for a priced basket and the tenders offered:
    /// cash rounding, points earned, and every figure of the receipt.
    public func sale(_ priced: PricedBasket, receiptNumber: UInt64, training: Bool, tenders: [Tender]) throws -> Sale {
        let quote = priced.quote
        let hasCash = tenders.contains { $0.kind == .cash }
        let rounding = settings.cashRounding && hasCash ? CashRounding.adjustment(for: quote.amountDue).cents : 0
        let eligible = quote.amountDue.cents + rounding
        let earned = training ? 0 : priced.tier.map {
            PointsEarning(pointsPerDollar: settings.pointsPerDollar).points(paid: (try? Money(cents: eligible)) ?? .zero, tier: $0)
        } ?? 0
        let lines = quote.lines.map { line in
            SaleLine(sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice.cents,
                     priceIncludesGST: line.priceIncludesGST,
                     discounts: line.discounts.map { LineDiscount(rule: $0.rule, amount: $0.amount.cents) },
                     net: line.net.cents, gst: line.gst.cents)
        }
        return Sale(
            receiptNumber: receiptNumber, training: training, memberID: priced.memberID, lines: lines,
            gstBasisPoints: UInt32(quote.gstBasisPoints), subtotal: quote.subtotal.cents, discount: quote.discount.cents,
            gst: quote.gst.cents, total: quote.total.cents, rounding: rounding, pointsRedeemed: quote.pointsRedeemed,
            pointsEarned: earned, tenders: tenders)
    }

    /// Singapore calendar day (days since 1970-01-01) of a time.
    public static func day(_ atMs: Int64) -> Int64 { CivilTime.days(from: CivilTime.singaporeDate(epochMs: atMs)) }

    /// Last day on which points earned at `atMs` may be used: the end of the month
    /// `months` months later.
    public static func expiryDay(earnedAtMs atMs: Int64, months: Int64) -> Int64 {
        let date = CivilTime.singaporeDate(epochMs: atMs)
        let monthIndex = date.year * 12 + (date.month - 1) + months + 1  // the month after the expiry month
        let firstOfNext = CivilTime.Date(year: monthIndex / 12, month: monthIndex % 12 + 1, day: 1)
        return CivilTime.days(from: firstOfNext) - 1
    }

    private func money(_ value: Int64) throws(LedgerRejection) -> Money {
        do { return try Money(cents: value) } catch { throw reject(.pricingRefused, error.message) }
    }
}
