import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSReports
import SGPOSRetail

/// `sgpos report NAME`: the reports of a node's data directory (docs/REPORTS.md), computed
/// by SGPOSReports, the one home of every figure (the API and the back office call it too).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Sales, GST (IRAS F5 boxes), Z-report reprints and X-reports from a node's data directory.",
        discussion: """
            sales  sales, refunds and voids by day, hour, outlet, till, SKU, category, tender and discount rule
            gst    GST for the period as GST F5 boxes 1-7, by rate
            z      reprint Z-report --number of --outlet exactly as it was closed
            x      the open period of --outlet so far (what the next Z-report will hold), without closing
            stock  units on hand per SKU and outlet at list price, negative stock, transfers in transit
            loyalty  points outstanding on --on, their liability, those expiring --within days
            exceptions  voids, refunds by till, no-sale openings, large discounts, cash variances, points adjustments
            promotions  the discount each rule gave, on how many sales and lines
            movements  the stock card of --sku at --outlet: every change with the balance after it
            lot    where --lot of --gtin is: on hand per outlet, in transit, every sale (receipt, member) of it
            points  loyalty points earned, redeemed, taken back, adjusted, claimed and settled in the period
            rebuild  recompute the data directory's report aggregates (DATA/reports) from its chains
            Periods are business dates (Singapore): a sale counts on the date of the Z-report that closed it.
            """)

    @Argument(help: "sales, gst, z, x, stock, loyalty, exceptions, promotions, movements, points or lot; or rebuild.") var name: String
    @Option(help: "Node data directory (every outlet chain it holds).") var data: String
    @Option(help: "First business date, YYYY-MM-DD (sales, gst; default: today in Singapore).") var from: String?
    @Option(help: "Last business date, YYYY-MM-DD (sales, gst; default: --from).") var to: String?
    @Option(help: "Only this outlet (sales, gst); the outlet (z, x).") var outlet: UInt32?
    @Option(help: "The Z-report number (z).") var number: UInt64?
    @Option(help: "The SKU (movements).") var sku: String?
    @Option(help: "The product's GTIN, 14 digits (lot).") var gtin: String?
    @Option(help: "The lot or batch number (lot).") var lot: String?
    @Option(help: "The day points are counted on, YYYY-MM-DD (loyalty; default: today in Singapore).") var on: String?
    @Option(help: "Days ahead in which points count as expiring (loyalty).") var within: Int64 = 30
    @Option(help: "A sale's discount that is an exception, in percent of its subtotal (exceptions).") var discountPercent: Int64 = 20
    @Option(help: "More sales than this by one member in one day is an exception (exceptions).") var memberSalesPerDay: Int64 = 10
    @Option(help: "table (default), json, csv (RFC 4180, for a spreadsheet) or html (a page with charts, for a browser to print to PDF).") var format: String = "table"

    func validate() throws {
        guard Reports.names.contains(name) || name == "rebuild" else {
            throw ValidationError("report must be one of \(Reports.names.joined(separator: ", ")) (or rebuild), not \(name)")
        }
        guard ["table", "json", "csv", "html"].contains(format) else { throw ValidationError("--format must be table, json, csv or html") }
        if ["z", "x"].contains(name), outlet == nil { throw ValidationError("report \(name) needs --outlet") }
        if name == "z", number == nil { throw ValidationError("report z needs --number") }
        if name == "movements", sku == nil || outlet == nil { throw ValidationError("report movements needs --sku and --outlet") }
        if name == "lot", gtin == nil || lot == nil { throw ValidationError("report lot needs --gtin and --lot") }
    }

    func run() throws {
        let store = try openStore(data)
        if name == "rebuild" {
            let aggregates = try ReportAggregates.open(dataDirectory: data, create: true)!
            let started = Date()
            let progress = ProgressLine(label: "report rebuild", unit: "blocks")
            let folded = try progress.finishing {
                try aggregates.rebuild(store) { done, total in progress.update(done: done, total: total) }
            }
            print("report aggregates of \(data) rebuilt: \(folded) block(s) folded in \(Int(Date().timeIntervalSince(started) * 1_000)) ms")
            return
        }
        // The sales and GST reports read the node's aggregates when the directory has them.
        let reports = Reports(store: store, aggregates: try ReportAggregates.open(dataDirectory: data, create: false))
        let today = CivilTime.singaporeDate(epochMs: Int64(Date().timeIntervalSince1970 * 1_000)).description
        let start = from ?? today
        do {
            switch name {
            case "sales":
                let summary = try reports.sales(try ReportRange(from: start, to: to ?? start, outlet: outlet))
                print(try ReportFormat.sales(summary, format: format), terminator: "")
            case "gst":
                let range = try ReportRange(from: start, to: to ?? start, outlet: outlet)
                if format == "html" {
                    // With supplies and GST by month when the range spans several.
                    print(try ReportHTML.gst(reports: reports, range: range), terminator: "")
                } else {
                    print(try ReportFormat.gst(try reports.gst(range), format: format), terminator: "")
                }
            case "z":
                let (close, height, late) = try reports.zReport(outlet: outlet!, number: number!)
                let document = ReportDocument.z(outlet: outlet!, close: close, height: height, coveredLate: late)
                if format == "json" {
                    print(try ReportFormat.json(document))
                } else if format == "html" {
                    print(ReportHTML.z(document), terminator: "")
                } else if format == "csv" {
                    print(ReportCSV.z(document), terminator: "")
                } else {
                    // The reprint byte for byte, then what of it was covered late, if anything.
                    print(ZReportText.z(outlet: outlet!, close: close), terminator: "")
                    if late.transactions > 0 { print(ReportDocument.lateLine(document.coveredLate)) }
                }
            case "exceptions":
                let thresholds = ExceptionsReport.Thresholds(discountBasisPoints: discountPercent * 100, memberSalesPerDay: memberSalesPerDay)
                let report = try reports.exceptions(try ReportRange(from: start, to: to ?? start, outlet: outlet), thresholds: thresholds)
                print(try ReportFormat.exceptions(report, format: format), terminator: "")
            case "promotions":
                print(try ReportFormat.promotions(try reports.promotions(try ReportRange(from: start, to: to ?? start, outlet: outlet)), format: format),
                      terminator: "")
            case "points":
                print(try ReportFormat.points(try reports.points(try ReportRange(from: start, to: to ?? start, outlet: outlet)), format: format),
                      terminator: "")
            case "movements":
                let report = try reports.movements(sku: sku!, outlet: outlet!, range: try ReportRange(from: start, to: to ?? start))
                print(try ReportFormat.movements(report, format: format), terminator: "")
            case "lot":
                print(try ReportFormat.lot(try reports.lot(gtin: gtin!, lot: lot!), format: format), terminator: "")
            case "stock":
                print(try ReportFormat.stock(try reports.stock(outlets: outlet.map { [$0] }), format: format), terminator: "")
            case "loyalty":
                guard let day = CivilTime.Date(iso: on ?? today) else { throw CLIError("--on \(on ?? "") is not a date (YYYY-MM-DD)") }
                print(try ReportFormat.loyalty(try reports.loyalty(on: day, withinDays: within, outlets: outlet.map { [$0] }), format: format),
                      terminator: "")
            default:
                let (totals, nextZ) = try reports.xReport(outlet: outlet!)
                let document = ReportDocument.x(outlet: outlet!, nextZ: nextZ, totals: totals)
                if format == "json" {
                    print(try ReportFormat.json(document))
                } else if format == "html" {
                    print(ReportHTML.x(document), terminator: "")
                } else if format == "csv" {
                    print(ReportCSV.x(document), terminator: "")
                } else {
                    print(ZReportText.x(outlet: outlet!, nextZ: nextZ, totals: totals), terminator: "")
                }
            }
        } catch let error as ReportError {
            throw CLIError("report \(name): \(error.message)")
        }
    }
}
