import SGPOSRetail
import SGPOSState

/// The text of a Z-report (a day-close) or an X-report (the open period so far), one
/// renderer for the close and every reprint: `till day-close` prints it when it closes,
/// `sgpos report z` reprints it from the chain, byte for byte the same.
public enum ZReportText {
    /// A closed day: `Z-report N of outlet O, business date D` and its figures.
    public static func z(outlet: UInt32, close: DayClose) -> String {
        "Z-report \(close.zNumber) of outlet \(outlet), business date \(close.businessDate)\n" + figures(close.totals)
    }

    /// The open period of an outlet, not closed: the figures a Z-report would hold now.
    public static func x(outlet: UInt32, nextZ: UInt64, totals: PeriodTotals) -> String {
        "X-report of outlet \(outlet) (the period Z-report \(nextZ) will close; not a close)\n" + figures(totals)
    }

    static func figures(_ totals: PeriodTotals) -> String {
        let money = ReportMoney.dollars
        var lines = [
            "  sales    \(totals.salesCount)  \(money(totals.salesTotal))  (discounts \(money(totals.discountTotal)), rounding \(money(totals.roundingTotal)))",
            "  refunds  \(totals.refundsCount)  \(money(totals.refundsTotal))",
            "  voids    \(totals.voidsCount)  \(money(totals.voidsTotal))",
            "  net      \(money(totals.netSales));  training receipts \(totals.trainingCount)",
        ]
        for rate in totals.gstByRate { lines.append("  GST \(rate.basisPoints) bp: \(money(rate.amount)) incl. GST \(money(rate.gst))") }
        for supply in totals.otherSupplies { lines.append("  \(supply.category.code) \(supply.category.label): \(money(supply.amount))") }
        for tender in totals.tenders { lines.append("  \(tender.kind.name): \(money(tender.amount))") }
        lines.append("  perpetual: sales \(money(totals.grandTotalSales)), refunds \(money(totals.grandTotalRefunds)), voids \(money(totals.grandTotalVoids))")
        return lines.joined(separator: "\n") + "\n"
    }
}
