import Foundation
import SGPOSExport
import SGPOSReports
import Testing

/// Audit files (docs/EXPORT.md, "Audit files"): `sgpos export audit` from the demo
/// network's data, proven by `sgpos audit check-export` with the genesis alone, equal to
/// the reports, the same bytes every time — and every kind of tampering caught.
@Suite(.serialized) struct AuditExportTests {
    @Test func anExportProvesItselfAgreesWithTheReportsAndCatchesTampering() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 15).status == 0)
        let data = demo + "/outlet-1"
        let out = scratch.path + "/export"
        let arguments = ["export", "audit", "--data", data, "--from", "2000-01-01", "--to", "2999-12-31", "--key", demo + "/keys/outlet-1.key"]
        let exported = try await CLI.run(arguments + ["--out", out])
        try #require(exported.status == 0, "\(exported.output)\(exported.error)")
        #expect(exported.output.contains("sales.csv: "))

        func check(_ directory: String) async throws -> CLI.Result {
            try await CLI.run(["audit", "check-export", directory, "--genesis", demo + "/genesis.json"])
        }
        let proven = try await check(out)
        #expect(proven.status == 0, "\(proven.output)\(proven.error)")
        #expect(proven.output.contains("OK export of 2000-01-01 … 2999-12-31 signed by outlet 1"))

        // The CSV files say what the reports say.
        let sales = try table(out + "/sales.csv")
        let real = sales.rows.filter { $0[sales.column("training")] == "false" }
        let report = try await CLI.run(["report", "sales", "--data", data, "--from", "2000-01-01", "--to", "2999-12-31", "--format", "json"])
        try #require(report.status == 0)
        let totals = try #require((try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])?["totals"] as? [String: Any])
        #expect(real.count == totals["salesCount"] as? Int)
        let cents = real.reduce(0) { $0 + Int($1[sales.column("total")])! }
        #expect("\(cents / 100).\(String(format: "%02d", cents % 100))" == totals["salesTotal"] as? String)
        #expect(real.count >= 60)
        let lines = try table(out + "/sale_lines.csv")
        #expect(Set(lines.rows.map { $0[lines.column("tax_category")] }).isSuperset(of: ["SR", "ES", "ZR", "OS"]))
        let checkpoints = try table(out + "/checkpoints.csv")
        #expect(!checkpoints.rows.isEmpty, "the demo's checkpoints are exported")

        // The same chain and range give the same bytes, signature included.
        let again = scratch.path + "/again"
        #expect(try await CLI.run(arguments + ["--out", again]).status == 0)
        for name in try FileManager.default.subpathsOfDirectory(atPath: out).sorted() where !name.hasSuffix("chain") {
            #expect(FileManager.default.contents(atPath: out + "/" + name) == FileManager.default.contents(atPath: again + "/" + name), "\(name)")
        }
        // An export into a directory that is not empty is refused.
        let refused = try await CLI.run(arguments + ["--out", out])
        #expect(refused.status != 0 && refused.error.contains("export error 905"))

        // One digit of one row changed.
        let edited = try copy(out, scratch.path + "/edited")
        try editLine(edited + "/sales.csv", 3)
        var result = try await check(edited)
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL sales.csv line 3 differs from the chain files"))
        #expect(result.output.contains("FAIL sales.csv is "))
        // … and the manifest's hash of it updated to match: the signature no longer holds.
        let rehashed = try copy(edited, scratch.path + "/rehashed")
        var manifest = try JSONDecoder().decode(AuditManifest.self, from: Data(contentsOf: URL(fileURLWithPath: rehashed + "/manifest.json")))
        let digest = try FileDigest.sha256(rehashed + "/sales.csv")
        manifest.files = manifest.files.map { $0.name == "sales.csv" ? .init(name: $0.name, bytes: digest.bytes, sha256: digest.hex, rows: $0.rows) : $0 }
        try Data(try manifest.encoded()).write(to: URL(fileURLWithPath: rehashed + "/manifest.json"))
        result = try await check(rehashed)
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL manifest.sig is not a signature of manifest.json"))
        #expect(result.output.contains("FAIL sales.csv line 3 differs"))
        #expect(!result.output.contains("FAIL sales.csv is "))
        // The manifest's range widened by hand.
        let widened = try copy(out, scratch.path + "/widened")
        let text = try String(contentsOfFile: widened + "/manifest.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"to\" : \"2999-12-31\"", with: "\"to\" : \"2999-12-30\"")
            .write(toFile: widened + "/manifest.json", atomically: true, encoding: .utf8)
        result = try await check(widened)
        #expect(result.status == 1 && result.output.contains("FAIL manifest.sig is not a signature"))
        // A file slipped in.
        let extra = try copy(out, scratch.path + "/extra")
        try Data("note".utf8).write(to: URL(fileURLWithPath: extra + "/chain/notes.txt"))
        result = try await check(extra)
        #expect(result.status == 1 && result.output.contains("FAIL chain/notes.txt is not listed in manifest.json"))
        // A byte of a block changed.
        let forged = try copy(out, scratch.path + "/forged")
        var blocks = try Data(contentsOf: URL(fileURLWithPath: forged + "/chain/outlet-2.blocks"))
        blocks[blocks.count / 2] ^= 0x01
        try blocks.write(to: URL(fileURLWithPath: forged + "/chain/outlet-2.blocks"))
        result = try await check(forged)
        #expect(result.status == 1 && result.output.contains("FAIL chain/outlet-2.blocks is "))
        #expect(result.output.contains("chain/outlet-2.blocks"))
        // Another genesis than the one the inspector trusts.
        let otherGenesis = scratch.path + "/other-genesis.json"
        let genesis = try String(contentsOfFile: demo + "/genesis.json", encoding: .utf8)
        try genesis.replacingOccurrences(of: "\"blockTransactionsMax\" : ", with: "\"blockTransactionsMax\" : 1")
            .write(toFile: otherGenesis, atomically: true, encoding: .utf8)
        result = try await CLI.run(["audit", "check-export", out, "--genesis", otherGenesis])
        #expect(result.status == 1 && result.output.contains("FAIL genesis.json is genesis"))
    }

    @Test func anExportOfPastDatesHoldsNoRowsAndStillProvesItsChains() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 6).status == 0)
        let out = scratch.path + "/export"
        let exported = try await CLI.run(["export", "audit", "--data", demo + "/outlet-2", "--from", "2001-01-01", "--to", "2001-12-31",
                                          "--out", out, "--key", demo + "/keys/outlet-2.key"])
        try #require(exported.status == 0, "\(exported.error)")
        #expect(try table(out + "/transactions.csv").rows.isEmpty)
        let proven = try await CLI.run(["audit", "check-export", out, "--genesis", demo + "/genesis.json"])
        #expect(proven.status == 0, "\(proven.output)")
        // A key that is not a node key of the network signs nothing.
        let refused = try await CLI.run(["export", "audit", "--data", demo + "/outlet-2", "--from", "2001-01-01", "--to", "2001-12-31",
                                         "--out", scratch.path + "/refused", "--key", demo + "/keys/admin-hq-admin.key"])
        #expect(refused.status != 0 && refused.error.contains("is not the node key of any outlet"))
        // ... and leaves nothing behind: the same directory takes the export with the right key.
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/refused/chain"))
        let retried = try await CLI.run(["export", "audit", "--data", demo + "/outlet-2", "--from", "2001-01-01", "--to", "2001-12-31",
                                         "--out", scratch.path + "/refused", "--key", demo + "/keys/outlet-2.key"])
        #expect(retried.status == 0, "\(retried.error)")
    }

    @Test func csvTextIsQuotedAndNeverAFormula() {
        #expect(AuditCSV.line([.int(-5), .text("plain"), .bool(true), .null]) == Array("-5,plain,true,\r\n".utf8))
        #expect(AuditCSV.line([.text("a,b"), .text("say \"hi\""), .text("two\nlines")]) == Array("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n".utf8))
        #expect(AuditCSV.line([.text("=SUM(A1)"), .text("+1"), .text("-x"), .text("@cmd"), .text("'quoted")])
            == Array("'=SUM(A1),'+1,'-x,'@cmd,''quoted\r\n".utf8))
        #expect(AuditCSV.line([.text("=a,b")]) == Array("\"'=a,b\"\r\n".utf8))
    }
}

/// A CSV file's header and rows (the audit files' simple cases: no quoted commas in the columns read).
struct CSVTable {
    let header: [String]
    let rows: [[String]]
    func column(_ name: String) -> Int { header.firstIndex(of: name)! }
}

func table(_ path: String) throws -> CSVTable {
    let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    return CSVTable(header: lines[0].components(separatedBy: ","), rows: lines.dropFirst().map { $0.components(separatedBy: ",") })
}

func copy(_ from: String, _ to: String) throws -> String {
    try FileManager.default.copyItem(atPath: from, toPath: to)
    return to
}

/// Changes the last digit of line `number` (from 1) of a CSV file.
func editLine(_ path: String, _ number: Int) throws {
    var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n")
    var line = Array(lines[number - 1])
    let last = line.lastIndex { $0.isNumber }!
    line[last] = line[last] == "7" ? "8" : "7"
    lines[number - 1] = String(line)
    try lines.joined(separator: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
}

enum FileDigest {
    static func sha256(_ path: String) throws -> (hex: String, bytes: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (String(output.prefix(64)), data.count)
    }
}
