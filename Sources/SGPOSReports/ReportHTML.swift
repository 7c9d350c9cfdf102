import SGPOSRetail

/// Reports as HTML (docs/REPORTS.md, "HTML"): one self-contained HTML5 page per report,
/// rendered from the report's JSON document, with inline CSS (A4 pages when a browser
/// prints it to PDF) and inline SVG charts. No script, no external resource, no web font:
/// the page shows the same on a machine without a network and cannot call anywhere.
///
/// Every figure in a table is the document's own text (money as the JSON strings give
/// it); the charts scale integer cents with integer arithmetic (no floating point, as
/// everywhere in the reports). Every text that comes from the chain (SKUs, tills,
/// categories, member ids, reasons) goes through ``escape(_:)``.
public enum ReportHTML {
    // MARK: - Escaping

    /// `text` as HTML character data or a quoted attribute value: `&`, `<`, `>`, `"` and
    /// `'` as character references; control characters (other than tab, line feed and
    /// carriage return), which HTML does not allow in a document, as U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { out.append("\u{FFFD}") } else { out.append(scalar) }
            }
        }
        return String(out)
    }

    // MARK: - Reports

    /// The sales report: its totals, charts of sales by hour, the tender mix and the top 10
    /// SKUs by amount, and every group of the document as a table.
    public static func sales(_ document: ReportDocument.Sales) -> String {
        let totals = document.totals
        var unreadable: [String] = []
        let totalsTable = pairs([
            ("Sales", "\(totals.salesCount)", totals.salesTotal),
            ("Refunds (credit notes)", "\(totals.refundsCount)", totals.refundsTotal),
            ("Voids", "\(totals.voidsCount)", totals.voidsTotal),
            ("Net sales (sales − refunds − voids)", "", totals.netSales),
            ("Discounts", "", totals.discountTotal),
            ("Cash rounding", "", totals.roundingTotal),
            ("Average basket", "", totals.averageBasket),
            ("Training receipts (no total)", "\(totals.trainingCount)", ""),
        ], columns: ["", "count", "S$"])

        // Sales by hour: the 24 Singapore hours, an hour without sales at 0.
        let hours = (0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let byHour = Dictionary(document.byHour.map { ($0.key, $0.salesTotal) }, uniquingKeysWith: { first, _ in first })
        let hourValues = hours.map { [cents(byHour[$0] ?? "0.00", $0, &unreadable)] }
        let hourChart = columnChart("Sales by hour (Singapore time), S$ incl. GST", labels: hours,
                                    series: [("sales total", "#2b6cb0")], values: hourValues)

        // Tender mix: each tender's net amount and its share of their sum, in basis points.
        let tenders = document.byTender.map { ($0.key, cents($0.amount, $0.key, &unreadable), $0.amount) }
        var tenderSum: Int64? = 0
        for tender in tenders {
            let (sum, overflow) = (tenderSum ?? 0).addingReportingOverflow(tender.1)
            tenderSum = overflow ? nil : tenderSum.map { _ in sum }
        }
        let tenderChart = barChart(
            "Tender mix: net amount by tender (sales less refunds and voids)"
                + (tenderSum.map { ", share of their sum S$ \(ReportMoney.text($0))" } ?? ""),
            rows: tenders.map { tender in
                (tender.0, tender.1, "\(tender.2) · \(tenderSum.flatMap { basisPoints(tender.1, of: $0) }.map(percent) ?? "–")")
            }, empty: "No tender in the period.")

        // The top 10 SKUs by amount (then by SKU).
        let ranked = document.bySku.map { ($0, cents($0.amount, $0.key, &unreadable)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.key < $1.0.key }.prefix(10)
        let skuChart = barChart("Top \(ranked.count) SKUs by amount (S$ incl. GST, less refunds and voids)",
                                rows: ranked.map { ($0.0.key, $0.1, "\($0.0.amount) · qty \($0.0.quantity)") },
                                empty: "No SKU sold in the period.")

        let figureColumns = [Column("sales", numeric: true), Column("sales total", numeric: true), Column("refunds", numeric: true),
                             Column("voids", numeric: true), Column("net sales", numeric: true)]
        func figures(_ title: String, _ key: String, _ rows: [ReportDocument.Figures]) -> String {
            section(title, [table([Column(key)] + figureColumns,
                                  rows.map { [$0.key, "\($0.salesCount)", $0.salesTotal, $0.refundsTotal, $0.voidsTotal, $0.netSales] })])
        }
        func goods(_ title: String, _ key: String, _ rows: [ReportDocument.Goods], label: (String) -> String = { $0 }) -> String {
            section(title, [table([Column(key), Column("quantity", numeric: true), Column("amount", numeric: true), Column("GST", numeric: true)],
                                  rows.map { [label($0.key), "\($0.quantity)", $0.amount, $0.gst] })])
        }
        let sections = [
            section("Totals", [totalsTable]),
            section("Charts", [hourChart, tenderChart, skuChart] + unreadableNote(unreadable)),
            figures("By business date", "date", document.byDay),
            figures("By outlet", "outlet", document.byOutlet),
            figures("By till", "till", document.byTill),
            figures("By hour (Singapore time)", "hour", document.byHour),
            goods("By SKU", "SKU", document.bySku),
            goods("By category", "category", document.byCategory),
            goods("By tax category", "tax category", document.byTaxCategory) { key in TaxCategory(code: key).map { "\(key) (\($0.label))" } ?? key },
            section("By tender", [table([Column("tender"), Column("amount", numeric: true)], document.byTender.map { [$0.key, $0.amount] })]),
            section("Discounts by rule", [table([Column("rule"), Column("discount", numeric: true)], document.discountsByRule.map { [$0.key, $0.amount] })]),
        ]
        return page(title: "Sales \(document.from) to \(document.to)",
                    meta: [period(document.from, document.to), outlets(document.outlets),
                           "Money in Singapore dollars incl. GST, before cash rounding; refunds and voids count on their own business date."],
                    covers: document.covers, sections: sections)
    }

    /// What the GST page shows by month.
    public enum GSTMonths: Sendable, Equatable {
        /// Not computed (the page was rendered from the document alone).
        case notComputed
        /// The range lies within one calendar month.
        case oneMonth
        /// The range spans more months than ``gstMonthsMax``.
        case tooMany(Int)
        /// The GST documents of each calendar month of the range (the first and last cut to
        /// the range); `sameHeads` whether each was read at the heads the whole range was.
        case months([ReportDocument.GST], sameHeads: Bool)
    }

    /// The most months the GST page is drawn by month for: each month is one more report.
    public static let gstMonthsMax = 24

    /// The GST return of `range` as a page, with its supplies and GST by month when the range
    /// spans 2 to ``gstMonthsMax`` months (``gstMonths(reports:range:)``).
    public static func gst(reports: Reports, range: ReportRange) throws -> String {
        let (total, months) = try gstMonths(reports: reports, range: range)
        return gst(total, months: months)
    }

    /// The GST document of `range` and, when it spans 2 to ``gstMonthsMax`` months, those of
    /// its months: `reports.gst` once for the range and once per month, all read again (at
    /// most twice) when the chains grew in between, so that every month is read at the heads
    /// the whole range was and the months add up to it.
    public static func gstMonths(reports: Reports, range: ReportRange) throws -> (total: ReportDocument.GST, months: GSTMonths) {
        var total = ReportDocument.gst(try reports.gst(range))
        let count = monthCount(range)
        guard count > 1 else { return (total, .oneMonth) }
        guard count <= gstMonthsMax else { return (total, .tooMany(count)) }
        var months: [ReportDocument.GST] = []
        for attempt in 1...3 {
            months = try monthRanges(range).map { ReportDocument.gst(try reports.gst($0)) }
            if months.allSatisfy({ $0.covers == total.covers }) { return (total, .months(months, sameHeads: true)) }
            if attempt < 3 { total = ReportDocument.gst(try reports.gst(range)) }
        }
        return (total, .months(months, sameHeads: false))
    }

    /// The GST return of a ``GSTReturn`` as a page, without figures by month (``gst(reports:range:)`` computes them).
    public static func gst(_ gst: GSTReturn) -> String {
        Self.gst(ReportDocument.gst(gst), months: monthCount(gst.range) > 1 ? .notComputed : .oneMonth)
    }

    /// The GST return: F5 boxes 1–7, supplies and GST by rate (chart and table), supplies
    /// without GST, purchases, and `months` when given.
    public static func gst(_ document: ReportDocument.GST, months: GSTMonths = .notComputed) -> String {
        let names = ["standard-rated supplies", "zero-rated supplies", "exempt supplies", "total supplies (1+2+3)",
                     "taxable purchases", "output tax due", "input tax and refunds claimed"]
        var unreadable: [String] = []
        let boxes = table([Column("box", numeric: true), Column("GST F5"), Column("S$", numeric: true)],
                          names.enumerated().map { ["\($0.offset + 1)", $0.element, document.boxes.values[$0.offset] ?? "not recorded"] })
        let rateLabels = document.byRate.map { percent(Int64($0.basisPoints)) }
        let rateChart = columnChart("Standard-rated supplies (excl. GST) and GST by rate, S$", labels: rateLabels,
                                    series: [("supplies", "#2b6cb0"), ("GST", "#dd6b20")],
                                    values: document.byRate.map { [cents($0.supplies, "\($0.basisPoints)", &unreadable), cents($0.gst, "\($0.basisPoints)", &unreadable)] },
                                    empty: "No standard-rated supply in the period.")
        let rates = table([Column("rate", numeric: true), Column("supplies (excl. GST)", numeric: true), Column("GST", numeric: true)],
                          zip(rateLabels, document.byRate).map { [$0, $1.supplies, $1.gst] })
        let other = table([Column("tax category"), Column("amount", numeric: true), Column("box")],
                          document.otherSupplies.map { supply in
                              [TaxCategory(code: supply.key).map { "\(supply.key) (\($0.label))" } ?? supply.key, supply.amount,
                               supply.key == "ZR" ? "2" : supply.key == "ES" ? "3" : "in no box"]
                          })
        let purchases = document.purchases
        var sections = [
            section("GST F5 boxes", [boxes, note("Boxes 5 and 7 count stock receipts that carry a supplier invoice; \"not recorded\": the period has none.")]),
            section("By rate", [rateChart, rates]),
            section("Supplies without GST", [other]),
            section("Purchases", [pairs([("Stock receipts with a supplier invoice", "\(purchases.receipts)", ""),
                                         ("Value excl. GST (box 5)", "", purchases.value), ("Input GST (box 7)", "", purchases.inputGST)],
                                        columns: ["", "count", "S$"])]),
        ]
        if document.coveredLate.transactions > 0 { sections.append(lateSection(document.coveredLate)) }
        switch months {
        case .notComputed: sections.append(section("By month", [note("Figures by month were not computed for this page.")]))
        case .oneMonth: break
        case .tooMany(let count):
            sections.append(section("By month", [note("The period spans \(count) months; figures by month are drawn for periods of 2 to \(gstMonthsMax) months.")]))
        case .months(let months, let sameHeads):
            let chart = columnChart("Total supplies (box 4) and output tax (box 6) by month, S$", labels: months.map { String($0.from.prefix(7)) },
                                    series: [("total supplies", "#2b6cb0"), ("output tax", "#dd6b20")],
                                    values: months.map { [cents($0.boxes.values[3] ?? "0.00", $0.from, &unreadable),
                                                          cents($0.boxes.values[5] ?? "0.00", $0.from, &unreadable)] })
            let columns = [Column("month"), Column("from"), Column("to")] + (1...7).map { Column("box \($0)", numeric: true) }
            let rows = months.map { [String($0.from.prefix(7)), $0.from, $0.to] + $0.boxes.values.map { $0 ?? "–" } }
            let foot = [["the period", document.from, document.to] + document.boxes.values.map { $0 ?? "–" }]
            var parts = [chart, table(columns, rows, foot: foot), note("–: no stock receipt with a supplier invoice (boxes 5 and 7 not recorded).")]
            if !sameHeads {
                parts.append(note("The chains grew while the months were read: some months were read at other heads than the period (see each month's JSON), so they may not add up to the period."))
            }
            sections.append(section("By month", parts))
        }
        sections.append(contentsOf: unreadableNote(unreadable))
        return page(title: "GST F5 \(document.from) to \(document.to)",
                    meta: [period(document.from, document.to), outlets(document.outlets),
                           "Credit notes count in the period they were issued, at the rate of the supply they credit (docs/REPORTS.md, \"gst\")."],
                    covers: document.covers, sections: sections)
    }

    /// Stock on hand, below zero and in transit.
    public static func stock(_ document: ReportDocument.Stock) -> String {
        let totals = document.totals
        let columns = [Column("outlet", numeric: true), Column("SKU"), Column("category"), Column("on hand", numeric: true),
                       Column("unit price", numeric: true), Column("value", numeric: true), Column("unit cost", numeric: true), Column("cost value", numeric: true)]
        func rows(_ items: [ReportDocument.StockItem]) -> [[String]] {
            items.map { ["\($0.outletId)", $0.sku, $0.category, "\($0.onHand)", $0.unitPrice, $0.value, $0.unitCost ?? "–", $0.costValue ?? "–"] }
        }
        let transfers = table([Column("transfer", mono: true), Column("from", numeric: true), Column("to", numeric: true), Column("lines")],
                              document.inTransit.map { transfer in
                                  [transfer.transferId, "\(transfer.from)", "\(transfer.to)", transfer.lines.map { "\($0.sku) × \($0.quantity)" }.joined(separator: ", ")]
                              })
        return page(title: "Stock on hand", meta: [outlets(document.outlets),
                                                   "Valued at list price, and at the last supplier cost where one is recorded (excl. GST)."],
                    covers: document.covers, sections: [
                        section("Totals", [pairs([("SKUs", "\(totals.skus)", ""), ("Units", "\(totals.units)", ""), ("Value at list price", "", totals.value),
                                                  ("Value at cost, where known", "", totals.costValue), ("SKUs below zero", "\(totals.negativeSkus)", ""),
                                                  ("Transfers in transit", "\(totals.transfersInTransit)", "")], columns: ["", "count", "S$"])]),
                        section("Items", [table(columns, rows(document.items))]),
                        section("Below zero", [table(columns, rows(document.negative))]),
                        section("In transit", [transfers]),
                    ])
    }

    /// Loyalty points outstanding, their liability and those expiring, per outlet.
    public static func loyalty(_ document: ReportDocument.Loyalty) -> String {
        let columns = [Column("outlet"), Column("members", numeric: true), Column("outstanding points", numeric: true), Column("liability", numeric: true),
                       Column("expiring points", numeric: true), Column("expiring liability", numeric: true), Column("earned", numeric: true),
                       Column("redeemed", numeric: true), Column("expired", numeric: true), Column("cents per point", numeric: true),
                       Column("claims allowance", numeric: true), Column("on credit", numeric: true)]
        func row(_ figures: ReportDocument.LoyaltyFigures) -> [String] {
            [figures.key, "\(figures.members)", "\(figures.outstandingPoints)", figures.liability, "\(figures.expiringPoints)", figures.expiringLiability,
             "\(figures.earnedTotal)", "\(figures.redeemedTotal)", "\(figures.expiredTotal)", "\(figures.pointValueCents)",
             "\(figures.allowance)", "\(figures.onCredit)"]
        }
        return page(title: "Loyalty points on \(document.on)",
                    meta: ["Counted on \(document.on); expiring: within \(document.withinDays) days.", outlets(document.outlets),
                           "Liability: outstanding points × the outlet's point value; the total sums each outlet at its own value."],
                    covers: document.covers, sections: [section("By outlet", [table(columns, document.byOutlet.map(row), foot: [row(document.totals)])])])
    }

    /// One SKU's stock card at one outlet.
    public static func movements(_ document: ReportDocument.Movements) -> String {
        let columns = [Column("time (Singapore)"), Column("business date"), Column("kind"), Column("change", numeric: true),
                       Column("balance", numeric: true), Column("by"), Column("detail"), Column("transaction", mono: true)]
        return page(title: "Stock card of \(document.sku) at outlet \(document.outletId)",
                    meta: [period(document.from, document.to), "Outlet \(document.outletId), SKU \(document.sku)."],
                    covers: document.covers, sections: [
                        section("Balances", [pairs([("Opening balance", "\(document.opening)", ""), ("Closing balance", "\(document.closing)", "")],
                                                   columns: ["", "units", ""])]),
                        section("Movements", [table(columns, document.movements.map {
                            [$0.time, $0.businessDate, $0.kind, "\($0.change)", "\($0.balance)", $0.by, $0.detail, $0.transactionId]
                        })]),
                    ])
    }

    /// Loyalty points that moved in a range, per outlet.
    public static func points(_ document: ReportDocument.Points) -> String {
        let columns = [Column("outlet"), Column("earned", numeric: true), Column("redeemed", numeric: true), Column("reversed by refunds", numeric: true),
                       Column("reversed by voids", numeric: true), Column("returned by voids", numeric: true), Column("adjusted up", numeric: true),
                       Column("adjusted down", numeric: true), Column("claims", numeric: true), Column("claimed points", numeric: true),
                       Column("settlements", numeric: true), Column("settled points", numeric: true)]
        func row(_ figures: ReportDocument.PointsFigures) -> [String] {
            [figures.key, "\(figures.earned)", "\(figures.redeemed)", "\(figures.reversedByRefunds)", "\(figures.reversedByVoids)",
             "\(figures.returnedByVoids)", "\(figures.adjustedUp)", "\(figures.adjustedDown)", "\(figures.claimsCount)",
             "\(figures.claimedPoints)", "\(figures.settlementsCount)", "\(figures.settledPoints)"]
        }
        return page(title: "Loyalty points moved \(document.from) to \(document.to)",
                    meta: [period(document.from, document.to), outlets(document.outlets)],
                    covers: document.covers, sections: [section("By outlet", [table(columns, document.byOutlet.map(row), foot: [row(document.totals)])])])
    }

    /// Exceptions for loss prevention.
    public static func exceptions(_ document: ReportDocument.Exceptions) -> String {
        let thresholds = document.thresholds
        let columns = [Column("time (Singapore)"), Column("business date"), Column("kind"), Column("outlet", numeric: true), Column("till"),
                       Column("amount", numeric: true), Column("detail"), Column("transaction", mono: true)]
        return page(title: "Exceptions \(document.from) to \(document.to)",
                    meta: [period(document.from, document.to), outlets(document.outlets),
                           "Thresholds: a discount of at least \(thresholds.discountPercent) % of the subtotal; more than \(thresholds.memberSalesPerDay) sales a day by one member; a cash variance of at least \(thresholds.cashVariance)."],
                    covers: document.covers, sections: [
                        section("Counts by kind", [table([Column("kind"), Column("count", numeric: true)],
                                                         document.counts.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })]),
                        section("Refunds by till", [table([Column("outlet/till"), Column("refunds", numeric: true), Column("total", numeric: true)],
                                                          document.refundsByTill.map { [$0.key, "\($0.count)", $0.total] })]),
                        section("Items", [table(columns, document.items.map {
                            [$0.time, $0.businessDate, $0.kind, "\($0.outletId)", $0.till, $0.amount ?? "–", $0.detail, $0.transactionId]
                        })]),
                    ])
    }

    /// The discount each promotion rule gave.
    public static func promotions(_ document: ReportDocument.Promotions) -> String {
        var unreadable: [String] = []
        let chart = barChart("Discount by rule, S$", rows: document.rules.map { ($0.rule, cents($0.discount, $0.rule, &unreadable), $0.discount) },
                             empty: "No discount in the period.")
        return page(title: "Promotions \(document.from) to \(document.to)",
                    meta: [period(document.from, document.to), outlets(document.outlets)],
                    covers: document.covers, sections: [
                        section("By rule", [chart, table([Column("rule"), Column("sales", numeric: true), Column("lines", numeric: true), Column("discount", numeric: true)],
                                                         document.rules.map { [$0.rule, "\($0.sales)", "\($0.lines)", $0.discount] },
                                                         foot: [["total discount", "", "", document.totalDiscount]])]
                            + unreadableNote(unreadable)),
                        section("Not applied (the rule's reason)", [table([Column("rule"), Column("reason"), Column("sales", numeric: true)],
                                                                          document.notApplied.map { [$0.rule, $0.reason, "\($0.sales)"] })]),
                    ])
    }

    /// A Z-report as it was printed at the close.
    public static func z(_ document: ReportDocument.ZReport) -> String {
        page(title: "Z-report \(document.zNumber) of outlet \(document.outletId)",
             meta: ["Business date \(document.businessDate); the day-close is in block \(document.height) of outlet \(document.outletId)'s chain.",
                    "Reprinted exactly as it was printed at the close."],
             covers: nil, sections: [section("Z-report", ["<pre>\(escape(document.text))</pre>\n"])]
                + (document.coveredLate.transactions > 0 ? [lateSection(document.coveredLate)] : []))
    }

    /// What of a report was covered late (docs/REPORTS.md, "Covered late").
    static func lateSection(_ late: ReportDocument.CoveredLate) -> String {
        section("Covered late", [
            note("\(late.transactions) sale(s), refund(s) or void(s) counted here are in blocks stamped more than the genesis's lag threshold before the agreed time of the first checkpoint covering them: their time is the outlet's word alone (it was cut off, or its clock stood still or went back). They add \(late.amount) to the takings and \(late.gst) to the output tax."),
            table([Column("outlet", numeric: true), Column("blocks"), Column("largest lag")],
                  late.blocks.map { ["\($0.outletId)", "\($0.fromHeight)–\($0.toHeight)", "\($0.largestLagMs / 3_600_000) h \($0.largestLagMs / 60_000 % 60) min"] }),
        ])
    }

    /// The open period of an outlet so far (an X-report).
    public static func x(_ document: ReportDocument.XReport) -> String {
        page(title: "X-report of outlet \(document.outletId)",
             meta: ["The open period so far: what Z-report \(document.nextZ) will hold. Nothing was closed."],
             covers: nil, sections: [
                 section("Totals", [pairs([("Sales", "\(document.salesCount)", document.salesTotal), ("Refunds", "\(document.refundsCount)", document.refundsTotal),
                                           ("Voids", "\(document.voidsCount)", document.voidsTotal), ("Net sales", "", document.netSales)],
                                          columns: ["", "count", "S$"])]),
                 section("As printed", ["<pre>\(escape(document.text))</pre>\n"]),
             ])
    }

    // MARK: - Page

    static let style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0 auto; padding: 16px; max-width: 200mm; color: #111; background: #fff;
               font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
        h1 { font-size: 16pt; margin: 0 0 4px; }
        h2 { font-size: 12pt; margin: 16px 0 6px; padding-bottom: 2px; border-bottom: 1px solid #999; }
        p { margin: 2px 0; }
        .meta { color: #333; }
        .note { color: #555; font-size: 9pt; }
        table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
        th, td { padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #eee; font-weight: 600; }
        .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tfoot td { font-weight: 600; border-top: 1px solid #777; }
        .mono, table.covers td { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 8pt; word-break: break-all; }
        table.covers { width: auto; }
        figure { margin: 8px 0 14px; }
        figcaption { font-weight: 600; margin-bottom: 4px; }
        svg { display: block; width: 100%; height: auto; }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; font-size: 10px; fill: #222; }
        pre { font: 9pt/1.3 ui-monospace, Menlo, Consolas, "Liberation Mono", monospace; white-space: pre-wrap; }
        footer { margin-top: 16px; padding-top: 4px; border-top: 1px solid #ccc; color: #555; font-size: 8pt; }
        @page { size: A4 portrait; margin: 14mm 12mm 16mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 9pt; }
          h1, h2, figcaption { break-after: avoid; page-break-after: avoid; }
          figure, tr, pre { break-inside: avoid; page-break-inside: avoid; }
          thead { display: table-header-group; }
          tfoot { display: table-footer-group; }
        }

        """

    static func page(title: String, meta: [String], covers: ReportDocument.Covers?, sections: [String]) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>\(escape(title))</title>\n<style>\n\(style)</style>\n</head>\n<body>\n<header>\n<h1>\(escape(title))</h1>\n"
        for line in meta { html += "<p class=\"meta\">\(escape(line))</p>\n" }
        if let covers {
            html += "<p class=\"meta\">Covers the heads it read (one consistent snapshot of each chain):</p>\n"
            html += table([Column("outlet", numeric: true), Column("height", numeric: true), Column("block id")],
                          covers.heads.map { ["\($0.outletId)", "\($0.height)", $0.blockId] }, className: "covers")
        }
        html += "</header>\n<main>\n" + sections.joined() + "</main>\n"
        html += "<footer>SGPOS Ledger, sgpos report: every figure in a table is the report's JSON document, as is; charts are drawn from the same figures.</footer>\n"
        return html + "</body>\n</html>\n"
    }

    static func period(_ from: String, _ to: String) -> String {
        "Business dates \(from) to \(to) (Singapore; a transaction counts on the date of the Z-report that closed it)."
    }

    static func outlets(_ outlets: [UInt32]) -> String {
        outlets.count == 1 ? "Outlet \(outlets[0])." : "Outlets \(outlets.map(String.init).joined(separator: ", "))."
    }

    static func section(_ title: String, _ parts: [String]) -> String {
        "<section>\n<h2>\(escape(title))</h2>\n" + parts.joined() + "</section>\n"
    }

    static func note(_ text: String) -> String { "<p class=\"note\">\(escape(text))</p>\n" }

    static func unreadableNote(_ unreadable: [String]) -> [String] {
        unreadable.isEmpty ? [] : [note("Not money, drawn as 0: " + unreadable.joined(separator: "; "))]
    }

    struct Column {
        var title: String
        var numeric = false
        var mono = false

        init(_ title: String, numeric: Bool = false, mono: Bool = false) {
            self.title = title
            self.numeric = numeric
            self.mono = mono
        }

        var attribute: String { numeric ? " class=\"n\"" : mono ? " class=\"mono\"" : "" }
    }

    /// A table of plain-text cells (escaped here); "None." when there are no rows.
    static func table(_ columns: [Column], _ rows: [[String]], foot: [[String]] = [], className: String? = nil) -> String {
        guard !rows.isEmpty || !foot.isEmpty else { return note("None.") }
        func cells(_ row: [String], _ tag: String) -> String {
            zip(columns, row).map { "<\(tag)\($0.attribute)>\(escape($1))</\(tag)>" }.joined()
        }
        var html = "<table\(className.map { " class=\"\($0)\"" } ?? "")>\n<thead><tr>" + cells(columns.map(\.title), "th") + "</tr></thead>\n"
        if !foot.isEmpty { html += "<tfoot>" + foot.map { "<tr>" + cells($0, "td") + "</tr>" }.joined() + "</tfoot>\n" }
        html += "<tbody>\n" + rows.map { "<tr>" + cells($0, "td") + "</tr>\n" }.joined() + "</tbody>\n</table>\n"
        return html
    }

    /// A table of labelled figures: a label, a count and an amount (either may be empty).
    static func pairs(_ rows: [(String, String, String)], columns: [String]) -> String {
        table([Column(columns[0]), Column(columns[1], numeric: true), Column(columns[2], numeric: true)], rows.map { [$0.0, $0.1, $0.2] })
    }

    /// At most `length` characters of `text`, with "…" when cut (the full text is in the table).
    static func short(_ text: String, _ length: Int = 30) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
