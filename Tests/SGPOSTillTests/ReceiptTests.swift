import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import SGPOSTill
import Testing

@Suite("Till sessions and receipts")
struct ReceiptTests {
    let merchant = Merchant(legalName: "Kopi & Co Pte Ltd", addressLines: ["10 Tampines Central 1 #02-01", "Singapore 529536"],
                            gstRegistrationNumber: "M2-0123456-7")

    /// A shop whose till-1 sells through a ``TillSession`` (not the fixture's own builder).
    func shopAndSession() throws -> (ShopFixture, TillSession) {
        var shop = try ShopFixture()
        try shop.openShift()
        let session = try TillSession.resume(genesis: shop.network.genesis, outlet: 1, key: shop.till, state: shop.state)
        return (shop, session)
    }

    @Test func sessionBuildsSalesTheStateMachineAccepts() throws {
        var (shop, session) = try shopAndSession()
        #expect(session.principal == "till-1" && session.nextSequence == 2)
        let payments: [Payment] = [.cash(tendered: 2_000), .nets(terminalID: "N1", approvalCode: "1", rrn: "1", maskedPAN: "****1234"),
                                   .payNow(payloadHash: Hash256.sha256([1]), billReference: "B1", confirmationSource: "bank")]
        for payment in payments {
            let sale = try session.buildSale([StockLine(sku: "MILK", quantity: 2)], payment: payment, atMs: shop.timeMs, state: shop.state)
            try shop.apply(session.sign(.sale(sale), atMs: shop.timeMs))
        }
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.lastReceiptNumber == 3)
        #expect(throws: LedgerRejection.self) {
            try session.buildSale([StockLine(sku: "MILK", quantity: 1)], payment: .cash(tendered: 100), atMs: shop.timeMs, state: shop.state)
        }
    }

    @Test func retryingTheSameSignedSaleNeverSellsTwice() throws {
        var (shop, session) = try shopAndSession()
        let sale = try session.buildSale([StockLine(sku: "PEN", quantity: 1)], payment: .cash(tendered: nil), atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        #expect(throws: LedgerRejection.self) { try shop.apply(signed) }  // replayed sequence: refused
        #expect(try shop.state.outletBooks(1).period.salesCount == 1)
    }

    @Test func simplifiedInvoiceHasTheIRASParticularsAtBothWidths() throws {
        var (shop, session) = try shopAndSession()
        let sale = try session.buildSale([StockLine(sku: "MILK", quantity: 1), StockLine(sku: "PEN", quantity: 1)],
                                         payment: .cash(tendered: 1_000), atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        let receipt = ReceiptDocument.sale(sale, transaction: signed, height: 7, merchant: merchant, outletName: "Outlet 1", till: "till-1")
        #expect(receipt.kind == .simplifiedTaxInvoice)
        for columns in [42, 48] {
            let text = ReceiptTextRenderer(columns: columns).render(receipt)
            #expect(text.allSatisfy { $0.count <= columns }, "a line is wider than \(columns)")
            let joined = text.joined(separator: "\n")
            for particular in ["Kopi & Co Pte Ltd", "10 Tampines Central 1", "GST Reg No: M2-0123456-7", "SIMPLIFIED TAX INVOICE",
                               "1-till-1-1", "2026-03-02", "MILK", "PEN", "4.64", "Cash rounding", "4.65", "GST 9% included",
                               "Price payable includes GST", "Change", "5.35"] {
                #expect(joined.contains(particular), "\(columns) columns: missing \(particular)\n\(joined)")
            }
        }
        #expect(ReceiptQRPayload(text: receipt.qr.description) == receipt.qr)
        #expect(receipt.qr.transactionID == signed.id && receipt.qr.signature == signed.signature)
        #expect(ReceiptQRPayload(text: "sgpos:1/x/1/2/zz/yy") == nil)
    }

    /// A reward taken for points: the receipt says how many points the reward took (the
    /// sale's rule record), beside the points redeemed and earned.
    @Test func aRewardsPointsAreOnTheReceipt() throws {
        var (shop, session) = try shopAndSession()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 1_000, reason: "welcome")))
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "reward.pen" version 1 {
              let asked = basket.lines.filter(l => l.sku == "PEN")
              require customer.is_member and asked.count() > 0 else skip
              for l in asked { emit line_discount(l.index, l.net, "REWARD-PEN") }
              emit redeem_points(250, "reward.pen")
            }
            """, activeFromMs: 0)))
        session = try TillSession.resume(genesis: shop.network.genesis, outlet: 1, key: shop.till, state: shop.state)
        let sale = try session.buildSale([StockLine(sku: "PEN", quantity: 1), StockLine(sku: "MILK", quantity: 1)], memberID: "M1",
                                         payment: .cash(tendered: nil), atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        let receipt = ReceiptDocument.sale(sale, transaction: signed, height: 9, merchant: merchant, outletName: "Outlet 1", till: "till-1")
        #expect(receipt.rewardPoints == 250)
        let text = ReceiptTextRenderer(columns: 42).render(receipt).joined(separator: "\n")
        #expect(text.contains("Points for rewards") && text.contains("250") && text.contains("reward.pen"), "\(text)")
        #expect(try shop.state.memberAccount("M1")!.balance == 750 + sale.pointsEarned)
    }

    @Test func aboveOneThousandDollarsIsAFullTaxInvoiceAndRefundsGetACreditNote() throws {
        var (shop, session) = try shopAndSession()
        let sale = try session.buildSale([StockLine(sku: "TV55", quantity: 1)],
                                         payment: .card(terminalID: "T1", approvalCode: "A1", rrn: "R1", maskedPAN: "411111******1111", scheme: "visa"),
                                         atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        let receipt = ReceiptDocument.sale(sale, transaction: signed, height: 8, merchant: merchant, outletName: "Outlet 1", till: "till-1")
        let text = ReceiptTextRenderer(columns: 48).render(receipt).joined(separator: "\n")
        #expect(receipt.kind == .taxInvoice)
        for particular in ["TAX INVOICE", "excl. GST", "1191.74", "GST @ 9%", "107.26", "Total incl. GST", "1299.00", "VISA 1111"] {
            #expect(text.contains(particular), "missing \(particular)\n\(text)")
        }
        #expect(!text.contains("4111111"), "never more than the masked PAN")
        let refund = try session.buildRefund(of: signed.id, units: [(0, 1)], reason: "faulty panel", restock: false,
                                             refundTender: .card(terminalID: "T1", approvalCode: "A2", rrn: "R2", maskedPAN: "************1111", scheme: "visa"),
                                             state: shop.state)
        let refundTx = session.sign(.refund(refund), atMs: shop.timeMs)
        try shop.apply(refundTx)
        let note = ReceiptDocument.refund(refund, originalReceiptNumber: sale.receiptNumber, originalTill: "till-1", originalLines: try shop.state.saleRecord(signed.id)!.lines,
                                          transaction: refundTx, height: 9, merchant: merchant, outletName: "Outlet 1", till: "till-1")
        let noteText = ReceiptTextRenderer(columns: 42).render(note).joined(separator: "\n")
        for particular in ["CREDIT NOTE", "CN1-till-1-1", "Original invoice", "1-till-1-1", "faulty panel", "TOTAL CREDITED", "1299.00", "107.26"] {
            #expect(noteText.contains(particular), "missing \(particular)\n\(noteText)")
        }
    }

    /// A re-priced return (docs/POS.md): the credit note shows the returned item's share,
    /// what re-pricing the kept items took, and the total credited. Built by the till
    /// session (the application layer's one refund path) and accepted by the state machine.
    @Test func aRepricedReturnsCreditNoteSaysWhatTheKeptItemsCost() throws {
        var (shop, session) = try shopAndSession()
        try shop.submit(.admin, .configure(RetailSettings(returns: .reprice)))
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "promo.snacks-b2g1" version 1 {
              let units = basket.lines.filter(l => l.category == "snacks").expand(l => l.qty).sort_by(u => u.price)
              let free = div(units.count(), 3, .floor)
              require free > 0 else skip
              for u in units.take(free) { emit line_discount(u.line, u.price, "B2G1") }
            }
            """, activeFromMs: 0)))
        let sale = try session.buildSale([StockLine(sku: "CHIPS", quantity: 3)], payment: .cash(tendered: nil), atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        let refund = try session.buildRefund(of: signed.id, units: [(0, 1)], reason: "one too many", restock: true,
                                             refundTender: .cash(tendered: nil), state: shop.state)
        #expect(refund.amount == 0 && refund.adjustments == [RefundAdjustment(lineIndex: 0, amount: 70, gst: 6)] && refund.tenders.isEmpty)
        let refundTx = session.sign(.refund(refund), atMs: shop.timeMs)
        try shop.apply(refundTx)
        let note = ReceiptDocument.refund(refund, originalReceiptNumber: sale.receiptNumber, originalTill: "till-1",
                                          originalLines: try shop.state.saleRecord(signed.id)!.lines, transaction: refundTx, height: 9,
                                          merchant: merchant, outletName: "Outlet 1", till: "till-1")
        let text = ReceiptTextRenderer(columns: 42).render(note).joined(separator: "\n")
        for particular in ["CREDIT NOTE", "Returned items", "0.70", "Kept CHIPS re-priced", "-0.70", "TOTAL CREDITED"] {
            #expect(text.contains(particular), "missing \(particular)\n\(text)")
        }
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("TOTAL CREDITED") && $0.hasSuffix("0.00") })
    }

    /// A promotion that did not apply prints its rule's reason (the sale's skip reasons).
    @Test func aReceiptSaysWhyAPromotionDidNotApply() throws {
        var (shop, session) = try shopAndSession()
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "promo.dairy-3off" version 1 {
              let dairy = basket.lines.filter(l => l.category == "dairy")
              require dairy.count() > 0 else skip
              require customer.is_member else skip("S$3 off dairy for members: join today and save on every milk")
              for l in dairy.take(1) { emit line_discount(l.index, S$3.00, "DAIRY3") }
            }
            """, activeFromMs: 0)))
        let sale = try session.buildSale([StockLine(sku: "MILK", quantity: 1)], payment: .cash(tendered: nil), atMs: shop.timeMs, state: shop.state)
        let signed = session.sign(.sale(sale), atMs: shop.timeMs)
        try shop.apply(signed)
        let receipt = ReceiptDocument.sale(sale, transaction: signed, height: 8, merchant: merchant, outletName: "Outlet 1", till: "till-1")
        let text = ReceiptTextRenderer(columns: 42).render(receipt)
        #expect(text.allSatisfy { $0.count <= 42 })
        let joined = text.joined(separator: " ")
        #expect(joined.contains("Not applied: S$3 off dairy for members:") && joined.contains("(promo.dairy-3off)"), "\(text.joined(separator: "\n"))")
    }
}

