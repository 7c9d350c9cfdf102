import SGPOSChain
import SGPOSRetail
import SGPOSState

/// The sales report (docs/REPORTS.md, "sales"): sales, refunds (credit notes) and voids of
/// a range of business dates, in total and by day, hour, outlet, till, SKU, category,
/// tender and discount rule. Integer cents throughout; `json` gives the API's form.
public struct SalesSummary: Sendable {
    /// Counts and money of one group (a day, an hour, an outlet, a till, or everything).
    public struct Figures: Sendable, Equatable {
        public var salesCount: Int64 = 0
        public var salesTotal: Int64 = 0
        public var refundsCount: Int64 = 0
        public var refundsTotal: Int64 = 0
        public var voidsCount: Int64 = 0
        public var voidsTotal: Int64 = 0
        /// Sales total less refunds and voids.
        public var netSales: Int64 { salesTotal - refundsTotal - voidsTotal }
    }

    /// Units and money of one SKU or category: sold, less refunded and voided.
    public struct Goods: Sendable, Equatable {
        public var quantity: Int64 = 0
        /// Paid incl. GST.
        public var amount: Int64 = 0
        public var gst: Int64 = 0
    }

    public let range: ReportRange
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    /// Everything that adds up across days and outlets.
    public var figures = SalesFigures()
    public var byDay: [String: Figures] = [:]
    public var byOutlet: [String: Figures] = [:]

    public var totals: Figures { figures.totals }
    public var discountTotal: Int64 { figures.discountTotal }
    public var roundingTotal: Int64 { figures.roundingTotal }
    public var trainingCount: Int64 { figures.trainingCount }
    public var byHour: [String: Figures] { figures.byHour }
    public var byTill: [String: Figures] { figures.byTill }
    public var bySKU: [String: Goods] { figures.bySKU }
    public var byCategory: [String: Goods] { figures.byCategory }
    public var byTaxCategory: [String: Goods] { figures.byTaxCategory }
    public var byTender: [String: Int64] { figures.byTender }
    public var discountsByRule: [String: Int64] { figures.discountsByRule }

    /// Sales total over sales count, half away from zero.
    public var averageBasket: Int64 { ReportMoney.average(totals.salesTotal, over: totals.salesCount) }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
    }

    /// Counts one event on its business date and outlet.
    mutating func add(_ event: ReportEvent) {
        var one = SalesFigures()
        one.add(event)
        merge(one, day: event.businessDate.description, outlet: String(event.outlet))
    }

    /// Adds figures counted elsewhere (one event, or a day's aggregate) under a business
    /// date and an outlet.
    mutating func merge(_ other: SalesFigures, day: String, outlet: String) {
        figures.merge(other)
        guard other.touchesGroups else { return }
        byDay[day, default: Figures()].merge(other.totals)
        byOutlet[outlet, default: Figures()].merge(other.totals)
    }

    /// The Singapore hour (`00`…`23`) of an instant.
    static func hour(_ epochMs: Int64) -> String {
        let local = epochMs + CivilTime.singaporeOffsetMs
        let hour = ((local % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000
        return hour < 10 ? "0\(hour)" : "\(hour)"
    }
}

/// The part of the sales report that adds up: the figures of any set of one outlet's
/// transactions, which merge with the figures of another set. The report of a range is
/// the merge of its transactions' figures, whether counted one by one from the blocks or
/// kept per day (ReportAggregates).
public struct SalesFigures: Sendable, Equatable {
    public var totals = SalesSummary.Figures()
    public var discountTotal: Int64 = 0
    public var roundingTotal: Int64 = 0
    public var trainingCount: Int64 = 0
    public var byHour: [String: SalesSummary.Figures] = [:]
    public var byTill: [String: SalesSummary.Figures] = [:]
    public var bySKU: [String: SalesSummary.Goods] = [:]
    public var byCategory: [String: SalesSummary.Goods] = [:]
    /// By GST tax category code (SR, ZR, ES, OS).
    public var byTaxCategory: [String: SalesSummary.Goods] = [:]
    public var byTender: [String: Int64] = [:]
    public var discountsByRule: [String: Int64] = [:]
    /// Whether a sale, refund or void was counted (so the day and outlet are listed).
    public var touchesGroups = false

    public init() {}

    mutating func add(_ event: ReportEvent) {
        let hour = SalesSummary.hour(event.blockTimeMs)
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { trainingCount += 1; return }
            group(hour, event.principal) { $0.salesCount += 1; $0.salesTotal += sale.total }
            discountTotal += sale.discount
            roundingTotal += sale.rounding
            for tender in sale.tenders { byTender[tender.kind.name, default: 0] += tender.amount }
            for line in sale.lines { goods(line, sign: 1) }
        case .refund(let refund, let original):
            group(hour, event.principal) { $0.refundsCount += 1; $0.refundsTotal += refund.amount }
            for tender in refund.tenders { byTender[tender.kind.name, default: 0] -= tender.amount }
            for line in refund.lines where Int(line.lineIndex) < original.lines.count {
                let sold = original.lines[Int(line.lineIndex)]
                bySKU[sold.sku, default: .init()].subtract(line.quantity, line.amount, line.gst)
                byCategory[sold.category, default: .init()].subtract(line.quantity, line.amount, line.gst)
                byTaxCategory[sold.taxCategory.code, default: .init()].subtract(line.quantity, line.amount, line.gst)
            }
            // A re-priced return: the kept lines' price goes up (or down) by the adjustment.
            for adjustment in refund.adjustments where Int(adjustment.lineIndex) < original.lines.count {
                let kept = original.lines[Int(adjustment.lineIndex)]
                bySKU[kept.sku, default: .init()].subtract(0, -adjustment.amount, -adjustment.gst)
                byCategory[kept.category, default: .init()].subtract(0, -adjustment.amount, -adjustment.gst)
                byTaxCategory[kept.taxCategory.code, default: .init()].subtract(0, -adjustment.amount, -adjustment.gst)
            }
        case .void(_, let original):
            group(hour, event.principal) { $0.voidsCount += 1; $0.voidsTotal += original.total }
            for tender in original.tenders { byTender[tender.kind.name, default: 0] -= tender.amount }
            for line in original.lines { goods(line, sign: -1) }
        case .drawerOpen, .shiftClose, .loyaltyAdjust, .cash, .stockReceive, .stockAdjust, .stockCount, .transfer, .pointsClaim, .pointsSettle: return
        }
    }

    /// Adds `other`'s figures to these.
    public mutating func merge(_ other: SalesFigures) {
        totals.merge(other.totals)
        discountTotal += other.discountTotal
        roundingTotal += other.roundingTotal
        trainingCount += other.trainingCount
        for (key, value) in other.byHour { byHour[key, default: .init()].merge(value) }
        for (key, value) in other.byTill { byTill[key, default: .init()].merge(value) }
        for (key, value) in other.bySKU { bySKU[key, default: .init()].subtract(-value.quantity, -value.amount, -value.gst) }
        for (key, value) in other.byCategory { byCategory[key, default: .init()].subtract(-value.quantity, -value.amount, -value.gst) }
        for (key, value) in other.byTaxCategory { byTaxCategory[key, default: .init()].subtract(-value.quantity, -value.amount, -value.gst) }
        for (key, value) in other.byTender { byTender[key, default: 0] += value }
        for (key, value) in other.discountsByRule { discountsByRule[key, default: 0] += value }
        touchesGroups = touchesGroups || other.touchesGroups
    }

    private mutating func group(_ hour: String, _ till: String, _ change: (inout SalesSummary.Figures) -> Void) {
        touchesGroups = true
        change(&totals)
        change(&byHour[hour, default: .init()])
        change(&byTill[till, default: .init()])
    }

    private mutating func goods(_ line: SaleLine, sign: Int64) {
        bySKU[line.sku, default: .init()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        byCategory[line.category, default: .init()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        byTaxCategory[line.taxCategory.code, default: .init()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        for discount in line.discounts { discountsByRule[discount.rule, default: 0] += sign * discount.amount }
    }
}

extension SalesSummary.Figures {
    mutating func merge(_ other: SalesSummary.Figures) {
        salesCount += other.salesCount
        salesTotal += other.salesTotal
        refundsCount += other.refundsCount
        refundsTotal += other.refundsTotal
        voidsCount += other.voidsCount
        voidsTotal += other.voidsTotal
    }
}

extension SalesSummary.Goods {
    mutating func subtract(_ quantity: Int64, _ amount: Int64, _ gst: Int64) {
        self.quantity -= quantity
        self.amount -= amount
        self.gst -= gst
    }
}
