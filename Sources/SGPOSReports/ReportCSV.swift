/// Reports as CSV (docs/REPORTS.md, "CSV"): `sgpos report NAME --format csv` and
/// `GET /v1/reports/{name}?format=csv` both print these, rendered from the report's JSON
/// document (the one home of every figure is SGPOSReports; this only lays them out).
///
/// RFC 4180: UTF-8, one header line, every line ended by CR LF, fields separated by
/// commas and escaped by ``CSVField`` (a text beginning with = + - @ TAB CR or ' gets an
/// apostrophe before it: the same rule as the audit files). Money is the JSON's decimal
/// string (`12.30`, `-0.05`), integers are decimal, a null figure is an empty field.
public enum ReportCSV {
    /// One field of a row.
    public enum Cell: Sendable, Equatable {
        /// Text from the chain or the report (SKUs, tills, reasons): escaped.
        case text(String)
        /// Money as the JSON writes it, or another decimal number.
        case number(String)
        /// An integer.
        case int(Int64)
        /// An empty field (a figure the group does not have, or null).
        case empty
    }

    /// The CSV text of a header and rows.
    public static func table(_ header: [String], _ rows: [[Cell]]) -> String {
        var lines = [header.map(CSVField.text).joined(separator: ",")]
        for row in rows {
            lines.append(row.map { cell -> String in
                switch cell {
                case .text(let text): CSVField.text(text)
                case .number(let number): CSVField.number(number)
                case .int(let int): String(int)
                case .empty: ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func money(_ value: String?) -> Cell { value.map { .number($0) } ?? .empty }

    // MARK: - Reports

    /// One row per group member: `total` (key `all`), `day`, `hour`, `outlet`, `till` with the
    /// sales figures; `sku`, `category`, `tax-category` with quantity, amount and GST;
    /// `tender`, `discount-rule` with the amount.
    public static func sales(_ document: ReportDocument.Sales) -> String {
        var rows: [[Cell]] = []
        let totals = document.totals
        let all = ReportDocument.Figures(key: "all", salesCount: totals.salesCount, salesTotal: totals.salesTotal,
                                         refundsTotal: totals.refundsTotal, voidsTotal: totals.voidsTotal, netSales: totals.netSales)
        for (group, figures) in [("total", [all]), ("day", document.byDay), ("hour", document.byHour), ("outlet", document.byOutlet),
                                 ("till", document.byTill)] {
            for row in figures {
                rows.append([.text(group), .text(row.key), .int(row.salesCount), .number(row.salesTotal), .number(row.refundsTotal),
                             .number(row.voidsTotal), .number(row.netSales), .empty, .empty, .empty])
            }
        }
        for (group, goods) in [("sku", document.bySku), ("category", document.byCategory), ("tax-category", document.byTaxCategory)] {
            for row in goods {
                rows.append([.text(group), .text(row.key), .empty, .empty, .empty, .empty, .empty, .int(row.quantity), .number(row.amount), .number(row.gst)])
            }
        }
        for (group, amounts) in [("tender", document.byTender), ("discount-rule", document.discountsByRule)] {
            for row in amounts {
                rows.append([.text(group), .text(row.key), .empty, .empty, .empty, .empty, .empty, .empty, .number(row.amount), .empty])
            }
        }
        return table(["group", "key", "salesCount", "salesTotal", "refundsTotal", "voidsTotal", "netSales", "quantity", "amount", "gst"], rows)
    }

    /// Boxes 1–7 (`box`, empty when null), then each rate (`rate`: supplies and GST), the
    /// supplies without GST (`other-supplies`), the costed purchases (`purchases`) and what
    /// of it was covered late (`covered-late`).
    public static func gst(_ document: ReportDocument.GST) -> String {
        var rows: [[Cell]] = document.boxes.values.enumerated().map { [.text("box"), .text(String($0.offset + 1)), money($0.element), .empty, .empty] }
        rows += document.byRate.map { [.text("rate"), .text(String($0.basisPoints)), .number($0.supplies), .number($0.gst), .empty] }
        rows += document.otherSupplies.map { [.text("other-supplies"), .text($0.key), .number($0.amount), .empty, .empty] }
        rows.append([.text("purchases"), .text("supplier-invoices"), .number(document.purchases.value), .number(document.purchases.inputGST),
                     .int(document.purchases.receipts)])
        rows.append([.text("covered-late"), .text("transactions"), .number(document.coveredLate.amount), .number(document.coveredLate.gst),
                     .int(document.coveredLate.transactions)])
        return table(["group", "key", "amount", "gst", "count"], rows)
    }

    /// The Z-report as closed: one row, its printed text, then what of it was covered late.
    public static func z(_ document: ReportDocument.ZReport) -> String {
        table(["outletId", "height", "zNumber", "businessDate", "text", "coveredLateTransactions", "coveredLateAmount", "coveredLateGST"],
              [[.int(Int64(document.outletId)), .int(Int64(document.height)), .int(Int64(document.zNumber)), .text(document.businessDate),
                .text(document.text), .int(document.coveredLate.transactions), .number(document.coveredLate.amount), .number(document.coveredLate.gst)]])
    }

    /// The open period's figures: one row.
    public static func x(_ document: ReportDocument.XReport) -> String {
        table(["outletId", "nextZ", "salesCount", "salesTotal", "refundsCount", "refundsTotal", "voidsCount", "voidsTotal", "netSales"],
              [[.int(Int64(document.outletId)), .int(Int64(document.nextZ)), .int(document.salesCount), .number(document.salesTotal),
                .int(document.refundsCount), .number(document.refundsTotal), .int(document.voidsCount), .number(document.voidsTotal),
                .number(document.netSales)]])
    }

    /// One row per item (outlet, SKU); unit cost and cost value empty when unknown.
    public static func stock(_ document: ReportDocument.Stock) -> String {
        table(["outletId", "sku", "category", "onHand", "unitPrice", "value", "unitCost", "costValue"], document.items.map {
            [.int(Int64($0.outletId)), .text($0.sku), .text($0.category), .int($0.onHand), .number($0.unitPrice), .number($0.value),
             money($0.unitCost), money($0.costValue)]
        })
    }

    /// One row per outlet, then the totals (`all`).
    public static func loyalty(_ document: ReportDocument.Loyalty) -> String {
        table(["outlet", "members", "outstandingPoints", "liability", "expiringPoints", "expiringLiability", "earnedTotal", "redeemedTotal",
               "expiredTotal", "pointValueCents", "allowance", "onCredit"], (document.byOutlet + [document.totals]).map {
            [.text($0.key), .int($0.members), .int($0.outstandingPoints), .number($0.liability), .int($0.expiringPoints), .number($0.expiringLiability),
             .int($0.earnedTotal), .int($0.redeemedTotal), .int($0.expiredTotal), .int($0.pointValueCents), .int($0.allowance), .int($0.onCredit)]
        })
    }

    /// One row per exception, in the document's order; amount empty when it has none.
    public static func exceptions(_ document: ReportDocument.Exceptions) -> String {
        table(["kind", "outletId", "till", "businessDate", "time", "transactionId", "amount", "detail"], document.items.map {
            [.text($0.kind), .int(Int64($0.outletId)), .text($0.till), .text($0.businessDate), .text($0.time), .text($0.transactionId),
             money($0.amount), .text($0.detail)]
        })
    }

    /// One row per rule.
    public static func promotions(_ document: ReportDocument.Promotions) -> String {
        table(["rule", "sales", "lines", "discount"], document.rules.map { [.text($0.rule), .int($0.sales), .int($0.lines), .number($0.discount)] })
    }

    /// One row per movement of the SKU, in chain order.
    public static func movements(_ document: ReportDocument.Movements) -> String {
        table(["kind", "businessDate", "time", "transactionId", "by", "change", "balance", "detail"], document.movements.map {
            [.text($0.kind), .text($0.businessDate), .text($0.time), .text($0.transactionId), .text($0.by), .int($0.change), .int($0.balance),
             .text($0.detail)]
        })
    }

    /// One row per outlet, then the totals (`all`).
    public static func points(_ document: ReportDocument.Points) -> String {
        table(["outlet", "earned", "redeemed", "reversedByRefunds", "reversedByVoids", "returnedByVoids", "adjustedUp", "adjustedDown",
               "claimsCount", "claimedPoints", "settlementsCount", "settledPoints"], (document.byOutlet + [document.totals]).map {
            [.text($0.key), .int($0.earned), .int($0.redeemed), .int($0.reversedByRefunds), .int($0.reversedByVoids), .int($0.returnedByVoids),
             .int($0.adjustedUp), .int($0.adjustedDown), .int($0.claimsCount), .int($0.claimedPoints), .int($0.settlementsCount), .int($0.settledPoints)]
        })
    }
}
