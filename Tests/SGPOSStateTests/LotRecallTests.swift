import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// Lots and recalls (FORMAT.md §9.8, §13.6): lots received, sold and voided move the lot
/// record; who bought a lot is kept per lot; a recorded recall refuses the lot's sale.
@Suite("Lots and recalls")
struct LotRecallTests {
    static let gtin = "09556001234568"  // 0955600123456 → check digit 8
    static let expiry: Int64 = 21_914  // 2029-12-31

    static func receive(_ shop: inout ShopFixture, lots: [LotEntry], quantity: Int64 = 10) throws {
        try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-1", lines: [StockLine(sku: "MILK", quantity: quantity)], lots: lots)))
    }

    static func sellLots(_ shop: inout ShopFixture, _ quantity: Int64, lots: [LotEntry], member: String = "") throws -> SignedTransaction {
        var sale = try shop.makeSale([("MILK", quantity)], member: member)
        sale.lots = lots
        return try shop.submit(.till, .sale(sale))
    }

    static func recall(_ shop: ShopFixture, lot: String = "A1", serial: UInt64 = 1) -> ProductRecall {
        ProductRecall(chainID: shop.network.genesis.id, serial: serial, gtin: gtin, lot: lot, reason: "listeria", admin: shop.network.admin)
    }

    @Test func aLotIsReceivedSoldAndVoided() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try Self.receive(&shop, lots: [LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "A1", expiryDay: Self.expiry, quantity: 6),
                                       LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "B2", expiryDay: 0, quantity: 4)])
        var expected = LotRecord(sku: "MILK", expiryDay: Self.expiry)
        expected.received = 6
        #expect(try shop.state.lotRecord(gtin: Self.gtin, lot: "A1") == expected)
        // Record bytes: version 1, "MILK", expiry, received 6, in 0, out 0, sold 0.
        #expect(try shop.state.read(.lot(gtin: Self.gtin, lot: "A1")) == [1, 0, 0, 0, 4] + Array("MILK".utf8) + be(Self.expiry) + be(6) + be(0) + be(0) + be(0))
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "MILK") == 10)
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let sale = try Self.sellLots(&shop, 3, lots: [LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "A1", quantity: 2)], member: "M1")
        #expect(try shop.state.lotRecord(gtin: Self.gtin, lot: "A1")?.sold == 2)
        #expect(try shop.state.lotRecord(gtin: Self.gtin, lot: "A1")?.onHand == 4)
        let bought = try shop.state.read(.lotSale(gtin: Self.gtin, lot: "A1", sale: sale.id)).map { try LotSaleRecord(canonicalBytes: $0) }
        #expect(bought == LotSaleRecord(till: "till-1", receiptNumber: 1, memberID: "M1", quantity: 2, atMs: shop.timeMs))
        // The key: table 0x27, GTIN, the lot's length, the lot, the sale id.
        #expect(StateKey.lotSale(gtin: Self.gtin, lot: "A1", sale: sale.id).key == Array(Self.gtin.utf8) + [2] + Array("A1".utf8) + sale.id.bytes)
        #expect(try shop.state.saleLots(sale.id)?.count == 1)
        try shop.submit(.till, .void(SaleVoid(originalSale: sale.id, reason: "wrong item")))
        #expect(try shop.state.lotRecord(gtin: Self.gtin, lot: "A1") == expected, "the void gives the lot back")
        #expect(try shop.state.read(.lotSale(gtin: Self.gtin, lot: "A1", sale: sale.id)) == nil)
        #expect(try shop.state.read(.saleLots(sale.id)) == nil)
    }

    @Test func lotEntriesAreChecked() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        func entry(_ line: UInt32 = 0, gtin: String = Self.gtin, lot: String = "A1", expiry: Int64 = 0, _ quantity: Int64 = 1) -> LotEntry {
            LotEntry(lineIndex: line, gtin: gtin, lot: lot, expiryDay: expiry, quantity: quantity)
        }
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(1)]) }  // no line 1
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(gtin: "09556001234567")]) }  // check digit
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(gtin: "0955600123456")]) }  // 13 digits
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(lot: "A 1")]) }  // a space
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(expiry: LotEntry.expiryDayMax + 1)]) }
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(lot: "A1", 6), entry(lot: "B2", 5)]) }  // 11 > 10
        try Self.receive(&shop, lots: [entry(expiry: Self.expiry, 2)])
        expectRejected(.invalidField, &shop) { shop in try Self.receive(&shop, lots: [entry(expiry: Self.expiry + 1, 1)]) }  // one expiry
        // The lot is MILK's: BREAD may not carry it, in a receipt or a sale.
        expectRejected(.invalidField, &shop) { shop in
            try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-2", lines: [StockLine(sku: "BREAD", quantity: 1)], lots: [entry()])))
        }
        // Out of order is a decoding error: the encoding has one order.
        let body = POSBody.stockReceive(StockReceive(reference: "DO-3", lines: [StockLine(sku: "MILK", quantity: 5)],
                                                     lots: [entry(lot: "B2"), entry(lot: "A1")]))
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.stockReceive, payload: body.payloadBytes) }
        // A version-3 receipt with no lots is a decoding error too.
        var empty = POSBody.stockReceive(StockReceive(reference: "DO-4", lines: [StockLine(sku: "MILK", quantity: 1)])).payloadBytes
        empty[0] = 3
        empty += [0, 0]
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.stockReceive, payload: empty) }
    }

    @Test func aRecordedRecallRefusesTheLot() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try Self.receive(&shop, lots: [LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "A1", quantity: 5),
                                       LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "B2", quantity: 5)])
        let recall = Self.recall(shop)
        let apply = POSBody.applyRecall(ApplyRecall(checkpoint: 7, recall: recall))
        expectRejected(.notAuthorized, &shop) { shop in try shop.submit(.till, apply) }
        try shop.submit(.manager, apply)
        #expect(try shop.state.recallRecord(gtin: Self.gtin, lot: "A1") == RecallRecord(recallID: recall.id, checkpoint: 7, reason: "listeria"))
        expectRejected(.lotAlreadyRecalled, &shop) { shop in
            try shop.submit(.manager, .applyRecall(ApplyRecall(checkpoint: 8, recall: Self.recall(shop, serial: 2))))
        }
        expectRejected(.lotRecalled, &shop) { shop in
            _ = try Self.sellLots(&shop, 1, lots: [LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "A1", quantity: 1)])
        }
        _ = try Self.sellLots(&shop, 1, lots: [LotEntry(lineIndex: 0, gtin: Self.gtin, lot: "B2", quantity: 1)])
        // A recall not signed by a genesis admin, or for another network, is refused (17).
        let forged = ProductRecall(chainID: shop.network.genesis.id, serial: 3, gtin: Self.gtin, lot: "B2", reason: "x", admin: shop.manager)
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, .applyRecall(ApplyRecall(checkpoint: 9, recall: forged))) }
        let elsewhere = ProductRecall(chainID: Hash256.sha256([1]), serial: 3, gtin: Self.gtin, lot: "B2", reason: "x", admin: shop.network.admin)
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, .applyRecall(ApplyRecall(checkpoint: 9, recall: elsewhere))) }
    }

    @Test func aRecallIsSignedAndACheckpointCarriesIt() throws {
        let shop = try ShopFixture()
        let recall = Self.recall(shop)
        #expect(recall.isValid(genesis: shop.network.genesis))
        #expect(try ProductRecall(canonicalBytes: recall.canonicalBytes) == recall)
        #expect(recall.id == Hash256.tagged(.recallID, recall.canonicalBytes))
        var tampered = recall.canonicalBytes
        tampered[tampered.count - 70] ^= 1  // a byte of the reason
        #expect((try? ProductRecall(canonicalBytes: tampered))?.isValid(genesis: shop.network.genesis) != true)
        let record = recall.networkRecord(checkpointHeight: 5)
        #expect(record == be(5) + recall.canonicalBytes)
    }
}

private func be(_ value: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (56 - 8 * $0)) } }
