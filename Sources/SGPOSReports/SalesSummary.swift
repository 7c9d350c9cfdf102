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
    public var totals = Figures()
    public var discountTotal: Int64 = 0
    public var roundingTotal: Int64 = 0
    public var trainingCount: Int64 = 0
    public var byDay: [String: Figures] = [:]
    public var byHour: [String: Figures] = [:]
    public var byOutlet: [String: Figures] = [:]
    public var byTill: [String: Figures] = [:]
    public var bySKU: [String: Goods] = [:]
    public var byCategory: [String: Goods] = [:]
    /// By GST tax category code (SR, ZR, ES, OS).
    public var byTaxCategory: [String: Goods] = [:]
    public var byTender: [String: Int64] = [:]
    public var discountsByRule: [String: Int64] = [:]

    /// Sales total over sales count, half away from zero.
    public var averageBasket: Int64 { ReportMoney.average(totals.salesTotal, over: totals.salesCount) }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
    }

    mutating func add(_ event: ReportEvent) {
        let keys = [("day", event.businessDate.description), ("hour", Self.hour(event.blockTimeMs)),
                    ("outlet", String(event.outlet)), ("till", event.principal)]
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { trainingCount += 1; return }
            group(keys) { $0.salesCount += 1; $0.salesTotal += sale.total }
            discountTotal += sale.discount
            roundingTotal += sale.rounding
            for tender in sale.tenders { byTender[tender.kind.name, default: 0] += tender.amount }
            for line in sale.lines { goods(line, sign: 1) }
        case .refund(let refund, let original):
            group(keys) { $0.refundsCount += 1; $0.refundsTotal += refund.amount }
            for tender in refund.tenders { byTender[tender.kind.name, default: 0] -= tender.amount }
            for line in refund.lines where Int(line.lineIndex) < original.lines.count {
                let sold = original.lines[Int(line.lineIndex)]
                bySKU[sold.sku, default: Goods()].subtract(line.quantity, line.amount, line.gst)
                byCategory[sold.category, default: Goods()].subtract(line.quantity, line.amount, line.gst)
                byTaxCategory[sold.taxCategory.code, default: Goods()].subtract(line.quantity, line.amount, line.gst)
            }
        case .void(_, let original):
            group(keys) { $0.voidsCount += 1; $0.voidsTotal += original.total }
            for tender in original.tenders { byTender[tender.kind.name, default: 0] -= tender.amount }
            for line in original.lines { goods(line, sign: -1) }
        case .drawerOpen, .shiftClose, .loyaltyAdjust, .cash, .stockReceive, .stockAdjust, .stockCount, .transfer, .pointsClaim, .pointsSettle: return
        }
    }

    private mutating func group(_ keys: [(String, String)], _ change: (inout Figures) -> Void) {
        change(&totals)
        for (dimension, key) in keys {
            switch dimension {
            case "day": change(&byDay[key, default: Figures()])
            case "hour": change(&byHour[key, default: Figures()])
            case "outlet": change(&byOutlet[key, default: Figures()])
            default: change(&byTill[key, default: Figures()])
            }
        }
    }

    private mutating func goods(_ line: SaleLine, sign: Int64) {
        bySKU[line.sku, default: Goods()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        byCategory[line.category, default: Goods()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        byTaxCategory[line.taxCategory.code, default: Goods()].subtract(-sign * line.quantity, -sign * line.paid, -sign * line.gst)
        for discount in line.discounts { discountsByRule[discount.rule, default: 0] += sign * discount.amount }
    }

    /// The Singapore hour (`00`…`23`) of an instant.
    static func hour(_ epochMs: Int64) -> String {
        let local = epochMs + CivilTime.singaporeOffsetMs
        let hour = ((local % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000
        return hour < 10 ? "0\(hour)" : "\(hour)"
    }
}

extension SalesSummary.Goods {
    mutating func subtract(_ quantity: Int64, _ amount: Int64, _ gst: Int64) {
        self.quantity -= quantity
        self.amount -= amount
        self.gst -= gst
    }
}
