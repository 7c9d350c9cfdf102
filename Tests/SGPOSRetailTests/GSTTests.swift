import SGPOSRetail
import Testing

@Suite struct GSTTests {
    let engine = PricingEngine(rates: .singapore)

    func line(_ sku: String, _ price: String, qty: Int64 = 1, inclusive: Bool = true, discount: String = "0.00") throws -> BasketLine {
        BasketLine(sku: sku, category: "general", quantity: qty, unitPrice: try Money(decimal: price),
                   priceIncludesGST: inclusive, discounts: discount == "0.00" ? [] : [AppliedDiscount(rule: "test", amount: try Money(decimal: discount))])
    }

    func quote(_ at: String, _ method: GSTMethod, _ lines: [BasketLine]) throws -> Quote {
        try engine.quote(Basket(atEpochMs: try CivilTime.parse(at), method: method, lines: lines))
    }

    @Test func inclusivePricesCarryNineOver109() throws {
        let q = try quote("2026-03-01T10:00:00+08:00", .perLine, [try line("A", "109.00")])
        #expect(q.gst.decimal == "9.00" && q.total.decimal == "109.00" && q.gstBasisPoints == 900)
        // 1.05 × 2 = 2.10; 2.10 × 9/109 = 0.1734 → 0.17
        #expect(try quote("2026-03-01T10:00:00+08:00", .perLine, [try line("A", "1.05", qty: 2)]).gst.decimal == "0.17")
    }

    @Test func theRateFollowsTheSingaporeDate() throws {
        let basket = [try line("A", "108.00")]
        #expect(try quote("2022-12-31T23:59:59+08:00", .perLine, basket).gstBasisPoints == 700)
        #expect(try quote("2023-01-01T00:00:00+08:00", .perLine, basket).gst.decimal == "8.00")
        #expect(try quote("2023-12-31T23:59:59+08:00", .perLine, basket).gstBasisPoints == 800)
        // 16:00 UTC on 31 Dec is midnight in Singapore: the 2024 rate.
        #expect(try quote("2023-12-31T16:00:00Z", .perLine, basket).gstBasisPoints == 900)
        #expect(throws: RetailError.self) { try quote("1990-01-01T00:00:00+08:00", .perLine, basket) }
    }

    @Test func perLineAndPerInvoiceDifferAsIRASDescribes() throws {
        let lines = try (1...3).map { try line("L\($0)", "1.00") }
        // Per line: 1.00 × 9/109 = 0.0826 → 0.08, three times = 0.24.
        #expect(try quote("2026-03-01T10:00:00+08:00", .perLine, lines).gst.decimal == "0.24")
        // Per invoice: 3.00 × 9/109 = 0.2477 → 0.25, allocated 0.09 + 0.08 + 0.08.
        let invoice = try quote("2026-03-01T10:00:00+08:00", .perInvoice, lines)
        #expect(invoice.gst.decimal == "0.25")
        #expect(invoice.lines.map(\.gst.decimal) == ["0.09", "0.08", "0.08"])
    }

    @Test func discountsReduceTheTaxableValue() throws {
        let q = try quote("2026-03-01T10:00:00+08:00", .perLine, [try line("A", "109.00", discount: "10.90")])
        #expect(q.lines[0].net.decimal == "98.10" && q.gst.decimal == "8.10" && q.total.decimal == "98.10")
        #expect(q.subtotal.decimal == "109.00" && q.discount.decimal == "10.90")
    }

    @Test func exclusivePricesAddGSTOnTop() throws {
        let q = try quote("2026-03-01T10:00:00+08:00", .perInvoice, [try line("A", "100.00", inclusive: false), try line("B", "10.90")])
        #expect(q.lines[0].gst.decimal == "9.00" && q.lines[0].total.decimal == "109.00")
        #expect(q.lines[1].gst.decimal == "0.90" && q.total.decimal == "119.90" && q.gst.decimal == "9.90")
    }

    @Test func perInvoiceAllocationAlwaysAddsUpAndStaysNearPerLine() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let lines = try (0..<Int.random(in: 1...40, using: &generator)).map { index in
                try line("S\(index)", Money(cents: Int64.random(in: 0...50_000, using: &generator)).decimal,
                         qty: Int64.random(in: 1...12, using: &generator))
            }
            let invoice = try quote("2026-03-01T10:00:00+08:00", .perInvoice, lines)
            let perLine = try quote("2026-03-01T10:00:00+08:00", .perLine, lines)
            #expect(invoice.lines.reduce(0) { $0 + $1.gst.cents } == invoice.gst.cents)
            #expect(invoice.gst.cents == GSTCalculator.taxIncludedCents(invoice.total.cents, 900))
            #expect(abs(invoice.gst.cents - perLine.gst.cents) <= Int64(lines.count + 1) / 2)
            #expect(invoice.total == perLine.total)
        }
    }

    @Test func refundsMirrorSalesToTheCent() throws {
        for cents in [1, 5, 6, 55, 109, 1_234, 99_999] as [Int64] {
            let sale = try GSTCalculator.taxIncluded(in: Money(cents: cents), basisPoints: 900)
            let refund = try GSTCalculator.taxIncluded(in: Money(cents: -cents), basisPoints: 900)
            #expect(refund.cents == -sale.cents)
        }
    }

    @Test func badBasketsAreRefusedNamingTheLine() throws {
        let at = "2026-03-01T10:00:00+08:00"
        #expect(throws: RetailError.self) { try quote(at, .perLine, []) }
        let cases: [(BasketLine, String)] = [
            (BasketLine(sku: "A", category: "", quantity: 0, unitPrice: .zero), "quantity 0"),
            (BasketLine(sku: "A", category: "", quantity: -2, unitPrice: .zero), "quantity -2"),
            (BasketLine(sku: "A", category: "", quantity: 1, unitPrice: try Money(decimal: "-1.00")), "unit price"),
            (BasketLine(sku: "A", category: "", quantity: 1, unitPrice: try Money(decimal: "2000000.00")), "unit price"),
            (BasketLine(sku: "", category: "", quantity: 1, unitPrice: .zero), "sku"),
            (BasketLine(sku: "A", category: "", quantity: 1, unitPrice: try Money(decimal: "1.00"), discounts: [AppliedDiscount(rule: "r", amount: try Money(decimal: "2.00"))]), "discount"),
        ]
        for (bad, text) in cases {
            #expect { try quote(at, .perLine, [try line("OK", "1.00"), bad]) } throws: {
                let message = ($0 as? RetailError)?.message ?? ""
                return message.contains("line 2") && message.contains(text)
            }
        }
    }
}

extension GSTCalculator {
    static func taxIncludedCents(_ cents: Int64, _ basisPoints: Int64) -> Int64 {
        Rounding.halfAwayFromZero.divide(cents * basisPoints, by: 10_000 + basisPoints)
    }
}
