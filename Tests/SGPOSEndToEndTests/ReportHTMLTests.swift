import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSStore
import Testing

/// The HTML rendering of the reports (docs/REPORTS.md, "HTML"): well-formed, self-contained
/// pages (no script, no event handler, no external reference), a chart per chart, every
/// total of the JSON document as it gives it, and text from the chain escaped.
@Suite struct ReportHTMLTests {
    @Test func escapingTurnsHostileTextIntoText() {
        #expect(ReportHTML.escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(ReportHTML.escape("\" onload=\"x") == "&quot; onload=&quot;x")
        #expect(ReportHTML.escape("' onmouseover='y' a&b") == "&#39; onmouseover=&#39;y&#39; a&amp;b")
        #expect(ReportHTML.escape("&amp;") == "&amp;amp;", "an entity in the data is shown, not decoded")
        #expect(ReportHTML.escape("kopi\u{0}\u{1B}[31m\u{85}\ttea\n") == "kopi\u{FFFD}\u{FFFD}[31m\u{FFFD}\ttea\n")
        #expect(ReportHTML.escape("Kaya 咖椰 — ½ kg") == "Kaya 咖椰 — ½ kg")
    }

    @Test func integerArithmetic() {
        #expect(ReportHTML.cents("12.30") == 1_230 && ReportHTML.cents("-0.05") == -5 && ReportHTML.cents("7") == 700 && ReportHTML.cents("0.5") == 50)
        #expect(ReportHTML.cents("92233720368547758.07") == Int64.max)
        for bad in ["", "-", "1.234", "1,00", "x", "1e3", ".5", "92233720368547758.08", "--1"] { #expect(ReportHTML.cents(bad) == nil, "\(bad)") }
        #expect(ReportHTML.basisPoints(1, of: 3) == 3_333 && ReportHTML.basisPoints(2, of: 3) == 6_667)
        #expect(ReportHTML.basisPoints(1, of: 20_000) == 1, "half a basis point rounds away from zero")
        #expect(ReportHTML.basisPoints(-1, of: 20_000) == -1 && ReportHTML.basisPoints(5, of: 0) == nil)
        #expect(ReportHTML.basisPoints(Int64.max, of: 1) == nil && ReportHTML.basisPoints(Int64.max, of: Int64.max) == 10_000)
    }

    /// A sales document written by hand with hostile SKU, till, category, tender and rule
    /// names: all escaped, in the tables and in the charts.
    @Test func hostileNamesAreEscaped() throws {
        let script = "<script>alert(1)</script>", attribute = "\" onload=\"x", quote = "' onclick='y"
        func figures(_ key: String) -> [String: Any] {
            ["key": key, "salesCount": 2, "salesTotal": "10.50", "refundsTotal": "0.00", "voidsTotal": "1.00", "netSales": "9.50"]
        }
        func goods(_ key: String, _ amount: String) -> [String: Any] { ["key": key, "quantity": 3, "amount": amount, "gst": "0.87"] }
        let json: [String: Any] = [
            "report": "sales", "from": "2026-10-01", "to": "2026-12-31", "outlets": [1, 2],
            "covers": ["heads": [["outletId": 1, "height": 12, "blockId": String(repeating: "ab", count: 32)]]],
            "totals": ["salesCount": 2, "salesTotal": "10.50", "discountTotal": "0.40", "roundingTotal": "-0.02", "refundsCount": 0,
                       "refundsTotal": "0.00", "voidsCount": 1, "voidsTotal": "1.00", "trainingCount": 4, "netSales": "9.50", "averageBasket": "5.25"],
            "byDay": [figures("2026-10-02")], "byHour": [figures("09"), figures(script)], "byOutlet": [figures("1")],
            "byTill": [figures(attribute), figures(quote)],
            "bySku": [goods(script, "6.00"), goods(attribute, "3.50"), goods("KAYA & <b>", "-1.00")],
            "byCategory": [goods(script, "8.50")], "byTaxCategory": [goods("SR", "8.50"), goods(attribute, "0.00")],
            "byTender": [["key": "cash", "amount": "7.50"], ["key": script, "amount": "2.00"]],
            "discountsByRule": [["key": attribute, "amount": "0.40"]],
        ]
        let document = try JSONDecoder().decode(ReportDocument.Sales.self, from: JSONSerialization.data(withJSONObject: json))
        let html = ReportHTML.sales(document)
        #expect(markupProblems(html).isEmpty, "\(markupProblems(html))")
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains(attribute) && !html.contains(quote))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("&quot; onload=&quot;x")
                && html.contains("&#39; onclick=&#39;y") && html.contains("KAYA &amp; &lt;b&gt;"))
        #expect(occurrences("<svg", html) == 3, "sales by hour, tender mix, top SKUs")
        // The hostile SKU is the top one, in the chart as in the table; the tender mix in basis points of 9.50.
        #expect(html.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</text>"))
        #expect(html.contains("7.50 · 78.95 %") && html.contains("2.00 · 21.05 %"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        for value in totalsFigures(document) { #expect(html.contains("<td class=\"n\">\(value)</td>"), "total \(value)") }
        #expect(html.contains(String(repeating: "ab", count: 32)), "the covered head")
    }

    /// GST by month over 14 months, one with more credited than sold: columns below zero,
    /// month labels turned, and the page says when the months were read at other heads.
    @Test func gstMonthsBelowZeroAndOtherHeads() throws {
        func gst(_ from: String, _ to: String, box1: String, box6: String, height: Int) throws -> ReportDocument.GST {
            let json: [String: Any] = [
                "report": "gst", "from": from, "to": to, "outlets": [1],
                "covers": ["heads": [["outletId": 1, "height": height, "blockId": String(repeating: "cd", count: 32)]]],
                "boxes": ["1": box1, "2": "0.00", "3": "0.00", "4": box1, "5": NSNull(), "6": box6, "7": NSNull()],
                "byRate": [["basisPoints": 900, "supplies": box1, "gst": box6]], "otherSupplies": [],
                "purchases": ["receipts": 0, "value": "0.00", "inputGST": "0.00"],
                "coveredLate": ["transactions": 0, "amount": "0.00", "gst": "0.00", "blocks": []],
            ]
            return try JSONDecoder().decode(ReportDocument.GST.self, from: JSONSerialization.data(withJSONObject: json))
        }
        let months = try (1...14).map { index in
            let (year, month) = index <= 12 ? (2025, index) : (2026, index - 12)
            let first = "\(year)-\(month < 10 ? "0" : "")\(month)-01"
            return try gst(first, first.replacingOccurrences(of: "-01", with: "-28"), box1: index == 5 ? "-120.00" : "\(index * 100).00",
                           box6: index == 5 ? "-10.80" : "\(index * 9).00", height: 40)
        }
        let total = try gst("2025-01-01", "2026-02-28", box1: "10380.00", box6: "934.20", height: 40)
        let page = ReportHTML.gst(total, months: .months(months, sameHeads: true))
        try expectPage(page, charts: 2)
        #expect(page.contains("rotate(-45") && page.contains("fill=\"#c53030\""))
        #expect(page.contains("<td class=\"n\">-120.00</td>") && page.contains("<td class=\"n\">934.20</td>") && !page.contains("The chains grew"))
        #expect(ReportHTML.gst(total, months: .months(months, sameHeads: false)).contains("The chains grew"))
        #expect(ReportHTML.gst(total, months: .tooMany(30)).contains("The period spans 30 months"))
        #expect(!ReportHTML.gst(total, months: .oneMonth).contains("By month"))
    }

    /// Every report of a demo network as a page, from the library, the command line and the API.
    @Test func demoReportsAsPages() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let reports = Reports(store: store)
        let everything = try ReportRange(from: "2000-01-01", to: "2999-12-31")

        // Sales: three charts, every total.
        let summary = try reports.sales(everything)
        let sales = try ReportFormat.sales(summary, format: "html")
        try expectPage(sales, charts: 3)
        for value in totalsFigures(ReportDocument.sales(summary)) { #expect(sales.contains("<td class=\"n\">\(value)</td>"), "sales total \(value)") }
        for head in ReportDocument.sales(summary).covers.heads { #expect(sales.contains(head.blockId)) }

        // GST over two months (the demo sells today): by rate and by month; the months add up.
        let today = CivilTime.singaporeDate(epochMs: Int64(Date().timeIntervalSince1970 * 1_000))
        let first = CivilTime.Date(year: today.month == 1 ? today.year - 1 : today.year, month: today.month == 1 ? 12 : today.month - 1, day: 1)
        let twoMonths = ReportRange(from: first, to: today)
        let (total, months) = try ReportHTML.gstMonths(reports: reports, range: twoMonths)
        guard case .months(let perMonth, let sameHeads) = months else { Issue.record("no months: \(months)"); return }
        #expect(perMonth.count == 2 && sameHeads && perMonth.map(\.from) == [first.description, "\(today.description.prefix(7))-01"])
        for box in [0, 1, 2, 3, 5] {
            let sum = perMonth.reduce(Int64(0)) { $0 + (ReportHTML.cents($1.boxes.values[box] ?? "0.00") ?? 0) }
            #expect(ReportHTML.cents(total.boxes.values[box] ?? "") == sum, "box \(box + 1): the months add up to the period")
        }
        #expect(ReportHTML.cents(total.boxes.values[5] ?? "") ?? 0 > 0, "the demo's sales bear GST")
        let gst = try ReportHTML.gst(reports: reports, range: twoMonths)
        try expectPage(gst, charts: 2)
        for value in total.boxes.values { #expect(gst.contains("<td class=\"n\">\(value ?? "not recorded")</td>"), "box \(value ?? "null")") }
        for rate in total.byRate { #expect(gst.contains("<td class=\"n\">\(rate.supplies)</td>") && gst.contains("<td class=\"n\">\(rate.gst)</td>")) }
        for supply in total.otherSupplies { #expect(gst.contains("<td class=\"n\">\(supply.amount)</td>")) }
        #expect(gst.contains("<td class=\"n\">\(total.purchases.value)</td>") && gst.contains("<td class=\"n\">\(total.purchases.inputGST)</td>"))
        #expect(!gst.contains("The chains grew"))
        // Over a thousand years: by rate only, and the page says why.
        let long = try ReportHTML.gst(reports: reports, range: everything)
        try expectPage(long, charts: 1)
        #expect(long.contains("The period spans 12000 months"))
        #expect(try ReportFormat.gst(reports.gst(twoMonths), format: "html").contains("Figures by month were not computed"))

        // Every other report: a well-formed page with its totals.
        let stock = try reports.stock()
        let stockPage = try ReportFormat.stock(stock, format: "html")
        try expectPage(stockPage, charts: 0)
        let stockTotals = ReportDocument.stock(stock).totals
        #expect(stockPage.contains("<td class=\"n\">\(stockTotals.value)</td>") && stockPage.contains("<td class=\"n\">\(stockTotals.costValue)</td>"))
        let loyalty = ReportDocument.loyalty(try reports.loyalty(on: today, withinDays: 30))
        let loyaltyPage = try ReportFormat.loyalty(try reports.loyalty(on: today, withinDays: 30), format: "html")
        try expectPage(loyaltyPage, charts: 0)
        #expect(loyaltyPage.contains("<td class=\"n\">\(loyalty.totals.liability)</td>"))
        try expectPage(try ReportFormat.points(try reports.points(everything), format: "html"), charts: 0)
        try expectPage(try ReportFormat.exceptions(try reports.exceptions(everything), format: "html"), charts: 0)
        let promotionsReport = try reports.promotions(everything)
        let promotions = try ReportFormat.promotions(promotionsReport, format: "html")
        try expectPage(promotions, charts: ReportDocument.promotions(promotionsReport).rules.isEmpty ? 0 : 1)
        #expect(promotions.contains("<td class=\"n\">\(ReportDocument.promotions(promotionsReport).totalDiscount)</td>"))
        let sku = try #require(stock.items.first { $0.outlet == 1 }?.sku)
        let movements = try ReportFormat.movements(try reports.movements(sku: sku, outlet: 1, range: everything), format: "html")
        try expectPage(movements, charts: 0)
        let (close, height, late) = try reports.zReport(outlet: 1, number: 1)
        let z = ReportHTML.z(ReportDocument.z(outlet: 1, close: close, height: height, coveredLate: late))
        try expectPage(z, charts: 0)
        #expect(z.contains(ReportHTML.escape(ZReportText.z(outlet: 1, close: close))), "the Z-report as printed")
        let (period, nextZ) = try reports.xReport(outlet: 1)
        try expectPage(ReportHTML.x(ReportDocument.x(outlet: 1, nextZ: nextZ, totals: period)), charts: 0)

        // The command line.
        let cli = try await CLI.run(["report", "sales", "--data", demo + "/outlet-1", "--from", "2000-01-01", "--to", "2999-12-31", "--format", "html"])
        #expect(cli.status == 0 && cli.output == sales, "the CLI prints the library's page")
        let cliGST = try await CLI.run(["report", "gst", "--data", demo + "/outlet-1", "--from", first.description, "--to", today.description, "--format", "html"])
        #expect(cliGST.status == 0 && cliGST.output == gst)
        let cliZ = try await CLI.run(["report", "z", "--data", demo + "/outlet-1", "--outlet", "1", "--number", "1", "--format", "html"])
        #expect(cliZ.status == 0 && cliZ.output == z)
        let bad = try await CLI.run(["report", "sales", "--data", demo + "/outlet-1", "--format", "pdf"])
        #expect(bad.status != 0 && bad.error.contains("table, json, csv or html"))

        // The API: text/html, a policy that forbids anything but the inline style.
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        func get(_ target: String) async throws -> (status: Int, type: String, policy: String, text: String) {
            var request = HTTPClientRequest(url: node.client.baseURL + target)
            request.method = .GET
            for (name, value) in RequestSigner(key: node.admin).headers(method: "GET", target: target, body: nil) { request.headers.add(name: name, value: value) }
            let response = try await http.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            return (Int(response.status.code), response.headers.first(name: "content-type") ?? "",
                    response.headers.first(name: "content-security-policy") ?? "", text)
        }
        let page = try await get("/v1/reports/sales?from=2000-01-01&to=2999-12-31&format=html")
        #expect(page.status == 200 && page.type == "text/html; charset=utf-8" && page.policy.hasPrefix("default-src 'none'"), "\(page.status) \(page.type)")
        try expectPage(page.text, charts: 3)
        let asJSON = try await get("/v1/reports/sales?from=2000-01-01&to=2999-12-31&format=json")
        #expect(asJSON.status == 200 && asJSON.type == "application/json" && asJSON.text.hasPrefix("{"))
        let gstPage = try await get("/v1/reports/gst?from=\(first)&to=\(today)&outlet=1&format=html")
        #expect(gstPage.status == 200 && gstPage.type.hasPrefix("text/html"))
        try expectPage(gstPage.text, charts: 2)
        let zPage = try await get("/v1/reports/z?outlet=1&number=1&format=html")
        #expect(zPage.status == 200 && zPage.text == z)
        let wrong = try await get("/v1/reports/sales?format=pdf")
        #expect(wrong.status == 400 && wrong.text.contains("format must be json or html"))
    }

    // MARK: - Helpers

    /// A page as every page must be: well-formed markup, self-contained, `charts` charts.
    /// With `SGPOS_HTML_OUT=DIR` the page is also written there, to look at in a browser.
    func expectPage(_ html: String, charts: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let directory = ProcessInfo.processInfo.environment["SGPOS_HTML_OUT"] {
            let title = html.components(separatedBy: "<title>").dropFirst().first?.components(separatedBy: "</title>").first ?? "page"
            let name = String(title.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }) + "-\(sourceLocation.line).html"
            try html.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">") && html.hasSuffix("</html>\n"), sourceLocation: sourceLocation)
        let problems = markupProblems(html)
        #expect(problems.isEmpty, "\(problems.prefix(5))", sourceLocation: sourceLocation)
        #expect(occurrences("<svg", html) == charts, "charts", sourceLocation: sourceLocation)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("url(") && !html.contains("@import"),
                "no external reference", sourceLocation: sourceLocation)
        #expect(html.contains("@media print") && html.contains("@page"), sourceLocation: sourceLocation)
    }

    /// Every figure of a sales document's totals, as its JSON gives it.
    func totalsFigures(_ document: ReportDocument.Sales) -> [String] {
        let totals = document.totals
        return ["\(totals.salesCount)", totals.salesTotal, totals.discountTotal, totals.roundingTotal, "\(totals.refundsCount)", totals.refundsTotal,
                "\(totals.voidsCount)", totals.voidsTotal, "\(totals.trainingCount)", totals.netSales, totals.averageBasket]
    }

    func occurrences(_ needle: String, _ text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// What is wrong with the markup, for the markup the reports emit: every element closed
    /// in order (void elements and `/>` aside), every attribute value double-quoted and
    /// free of `<`, no raw `>` in text, only the `<!DOCTYPE html>` declaration, no comment,
    /// no script, no event handler attribute, no element or attribute that loads anything.
    func markupProblems(_ html: String) -> [String] {
        let void: Set<String> = ["meta", "br", "hr", "img", "link", "input", "col", "wbr", "source"]
        let forbidden: Set<String> = ["script", "iframe", "object", "embed", "img", "link", "base", "form", "image", "use", "foreignobject", "a"]
        let text = Array(html.unicodeScalars)
        var problems: [String] = []
        var stack: [String] = []
        var index = 0
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < text.count ? text[index + offset] : nil }
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == ":"
        }
        func context() -> String { String(String.UnicodeScalarView(text[max(0, index - 30)..<min(text.count, index + 30)])) }
        let doctype = Array("<!DOCTYPE html>".unicodeScalars)
        while index < text.count {
            if text[index] == ">" { problems.append("raw > in text near \(context())") }
            guard text[index] == "<" else { index += 1; continue }
            if at(1) == "!" {
                if Array(text[index..<min(text.count, index + doctype.count)]) == doctype, index == 0 { index += doctype.count; continue }
                problems.append("declaration or comment near \(context())")
                index += 1
                continue
            }
            index += 1
            let closing = at(0) == "/"
            if closing { index += 1 }
            var name = ""
            while let scalar = at(0), isNameScalar(scalar) { name.unicodeScalars.append(scalar); index += 1 }
            name = name.lowercased()
            guard !name.isEmpty else { problems.append("< that starts no tag near \(context())"); continue }
            if forbidden.contains(name) { problems.append("element \(name)") }
            var selfClosing = false
            tag: while index < text.count {
                while let scalar = at(0), scalar == " " || scalar == "\n" { index += 1 }
                switch at(0) {
                case ">": index += 1; break tag
                case "/" where at(1) == ">": selfClosing = true; index += 2; break tag
                case nil: problems.append("unterminated tag \(name)"); break tag
                default:
                    guard !closing else { problems.append("attribute on a closing tag \(name)"); break tag }
                    var attribute = ""
                    while let scalar = at(0), isNameScalar(scalar) { attribute.unicodeScalars.append(scalar); index += 1 }
                    attribute = attribute.lowercased()
                    guard !attribute.isEmpty, at(0) == "=", at(1) == "\"" else { problems.append("bad attribute in \(name) near \(context())"); break tag }
                    index += 2
                    var value = ""
                    while let scalar = at(0), scalar != "\"" { value.unicodeScalars.append(scalar); index += 1 }
                    index += 1
                    if value.contains("<") { problems.append("< in attribute \(attribute) of \(name)") }
                    if attribute.hasPrefix("on") || ["href", "src", "xlink:href", "srcset", "action", "style"].contains(attribute) {
                        problems.append("attribute \(attribute) on \(name)")
                    }
                }
            }
            if closing {
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes \(stack.last ?? "nothing")") }
            } else if !selfClosing && !void.contains(name) {
                stack.append(name)
                if name == "style" {
                    // Raw text up to </style>.
                    let end = Array("</style>".unicodeScalars)
                    while index < text.count, Array(text[index..<min(text.count, index + end.count)]) != end { index += 1 }
                }
            }
        }
        if !stack.isEmpty { problems.append("not closed: \(stack)") }
        return problems
    }
}
