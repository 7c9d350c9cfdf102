import SGPOSChain
import SGPOSState

/// GST for a range of business dates, mapped to the boxes of IRAS form GST F5
/// (docs/REPORTS.md, "gst"). Every supply is standard-rated in this version of the ledger
/// (no zero-rated, exempt or out-of-scope items yet), and no purchase is recorded, so
/// boxes 2 and 3 are zero and boxes 5 and 7 are not given. Credit notes count in the
/// period they were issued, at the rate of the sale they refund; a void takes back the
/// sale at its rate. By rate, so a period that spans a rate change (7 %, 8 %, 9 %) shows each.
public struct GSTReturn: Sendable {
    /// Supplies and GST at one rate.
    public struct Rate: Sendable, Equatable {
        public var basisPoints: UInt32
        /// What customers paid incl. GST, less credit notes and voids.
        public var amount: Int64 = 0
        public var gst: Int64 = 0
        /// The value of the supplies excluding GST.
        public var supplies: Int64 { amount - gst }
    }

    public let range: ReportRange
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    /// By rate, summed as the ledger sums a Z-report's `gstByRate` (``PeriodTotals``).
    private var totals = PeriodTotals()
    /// Sorted by rate.
    public var rates: [Rate] { totals.gstByRate.map { Rate(basisPoints: $0.basisPoints, amount: $0.amount, gst: $0.gst) } }

    /// Box 1: standard-rated supplies (excluding GST).
    public var box1: Int64 { rates.reduce(0) { $0 + $1.supplies } }
    /// Box 2: zero-rated supplies.
    public var box2: Int64 { 0 }
    /// Box 3: exempt supplies.
    public var box3: Int64 { 0 }
    /// Box 4: total supplies.
    public var box4: Int64 { box1 + box2 + box3 }
    /// Box 6: output tax due.
    public var box6: Int64 { rates.reduce(0) { $0 + $1.gst } }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
    }

    mutating func add(_ event: ReportEvent) {
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { return }
            totals.add(rate: sale.gstBasisPoints, amount: sale.total, gst: sale.gst)
        case .refund(let refund, let original):
            totals.add(rate: original.gstBasisPoints, amount: -refund.amount, gst: -refund.gst)
        case .void(_, let original):
            totals.add(rate: original.gstBasisPoints, amount: -original.total, gst: -original.lines.reduce(0) { $0 + $1.gst })
        case .drawerOpen, .shiftClose, .loyaltyAdjust, .cash, .stockReceive, .stockAdjust, .stockCount, .transfer, .pointsClaim, .pointsSettle: return
        }
    }
}
