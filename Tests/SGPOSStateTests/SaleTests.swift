import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// Expects `body` to be refused with `reason` and the state to be exactly as before.
func expectRejected(_ reason: LedgerRejection.Reason, _ shop: inout ShopFixture, _ body: (inout ShopFixture) throws -> Void,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let before = shop.state.sortedEntries.map { $0.key.bytes + [0xff] + $0.value }
    do {
        try body(&shop)
        Issue.record("expected rejection \(reason), but it was accepted", sourceLocation: sourceLocation)
    } catch let rejection as LedgerRejection {
        #expect(rejection.reason == reason, "\(rejection)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    #expect(shop.state.sortedEntries.map { $0.key.bytes + [0xff] + $0.value } == before,
            "a rejected transaction changed the state", sourceLocation: sourceLocation)
}

@Suite("Sales")
struct SaleTests {
    @Test func cashSaleMovesStockBooksAndShiftCash() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        // 2 × 1.05 + 3.65 = 5.75, GST 9/109 per line: 0.17 + 0.30.
        let (_, sale) = try shop.sell([("CHIPS", 2), ("MILK", 1)], payment: .cash(tendered: 1_000))
        #expect(sale.total == 575 && sale.gst == 17 + 30 && sale.rounding == 0)
        #expect(sale.tenders == [.cash(tendered: 1_000, change: 425)])
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "CHIPS") == -2)
        let books = try shop.state.outletBooks(1)
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.lastReceiptNumber == 1 && books.period.salesTotal == 575 && books.period.grandTotalSales == 575)
        #expect(books.period.gstByRate == [.init(basisPoints: 900, amount: 575, gst: 47)])
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.expectedCash == 20_000 + 575)
    }

    @Test func cashIsRoundedToFiveCentsAsItsOwnLineCardIsNot() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let (_, cash) = try shop.sell([("MILK", 1), ("PEN", 1)])  // 4.64 → 4.65
        #expect(cash.total == 464 && cash.rounding == 1 && cash.amountPayable == 465)
        let (_, card) = try shop.sell([("MILK", 1), ("PEN", 1)], payment: .card)
        #expect(card.rounding == 0 && card.amountPayable == 464)
        #expect(try shop.state.outletBooks(1).period.roundingTotal == 1)
    }

    @Test func everyTenderKindIsAccepted() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        for payment: ShopFixture.Payment in [.card, .nets, .payNow, .voucher("GV-0001")] {
            try shop.sell([("BREAD", 1)], payment: payment)
        }
        let tenders = try shop.state.outletBooks(1).period.tenders.map(\.kind)
        #expect(tenders == [.nets, .card, .payNow, .voucher])
        expectRejected(.voucherAlreadyRedeemed, &shop) { shop in try shop.sell([("BREAD", 1)], payment: .voucher("GV-0001")) }
    }

    @Test func tamperedFiguresArePricedAgainAndRefused() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let honest = try shop.makeSale([("RICE5KG", 2)])
        var cheaper = honest
        cheaper.lines[0].unitPrice = 990
        expectRejected(.priceMismatch, &shop) { shop in try shop.submit(.till, .sale(cheaper)) }
        var lessGST = honest
        lessGST.lines[0].gst -= 1
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(lessGST)) }
        var discounted = honest
        discounted.lines[0].discounts = [LineDiscount(rule: "made-up", amount: 100)]
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(discounted)) }
        var moreEarned = honest
        moreEarned.pointsEarned = 5
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(moreEarned)) }
        var short = honest
        short.tenders = [.cash(tendered: 2_000, change: 0)]
        expectRejected(.tendersMismatch, &shop) { shop in try shop.submit(.till, .sale(short)) }
        try shop.submit(.till, .sale(honest))
    }

    @Test func receiptNumbersAreGapFree() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        var sale = try shop.makeSale([("PEN", 1)])
        sale.receiptNumber = 2
        expectRejected(.numberOutOfSequence, &shop) { shop in try shop.submit(.till, .sale(sale)) }
        try shop.sell([("PEN", 1)])
        try shop.sell([("PEN", 1)], training: true)
        try shop.sell([("PEN", 1)])
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.lastReceiptNumber == 3)
        // Numbering is per till: a second till starts its own series at 1.
        try shop.openShift(.till2)
        let (_, other) = try shop.sell([("PEN", 1)], by: .till2)
        #expect(other.receiptNumber == 1)
    }

    @Test func trainingSalesAreNumberedButChangeNothingElse() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let (_, sale) = try shop.sell([("TV55", 1)], member: "M1", training: true)
        #expect(sale.pointsEarned == 0)
        let books = try shop.state.outletBooks(1)
        #expect(books.period.salesCount == 0 && books.period.trainingCount == 1 && books.period.grandTotalSales == 0)
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "TV55") == 0)
        #expect(try shop.state.memberAccount("M1")!.balance == 0)
    }

    @Test func badInputIsRefusedAndChangesNothing() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        expectRejected(.unknownSKU, &shop) { shop in try shop.sell([("NOPE", 1)]) }
        expectRejected(.invalidField, &shop) { shop in try shop.sell([("PEN", -1)]) }
        expectRejected(.invalidField, &shop) { shop in try shop.sell([("PEN", 0)]) }
        expectRejected(.invalidField, &shop) { shop in try shop.sell([("PEN", 100_001)]) }
        expectRejected(.unknownMember, &shop) { shop in try shop.sell([("PEN", 1)], member: "GHOST") }
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        expectRejected(.insufficientPoints, &shop) { shop in try shop.sell([("PEN", 1)], member: "M1", redeem: 10) }
        expectRejected(.invalidField, &shop) { shop in
            try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "GOLD", category: "x", unitPrice: Int64.max)])))
        }
        var sale = try shop.makeSale([("PEN", 1)])
        sale.tenders = [.cash(tendered: Int64.max, change: Int64.max - 100)]
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.till, .sale(sale)) }
        sale = try shop.makeSale([("PEN", 1)], payment: .card)
        sale.tenders = [.card(CardPayment(amount: 99, terminalID: "T1", approvalCode: "A", rrn: "1", maskedPAN: "4111111111111111", scheme: "visa"))]
        expectRejected(.invalidTender, &shop) { shop in try shop.submit(.till, .sale(sale)) }
        // Garbage bytes as a sale body.
        expectRejected(.malformed, &shop) { shop in
            try shop.submitChain(.till, .application(type: POSBodyType.sale, payload: [1, 2, 3]))
        }
        expectRejected(.malformed, &shop) { shop in
            try shop.submitChain(.till, .application(type: 0x01ff, payload: []))
        }
    }

    @Test func onlyTillsSellAndOnlyInAnOpenShift() throws {
        var shop = try ShopFixture()
        expectRejected(.shiftNotOpen, &shop) { shop in try shop.sell([("PEN", 1)]) }
        try shop.openShift()
        expectRejected(.notAuthorized, &shop) { shop in try shop.sell([("PEN", 1)], by: .manager) }
        expectRejected(.shiftNotOpen, &shop) { shop in try shop.sell([("PEN", 1)], by: .till2) }
        expectRejected(.shiftAlreadyOpen, &shop) { shop in try shop.openShift() }
    }

    @Test func transactionTimeMustBeNearItsBlock() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let sale = try shop.makeSale([("PEN", 1)])
        let stale = shop.network.transaction(shop.till, sequence: 2, body: POSBody.sale(sale).transactionBody,
                                             timestampMs: TimestampMs(shop.timeMs - 86_400_001))
        expectRejected(.timestampOutOfWindow, &shop) { shop in try shop.apply(stale) }
    }

    @Test func perLineAndPerInvoiceGSTDifferAsIRASAllows() throws {
        // Three lines of 0.99: per line 0.08 each = 0.24; per invoice 9/109 × 2.97 = 0.25.
        var perLine = try ShopFixture(network: TestNetwork(gstMethod: .perLine))
        var perInvoice = try ShopFixture(network: TestNetwork(gstMethod: .perInvoice))
        try perLine.openShift()
        try perInvoice.openShift()
        try perLine.submit(.manager, .setPrices(SetPrices(entries: [
            PriceEntry(sku: "A", category: "x", unitPrice: 99), PriceEntry(sku: "B", category: "x", unitPrice: 99),
            PriceEntry(sku: "C", category: "x", unitPrice: 99)])))
        try perInvoice.submit(.manager, .setPrices(SetPrices(entries: [
            PriceEntry(sku: "A", category: "x", unitPrice: 99), PriceEntry(sku: "B", category: "x", unitPrice: 99),
            PriceEntry(sku: "C", category: "x", unitPrice: 99)])))
        let (_, a) = try perLine.sell([("A", 1), ("B", 1), ("C", 1)])
        let (_, b) = try perInvoice.sell([("A", 1), ("B", 1), ("C", 1)])
        #expect(a.gst == 24 && b.gst == 25)
        #expect(b.lines.map(\.gst).reduce(0, +) == 25)
    }

    @Test func ratesFollowTheDateOfSupply() throws {
        let rates: [Genesis.GSTRate] = [.init(effectiveFrom: "2007-07-01", basisPoints: 700),
                                        .init(effectiveFrom: "2023-01-01", basisPoints: 800),
                                        .init(effectiveFrom: "2024-01-01", basisPoints: 900)]
        // 2023-12-31 23:59 SGT is 8 %, a minute later 9 %.
        let lastMinute: Int64 = 1_704_038_340_000
        var shop = try ShopFixture(network: TestNetwork(gstRates: rates), timeMs: lastMinute)
        try shop.openShift()
        let (_, before) = try shop.sell([("RICE5KG", 1)])
        shop.timeMs += 60_000
        let (_, after) = try shop.sell([("RICE5KG", 1)])
        #expect(before.gstBasisPoints == 800 && before.gst == 103)  // 13.90 × 8/108 = 1.0296
        #expect(after.gstBasisPoints == 900 && after.gst == 115)  // 13.90 × 9/109 = 1.1477
        shop.timeMs = 1_356_998_400_000  // 2013-01-01 SGT: 7 %
        let (_, old) = try shop.sell([("RICE5KG", 1)])
        #expect(old.gstBasisPoints == 700 && old.gst == 91)  // 13.90 × 7/107 = 0.9093
    }

    @Test func bodiesRoundTripAndRefuseTrailingBytes() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let sale = try shop.makeSale([("MILK", 2), ("PEN", 1)], payment: .payNow)
        let bodies: [POSBody] = [
            .sale(sale), .void(SaleVoid(originalSale: Hash256.sha256([1]), reason: "wrong item")),
            .setPrices(SetPrices(entries: ShopFixture.defaultPrices)), .configure(RetailSettings(redemptionIsTender: true)),
            .stockReceive(StockReceive(reference: "DO-1", lines: [StockLine(sku: "PEN", quantity: 5)])),
            .stockAdjust(StockAdjust(sku: "PEN", delta: -2, reason: .damaged, note: "wet")),
            .stockCount(StockCount(lines: [.init(sku: "PEN", counted: 3, expected: 5, variance: -2)])),
            .transferOut(StockTransfer(transferID: TransferID(bytes: Array(repeating: 7, count: 16))!, counterpart: 2,
                                       lines: [StockLine(sku: "PEN", quantity: 1)])),
            .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")), .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: -5, reason: "x")),
            .shiftOpen(ShiftOpen(float: 100)), .cashIn(CashMovement(amount: 5, reason: "coins")),
            .shiftClose(ShiftClose(counted: 1, expected: 2, variance: -1)),
            .dayClose(DayClose(zNumber: 1, businessDate: "2026-03-02", totals: try shop.state.outletBooks(1).period)),
        ]
        for body in bodies {
            let bytes = body.payloadBytes
            #expect(try POSBody.decode(type: body.typeCode, payload: bytes) == body)
            #expect(throws: CodecError.self) { try POSBody.decode(type: body.typeCode, payload: bytes + [0]) }
            #expect(throws: CodecError.self) { try POSBody.decode(type: body.typeCode, payload: Array(bytes.dropLast())) }
            var wrongVersion = bytes
            wrongVersion[0] = 2
            #expect(throws: CodecError.self) { try POSBody.decode(type: body.typeCode, payload: wrongVersion) }
        }
    }
}
