import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// Builds the exact bodies the state machine accepts for one till, from a state: the
/// sell, refund and shift-close use cases. The till session uses it locally, the node's
/// quote and prepare endpoints for remote tills, `sgpos quote` against a what-if state.
public struct SaleBuilder: Sendable {
    /// Where the GST rates and the GST method come from.
    public enum Taxes: Sendable {
        /// The genesis's `gst` section, as the state machine reads it.
        case genesis(Genesis)
        /// A rate table and method given directly (what-if quotes).
        case table(GSTRateTable, GSTMethod)
    }

    public let taxes: Taxes
    public let outlet: OutletID
    public let principal: String

    public init(genesis: Genesis, outlet: OutletID, principal: String) {
        self.init(taxes: .genesis(genesis), outlet: outlet, principal: principal)
    }

    public init(taxes: Taxes, outlet: OutletID, principal: String) {
        self.taxes = taxes
        self.outlet = outlet
        self.principal = principal
    }

    /// The calculator for `state`'s retail settings.
    public func calculator(_ state: some StateReader) throws -> SaleCalculator {
        switch taxes {
        case .genesis(let genesis):
            return try SaleCalculator(genesis: genesis, outlet: outlet, settings: try state.retailSettings())
        case .table(let rates, let method):
            return SaleCalculator(rates: rates, method: method, outlet: outlet, settings: try state.retailSettings())
        }
    }

    /// Prices `lines` for the customer (the quote a till shows).
    public func quote(_ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, codes: [String] = [], atMs: Int64,
                      state: some StateReader) throws -> SaleCalculator.PricedBasket {
        try RequestLimits.lines(lines)
        try RequestLimits.memberID(memberID)
        try RequestLimits.codes(codes)
        return try calculator(state).price(lines: lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state,
                                           codes: codes)
    }

    /// The sale for a basket paid with `payment`: numbered after `state`'s last receipt,
    /// priced, rounded and tendered exactly as the state machine will check it.
    public func buildSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, codes: [String] = [], payment: Payment,
        training: Bool = false, lots: [LotEntry] = [], atMs: Int64, state: some StateReader
    ) throws -> Sale {
        var sale = try priceSale(lines, memberID: memberID, redeemPoints: redeemPoints, codes: codes, payment: payment, training: training,
                                 atMs: atMs, state: state).sale
        guard lots.count <= LotEntry.perBodyMax else { throw RequestError("a sale carries at most \(LotEntry.perBodyMax) lot entries") }
        sale.lots = LotEntry.canonical(lots)
        return sale
    }

    /// ``buildSale`` with the priced basket it came from (the quote a till shows).
    public func priceSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, codes: [String] = [], payment: Payment,
        training: Bool = false, atMs: Int64, state: some StateReader
    ) throws -> (priced: SaleCalculator.PricedBasket, sale: Sale) {
        try RequestLimits.lines(lines)
        try RequestLimits.memberID(memberID)
        try RequestLimits.codes(codes)
        try RequestLimits.principal(principal)
        try RequestLimits.payment(payment)
        let calculator = try calculator(state)
        let priced = try calculator.price(lines: lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state,
                                          codes: codes)
        let receipt = (try state.shift(outlet: outlet, till: principal)?.lastReceiptNumber ?? 0) + 1
        var tenders: [Tender] = []
        let pointsTender = priced.quote.pointsTender.cents
        if pointsTender > 0 { tenders.append(.points(points: redeemPoints, amount: pointsTender)) }
        // Cash rounding depends on a cash tender being present: price with the kind first.
        let draft = try calculator.sale(priced, receiptNumber: receipt, training: training,
                                        tenders: tenders + (payment.isCash ? [.cash(tendered: 1, change: 0)] : []))
        let due = draft.amountPayable - pointsTender
        if due > 0 {
            tenders.append(try payment.tender(amount: due))
        }
        return (priced, try calculator.sale(priced, receiptNumber: receipt, training: training, tenders: tenders))
    }

    /// The refund of `units` (line index, quantity) of a sale, with every figure the
    /// state machine will expect, paid back in cash or to the original card.
    public func buildRefund(
        of saleID: Hash256, units: [(line: UInt32, quantity: Int64)], reason: String, restock: Bool, refundTender: Payment,
        state: some StateReader
    ) throws -> Refund {
        try RequestLimits.principal(principal)
        try RequestLimits.reason(reason)
        try RequestLimits.payment(refundTender)
        guard units.count <= POSLimits.linesMax else {
            throw RequestError("the refund has \(units.count) lines; the limit is \(POSLimits.linesMax)")
        }
        guard let record = try state.saleRecord(saleID) else {
            throw LedgerRejection(.unknownOriginal, "sale \(saleID) is not a sale of outlet \(outlet)")
        }
        guard !record.voided else { throw LedgerRejection(.unknownOriginal, "sale \(saleID) was voided") }
        let computed = try RefundPricing.compute(
            sale: record, saleID: saleID, pricing: try state.salePricing(saleID), units: units, calculator: try calculator(state), state: state)
        let amount = computed.amount
        // Money goes back without change: cash is handed over exactly.
        let tender = try (refundTender.isCash ? Payment.cash(tendered: nil) : refundTender).tender(amount: amount)
        let number = (try state.shift(outlet: outlet, till: principal)?.lastCreditNoteNumber ?? 0) + 1
        return Refund(originalSale: saleID, creditNoteNumber: number, reason: reason, restock: restock, lines: computed.lines,
                      gstBasisPoints: record.gstBasisPoints, amount: amount, gst: computed.gst, pointsReversed: computed.pointsReversed,
                      tenders: amount > 0 ? [tender] : [], adjustments: computed.adjustments)
    }

    /// A gift card load (or a top-up of a member's e-wallet): `amount` onto the card whose
    /// code is `code`, paid with `payment` (not a voucher). Checked as the state machine
    /// will check it: an existing card keeps its holder.
    public func buildGiftCardLoad(code: String, memberID: String, amount: Int64, payment: Payment,
                                  state: some StateReader) throws -> GiftCardLoad {
        try RequestLimits.principal(principal)
        try RequestLimits.identifier(code, "card code", limit: POSLimits.referenceBytesMax)
        if !memberID.isEmpty { try RequestLimits.memberID(memberID) }
        try RequestLimits.payment(payment)
        if case .voucher = payment { throw RequestError("a gift card is not paid with a voucher or another gift card") }
        guard (1...GiftCardLoad.amountMax).contains(amount) else {
            throw RequestError("a gift card load is 0.01 to 1000000.00, got \(Money.decimal(cents: amount))")
        }
        if let card = try state.giftCard(code: code), card.memberID != memberID {
            throw LedgerRejection(.invalidField, card.memberID.isEmpty ? "card \(code) is a bearer gift card" : "card \(code) is member \(card.memberID)'s e-wallet")
        }
        return GiftCardLoad(cardHash: CouponCode.hash(code), memberID: memberID, amount: amount,
                            tenders: [try payment.tender(amount: amount)])
    }

    /// The shift-close for counted cash against the state's expected cash.
    public func buildShiftClose(counted: Int64, state: some StateReader) throws -> ShiftClose {
        try RequestLimits.principal(principal)
        guard let shift = try state.shift(outlet: outlet, till: principal), shift.open else {
            throw LedgerRejection(.shiftNotOpen, "till \(principal) has no open shift")
        }
        return ShiftClose(counted: counted, expected: shift.expectedCash, variance: counted - shift.expectedCash)
    }
}
