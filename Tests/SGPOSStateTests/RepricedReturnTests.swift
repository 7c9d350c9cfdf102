import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSTestSupport
import Testing

/// Returns under promotions (FORMAT.md §13.5, refund; POS.md "Returns under promotions"):
/// with returns re-priced, the kept units are priced again under the sale's own rules,
/// prices, member and counters, and the refund is what was paid less that. Every figure
/// below is computed by hand (GST per line, 9/109 of the amount, half up).
@Suite("Re-priced returns")
struct RepricedReturnTests {
    static func rule(_ name: String) throws -> String {
        try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contracts/\(name).rules").path, encoding: .utf8)
    }

    static func shop(_ rules: [String], earning: RetailSettings.EarningMode = .automatic) throws -> ShopFixture {
        var shop = try ShopFixture()
        try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "NUTS", category: "snacks", unitPrice: 200)])))
        try shop.submit(.admin, .configure(RetailSettings(earning: earning, returns: .reprice)))
        for name in rules { try shop.submit(.admin, .deployRule(DeployRule(source: try rule(name), activeFromMs: 0))) }
        try shop.openShift()
        return shop
    }

    /// The refund the state machine expects, from the one implementation, paid in cash.
    static func refund(_ shop: ShopFixture, _ sale: Hash256, _ units: [(UInt32, Int64)], card: Bool = false) throws -> Refund {
        let record = try shop.state.saleRecord(sale)!
        let computed = try RefundPricing.compute(
            sale: record, saleID: sale, pricing: try shop.state.salePricing(sale), units: units.map { ($0.0, $0.1) },
            calculator: try shop.calculator(), state: shop.state)
        let number = (try shop.state.shift(outlet: 1, till: "till-1")?.lastCreditNoteNumber ?? 0) + 1
        return Refund(originalSale: sale, creditNoteNumber: number, reason: "returned", restock: true, lines: computed.lines,
                      gstBasisPoints: record.gstBasisPoints, amount: computed.amount, gst: computed.gst,
                      pointsReversed: computed.pointsReversed,
                      tenders: computed.amount <= 0 ? [] : card
                        ? [.card(CardPayment(amount: computed.amount, terminalID: "T0001", approvalCode: "R00001", rrn: "000000000001",
                                             maskedPAN: "************1111", scheme: "visa"))]
                        : [.cash(tendered: computed.amount, change: 0)],
                      adjustments: computed.adjustments)
    }

    /// Buy 2 get 1 free, one unit back: the two kept no longer qualify, so the free unit is
    /// paid for out of the returned unit's share; the rest back later credits what is left.
    @Test func aB2G1ReturnClawsBackTheFreeUnit() throws {
        var shop = try Self.shop(["snacks-b2g1"])
        let (tx, sale) = try shop.sell([("CHIPS", 3)])
        #expect(sale.total == 210 && sale.lines[0].gst == 17)
        #expect(try shop.state.salePricing(tx.id) != nil)
        let first = try Self.refund(shop, tx.id, [(0, 1)])
        // Share 210 × 1/3 = 70 (GST 17/3 → 6); kept 2 × 1.05 = 2.10 (GST 17) against 140 (11) left.
        #expect(first.lines == [RefundLine(lineIndex: 0, quantity: 1, amount: 70, gst: 6)])
        #expect(first.adjustments == [RefundAdjustment(lineIndex: 0, amount: 70, gst: 6)])
        #expect(first.amount == 0 && first.gst == 0 && first.tenders.isEmpty)
        try shop.submit(.till, .refund(first))
        var proportional = try Self.refund(shop, tx.id, [(0, 1)])
        proportional.adjustments = []
        proportional.amount = proportional.lines[0].amount
        proportional.gst = proportional.lines[0].gst
        proportional.tenders = [.cash(tendered: proportional.amount, change: 0)]
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .refund(proportional)) }
        let rest = try Self.refund(shop, tx.id, [(0, 2)])
        #expect(rest.amount == 210 && rest.gst == 17 && rest.adjustments.isEmpty)
        try shop.submit(.till, .refund(rest))
        let books = try shop.state.outletBooks(1)
        #expect(books.period.refundsTotal == 210 && books.period.gstByRate.first?.gst == 0, "everything paid came back, GST nets to 0")
    }

    /// The free unit itself back: it was paid nothing and the kept units price the same.
    /// A paid unit back: the kept units lose the promotion (NUTS 2.00 + CHIPS 1.05 = 3.05
    /// against 4.00 paid), so 0.95 comes back.
    @Test func returningTheFreeUnitOrAPaidOne() throws {
        var shop = try Self.shop(["snacks-b2g1"])
        let (tx, sale) = try shop.sell([("NUTS", 2), ("CHIPS", 1)])
        #expect(sale.lines[1].discounts.map(\.amount) == [105] && sale.total == 400)
        let free = try Self.refund(shop, tx.id, [(1, 1)])
        #expect(free.amount == 0 && free.adjustments.isEmpty)
        let paid = try Self.refund(shop, tx.id, [(0, 1)])
        // Share 200 (GST 33/2 → 17); kept NUTS 200 (GST 17, 16 left: +1), CHIPS 105 (GST 9, 0 left).
        #expect(paid.adjustments == [RefundAdjustment(lineIndex: 0, amount: 0, gst: 1),
                                     RefundAdjustment(lineIndex: 1, amount: 105, gst: 9)])
        #expect(paid.amount == 95 && paid.gst == 7)
        try shop.submit(.till, .refund(paid))
        let record = try shop.state.saleRecord(tx.id)!
        #expect(record.lines.map(\.amount) == [400, 105] && record.lines.map(\.gst) == [34, 9])
    }

    /// Spend S$50 save S$5: one bread back leaves S$47.48, below the threshold. The lost
    /// discount (4.71) is more than the bread credits (2.60), so the refund is 0 and the
    /// claw-back is split over the kept lines by what each lost (largest remainder).
    @Test func aClawBackLargerThanTheCreditStopsAtZero() throws {
        var shop = try Self.shop(["basket-fixed-off"])
        let (tx, sale) = try shop.sell([("RICE5KG", 3), ("BREAD", 3)])
        // 5.00 over 41.70 : 8.67 → 4.14 and 0.86; paid 37.56 (GST 3.10) and 7.81 (0.64).
        #expect(sale.lines.map(\.paid) == [3_756, 781] && sale.lines.map(\.gst) == [310, 64])
        let refund = try Self.refund(shop, tx.id, [(1, 1)])
        // Credit 2.60 (0.21). Kept: rice 41.70 (3.44) vs 37.56 (3.10): +4.14 (0.34); bread
        // 5.78 (0.48) vs 5.21 (0.43): +0.57 (0.05). 4.71 > 2.60: 2.60 split 414 : 57 →
        // 2.29 and 0.31, GST 0.34 × 229/414 → 0.19 and 0.05 × 31/57 → 0.03.
        #expect(refund.lines.map(\.amount) == [260] && refund.lines.map(\.gst) == [21])
        #expect(refund.adjustments == [RefundAdjustment(lineIndex: 0, amount: 229, gst: 19),
                                       RefundAdjustment(lineIndex: 1, amount: 31, gst: 3)])
        #expect(refund.amount == 0 && refund.gst == -1)
        try shop.submit(.till, .refund(refund))
        let rest = try Self.refund(shop, tx.id, [(0, 3), (1, 2)])
        try shop.submit(.till, .refund(rest))
        #expect(rest.amount == sale.total, "in the end everything paid comes back")
        #expect(try shop.state.outletBooks(1).period.gstByRate.first?.gst == 0)
    }

    /// Member-limited dairy: two milks with one S$3 off, one back — the discount stays with
    /// the kept milk, so the returned one is refunded at full price; counters do not move.
    /// The last milk back gives the member's use and the budget back; built-in points
    /// earned on the sale go back by what the kept basket no longer earns.
    @Test func countersAndPointsFollowTheKeptBasket() throws {
        var shop = try Self.shop(["member-limited"], earning: .builtInPlusRules)
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M7")))
        let (tx, sale) = try shop.sell([("MILK", 2)], member: "M7")
        #expect(sale.total == 430 && sale.pointsEarned == 4)
        func uses() throws -> (Int64, Int64) {
            (try shop.state.ruleCounter(rule: "promo.dairy-3off", counter: "uses", member: "M7"),
             try shop.state.ruleCounter(rule: "promo.dairy-3off", counter: "total", member: ""))
        }
        #expect(try uses() == (1, 1))
        let one = try Self.refund(shop, tx.id, [(0, 1)])
        // Share 215; kept MILK 3.65 − 3.00 = 0.65 against 215 left: −1.50, so 3.65 back.
        #expect(one.adjustments.map(\.amount) == [-150] && one.amount == 365)
        #expect(one.pointsReversed == 4, "0.65 kept earns no point; proportionally it would be 3")
        try shop.submit(.till, .refund(one))
        #expect(try uses() == (1, 1), "the kept milk still has the offer")
        #expect(try shop.state.memberAccount("M7")!.balance == 0)
        let last = try Self.refund(shop, tx.id, [(0, 1)])
        #expect(last.amount == 65 && last.adjustments.isEmpty)
        try shop.submit(.till, .refund(last))
        #expect(try uses() == (0, 0), "nothing kept: the offer's use and budget come back")
        #expect(try shop.state.salePricing(tx.id)!.moves.isEmpty)
    }

    /// The sale's own rules, not today's: a rule superseded after the sale still prices
    /// its return (from `rule sources`); a void gives the counters back.
    @Test func theSalesRulesPriceItsReturnAndVoidsGiveCountersBack() throws {
        var shop = try Self.shop(["snacks-b2g1", "member-limited"])
        let (tx, _) = try shop.sell([("CHIPS", 3)])
        let everySecond = try Self.rule("snacks-b2g1").replacingOccurrences(of: "version 1", with: "version 2")
            .replacingOccurrences(of: "div(units.count(), 3, .floor)", with: "div(units.count(), 2, .floor)")
        try shop.submit(.admin, .deployRule(DeployRule(source: everySecond, activeFromMs: 0)))
        #expect(try shop.sell([("CHIPS", 2)]).1.discount == 105, "the new version: every second unit free")
        let refund = try Self.refund(shop, tx.id, [(0, 1)])
        #expect(refund.amount == 0, "under the sale's version two kept chips pay full price")
        try shop.submit(.till, .refund(refund))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M8")))
        let (milk, _) = try shop.sell([("MILK", 1)], member: "M8")
        #expect(try shop.state.ruleCounter(rule: "promo.dairy-3off", counter: "uses", member: "M8") == 1)
        try shop.submit(.till, .void(SaleVoid(originalSale: milk.id, reason: "wrong basket")))
        #expect(try shop.state.ruleCounter(rule: "promo.dairy-3off", counter: "uses", member: "M8") == 0)
        #expect(try shop.state.ruleCounter(rule: "promo.dairy-3off", counter: "total", member: "") == 0)
    }

    /// Proportional returns (the default, and every chain configured before the choice)
    /// keep no pricing record and refuse adjustments.
    @Test func proportionalReturnsKeepNoRecordAndRefuseAdjustments() throws {
        var shop = try ShopFixture()
        try shop.submit(.admin, .deployRule(DeployRule(source: try Self.rule("snacks-b2g1"), activeFromMs: 0)))
        try shop.openShift()
        let (tx, _) = try shop.sell([("CHIPS", 3)])
        #expect(try shop.state.salePricing(tx.id) == nil)
        var refund = try shop.makeRefund(of: tx.id, [(0, 1)])
        #expect(refund.amount == 70)
        refund.adjustments = [RefundAdjustment(lineIndex: 0, amount: 70, gst: 6)]
        refund.amount = 0
        refund.gst = 0
        refund.tenders = []
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .refund(refund)) }
    }

    @Test func settingsAndRefundEncodings() throws {
        for settings in [RetailSettings(returns: .reprice), RetailSettings(pointsExpiry: .endOfQuarter, returns: .reprice)] {
            let bytes = settings.canonicalBytes
            #expect(bytes.first == 4 && bytes.last == 2)
            #expect(try POSBody.decode(type: POSBodyType.configure, payload: bytes) == .configure(settings))
        }
        var wrongReturns = RetailSettings(returns: .reprice).canonicalBytes
        wrongReturns[wrongReturns.count - 1] = 1
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.configure, payload: wrongReturns) }
        #expect(RetailSettings(pointsExpiry: .endOfQuarter).canonicalBytes.first == 3)
        let refund = Refund(originalSale: Hash256.sha256([1]), creditNoteNumber: 1, reason: "r", restock: false,
                            lines: [RefundLine(lineIndex: 0, quantity: 1, amount: 70, gst: 6)], gstBasisPoints: 900,
                            amount: 0, gst: 0, pointsReversed: 0, tenders: [],
                            adjustments: [RefundAdjustment(lineIndex: 0, amount: 70, gst: 6), RefundAdjustment(lineIndex: 2, amount: -5, gst: 0)])
        let payload = POSBody.refund(refund).payloadBytes
        #expect(payload.first == 2)
        #expect(try POSBody.decode(type: POSBodyType.refund, payload: payload) == .refund(refund))
        var plain = refund
        plain.adjustments = []
        #expect(POSBody.refund(plain).payloadBytes.first == 1)
        // Out of order, an entry changing nothing, and an empty list in version 2 are decoding errors.
        func encoded(_ adjustments: [RefundAdjustment]) -> [UInt8] {
            var copy = refund
            copy.adjustments = adjustments
            guard adjustments.isEmpty else { return POSBody.refund(copy).payloadBytes }
            return [2] + POSBody.refund(copy).payloadBytes.dropFirst() + [0, 0, 0, 0]
        }
        #expect(throws: CodecError.self) {
            try POSBody.decode(type: POSBodyType.refund, payload: encoded([.init(lineIndex: 2, amount: 1, gst: 0), .init(lineIndex: 1, amount: 1, gst: 0)]))
        }
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.refund, payload: encoded([.init(lineIndex: 0, amount: 0, gst: 0)])) }
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.refund, payload: encoded([])) }
    }
}

/// Returns under each shipped promotion not covered above (Contracts/*.rules), figures by hand.
@Suite("Re-priced returns of the shipped promotions")
struct ShippedPromotionReturnTests {
    /// 10 % off from S$100: 8 rice (111.20, 11.12 off, paid 100.08, GST 8.26); one back:
    /// share 12.51 (1.03), the 7 kept (97.30, GST 8.03) lose the discount against 87.57
    /// (7.23) left: +9.73 (+0.80), so 2.78 (GST 0.23) comes back.
    @Test func basketPercentOff() throws {
        var shop = try RepricedReturnTests.shop(["basket-percent-off"])
        let (tx, sale) = try shop.sell([("RICE5KG", 8)])
        #expect(sale.total == 10_008 && sale.gst == 826)
        let refund = try RepricedReturnTests.refund(shop, tx.id, [(0, 1)])
        #expect(refund.lines.map(\.amount) == [1_251] && refund.lines.map(\.gst) == [103])
        #expect(refund.adjustments == [RefundAdjustment(lineIndex: 0, amount: 973, gst: 80)])
        #expect(refund.amount == 278 && refund.gst == 23)
        try shop.submit(.till, .refund(refund))
    }

    /// Points rules (loyalty.bonus-2x: 2 points per dollar of subtotal; loyalty.tiers: the
    /// tier's points and a tier upgrade): a TV and a pen by card earn 2,598 + 1,299; the pen
    /// back leaves S$1,299 kept, which earns the same, so no point is taken back (the
    /// proportional rule would take ⌊3,897 × 0.99 / 1,299.99⌋ = 2); the TV back takes all.
    @Test func pointsRulesTakeBackWhatTheKeptBasketNoLongerEarns() throws {
        var shop = try RepricedReturnTests.shop(["points-per-dollar", "loyalty-tiers"])
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let (tx, sale) = try shop.sell([("TV55", 1), ("PEN", 1)], member: "M1", payment: .card)
        #expect(sale.pointsEarned == 3_897)
        #expect(try shop.state.memberAccount("M1")!.tier == 2, "S$1,299.99 of spend: silver")
        let pen = try RepricedReturnTests.refund(shop, tx.id, [(1, 1)], card: true)
        #expect(pen.amount == 99 && pen.adjustments.isEmpty && pen.pointsReversed == 0)
        try shop.submit(.till, .refund(pen))
        let tv = try RepricedReturnTests.refund(shop, tx.id, [(0, 1)], card: true)
        #expect(tv.amount == 129_900 && tv.pointsReversed == 3_897)
        try shop.submit(.till, .refund(tv))
        let account = try shop.state.memberAccount("M1")!
        #expect(account.balance == 0 && account.tier == 1, "nothing kept: no points, bronze again")
    }

    /// A promotion code: the kept basket is priced with the sale's code. RICE5KG 4 × 13.90 =
    /// 55.60 − 2.00 = 53.60 with WELCOME2. One back: share 13.40; the 3 kept (41.70) still
    /// earn the S$2.00 (39.70 against 40.20 left: −0.50), so 13.90 comes back (the line
    /// now stands at 53.10); two more back: share 53.10 × 2/4 = 26.55, the one kept (13.90)
    /// is below S$20 and loses it (13.90 against 13.15 left: +0.75), so 25.80 — in all
    /// 39.70 back for three, the fourth kept at its full 13.90.
    @Test func aPromotionCodeStaysWithTheKeptBasket() throws {
        var shop = try RepricedReturnTests.shop(["promo-code"])
        let (tx, sale) = try shop.sell([("RICE5KG", 4)], codes: ["WELCOME2"], payment: .card)
        #expect(sale.total == 5_360 && sale.codes == ["WELCOME2"])
        #expect(try shop.state.salePricing(tx.id)?.codes == ["WELCOME2"])
        let one = try RepricedReturnTests.refund(shop, tx.id, [(0, 1)], card: true)
        #expect(one.lines.map(\.amount) == [1_340] && one.adjustments.map(\.amount) == [-50] && one.amount == 1_390)
        try shop.submit(.till, .refund(one))
        let two = try RepricedReturnTests.refund(shop, tx.id, [(0, 2)], card: true)
        #expect(two.lines.map(\.amount) == [2_655] && two.adjustments.map(\.amount) == [75] && two.amount == 2_580)
        try shop.submit(.till, .refund(two))
    }

    /// The tote bag reward (800 points, once per member, 500 in all): the bag back credits
    /// nothing (it was free) and the kept milk prices the same; the reward's counters go
    /// back, the 800 points do not (points redeemed are not returned, POS.md).
    @Test func aReturnedRewardGivesItsCountersBackNotItsPoints() throws {
        var shop = try RepricedReturnTests.shop(["reward-tote-bag"])
        try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "RW-TOTE", category: "rewards", unitPrice: 1_500)])))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M2")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M2", delta: 1_000, reason: "welcome")))
        let (tx, sale) = try shop.sell([("RW-TOTE", 1), ("MILK", 1)], member: "M2")
        #expect(sale.lines[0].net == 0 && sale.ruleRecord?.rewardPoints == 800)
        let bag = try RepricedReturnTests.refund(shop, tx.id, [(0, 1)])
        #expect(bag.amount == 0 && bag.adjustments.isEmpty)
        try shop.submit(.till, .refund(bag))
        #expect(try shop.state.ruleCounter(rule: "reward.tote-bag", counter: "taken", member: "M2") == 0)
        #expect(try shop.state.ruleCounter(rule: "reward.tote-bag", counter: "stock", member: "") == 0)
        #expect(try shop.state.memberAccount("M2")!.balance == 200)
    }
}
