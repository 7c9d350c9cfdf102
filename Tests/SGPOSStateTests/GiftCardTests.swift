import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// Gift cards and e-wallets (FORMAT.md §13.2 gift-card-load): sold for money into the
/// drawer (cash in, not takings), then a voucher tender paying from the balance until it
/// is spent; refunds and voids put the money back on the card.
@Suite("Gift cards and e-wallets")
struct GiftCardTests {
    static func load(_ shop: inout ShopFixture, _ code: String, _ amount: Int64, member: String = "",
                     payment: SGPOSOperations.Payment = .cash(tendered: nil)) throws {
        let builder = SaleBuilder(genesis: shop.network.genesis, outlet: shop.outlet, principal: "till-1")
        try shop.submit(.till, .giftCardLoad(try builder.buildGiftCardLoad(code: code, memberID: member, amount: amount, payment: payment, state: shop.state)))
    }

    @Test func aCardIsLoadedThenSpentInParts() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let drawer = try shop.state.shift(outlet: 1, till: "till-1")!.expectedCash
        try Self.load(&shop, "GC-0001", 5_000)
        #expect(try shop.state.giftCard(code: "GC-0001") == GiftCardRecord(memberID: "", balance: 5_000, loadedTotal: 5_000))
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.expectedCash == drawer + 5_000, "cash in the drawer")
        #expect(try shop.state.outletBooks(1).period.salesTotal == 0, "a load is not a sale")
        // RICE5KG 13.90 paid from the card: 36.10 left; no voucher entry (it pays again).
        let (rice, _) = try shop.sell([("RICE5KG", 1)], payment: .voucher("GC-0001"))
        #expect(try shop.state.giftCard(code: "GC-0001")?.balance == 3_610)
        #expect(try shop.state.read(.voucher("GC-0001")) == nil)
        _ = try shop.sell([("RICE5KG", 2)], payment: .voucher("GC-0001"))
        #expect(try shop.state.giftCard(code: "GC-0001")?.balance == 830)
        expectRejected(.tendersMismatch, &shop) { shop in _ = try shop.sell([("RICE5KG", 1)], payment: .voucher("GC-0001")) }
        // A refund goes back onto the card; so does a void.
        var refund = try shop.makeRefund(of: rice.id, [(0, 1)])
        refund.tenders = [.voucher(id: "GC-0001", amount: refund.amount)]
        try shop.submit(.till, .refund(refund))
        #expect(try shop.state.giftCard(code: "GC-0001")?.balance == 2_220)
        let (milk, _) = try shop.sell([("MILK", 1)], payment: .voucher("GC-0001"))
        try shop.submit(.till, .void(SaleVoid(originalSale: milk.id, reason: "wrong item")))
        #expect(try shop.state.giftCard(code: "GC-0001") == GiftCardRecord(memberID: "", balance: 2_220, loadedTotal: 5_000, redeemedTotal: 2_780))
        // An ordinary voucher still redeems once.
        _ = try shop.sell([("PEN", 1)], payment: .voucher("PAPER-1"))
        expectRejected(.voucherAlreadyRedeemed, &shop) { shop in _ = try shop.sell([("PEN", 1)], payment: .voucher("PAPER-1")) }
    }

    @Test func anEWalletPaysOnlyForItsMember() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M2")))
        try Self.load(&shop, "WALLET-M1", 2_000, member: "M1")
        expectRejected(.invalidField, &shop) { shop in _ = try shop.sell([("MILK", 1)], payment: .voucher("WALLET-M1")) }
        expectRejected(.invalidField, &shop) { shop in _ = try shop.sell([("MILK", 1)], member: "M2", payment: .voucher("WALLET-M1")) }
        _ = try shop.sell([("MILK", 1)], member: "M1", payment: .voucher("WALLET-M1"))
        #expect(try shop.state.giftCard(code: "WALLET-M1")?.balance == 1_635)
        #expect(throws: LedgerRejection.self) { try Self.load(&shop, "WALLET-M1", 100) }
    }

    @Test func loadsAreChecked() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let hash = Hash256.sha256(Array("GC-9".utf8))
        func body(_ amount: Int64, member: String = "", tenders: [Tender]? = nil) -> POSBody {
            .giftCardLoad(GiftCardLoad(cardHash: hash, memberID: member, amount: amount, tenders: tenders ?? [.cash(tendered: amount, change: 0)]))
        }
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.till, body(0)) }
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.till, body(GiftCardLoad.amountMax + 1)) }
        expectRejected(.unknownMember, &shop) { shop in try shop.submit(.till, body(100, member: "M9")) }
        expectRejected(.invalidTender, &shop) { shop in try shop.submit(.till, body(100, tenders: [])) }
        expectRejected(.invalidTender, &shop) { shop in try shop.submit(.till, body(100, tenders: [.voucher(id: "V", amount: 100)])) }
        expectRejected(.tendersMismatch, &shop) { shop in try shop.submit(.till, body(100, tenders: [.cash(tendered: 50, change: 0)])) }
        expectRejected(.notAuthorized, &shop) { shop in try shop.submit(.manager, body(100)) }
        try shop.submit(.till, body(100))
        let payload = body(100).payloadBytes
        #expect(try POSBody.decode(type: POSBodyType.giftCardLoad, payload: payload) == body(100))
    }
}
