import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// GST tax categories (FORMAT.md §13.2–13.5): only standard-rated lines bear GST, the
/// books keep the other supplies apart, and version 2 of the encodings exists only for
/// what version 1 cannot say.
@Suite("Tax categories")
struct TaxCategoryTests {
    static let prices = ShopFixture.defaultPrices + [
        PriceEntry(sku: "GOLD", category: "metals", unitPrice: 12_900, taxCategory: .exempt),
        PriceEntry(sku: "SHIP", category: "services", unitPrice: 2_500, taxCategory: .zeroRated),
        PriceEntry(sku: "GIVE", category: "donations", unitPrice: 200, taxCategory: .outOfScope),
        PriceEntry(sku: "WINE", category: "liquor", unitPrice: 3_990, priceIncludesGST: false),
        PriceEntry(sku: "SHIPX", category: "services", unitPrice: 1_000, priceIncludesGST: false, taxCategory: .zeroRated),
    ]

    @Test func onlyStandardRatedLinesBearGSTAndTheBooksKeepTheRestApart() throws {
        var shop = try ShopFixture(prices: Self.prices)
        try shop.openShift()
        // Per-invoice: the SR inclusive lines together: 3.65 + 2 × 1.05 = 5.75 → 0.47;
        // the SR exclusive wine 39.90 → 3.59 on top; gold, shipping, donation bear none.
        let (_, sale) = try shop.sell([("MILK", 1), ("GOLD", 1), ("CHIPS", 2), ("SHIP", 1), ("GIVE", 1), ("WINE", 1), ("SHIPX", 1)],
                                      payment: .card)
        #expect(sale.lines.map(\.gst) == [30, 0, 17, 0, 0, 359, 0])
        #expect(sale.lines.map(\.taxCategory) == [.standardRated, .exempt, .standardRated, .zeroRated, .outOfScope, .standardRated, .zeroRated])
        #expect(sale.gst == 406 && sale.total == 575 + 12_900 + 2_500 + 200 + 4_349 + 1_000)
        let period = try shop.state.outletBooks(1).period
        #expect(period.gstByRate == [.init(basisPoints: 900, amount: 575 + 4_349, gst: 406)])
        #expect(period.otherSupplies == [.init(category: .zeroRated, amount: 3_500), .init(category: .exempt, amount: 12_900),
                                         .init(category: .outOfScope, amount: 200)])
        #expect(period.salesTotal == period.gstByRate[0].amount + period.otherSupplies.reduce(0) { $0 + $1.amount })
    }

    @Test func refundsAndVoidsTakeBackEachCategoryAtTheSalesRate() throws {
        var shop = try ShopFixture(prices: Self.prices)
        try shop.openShift()
        let (kept, _) = try shop.sell([("MILK", 1), ("GOLD", 2)], payment: .card)
        let (voided, _) = try shop.sell([("SHIP", 1)], payment: .card)
        try shop.submit(.till, .void(SaleVoid(originalSale: voided.id, reason: "wrong basket")))
        // One of the two gold wafers back: half of 258.00, no GST.
        let refund = try shop.makeRefund(of: kept.id, [(1, 1)])
        #expect(refund.lines == [RefundLine(lineIndex: 1, quantity: 1, amount: 12_900, gst: 0)] && refund.gst == 0)
        try shop.submit(.till, .refund(refund))
        let period = try shop.state.outletBooks(1).period
        #expect(period.gstByRate == [.init(basisPoints: 900, amount: 365, gst: 30)])
        // The void left a zero-rated entry at 0: kept until the day closes.
        #expect(period.otherSupplies == [.init(category: .zeroRated, amount: 0), .init(category: .exempt, amount: 12_900)])
        #expect(try shop.state.saleRecord(kept.id)!.lines.map(\.taxCategory) == [.standardRated, .exempt])
        // The day-close must carry the other supplies; the next period starts without them.
        try shop.closeShift()
        var missing = period
        missing.otherSupplies = []
        expectRejected(.closingMismatch, &shop) { shop in
            try shop.submit(.manager, .dayClose(DayClose(zNumber: 1, businessDate: "2026-03-02", totals: missing)))
        }
        let close = try shop.submit(.manager, .dayClose(DayClose(zNumber: 1, businessDate: "2026-03-02", totals: period)))
        guard case .application(_, let payload) = close.envelope.body else { Issue.record("not an application body"); return }
        #expect(payload.first == 2, "a day-close with other supplies is version 2")
        #expect(try shop.state.outletBooks(1).period.otherSupplies.isEmpty)
        let books = try shop.state.read(.books(outlet: 1))
        #expect(books?.first == 1, "the books return to version 1")
    }

    @Test func aSaleMustRecordTheCategoryOfThePriceList() throws {
        var shop = try ShopFixture(prices: Self.prices)
        try shop.openShift()
        var sale = try shop.makeSale([("GOLD", 1)], payment: .card)
        sale.lines[0].taxCategory = .standardRated
        expectRejected(.priceMismatch, &shop) { shop in try shop.submit(.till, .sale(sale)) }
    }

    @Test func versionTwoOnlyForWhatVersionOneCannotSay() throws {
        // A standard-rated sale is version 1, byte for byte what it was before categories.
        let shop = try ShopFixture(prices: Self.prices)
        let standard = try shop.makeSale([("MILK", 1)], payment: .card)
        #expect(POSBody.sale(standard).payloadBytes.first == 1)
        let mixed = try shop.makeSale([("MILK", 1), ("GOLD", 1)], payment: .card)
        let bytes = POSBody.sale(mixed).payloadBytes
        #expect(bytes.first == 2)
        #expect(try POSBody.decode(type: POSBodyType.sale, payload: bytes) == .sale(mixed))
        // The same sale relabelled version 2 without a non-SR line is not canonical.
        var relabelled = POSBody.sale(standard).payloadBytes
        relabelled[0] = 2
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.sale, payload: relabelled) }
        // An unknown category (5) is a decoding error.
        var unknown = bytes
        let goldLine = unknown.firstIndex(of: UInt8(TaxCategory.exempt.rawValue))!
        #expect(unknown[goldLine] == 3)
        unknown[goldLine] = 5
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.sale, payload: unknown) }
        // Price lists and records likewise.
        #expect(POSBody.setPrices(SetPrices(entries: ShopFixture.defaultPrices)).payloadBytes.first == 1)
        #expect(POSBody.setPrices(SetPrices(entries: Self.prices)).payloadBytes.first == 2)
        let record = PriceRecord(category: "metals", unitPrice: 12_900, priceIncludesGST: true, taxCategory: .exempt, active: true)
        #expect(record.canonicalBytes.first == 2)
        #expect(try PriceRecord(canonicalBytes: record.canonicalBytes) == record)
        var plain = PriceRecord(category: "dairy", unitPrice: 365, priceIncludesGST: true, active: true).canonicalBytes
        #expect(plain.first == 1)
        plain[0] = 2
        plain.insert(1, at: plain.count - 1)  // version 2 holding category 1: not canonical
        #expect(throws: CodecError.self) { try PriceRecord(canonicalBytes: plain) }
    }

    @Test func aCostedStockReceiptIsCheckedAndRoundTrips() throws {
        var shop = try ShopFixture(prices: Self.prices)
        let invoice = SupplierInvoice(supplier: "Dairy Farm (M2-1234567-X)", unitCosts: [219, 63], inputGST: 130)
        let receive = StockReceive(reference: "INV-1", lines: [StockLine(sku: "MILK", quantity: 48), StockLine(sku: "CHIPS", quantity: 40)],
                                   invoice: invoice)
        let bytes = POSBody.stockReceive(receive).payloadBytes
        #expect(bytes.first == 2)
        #expect(try POSBody.decode(type: POSBodyType.stockReceive, payload: bytes) == .stockReceive(receive))
        try shop.submit(.manager, .stockReceive(receive))
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "MILK") == 48)
        var negative = receive
        negative.invoice?.unitCosts[1] = -1
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, .stockReceive(negative)) }
        var noSupplier = receive
        noSupplier.invoice?.supplier = ""
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, .stockReceive(noSupplier)) }
        var tooMuchGST = receive
        tooMuchGST.invoice?.inputGST = Money.limitCents + 1
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, .stockReceive(tooMuchGST)) }
    }
}
