import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

@Suite("Refunds and voids")
struct RefundVoidTests {
    @Test func partialRefundsThenTheLastUnitsTakeWhatIsLeft() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        // 3 × 1.05 = 3.15, GST 0.26 (9/109 × 3.15 = 0.2600…).
        let (tx, sale) = try shop.sell([("CHIPS", 3), ("MILK", 1)])
        let first = try shop.makeRefund(of: tx.id, [(0, 1)])
        #expect(first.amount == 105 && first.gst == 9)  // 0.0867 → 0.09
        try shop.submit(.till, .refund(first))
        let second = try shop.makeRefund(of: tx.id, [(0, 2)])
        #expect(second.amount == 210 && second.gst == sale.lines[0].gst - 9)
        try shop.submit(.till, .refund(second))
        expectRejected(.refundExceedsSale, &shop) { shop in try shop.submit(.till, .refund(try shop.makeRefund(of: tx.id, [(0, 1)]))) }
        expectRejected(.refundExceedsSale, &shop) { shop in
            var bogus = try shop.makeRefund(of: tx.id, [(1, 1)])
            bogus.lines[0].lineIndex = 9
            try shop.submit(.till, .refund(bogus))
        }
        let books = try shop.state.outletBooks(1)
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.lastCreditNoteNumber == 2 && books.period.refundsTotal == 315)
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "CHIPS") == 0, "restocked")
    }

    @Test func refundsCreditGSTAtTheRateOriginallyCharged() throws {
        let rates: [Genesis.GSTRate] = [.init(effectiveFrom: "2023-01-01", basisPoints: 800),
                                        .init(effectiveFrom: "2024-01-01", basisPoints: 900)]
        var shop = try ShopFixture(network: TestNetwork(gstRates: rates), timeMs: 1_703_980_800_000)  // 2023-12-31 08:00 SGT
        try shop.openShift()
        let (tx, sale) = try shop.sell([("TV55", 1)], payment: .card)
        #expect(sale.gstBasisPoints == 800 && sale.gst == 9_622)  // 1299 × 8/108 = 96.22
        shop.timeMs += 2 * 86_400_000  // 2024: the rate is 9 % now
        let refund = try shop.makeRefund(of: tx.id, [(0, 1)], cashBack: false)
        #expect(refund.gstBasisPoints == 800 && refund.gst == 9_622)
        var atNewRate = refund
        atNewRate.gstBasisPoints = 900
        atNewRate.gst = 10_726
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .refund(atNewRate)) }
        try shop.submit(.till, .refund(refund))
        #expect(try shop.state.outletBooks(1).period.gstByRate == [.init(basisPoints: 800, amount: 0, gst: 0)])
    }

    @Test func refundsNeedARealOriginalAndTheirOwnNumbering() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let (tx, _) = try shop.sell([("PEN", 2)])
        var unknown = try shop.makeRefund(of: tx.id, [(0, 1)])
        unknown.originalSale = Hash256.sha256([9])
        expectRejected(.unknownOriginal, &shop) { shop in try shop.submit(.till, .refund(unknown)) }
        var gap = try shop.makeRefund(of: tx.id, [(0, 1)])
        gap.creditNoteNumber = 5
        expectRejected(.numberOutOfSequence, &shop) { shop in try shop.submit(.till, .refund(gap)) }
        var overpaid = try shop.makeRefund(of: tx.id, [(0, 1)])
        overpaid.lines[0].amount += 1
        overpaid.amount += 1
        overpaid.tenders = [.cash(tendered: overpaid.amount, change: 0)]
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .refund(overpaid)) }
        let (training, _) = try shop.sell([("PEN", 1)], training: true)
        expectRejected(.unknownOriginal, &shop) { shop in try shop.submit(.till, .refund(try shop.makeRefund(of: tx.id, [(0, 1)]).with(original: training.id))) }
    }

    @Test func voidUndoesAWholeSaleOnlyInItsShiftAndTill() throws {
        var shop = try ShopFixture()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.openShift()
        try shop.openShift(.till2)
        let before = try shop.state.outletBooks(1).period
        let (tx, sale) = try shop.sell([("RICE5KG", 2)], member: "M1")
        #expect(sale.pointsEarned == 27)
        expectRejected(.voidNotAllowed, &shop) { shop in try shop.submit(.till2, .void(SaleVoid(originalSale: tx.id, reason: "x"))) }
        try shop.submit(.till, .void(SaleVoid(originalSale: tx.id, reason: "customer changed mind")))
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "RICE5KG") == 0)
        #expect(try shop.state.memberAccount("M1")!.balance == 0)
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.expectedCash == 20_000)
        let after = try shop.state.outletBooks(1).period
        #expect(after.voidsCount == 1 && after.voidsTotal == sale.total && after.netSales == before.netSales)
        expectRejected(.voidNotAllowed, &shop) { shop in try shop.submit(.till, .void(SaleVoid(originalSale: tx.id, reason: "again"))) }
        expectRejected(.unknownOriginal, &shop) { shop in
            try shop.submit(.till, .refund(try Refund.placeholder(original: tx.id, number: 1)))
        }
        // Another sale, then the shift closes: too late to void.
        let (late, _) = try shop.sell([("PEN", 1)])
        try shop.closeShift()
        try shop.openShift()
        expectRejected(.voidNotAllowed, &shop) { shop in try shop.submit(.till, .void(SaleVoid(originalSale: late.id, reason: "x"))) }
    }
}

extension Refund {
    func with(original: Hash256) -> Refund {
        var copy = self
        copy.originalSale = original
        return copy
    }

    static func placeholder(original: Hash256, number: UInt64) throws -> Refund {
        Refund(originalSale: original, creditNoteNumber: number, reason: "x", restock: false,
               lines: [RefundLine(lineIndex: 0, quantity: 1, amount: 1, gst: 0)], gstBasisPoints: 900, amount: 1, gst: 0,
               pointsReversed: 0, tenders: [.cash(tendered: 1, change: 0)])
    }
}
