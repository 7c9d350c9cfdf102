import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import SGPOSExport
import SGPOSReports
import SGPOSStore
import Testing

/// The CSV rendering of the reports (docs/REPORTS.md, "CSV"): RFC 4180 with CR LF and one
/// header line, money as the JSON's strings, text that a spreadsheet would run as a formula
/// disarmed with the audit files' rule (one home: ``CSVField``), and the same bytes from
/// the library, the command line and `GET /v1/reports/{name}?format=csv`.
@Suite struct ReportCSVTests {
    @Test func fieldsAreEscapedAsTheAuditFilesAre() {
        #expect(CSVField.text("plain") == "plain")
        #expect(CSVField.text("a,b") == "\"a,b\"" && CSVField.text("say \"hi\"") == "\"say \"\"hi\"\"\"" && CSVField.text("two\nlines") == "\"two\nlines\"")
        for hostile in ["=SUM(A1)", "+1", "-x", "@cmd", "\tTAB", "\rCR", "'quoted"] {
            #expect(CSVField.text(hostile).hasPrefix("'") || CSVField.text(hostile).hasPrefix("\"'"), "\(hostile)")
        }
        #expect(CSVField.text("=a,b") == "\"'=a,b\"")
        #expect(CSVField.text("Kaya 咖椰") == "Kaya 咖椰")
        // Numbers stay numbers (a spreadsheet sums them); anything else given as a number is text.
        #expect(CSVField.number("-0.05") == "-0.05" && CSVField.number("12.30") == "12.30" && CSVField.number("7") == "7")
        for notNumber in ["-", "1.", ".5", "1.2.3", "=1", "1e3", "", "-1-"] { #expect(!CSVField.isNumber(notNumber), "\(notNumber)") }
        #expect(CSVField.number("=1+1") == "'=1+1")
        // The audit files use the same rule, byte for byte.
        for text in ["=SUM(A1)", "a,b", "x\"y", "-3", "plain", "'", "\r\n"] {
            #expect(AuditCSV.line([.text(text)]) == Array((CSVField.text(text) + "\r\n").utf8), "\(text)")
        }
    }

    @Test func hostileNamesAreDisarmedAndMoneyIsTheJSONs() throws {
        func figures(_ key: String) -> [String: Any] {
            ["key": key, "salesCount": 2, "salesTotal": "10.50", "refundsTotal": "0.00", "voidsTotal": "1.00", "netSales": "-9.50"]
        }
        let json: [String: Any] = [
            "report": "sales", "from": "2026-12-05", "to": "2026-12-05", "outlets": [1],
            "covers": ["heads": [["outletId": 1, "height": 12, "blockId": String(repeating: "ab", count: 32)]]],
            "totals": ["salesCount": 2, "salesTotal": "10.50", "discountTotal": "0.40", "roundingTotal": "-0.02", "refundsCount": 0,
                       "refundsTotal": "0.00", "voidsCount": 1, "voidsTotal": "1.00", "trainingCount": 0, "netSales": "-9.50", "averageBasket": "5.25"],
            "byDay": [figures("2026-12-05")], "byHour": [figures("09")], "byOutlet": [figures("1")],
            "byTill": [figures("=HYPERLINK(\"http://x\")"), figures("till,1")],
            "bySku": [["key": "@SUM(1)", "quantity": -3, "amount": "-6.00", "gst": "-0.50"]],
            "byCategory": [], "byTaxCategory": [], "byTender": [["key": "cash", "amount": "7.50"]], "discountsByRule": [],
        ]
        let document = try JSONDecoder().decode(ReportDocument.Sales.self, from: JSONSerialization.data(withJSONObject: json))
        let csv = ReportCSV.sales(document)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(csv.hasSuffix("\r\n") && !csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CR LF only")
        #expect(lines[0] == "group,key,salesCount,salesTotal,refundsTotal,voidsTotal,netSales,quantity,amount,gst")
        #expect(lines[1] == "total,all,2,10.50,0.00,1.00,-9.50,,,")
        #expect(lines.contains("till,\"'=HYPERLINK(\"\"http://x\"\")\",2,10.50,0.00,1.00,-9.50,,,"))
        #expect(lines.contains("till,\"till,1\",2,10.50,0.00,1.00,-9.50,,,"))
        #expect(lines.contains("sku,'@SUM(1),,,,,,-3,-6.00,-0.50"))
        #expect(lines.contains("tender,cash,,,,,,,7.50,"))
        // Every row has the header's number of fields (no field here holds a quoted comma but the two above).
        for line in lines.dropFirst().dropLast() where !line.contains("\"") { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 10, "\(line)") }
    }

    @Test func demoReportsAsCSVFromTheLibraryTheCLIAndTheAPI() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 2, sales: 6).status == 0)
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let reports = Reports(store: store)
        let everything = try ReportRange(from: "2000-01-01", to: "2999-12-31")
        let summary = try reports.sales(everything)
        let sales = ReportCSV.sales(ReportDocument.sales(summary))
        #expect(sales.hasPrefix("group,key,salesCount,salesTotal,refundsTotal,voidsTotal,netSales,quantity,amount,gst\r\n"))
        let totals = ReportDocument.sales(summary).totals
        #expect(sales.contains("\r\ntotal,all,\(totals.salesCount),\(totals.salesTotal),\(totals.refundsTotal),\(totals.voidsTotal),\(totals.netSales),,,\r\n"))
        let gst = ReportCSV.gst(ReportDocument.gst(try reports.gst(everything)))
        #expect(gst.hasPrefix("group,key,amount,gst,count\r\nbox,1,"))
        let (close, height, late) = try reports.zReport(outlet: 1, number: 1)
        let z = ReportCSV.z(ReportDocument.z(outlet: 1, close: close, height: height, coveredLate: late))
        #expect(z.hasPrefix("outletId,height,zNumber,businessDate,text,coveredLateTransactions,coveredLateAmount,coveredLateGST\r\n1,\(height),1,"))
        #expect(late.transactions == 0, "the demo's blocks all reached a checkpoint within the lag threshold")
        #expect(z.hasSuffix("," + CSVField.text(ZReportText.z(outlet: 1, close: close)) + ",0,0.00,0.00\r\n"), "the Z-report as printed, quoted")

        // The command line prints the library's text.
        let cli = try await CLI.run(["report", "sales", "--data", demo + "/outlet-1", "--from", "2000-01-01", "--to", "2999-12-31", "--format", "csv"])
        #expect(cli.status == 0 && cli.output == sales)
        let cliZ = try await CLI.run(["report", "z", "--data", demo + "/outlet-1", "--outlet", "1", "--number", "1", "--format", "csv"])
        #expect(cliZ.status == 0 && cliZ.output == z)
        // Every report's --format json is its JSON document (the X-report printed its text).
        let cliX = try await CLI.run(["report", "x", "--data", demo + "/outlet-1", "--outlet", "1", "--format", "json"])
        let xDocument = try JSONSerialization.jsonObject(with: Data(cliX.output.utf8)) as? [String: Any]
        #expect(cliX.status == 0 && xDocument?["report"] as? String == "x" && xDocument?["nextZ"] != nil, "\(cliX.output)")

        // The API: text/csv, a file name, the same bytes.
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        func get(_ target: String) async throws -> (status: Int, type: String, disposition: String, text: String) {
            var request = HTTPClientRequest(url: node.client.baseURL + target)
            request.method = .GET
            for (name, value) in RequestSigner(key: node.admin).headers(method: "GET", target: target, body: nil) { request.headers.add(name: name, value: value) }
            let response = try await http.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            return (Int(response.status.code), response.headers.first(name: "content-type") ?? "",
                    response.headers.first(name: "content-disposition") ?? "", text)
        }
        let answer = try await get("/v1/reports/sales?from=2000-01-01&to=2999-12-31&format=csv")
        #expect(answer.status == 200 && answer.type == "text/csv; charset=utf-8", "\(answer.status) \(answer.type)")
        #expect(answer.disposition == "attachment; filename=\"sales-2000-01-01-2999-12-31.csv\"")
        let again = try reports.sales(everything)
        #expect(answer.text == ReportCSV.sales(ReportDocument.sales(again)))
        let zAnswer = try await get("/v1/reports/z?outlet=1&number=1&format=csv")
        #expect(zAnswer.status == 200 && zAnswer.text == z && zAnswer.disposition == "attachment; filename=\"z-o1-1.csv\"")
        let oneDay = try await get("/v1/reports/exceptions?from=2026-12-05&outlet=1&format=csv")
        #expect(oneDay.status == 200 && oneDay.text.hasPrefix("kind,outletId,till,businessDate,time,transactionId,amount,detail\r\n"))
        #expect(oneDay.disposition == "attachment; filename=\"exceptions-o1-2026-12-05.csv\"")
        let wrong = try await get("/v1/reports/sales?format=xlsx")
        #expect(wrong.status == 400 && wrong.text.contains("csv"))
    }
}
