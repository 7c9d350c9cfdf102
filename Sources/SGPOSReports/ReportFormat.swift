import Foundation
import SGPOSState
import SGPOSRetail

/// A report as text: `table` for a terminal (aligned columns with totals), `json` (the
/// API's documents), `csv` (``ReportCSV``: RFC 4180, one row per group, for a spreadsheet),
/// `html` (``ReportHTML``).
public enum ReportFormat {
    public static func json<T: Encodable>(_ document: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    public static func sales(_ summary: SalesSummary, format: String) throws -> String {
        let document = ReportDocument.sales(summary)
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.sales(document)
        case "csv": return ReportCSV.sales(document)
        default:
            let totals = document.totals
            var lines = [
                "Sales \(document.from) to \(document.to), outlets \(document.outlets.map(String.init).joined(separator: ", "))",
                "  covers " + document.covers.heads.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " "),
                "",
                "  sales      \(pad(totals.salesCount))  \(pad(totals.salesTotal, 14))   discounts \(totals.discountTotal), rounding \(totals.roundingTotal)",
                "  refunds    \(pad(totals.refundsCount))  \(pad(totals.refundsTotal, 14))",
                "  voids      \(pad(totals.voidsCount))  \(pad(totals.voidsTotal, 14))",
                "  net sales  \(pad(""))  \(pad(totals.netSales, 14))   average basket \(totals.averageBasket), training receipts \(totals.trainingCount)",
            ]
            for (title, rows) in [("by day", document.byDay), ("by outlet", document.byOutlet), ("by till", document.byTill), ("by hour", document.byHour)] where !rows.isEmpty {
                lines.append("")
                lines.append("  \(title)" + String(repeating: " ", count: max(1, 22 - title.count)) + "   sales        total      refunds        voids          net")
                for row in rows {
                    lines.append("    \(row.key.padding(toLength: 20, withPad: " ", startingAt: 0)) \(pad(row.salesCount)) \(pad(row.salesTotal, 12)) \(pad(row.refundsTotal, 12)) \(pad(row.voidsTotal, 12)) \(pad(row.netSales, 12))")
                }
            }
            for (title, rows) in [("by SKU", document.bySku), ("by category", document.byCategory),
                                  ("by tax category", document.byTaxCategory)] where !rows.isEmpty {
                lines.append("")
                lines.append("  \(title)" + String(repeating: " ", count: max(1, 22 - title.count)) + "    qty       amount          GST")
                for row in rows {
                    lines.append("    \(row.key.padding(toLength: 20, withPad: " ", startingAt: 0)) \(pad(row.quantity)) \(pad(row.amount, 12)) \(pad(row.gst, 12))")
                }
            }
            for (title, rows) in [("by tender", document.byTender), ("discounts by rule", document.discountsByRule)] where !rows.isEmpty {
                lines.append("")
                lines.append("  \(title)")
                for row in rows { lines.append("    \(row.key.padding(toLength: 20, withPad: " ", startingAt: 0)) \(pad(row.amount, 12))") }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    public static func gst(_ gst: GSTReturn, format: String) throws -> String {
        let document = ReportDocument.gst(gst)
        let boxes = document.boxes.values
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.gst(gst)
        case "csv": return ReportCSV.gst(document)
        default:
            let names = ["standard-rated supplies", "zero-rated supplies", "exempt supplies", "total supplies (1+2+3)",
                         "taxable purchases", "output tax due", "input tax and refunds claimed"]
            var lines = ["GST F5 \(document.from) to \(document.to), outlets \(document.outlets.map(String.init).joined(separator: ", "))",
                         "  covers " + document.covers.heads.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " "), ""]
            for (index, name) in names.enumerated() {
                lines.append("  box \(index + 1)  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(pad(boxes[index] ?? "not recorded", 14))")
            }
            lines.append("")
            for rate in document.byRate {
                lines.append("  at \(rate.basisPoints / 100).\(rate.basisPoints % 100 < 10 ? "0" : "")\(rate.basisPoints % 100) %: supplies \(rate.supplies), GST \(rate.gst)")
            }
            for supply in document.otherSupplies {
                let label = TaxCategory(code: supply.key)?.label ?? supply.key
                lines.append("  \(supply.key) \(label): \(supply.amount)\(supply.key == "OS" ? " (in no box)" : "")")
            }
            if document.purchases.receipts > 0 {
                lines.append("  purchases: \(document.purchases.receipts) supplier invoice(s), value \(document.purchases.value), input GST \(document.purchases.inputGST)")
            }
            if document.coveredLate.transactions > 0 { lines.append("  " + ReportDocument.lateLine(document.coveredLate)) }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func pad(_ value: some CustomStringConvertible, _ width: Int = 6) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

extension ReportDocument {
    /// A Z-report as JSON: the day-close as recorded, with the block that holds it.
    public struct ZReport: Codable, Sendable, Equatable {
        public var report = "z"
        public var outletId: UInt32
        public var height: UInt64
        public var zNumber: UInt64
        public var businessDate: String
        /// As printed at the close.
        public var text: String
        /// The sales, refunds and voids it closed whose blocks were covered late.
        public var coveredLate: CoveredLate
    }

    /// An X-report as JSON: the open period's figures, as the next Z-report will hold them.
    public struct XReport: Codable, Sendable, Equatable {
        public var report = "x"
        public var outletId: UInt32
        public var nextZ: UInt64
        public var salesCount: Int64
        public var salesTotal: String
        public var refundsCount: Int64
        public var refundsTotal: String
        public var voidsCount: Int64
        public var voidsTotal: String
        public var netSales: String
        public var text: String
    }

    public static func x(outlet: UInt32, nextZ: UInt64, totals: PeriodTotals) -> XReport {
        let money = ReportMoney.text
        return XReport(outletId: outlet, nextZ: nextZ, salesCount: totals.salesCount, salesTotal: money(totals.salesTotal),
                       refundsCount: totals.refundsCount, refundsTotal: money(totals.refundsTotal), voidsCount: totals.voidsCount,
                       voidsTotal: money(totals.voidsTotal), netSales: money(totals.netSales),
                       text: ZReportText.x(outlet: outlet, nextZ: nextZ, totals: totals))
    }

    public static func z(outlet: UInt32, close: DayClose, height: UInt64, coveredLate: SGPOSReports.CoveredLate) -> ZReport {
        ZReport(outletId: outlet, height: height, zNumber: close.zNumber, businessDate: close.businessDate, text: ZReportText.z(outlet: outlet, close: close),
                coveredLate: late(coveredLate))
    }
}
