import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

/// What a refund of some units of a sale credits (FORMAT.md §13.5, refund): each
/// returned unit's share of its line, and — for a sale that kept its pricing inputs
/// (re-priced returns) — the kept units priced again under the sale's own rules, prices,
/// member and counters, the difference taken from (or added to) the refund. The one
/// implementation the till, the CLI and the state machine use.
public struct RefundPricing: Sendable {
    public var lines: [RefundLine]
    public var adjustments: [RefundAdjustment]
    /// Paid back incl. GST, and the GST in it.
    public var amount: Int64
    public var gst: Int64
    public var pointsReversed: Int64
    /// The sale record once the refund is applied.
    public var record: SaleRecord
    /// The counter moves standing after the refund, with a pricing record.
    public var keptMoves: [SaleRuleRecord.CounterMove]?

    /// Computes the refund of `units` (line index, quantity). `recorded` are the lines a
    /// signed refund carries: each is checked as it is computed, so the first wrong line
    /// is the one reported (rule 302).
    public static func compute(
        sale original: SaleRecord, saleID: Hash256, pricing: SalePricingRecord?, units: [(line: UInt32, quantity: Int64)],
        recorded: [RefundLine]? = nil, calculator: SaleCalculator, state: some StateReader
    ) throws -> RefundPricing {
        var record = original
        var lines: [RefundLine] = []
        var credited: Int64 = 0
        var creditedGST: Int64 = 0
        for (position, unit) in units.enumerated() {
            var label: String { "refund line \(position + 1)" }  // built only for a message
            guard Int(unit.line) < record.lines.count else {
                throw reject(.refundExceedsSale, "\(label): the sale has no line \(unit.line)")
            }
            var sold = record.lines[Int(unit.line)]
            let left = sold.quantity - sold.refundedQuantity
            guard unit.quantity > 0, unit.quantity <= left else {
                throw reject(.refundExceedsSale, "\(label) (\(sold.sku)): \(unit.quantity) units asked, \(left) of \(sold.quantity) not yet refunded")
            }
            let (amount, gst) = sold.credit(units: unit.quantity)
            if let recorded, recorded[position].amount != amount || recorded[position].gst != gst {
                throw reject(.totalsMismatch, "\(label) (\(sold.sku)): recorded \(cents(recorded[position].amount)) with GST \(cents(recorded[position].gst)); the original sale gives \(cents(amount)) with GST \(cents(gst))")
            }
            sold.refund(units: unit.quantity, credit: (amount, gst))
            record.lines[Int(unit.line)] = sold
            lines.append(RefundLine(lineIndex: unit.line, quantity: unit.quantity, amount: amount, gst: gst))
            credited += amount
            creditedGST += gst
        }
        var result = RefundPricing(lines: lines, adjustments: [], amount: credited, gst: creditedGST, pointsReversed: 0,
                                   record: record, keptMoves: nil)
        guard let pricing else {
            result.pointsReversed = record.pointsToReverse(amount: credited)
            result.record.pointsReversed += result.pointsReversed
            return result
        }
        let kept = try keptPricing(record, saleID: saleID, pricing, calculator: calculator, state: state)
        result.adjustments = try adjustments(record, kept: kept.lines, credited: credited)
        for adjustment in result.adjustments {
            result.record.lines[Int(adjustment.lineIndex)].amount += adjustment.amount
            result.record.lines[Int(adjustment.lineIndex)].gst += adjustment.gst
            result.amount -= adjustment.amount
            result.gst -= adjustment.gst
        }
        let left = record.pointsEarned - record.pointsReversed
        result.pointsReversed = Swift.min(left, Swift.max(0, left - kept.earned))
        result.record.pointsReversed += result.pointsReversed
        result.keptMoves = kept.moves
        return result
    }

    /// The kept units priced under the sale's pricing record: per kept line (sale line
    /// index) its total and GST, the points the kept basket earns, and its counter moves.
    static func keptPricing(
        _ record: SaleRecord, saleID: Hash256, _ pricing: SalePricingRecord, calculator: SaleCalculator, state: some StateReader
    ) throws -> (lines: [(index: Int, total: Int64, gst: Int64)], earned: Int64, moves: [SaleRuleRecord.CounterMove]) {
        let keptIndexes = record.lines.indices.filter { record.lines[$0].quantity > record.lines[$0].refundedQuantity }
        guard !keptIndexes.isEmpty else { return ([], 0, []) }
        guard pricing.lines.count == record.lines.count else {
            throw reject(.pricingRefused, "the sale's pricing record has \(pricing.lines.count) lines; the sale has \(record.lines.count)")
        }
        var settings = RetailSettings(pointValueCents: Swift.max(1, pricing.pointValueCents), pointsPerDollar: pricing.pointsPerDollar,
                                      cashRounding: false, earning: pricing.earning)
        settings.redemptionIsTender = false
        var snapshot = WhatIfState(settings: settings)
        for index in keptIndexes {
            let line = record.lines[index], priced = pricing.lines[index]
            snapshot.setPrice(outlet: calculator.outlet, sku: line.sku, category: priced.category, unitPrice: priced.unitPrice,
                              priceIncludesGST: priced.priceIncludesGST, taxCategory: line.taxCategory)
        }
        if !record.memberID.isEmpty {
            snapshot.setMember(record.memberID, tier: pricing.tier, lifetimeSpend: pricing.lifetimeSpend, points: pricing.balance,
                               pointsExpireOn: SaleCalculator.day(pricing.timeMs))
            snapshot.setMultiplier(record.memberID, basisPoints: pricing.multiplier)
        }
        guard let rules = try state.ruleSet(pricing.ruleSet) else {
            throw reject(.pricingRefused, "the sale's rule set \(pricing.ruleSet) is not in the state")
        }
        for rule in rules {
            guard let source = try state.ruleSource(rule.source) else {
                throw reject(.pricingRefused, "the source \(rule.source) of rule \(rule.id) is not in the state")
            }
            try snapshot.deploy(DeployRule(source: source, activeFromMs: 0))
        }
        for rate in pricing.pointRates { snapshot.setPointRate(category: rate.category, basisPoints: rate.rate) }
        for counter in pricing.counters {
            snapshot.setCounter(rule: counter.rule, counter: counter.counter, member: counter.member, value: counter.value)
        }
        let keptCalculator = SaleCalculator(rates: calculator.engine.rates, method: calculator.method, outlet: calculator.outlet,
                                            settings: settings)
        let points = pricing.pointValueCents > 0 ? record.pointsRedeemed : 0
        // The coupons the sale used still count for what is kept (none is used or issued again).
        var coupons: [(code: String, campaign: String)] = []
        for code in pricing.codes {
            if let coupon = try state.coupon(code: code), coupon.usedBy == saleID { coupons.append((code, coupon.campaign)) }
        }
        let priced = try keptCalculator.price(
            lines: keptIndexes.map { StockLine(sku: record.lines[$0].sku, quantity: record.lines[$0].quantity - record.lines[$0].refundedQuantity) },
            memberID: record.memberID, redeemPoints: points, atMs: pricing.timeMs, state: snapshot, codes: pricing.codes, keptPart: true,
            keptCoupons: coupons)
        let sale = try keptCalculator.sale(priced, receiptNumber: 0, training: false, tenders: [])
        let lines = zip(keptIndexes, sale.lines).map { (index: $0, total: $1.paid, gst: $1.gst) }
        return (lines, sale.pointsEarned, sale.ruleRecord?.counters ?? [])
    }

    /// Δ per kept line (re-priced − what is left of it), scaled down when the kept
    /// units would cost more than the returned units credit (the refund never goes below 0).
    static func adjustments(
        _ record: SaleRecord, kept: [(index: Int, total: Int64, gst: Int64)], credited: Int64
    ) throws -> [RefundAdjustment] {
        var deltas: [(index: Int, amount: Int64, gst: Int64)] = kept.map { line in
            let sold = record.lines[line.index]
            return (line.index, line.total - (sold.amount - sold.refundedAmount), line.gst - (sold.gst - sold.refundedGST))
        }
        let sum = deltas.reduce(Int64(0)) { $0 + $1.amount }
        if sum > credited {
            let negative = deltas.reduce(Int64(0)) { $0 + Swift.min(0, $1.amount) }
            let positive = deltas.indices.filter { deltas[$0].amount > 0 }
            let parts: [Money]
            do {
                parts = try GSTCalculator.allocate(try Money(cents: credited - negative), over: positive.map { deltas[$0].amount })
            } catch {
                throw reject(.pricingRefused, "the kept units' re-pricing: \(error.message)")
            }
            for (part, index) in zip(parts, positive) {
                let old = deltas[index]
                deltas[index] = (old.index, part.cents, halfUp(old.gst, times: part.cents, by: old.amount))
            }
        }
        return deltas.filter { $0.amount != 0 || $0.gst != 0 }
            .map { RefundAdjustment(lineIndex: UInt32($0.index), amount: $0.amount, gst: $0.gst) }
    }

    /// `halfup(a × b / d)` without overflow for `d > 0` and `|b| ≤ d` (the quotient fits).
    static func halfUp(_ a: Int64, times b: Int64, by d: Int64) -> Int64 {
        let (quotient, remainder) = d.dividingFullWidth(a.multipliedFullWidth(by: b))
        guard remainder != 0, remainder.magnitude * 2 >= d.magnitude else { return quotient }
        return quotient + (remainder < 0 ? -1 : 1)
    }
}
