import SGPOSChain
import SGPOSRetail
import SGPOSState

/// GST for a range of business dates, mapped to the boxes of IRAS form GST F5
/// (docs/REPORTS.md, "gst"): standard-rated supplies by rate (box 1, output tax box 6),
/// zero-rated (box 2) and exempt (box 3) supplies from the lines' tax categories, and
/// purchases (boxes 5 and 7) from stock receipts that carry the supplier's invoice —
/// null when the range has none. Credit notes count in the period they were issued, at
/// the rate and categories of the sale they refund; a void takes back the sale. By rate,
/// so a period that spans a rate change (7 %, 8 %, 9 %) shows each.
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
    /// Everything that adds up across days and outlets.
    public var figures = GSTFigures()
    /// The sales, refunds and voids counted here whose blocks were covered late.
    public var coveredLate = CoveredLate()
    /// Sorted by rate.
    public var rates: [Rate] { figures.totals.gstByRate.map { Rate(basisPoints: $0.basisPoints, amount: $0.amount, gst: $0.gst) } }
    /// Supplies without GST by category (zero-rated, exempt, out-of-scope), as the books sum them.
    public var otherSupplies: [PeriodTotals.CategoryTotal] { figures.totals.otherSupplies }
    /// Stock receipts with a supplier invoice in the range, their value excluding GST and
    /// the input tax on them.
    public var purchaseReceipts: Int64 { figures.purchaseReceipts }
    public var purchaseValue: Int64 { figures.purchaseValue }
    public var inputTax: Int64 { figures.inputTax }

    /// Box 1: standard-rated supplies (excluding GST).
    public var box1: Int64 { rates.reduce(0) { $0 + $1.supplies } }
    /// Box 2: zero-rated supplies.
    public var box2: Int64 { supplies(.zeroRated) }
    /// Box 3: exempt supplies.
    public var box3: Int64 { supplies(.exempt) }
    /// Box 4: total supplies.
    public var box4: Int64 { box1 + box2 + box3 }
    /// Box 5: taxable purchases (excluding GST), when the range records any.
    public var box5: Int64? { purchaseReceipts == 0 ? nil : purchaseValue }
    /// Box 6: output tax due.
    public var box6: Int64 { rates.reduce(0) { $0 + $1.gst } }
    /// Box 7: input tax claimed, when the range records any purchase.
    public var box7: Int64? { purchaseReceipts == 0 ? nil : inputTax }

    private func supplies(_ category: TaxCategory) -> Int64 {
        figures.totals.otherSupplies.first { $0.category == category }?.amount ?? 0
    }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
    }

    mutating func add(_ event: ReportEvent) { figures.add(event) }
}

/// The part of the GST return that adds up: supplies by rate and by tax category as the
/// ledger's period totals sum them, and costed purchases. Merges like ``SalesFigures``.
public struct GSTFigures: Sendable, Equatable {
    /// Only `gstByRate` and `otherSupplies` are used.
    public var totals = PeriodTotals()
    public var purchaseReceipts: Int64 = 0
    public var purchaseValue: Int64 = 0
    public var inputTax: Int64 = 0

    public init() {}

    mutating func add(_ event: ReportEvent) {
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { return }
            totals.add(lines: sale.lines.map { ($0.taxCategory, $0.paid, $0.gst) }, rate: sale.gstBasisPoints, sign: 1)
        case .refund(let refund, let original):
            let credited = refund.lines.compactMap { line in
                Int(line.lineIndex) < original.lines.count
                    ? (original.lines[Int(line.lineIndex)].taxCategory, line.amount, line.gst) : nil
            }
            totals.add(lines: credited, rate: original.gstBasisPoints, sign: -1)
            if !refund.adjustments.isEmpty {  // a re-priced return, as the books take it (FORMAT.md §13.5)
                let adjusted = refund.adjustments.compactMap { adjustment in
                    Int(adjustment.lineIndex) < original.lines.count
                        ? (original.lines[Int(adjustment.lineIndex)].taxCategory, adjustment.amount, adjustment.gst) : nil
                }
                totals.add(lines: adjusted, rate: original.gstBasisPoints, sign: 1)
            }
        case .void(_, let original):
            totals.add(lines: original.lines.map { ($0.taxCategory, $0.paid, $0.gst) }, rate: original.gstBasisPoints, sign: -1)
        case .stockReceive(let receive):
            guard let invoice = receive.invoice else { return }
            purchaseReceipts += 1
            purchaseValue += zip(receive.lines, invoice.unitCosts).reduce(0) { $0 + $1.0.quantity * $1.1 }
            inputTax += invoice.inputGST
        case .drawerOpen, .shiftClose, .loyaltyAdjust, .cash, .stockAdjust, .stockCount, .transfer, .pointsClaim, .pointsSettle: return
        }
    }

    /// Adds `other`'s figures to these (entries met at 0 are kept, as the books keep them).
    public mutating func merge(_ other: GSTFigures) {
        for rate in other.totals.gstByRate { totals.add(rate: rate.basisPoints, amount: rate.amount, gst: rate.gst) }
        for supply in other.totals.otherSupplies { totals.add(category: supply.category, amount: supply.amount) }
        purchaseReceipts += other.purchaseReceipts
        purchaseValue += other.purchaseValue
        inputTax += other.inputTax
    }
}
