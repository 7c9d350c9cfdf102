import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import SGPOSChain
import SGPOSOperations
import SGPOSReports
import SGPOSRetail
import SGPOSStore
import Synchronization

/// `GET /v1/reports/{name}` (docs/API.md, "Reports"; docs/REPORTS.md): the reports of
/// SGPOSReports over this node's store, which holds every outlet's chain. One outlet's
/// reports: its operators, auditors and admins; the whole network's: auditors and admins.
/// Reports run one at a time on their own queue (a report reads many blocks; the
/// cooperative pool must not wait on it), at most ``waitingMax`` waiting (then 503).
extension NodeAPI {
    static let reportWaitingMax = 4
    /// The query parameters each report takes (docs/openapi.json); any other is 400. Every
    /// report also takes `format`: `json` (the default), `html` (ReportHTML: a page to print)
    /// or `csv` (ReportCSV: a download for a spreadsheet).
    static let reportParameters: [String: [String]] = [
        "sales": ["from", "to", "outlet"], "gst": ["from", "to", "outlet"], "z": ["outlet", "number"], "x": ["outlet"],
        "stock": ["outlet"], "loyalty": ["on", "within", "outlet"],
        "exceptions": ["from", "to", "outlet", "discountPercent", "memberSalesPerDay"], "promotions": ["from", "to", "outlet"],
        "movements": ["sku", "outlet", "from", "to"], "points": ["from", "to", "outlet"], "lot": ["gtin", "lot"],
    ].mapValues { $0 + ["format"] }
    /// What an HTML report may load: nothing but its own inline styles (it has no script and
    /// no external resource; this makes sure of it in the browser).
    static let reportPagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    /// The file name a CSV download is saved as: the report, its outlet, what it covers
    /// (`sales-2026-12-05.csv`, `sales-o2-2026-12-01-2026-12-05.csv`, `z-o1-42.csv`).
    /// Only letters, digits, `-`, `_` and `.`: nothing that needs quoting in `Content-Disposition`.
    /// `YYYY-MM-DD` by its characters (docs/openapi.json's pattern for report dates).
    static func isDateShape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (48...57).contains(byte)
        }
    }

    static func csvFilename(_ name: String, outlet: OutletID?, covering: [String]) -> String {
        let stem = ([name] + (outlet.map { ["o\($0)"] } ?? []) + covering).joined(separator: "-")
        let safe = stem.unicodeScalars.prefix(120).map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
                ? Character(scalar) : "_"
        }
        return String(safe) + ".csv"
    }

    func addReportRoutes(to router: RecordingRouter) {
        let runner = ReportRunner(reports: Reports(store: node.store, aggregates: node.reportAggregates), waitingMax: Self.reportWaitingMax)
        router.get("/v1/reports/:name") { request, context in
            let name = try context.parameters.require("name")
            let query = request.uri.queryParameters
            guard Reports.names.contains(name) else {
                return problem(.notFound, "not-found", 0, "no report \"\(name)\"; reports: \(Reports.names.joined(separator: ", "))")
            }
            let allowed = Self.reportParameters[name] ?? []
            for (key, _) in query where !allowed.contains(String(key)) {
                return problem(.badRequest, "malformed", 0, "unknown query parameter \"\(key)\" (report \(name) takes \(allowed.joined(separator: ", ")))")
            }
            let format = query["format"].map(String.init) ?? "json"
            guard ["json", "html", "csv"].contains(format) else { return problem(.badRequest, "malformed", 0, "format must be json or html, or csv") }
            let asHTML = format == "html"
            var outlet: OutletID?
            if let text = query["outlet"] {
                guard let value = OutletID(String(text)) else { return problem(.badRequest, "malformed", 0, "outlet must be an outlet id (0...4294967295)") }
                outlet = value
            }
            var number: UInt64?
            if let text = query["number"] {
                guard let value = UInt64(String(text)), value > 0 else { return problem(.badRequest, "malformed", 0, "number must be a Z-report number (1 or more)") }
                number = value
            }
            if ["z", "x"].contains(name), outlet == nil { return problem(.badRequest, "malformed", 0, "report \(name) needs outlet") }
            if name == "z", number == nil { return problem(.badRequest, "malformed", 0, "report z needs number") }
            let sku = query["sku"].map(String.init)
            if name == "movements" {
                guard outlet != nil, let sku else { return problem(.badRequest, "malformed", 0, "report movements needs sku and outlet") }
                try RequestLimits.sku(sku)
            }
            let lotGTIN = query["gtin"].map(String.init)
            let lotNumber = query["lot"].map(String.init)
            if name == "lot" {
                guard let lotGTIN, let lotNumber else { return problem(.badRequest, "malformed", 0, "report lot needs gtin and lot") }
                guard lotGTIN.utf8.count == ProductRecall.gtinBytes, lotGTIN.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    return problem(.badRequest, "malformed", 0, "gtin must be 14 digits")
                }
                // The schema cannot state a check digit: a wrong one is refused as a value (422).
                guard ProductRecall.isValidGTIN(lotGTIN) else { return problem(.unprocessableContent, "rejected", 17, "gtin \(lotGTIN) fails its GS1 check digit") }
                guard ProductRecall.isValidLot(lotNumber) else { return problem(.badRequest, "malformed", 0, "lot must be 1-20 bytes of 0x21-0x7E") }
            }
            var within: Int64 = 30
            if let text = query["within"] {
                guard let value = Int64(String(text)), (1...3_660).contains(value) else {
                    return problem(.badRequest, "malformed", 0, "within must be 1...3660 days")
                }
                within = value
            }
            // A date not of the schema's form YYYY-MM-DD is malformed (400); one of that form
            // that does not exist (2026-02-30) is refused below (422).
            for name: Substring in ["from", "to", "on"] {
                if let text = query[name], !Self.isDateShape(String(text)) {
                    return problem(.badRequest, "malformed", 0, "\(name) must be a business date YYYY-MM-DD")
                }
            }
            try self.auth.authorize(request, body: nil, outlet.map { .outletManager($0) } ?? .auditor)
            let today = CivilTime.singaporeDate(epochMs: Int64(wallClockMs())).description
            let from = query["from"].map(String.init) ?? today
            let to = query["to"].map(String.init) ?? from
            let on = query["on"].map(String.init) ?? today
            var thresholds = ExceptionsReport.Thresholds()
            if let text = query["discountPercent"] {
                guard let value = Int64(String(text)), (1...100).contains(value) else { return problem(.badRequest, "malformed", 0, "discountPercent must be 1...100") }
                thresholds.discountBasisPoints = value * 100
            }
            if let text = query["memberSalesPerDay"] {
                guard let value = Int64(String(text)), (1...10_000).contains(value) else { return problem(.badRequest, "malformed", 0, "memberSalesPerDay must be 1...10000") }
                thresholds.memberSalesPerDay = value
            }
            let limits = thresholds
            let (only, zNumber, days, item) = (outlet, number, within, sku ?? "")
            do {
                let document = try await runner.run { reports -> String in
                    let (outlet, number) = (only, zNumber)
                    /// The document as JSON, as its HTML page or as CSV.
                    func answer<Document: Encodable>(_ document: Document, _ page: (Document) -> String, _ csv: (Document) -> String) throws -> String {
                        switch format {
                        case "html": page(document)
                        case "csv": csv(document)
                        default: try ReportFormat.json(document)
                        }
                    }
                    switch name {
                    case "points":
                        return try answer(ReportDocument.points(try reports.points(try ReportRange(from: from, to: to, outlet: outlet))), ReportHTML.points, ReportCSV.points)
                    case "movements":
                        return try answer(ReportDocument.movements(try reports.movements(sku: item, outlet: outlet!, range: try ReportRange(from: from, to: to))),
                                          ReportHTML.movements, ReportCSV.movements)
                    case "exceptions":
                        return try answer(ReportDocument.exceptions(try reports.exceptions(try ReportRange(from: from, to: to, outlet: outlet), thresholds: limits)),
                                          ReportHTML.exceptions, ReportCSV.exceptions)
                    case "promotions":
                        return try answer(ReportDocument.promotions(try reports.promotions(try ReportRange(from: from, to: to, outlet: outlet))), ReportHTML.promotions, ReportCSV.promotions)
                    case "lot":
                        return try answer(try reports.lot(gtin: lotGTIN ?? "", lot: lotNumber ?? ""), ReportHTML.lot, ReportCSV.lot)
                    case "stock": return try answer(ReportDocument.stock(try reports.stock(outlets: outlet.map { [$0] })), ReportHTML.stock, ReportCSV.stock)
                    case "loyalty":
                        guard let day = CivilTime.Date(iso: on) else { throw ReportError.notADate("on", on) }
                        return try answer(ReportDocument.loyalty(try reports.loyalty(on: day, withinDays: days, outlets: outlet.map { [$0] })), ReportHTML.loyalty, ReportCSV.loyalty)
                    case "sales": return try answer(ReportDocument.sales(try reports.sales(try ReportRange(from: from, to: to, outlet: outlet))), ReportHTML.sales, ReportCSV.sales)
                    case "gst":
                        let range = try ReportRange(from: from, to: to, outlet: outlet)
                        // The page adds supplies and GST by month when the range spans several.
                        if asHTML { return try ReportHTML.gst(reports: reports, range: range) }
                        return try answer(ReportDocument.gst(try reports.gst(range)), { _ in "" }, ReportCSV.gst)
                    case "z":
                        let (close, height, late) = try reports.zReport(outlet: outlet!, number: number!)
                        return try answer(ReportDocument.z(outlet: outlet!, close: close, height: height, coveredLate: late), ReportHTML.z, ReportCSV.z)
                    default:
                        let (totals, nextZ) = try reports.xReport(outlet: outlet!)
                        return try answer(ReportDocument.x(outlet: outlet!, nextZ: nextZ, totals: totals), ReportHTML.x, ReportCSV.x)
                    }
                }
                var headers: HTTPFields = [.contentType: ["html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"][format] ?? "application/json"]
                if asHTML { headers[HTTPField.Name("Content-Security-Policy")!] = Self.reportPagePolicy }
                if format == "csv" {
                    let covering: [String]
                    switch name {
                    case "z": covering = [String(zNumber ?? 0)]
                    case "x", "stock": covering = []
                    case "lot": covering = [lotGTIN ?? "", lotNumber ?? ""]
                    case "loyalty": covering = [on]
                    case "movements": covering = [item, from == to ? from : "\(from)-\(to)"]
                    default: covering = [from == to ? from : "\(from)-\(to)"]
                    }
                    headers[HTTPField.Name("Content-Disposition")!] = "attachment; filename=\"\(Self.csvFilename(name, outlet: only, covering: covering))\""
                }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
            } catch let error as ReportError {
                if error.isNotFound { return problem(.notFound, "not-found", error.code, error.message) }
                if error.isStoreFailure { throw error }
                // A date that does not exist (2026-02-30) or from after to: well-formed, refused (422).
                return problem(.unprocessableContent, "rejected", error.code, error.message)
            } catch is ReportRunner.Busy {
                return problem(.serviceUnavailable, "overloaded", 0, "\(Self.reportWaitingMax) reports are already waiting; try again")
            }
        }
    }
}

/// Runs reports one at a time on a queue of their own; refuses when too many wait.
final class ReportRunner: Sendable {
    struct Busy: Error {}
    private let reports: Reports
    private let queue = DispatchQueue(label: "sgpos.node.reports")
    private let waiting = Mutex(0)
    private let waitingMax: Int

    init(reports: Reports, waitingMax: Int) {
        self.reports = reports
        self.waitingMax = waitingMax
    }

    /// Reports admitted and not finished (running or waiting for the queue).
    var admitted: Int { waiting.withLock { $0 } }

    func run<T: Sendable>(_ work: @escaping @Sendable (Reports) throws -> T) async throws -> T {
        let admitted = waiting.withLock { count -> Bool in
            guard count < waitingMax else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Busy() }
        defer { waiting.withLock { $0 -= 1 } }
        let reports = self.reports
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work(reports) }) }
        }
    }
}
