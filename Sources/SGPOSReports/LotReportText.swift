import Foundation

/// The lot report as a table for a terminal, an HTML page to print and CSV (docs/REPORTS.md, "lot").
extension ReportFormat {
    public static func lot(_ report: LotReport, format: String) throws -> String {
        switch format {
        case "json": return try json(report) + "\n"
        case "html": return ReportHTML.lot(report)
        case "csv": return ReportCSV.lot(report)
        default:
            let totals = report.totals
            var lines = ["Lot \(report.lot) of GTIN \(report.gtin): where it is",
                         "  covers " + report.covers.heads.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " "), "",
                         "  outlet  SKU                   expiry      received  in  out    sold  on hand  recall"]
            for outlet in report.outlets {
                let recall = outlet.recall.map { "recalled at checkpoint \($0.checkpoint): \($0.reason)" } ?? "-"
                lines.append("  \(pad(outlet.outletId, 6))  \(outlet.sku.padding(toLength: 20, withPad: " ", startingAt: 0))  \((outlet.expiry ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)) \(pad(outlet.received, 9)) \(pad(outlet.transferredIn, 3)) \(pad(outlet.transferredOut, 4)) \(pad(outlet.sold, 7)) \(pad(outlet.onHand, 8))  \(recall)")
            }
            for transit in report.inTransit {
                lines.append("  in transit \(transit.transferId): outlet \(transit.from) -> \(transit.to): \(transit.quantity)")
            }
            lines.append("  sold:")
            for sale in report.sold {
                lines.append("    outlet \(sale.outletId) \(sale.time) till \(sale.till) receipt \(sale.receiptNumber) x\(sale.quantity) "
                    + (sale.memberId.isEmpty ? "guest" : "member \(sale.memberId)") + "  \(sale.transactionId)")
            }
            lines.append("  received \(totals.received), sold \(totals.sold) in \(totals.sales) sales to \(totals.members) members, on hand \(totals.onHand), in transit \(totals.inTransit)")
            return lines.joined(separator: "\n") + "\n"
        }
    }
}

extension ReportHTML {
    public static func lot(_ report: LotReport) -> String {
        let totals = report.totals
        let outlets = table([Column("outlet", numeric: true), Column("SKU"), Column("expiry"), Column("received", numeric: true),
                             Column("transferred in", numeric: true), Column("transferred out", numeric: true), Column("sold", numeric: true),
                             Column("on hand", numeric: true), Column("recall")],
                            report.outlets.map {
                                ["\($0.outletId)", $0.sku, $0.expiry ?? "–", "\($0.received)", "\($0.transferredIn)", "\($0.transferredOut)",
                                 "\($0.sold)", "\($0.onHand)", $0.recall.map { "checkpoint \($0.checkpoint): \($0.reason)" } ?? "–"]
                            })
        let transit = table([Column("transfer", mono: true), Column("from", numeric: true), Column("to", numeric: true), Column("units", numeric: true)],
                            report.inTransit.map { [$0.transferId, "\($0.from)", "\($0.to)", "\($0.quantity)"] })
        let sold = table([Column("outlet", numeric: true), Column("time"), Column("till"), Column("receipt", numeric: true), Column("member"),
                          Column("units", numeric: true), Column("transaction", mono: true)],
                         report.sold.map { ["\($0.outletId)", $0.time, $0.till, "\($0.receiptNumber)", $0.memberId.isEmpty ? "guest" : $0.memberId,
                                            "\($0.quantity)", $0.transactionId] })
        return page(title: "Lot \(report.lot) of GTIN \(report.gtin)", meta: ["Where the lot is: on hand per outlet, in transit, and every sale of it."],
                    covers: report.covers, sections: [
                        section("Totals", [pairs([("Received", "\(totals.received)", ""), ("Sold", "\(totals.sold)", ""),
                                                  ("Sales", "\(totals.sales)", ""), ("Members", "\(totals.members)", ""),
                                                  ("On hand", "\(totals.onHand)", ""), ("In transit", "\(totals.inTransit)", "")],
                                                 columns: ["", "units", ""])]),
                        section("Outlets", [outlets]),
                        section("In transit", [transit]),
                        section("Sold", [sold]),
                    ])
    }
}

extension ReportCSV {
    /// One row per sale of the lot (the customers to contact).
    public static func lot(_ report: LotReport) -> String {
        table(["outletId", "time", "till", "receiptNumber", "memberId", "quantity", "transactionId"], report.sold.map {
            [.int(Int64($0.outletId)), .text($0.time), .text($0.till), .int(Int64($0.receiptNumber)), .text($0.memberId), .int($0.quantity),
             .text($0.transactionId)]
        })
    }
}
