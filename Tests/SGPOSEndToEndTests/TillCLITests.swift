import Foundation
import SGPOSReports
import Testing

/// The till commands against a real ledger, in separate processes: a shift, sales with
/// receipts, a refund with its credit note, a void, bad input, the Z-report, the audit
/// and a customer's receipt check.
@Suite struct TillCLITests {
    @Test func aTillsDayFromShiftOpenToZReport() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        let connection = ["--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key"]
        let till = connection + ["--key", demo + "/keys/outlet-1-till-03.key"]
        let manager = connection + ["--key", demo + "/keys/outlet-1-manager.key"]

        let open = try CLI.run(["till", "shift", "open"] + till + ["--amount", "100.00"])
        #expect(open.status == 0, "\(open.error)")
        let sale = try CLI.run(["till", "sell"] + till + ["--item", "RICE-5KG:2", "--item", "PEN-BLUE:1", "--pay", "cash:50.00"])
        #expect(sale.status == 0, "\(sale.error)")
        #expect(sale.output.contains("SIMPLIFIED TAX INVOICE") && sale.output.contains("28.79") && sale.output.contains("Change"),
                "\(sale.output)")
        let saleID = try #require(sale.output.split(separator: "\n").last { $0.hasPrefix("transaction ") }?.split(separator: " ").last.map(String.init))
        let payload = try #require(qrPayload(sale.output))

        let refund = try CLI.run(["till", "refund"] + till + ["--sale", saleID, "--line", "1:1", "--restock", "--reason", "damaged bag"])
        #expect(refund.status == 0 && refund.output.contains("CREDIT NOTE") && refund.output.contains("13.90"), "\(refund.output)\(refund.error)")
        let again = try CLI.run(["till", "refund"] + till + ["--sale", saleID, "--line", "1:2"])
        #expect(again.status != 0 && again.error.contains("1 of 2 not yet refunded"), "\(again.error)")

        // Bad input is refused with the reason and changes nothing.
        let before = try CLI.run(["chain", "show", "--data", demo + "/outlet-1"]).output
        let unknown = try CLI.run(["till", "sell"] + till + ["--item", "CAVIAR:1"])
        #expect(unknown.status != 0 && unknown.error.contains("CAVIAR"), "\(unknown.error)")
        let negative = try CLI.run(["till", "sell"] + till + ["--item", "PEN-BLUE:-3"])
        #expect(negative.status != 0 && negative.error.contains("quantity -3"), "\(negative.error)")
        let short = try CLI.run(["till", "sell"] + till + ["--item", "PEN-BLUE:1", "--pay", "cash:0.50"])
        #expect(short.status != 0 && short.error.contains("less than"), "\(short.error)")
        let managerSale = try CLI.run(["till", "sell"] + manager + ["--item", "PEN-BLUE:1"])
        #expect(managerSale.status != 0 && managerSale.error.contains("till"), "\(managerSale.error)")
        #expect(try CLI.run(["chain", "show", "--data", demo + "/outlet-1"]).output == before)

        let early = try CLI.run(["till", "day-close"] + manager)
        #expect(early.status != 0 && early.error.contains("still open"), "\(early.error)")
        let close = try CLI.run(["till", "shift", "close"] + till + ["--amount", "114.90"])
        #expect(close.status == 0 && close.output.contains("variance S$0.00"), "\(close.output)\(close.error)")
        let z = try CLI.run(["till", "day-close"] + manager)
        #expect(z.status == 0 && z.output.contains("Z-report 2") && z.output.contains("refunds  1  S$13.90"), "\(z.output)\(z.error)")
        // A reprint from the chain is byte for byte what was printed at the close.
        let reprint = try CLI.run(["report", "z", "--data", demo + "/outlet-1", "--outlet", "1", "--number", "2"])
        #expect(reprint.status == 0 && !reprint.output.isEmpty && z.output.hasSuffix(reprint.output), "\(reprint.output)\(reprint.error)")

        let audit = try CLI.run(["audit", "verify", demo + "/outlet-1", "--genesis", demo + "/genesis.json"])
        #expect(audit.status == 0, "\(audit.output)")
        let check = try CLI.run(["audit", "check-receipt", payload, "--data", demo + "/outlet-1", "--genesis", demo + "/genesis.json"])
        #expect(check.status == 0 && check.output.contains("genuine: sale, receipt"), "\(check.output)\(check.error)")
        var forged = Array(payload)
        forged[forged.count - 1] = forged.last == "0" ? "1" : "0"
        let fake = try CLI.run(["audit", "check-receipt", String(forged), "--data", demo + "/outlet-1", "--genesis", demo + "/genesis.json"])
        #expect(fake.status == 1 && fake.output.contains("NOT GENUINE"), "\(fake.output)\(fake.error)")

        // A key file others can read is refused, naming the fix.
        let keyPath = demo + "/keys/outlet-1-till-03.key"
        #expect(chmod(keyPath, 0o644) == 0)
        let exposed = try CLI.run(["till", "shift", "open"] + till + ["--amount", "100.00"])
        #expect(exposed.status != 0 && exposed.error.contains("mode 644") && exposed.error.contains("chmod 600"), "\(exposed.error)")
        #expect(chmod(keyPath, 0o600) == 0)
    }

    /// The QR payload printed across several receipt lines, joined back.
    /// `till configure` changes only what it is given (setting cash rounding once undid an
    /// earlier point value); `till settings` shows what is in force and which block set it.
    /// Coupons from the command line: a manager issues a batch (the codes printed, only
    /// their hashes on chain), a till sells with one (the shipped NEXT3 rule takes S$3.00
    /// off; the receipt says so), a second use is refused, and a sale of S$30.00 or more
    /// prints the next-order coupon it issued, which the next sale uses.
    @Test func couponsIssuedPrintedAndUsed() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let connection = ["--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key"]
        let till = connection + ["--key", demo + "/keys/outlet-1-till-03.key"]
        let manager = connection + ["--key", demo + "/keys/outlet-1-manager.key"]
        let issue = try CLI.run(["till", "coupons"] + manager + ["--campaign", "NEXT3", "--count", "2", "--valid-from", "2000-01-01",
                                                                 "--valid-until", "2999-12-31"])
        #expect(issue.status == 0, "\(issue.error)")
        let codes = issue.output.split(separator: "\n").dropFirst().map(String.init)
        #expect(codes.count == 2 && codes.allSatisfy { $0.count == 14 }, "\(issue.output)")
        #expect(try CLI.run(["till", "shift", "open"] + till + ["--amount", "100.00"]).status == 0)
        let used = try CLI.run(["till", "sell"] + till + ["--item", "KAYA-JAR:1", "--code", codes[0]])
        #expect(used.status == 0 && used.output.contains("Coupon used") && used.output.contains(codes[0]) && used.output.contains("2.45"),
                "\(used.output)\(used.error)")
        let again = try CLI.run(["till", "sell"] + till + ["--item", "KAYA-JAR:1", "--code", codes[0]])
        #expect(again.status != 0 && again.error.contains("was used already"), "\(again.error)")
        let big = try CLI.run(["till", "sell"] + till + ["--item", "RICE-5KG:3"])
        #expect(big.status == 0 && big.output.contains("Your coupon for next time"), "\(big.output)")
        let lines = big.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let next = try #require(lines.first { $0.count == 13 && $0.hasPrefix("C") && $0.dropFirst().allSatisfy(\.isHexDigit) })
        let reuse = try CLI.run(["till", "sell"] + till + ["--item", "KAYA-JAR:1", "--code", String(next)])
        #expect(reuse.status == 0 && reuse.output.contains("Coupon used"), "\(reuse.output)\(reuse.error)")
    }

    /// Lots from the command line (FORMAT.md §13.6): a manager receives a lot from its GS1
    /// label, a till sells two units by scanning it (the receipt prints the lot), a label of
    /// a lot never received here is refused naming the GTIN, and the lot report lists the
    /// sale with its receipt number.
    @Test func aLotReceivedFromItsLabelIsScannedAtTheTillAndReported() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let connection = ["--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key"]
        let till = connection + ["--key", demo + "/keys/outlet-1-till-03.key"]
        let manager = connection + ["--key", demo + "/keys/outlet-1-manager.key"]
        let label = "(01)09556001234575(17)280131(10)EGG-7"  // GTIN 0955600123457 + check digit 5
        let received = try CLI.run(["till", "stock-receive"] + manager + ["--reference", "DO-EGGS", "--item", "EGGS-10:10",
                                                                          "--lot", "EGGS-10:6:" + label])
        #expect(received.status == 0, "\(received.error)")
        #expect(try CLI.run(["till", "shift", "open"] + till + ["--amount", "100.00"]).status == 0)
        let sold = try CLI.run(["till", "sell"] + till + ["--scan", label, "--scan", label, "--item", "PEN-BLUE:1"])
        #expect(sold.status == 0 && sold.output.contains("EGGS-10") && sold.output.contains("lot EGG-7 x2"), "\(sold.output)\(sold.error)")
        let unknown = try CLI.run(["till", "sell"] + till + ["--scan", "(01)09556001234575(10)EGG-8"])
        #expect(unknown.status != 0 && unknown.error.contains("09556001234575 lot EGG-8 is not known"), "\(unknown.error)")
        let report = try CLI.run(["report", "lot", "--data", demo + "/outlet-1", "--gtin", "09556001234575", "--lot", "EGG-7", "--format", "json"])
        let document = try JSONDecoder().decode(LotReport.self, from: Data(report.output.utf8))
        #expect(document.totals.received == 6 && document.totals.sold == 2 && document.sold.count == 1
                && document.sold[0].till == "till-03" && document.outlets.first?.expiry == "2028-01-31", "\(report.output)")
    }

    @Test func configureChangesOnlyWhatItIsGivenAndSettingsShowIt() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let run = try CLI.demo(demo, outlets: 2, sales: 2)
        #expect(run.status == 0)
        // The demo's summary is the books: sales, refunds, voids and net per outlet, checked
        // by the demo against its Z-reports and open period, and equal to the sales report.
        let summary = run.output.split(separator: "\n").drop { !$0.hasPrefix("== summary") }
        let outletLines = summary.filter { $0.hasPrefix("   outlet ") }
        #expect(outletLines.count == 2 && outletLines.allSatisfy { $0.contains("refunds ") && $0.contains("voids ") && $0.contains("= its books") },
                "\(summary.joined(separator: "\n"))")
        let sales = try CLI.run(["report", "sales", "--data", demo + "/outlet-1", "--from", "2000-01-01", "--to", "2100-12-31", "--format", "json"])
        let totals = (try JSONSerialization.jsonObject(with: Data(sales.output.utf8)) as? [String: Any])?["totals"] as? [String: Any] ?? [:]
        let network = summary.first { $0.hasPrefix("   network ") }.map(String.init) ?? ""
        #expect(network.contains("sales \(totals["salesCount"] as? Int ?? -1) S$\(totals["salesTotal"] as? String ?? "?")")
                && network.contains("net S$\(totals["netSales"] as? String ?? "?")"), "\(network) vs \(totals)")
        #expect(run.output.contains("qr payload on one line (sgpos audit check-receipt takes it): sgpos:1/"))
        let admin = ["--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key", "--key", demo + "/keys/admin-hq-admin.key"]
        func settings() throws -> [String: Any] {
            let shown = try CLI.run(["till", "settings", "--data", demo + "/outlet-1", "--json"])
            #expect(shown.status == 0, "\(shown.error)")
            return try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any] ?? [:]
        }
        let first = try CLI.run(["till", "configure"] + admin + ["--point-value-cents", "2"])
        #expect(first.status == 0, "\(first.error)")
        let second = try CLI.run(["till", "configure"] + admin + ["--cash-rounding", "off"])
        #expect(second.status == 0 && second.output.contains("point value 2 cent(s)"), "\(second.output)\(second.error)")
        let now = try settings()
        #expect(now["pointValueCents"] as? Int == 2 && now["cashRounding"] as? Bool == false && now["isDefault"] as? Bool == false, "\(now)")
        let height = try #require(Int(second.output.split(separator: "\n")[0].split(separator: " ").last ?? ""))
        let setAt = now["setAt"] as? [String: Any]
        #expect(setAt?["height"] as? Int == height && setAt?["signer"] as? String == "hq-admin", "\(now)")
        let text = try CLI.run(["till", "settings", "--data", demo + "/outlet-1"])
        #expect(text.output.contains("set in block \(height)") && text.output.contains("cash rounding        off"), "\(text.output)")
        #expect(try CLI.run(["till", "configure"] + admin).error.contains("give at least one setting"))
        // Outlet 2's chain was never configured: the defaults, said so.
        let other = try CLI.run(["till", "settings", "--data", demo + "/outlet-1", "--outlet", "2"])
        #expect(other.output.contains("the defaults: never configured") || other.output.contains("set in block"), "\(other.output)")
    }

    /// The receipt's QR payload: the one-line `qr …` after the receipt, checked equal to the
    /// payload as the receipt prints it (wrapped to the paper's width).
    func qrPayload(_ receipt: String) -> String? {
        let lines = receipt.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("sgpos:1/") }),
              let oneLine = lines.first(where: { $0.hasPrefix("qr sgpos:1/") }).map({ String($0.dropFirst(3)) }) else { return nil }
        #expect(lines[start...].prefix { !$0.hasPrefix("transaction ") }.joined() == oneLine, "the one-line payload is the printed one")
        return oneLine
    }
}

/// Same input, same bytes: a seeded retail day applied in two separate processes gives
/// the same write sets and state roots, block by block.
@Suite struct DeterminismTests {
    @Test(arguments: [1, 2] as [UInt64])
    func aSeededRetailDayGivesTheSameStateRootsInTwoProcesses(seed: UInt64) throws {
        let arguments = ["debug", "pos-replay", "--seed", "\(seed)", "--sales", "150", "--block-size", "20"]
        let first = try CLI.run(arguments)
        let second = try CLI.run(arguments)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output == second.output)
        #expect(first.output.split(separator: "\n").filter { $0.hasPrefix("block ") }.count == 2 + 8)
        let other = try CLI.run(["debug", "pos-replay", "--seed", "\(seed + 10)", "--sales", "150", "--block-size", "20"])
        #expect(other.output != first.output, "a different seed must give a different day")
    }
}

/// A till that times out and retries with the same idempotency id gets the first sale's
/// receipt back; no second sale is written.
@Suite struct TillRetryTests {
    @Test func retryingWithTheSameIdempotencyIDNeverSellsTwice() throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try CLI.demo(demo, outlets: 2, sales: 8).status == 0)
        let till = ["--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key", "--key", demo + "/keys/outlet-1-till-03.key"]
        #expect(try CLI.run(["till", "shift", "open"] + till + ["--amount", "50.00"]).status == 0)
        let id = ["--idempotency-id", "00112233445566778899aabbccddeeff"]
        let first = try CLI.run(["till", "sell"] + till + id + ["--item", "MILK-1L:1"])
        let retry = try CLI.run(["till", "sell"] + till + id + ["--item", "MILK-1L:1"])
        #expect(first.status == 0 && retry.status == 0, "\(first.error)\(retry.error)")
        #expect(retry.error.contains("already committed"))
        #expect(first.output == retry.output, "the retry prints the first receipt")
        let close = try CLI.run(["till", "shift", "close"] + till + ["--amount", "53.65"])
        #expect(close.output.contains("variance S$0.00"), "one sale of 3.65 in the drawer: \(close.output)\(close.error)")
    }
}

/// The contract CLI: the shipped rules check; the same basket in two processes gives the
/// same bytes; a broken rule is refused with its code, line and column.
@Suite struct ContractCLITests {
    static let basket = """
        {"at": "2026-11-05T10:00:00+08:00", "lines": [
          {"sku": "CHIPS", "category": "snacks", "qty": 2, "unitPrice": "1.99"}, {"sku": "NUTS", "category": "snacks", "qty": 1, "unitPrice": "0.99"},
          {"sku": "MILK", "category": "dairy", "qty": 1, "unitPrice": "3.49"}, {"sku": "TV", "category": "electronics", "qty": 1, "unitPrice": "120.00"}],
         "member": {"id": "M1", "tier": "silver", "lifetimeSpend": "4990.00", "points": 10}}
        """

    @Test func checkRunAndDeterminism() throws {
        let check = try CLI.run(["contract", "check"] + ["loyalty-tiers", "snacks-b2g1", "basket-percent-off", "basket-fixed-off",
                                                        "points-per-dollar", "member-limited"].map { "Contracts/\($0).rules" })
        #expect(check.status == 0 && check.output.split(separator: "\n").count == 6, "\(check.output)")
        let first = try CLI.run(["contract", "run", "Contracts"], input: Self.basket)
        let second = try CLI.run(["contract", "run", "Contracts"], input: Self.basket)
        #expect(first.status == 0 && first.output == second.output, "\(first.error)")
        #expect(first.output.contains("\"B2G1\"") && first.output.contains("\"BASKET10\"") && first.output.contains("\"SAVE5\""))
        // The same rules priced into a quote: discounts on the lines, GST after them, points from the rules.
        let quote = try CLI.run(["quote", "--contracts", "Contracts"],
                                input: Self.basket.replacingOccurrences(of: "\"2026-11-05T10:00:00+08:00\"", with: "\"2026-11-05T10:00:00+08:00\", \"gstMethod\": \"per-invoice\""))
        let priced = try JSONSerialization.jsonObject(with: Data(quote.output.utf8)) as? [String: Any] ?? [:]
        // 128.46 − 0.99 (B2G1) − 3.00 (dairy) = 124.47; − 12.44 (10 %) − 5.00 = 107.03; GST 9/109 = 8.84;
        // points: 107 × 1.2 (silver) = 128, + 2 × 107 bonus = 342; lifetime 4,990 + 107.03 → gold.
        #expect(priced["total"] as? String == "107.03" && priced["discount"] as? String == "21.43", "\(quote.output)\(quote.error)")
        #expect(priced["gst"] as? String == "8.84" && priced["pointsEarned"] as? Int == 342 && priced["tier"] as? String == "silver"
                && priced["tierAfter"] as? String == "gold")
        #expect((priced["appliedRules"] as? [String])?.first == "promo.snacks-b2g1")
        let scratch = Scratch()
        try "rule \"x\" version 1 {\n  let y = 1 + S$1.00\n}".write(toFile: scratch.path + "/bad.rules", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["contract", "check", scratch.path + "/bad.rules"])
        #expect(bad.status == 1 && bad.output.contains("error 2 at 2:"), "\(bad.output)")
    }
}
