import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSState
import SGPOSTestSupport
import Testing

/// Deployed rules price every sale: the state machine re-runs them and accepts a sale only
/// with exactly their discounts, points and counters.
@Suite("Sales with deployed rules")
struct ContractSaleTests {
    static let b2g1 = """
        rule "promo.snacks-b2g1" version 1 {
          lang 1
          priority 200
          group "multibuy"
          let units = basket.lines.filter(l => l.category == "snacks").expand(l => l.qty).sort_by(u => u.price)
          let free = div(units.count(), 3, .floor)
          require free > 0 else skip
          for u in units.take(free) { emit line_discount(u.line, u.price, "B2G1") }
        }
        """

    @Test func aDeployedRuleDiscountsSalesAndTamperingIsRefused() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.admin, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: 0)))
        #expect(try shop.state.ruleIDs() == ["promo.snacks-b2g1"])
        // 3 CHIPS (1.05): one free. Net 2.10, GST 9/109 × 2.10 = 0.17.
        let (_, sale) = try shop.sell([("CHIPS", 3), ("MILK", 1)])
        #expect(sale.lines[0].discounts == [LineDiscount(rule: "promo.snacks-b2g1", amount: 105)])
        #expect(sale.lines[0].net == 210 && sale.discount == 105)
        var greedy = try shop.makeSale([("CHIPS", 3)])
        greedy.lines[0].discounts = []
        greedy.lines[0].net = 315
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(greedy)) }
        let (_, plain) = try shop.sell([("CHIPS", 2)])
        #expect(plain.discount == 0, "two snacks: nothing free")
    }

    /// "Member price, no other promotion with it": an applied `stop` rule keeps the later
    /// rules out of the sale; a skipped one does not; a sale that claims a stopped rule's
    /// discount is refused.
    @Test func aStopRuleKeepsLaterRulesOutOfTheSale() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "member.milk-price" version 1 {
              priority 100
              stop
              require basket.lines.any(l => l.sku == "MILK") else skip
              for l in basket.lines.filter(l => l.sku == "MILK") { emit line_discount(l.index, min(S$0.50, l.net), "MEMBER") }
            }
            """, activeFromMs: 0)))
        try shop.submit(.admin, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: 0)))
        // MILK in the basket: the member price applies and the B2G1 on the chips does not run.
        let (_, stopped) = try shop.sell([("CHIPS", 3), ("MILK", 1)])
        #expect(stopped.lines[0].discounts.isEmpty && stopped.lines[1].discounts == [LineDiscount(rule: "member.milk-price", amount: 50)])
        // No MILK: the stop rule is skipped and the chips' B2G1 applies.
        let (_, bought) = try shop.sell([("CHIPS", 3)])
        #expect(bought.lines[0].discounts == [LineDiscount(rule: "promo.snacks-b2g1", amount: 105)])
        // A sale claiming both is refused: the B2G1 did not run.
        var both = try shop.makeSale([("CHIPS", 3), ("MILK", 1)])
        both.lines[0].discounts = [LineDiscount(rule: "promo.snacks-b2g1", amount: 105)]
        both.lines[0].net -= 105
        both.discount += 105
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(both)) }
    }

    /// A rule that skips with a reason says why in the priced basket (the till shows it);
    /// the shipped dairy offer gives one reason per case.
    @Test func skipReasonsReachThePricedBasket() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let source = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contracts/member-limited.rules").path, encoding: .utf8)
        try shop.submit(.admin, .deployRule(DeployRule(source: source, activeFromMs: 0)))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M7")))
        func skipped(_ member: String) throws -> [String] {
            try shop.calculator().price(lines: [StockLine(sku: "MILK", quantity: 1)], memberID: member, redeemPoints: 0,
                                        atMs: shop.timeMs, state: shop.state).skippedRules.map { "\($0.rule): \($0.reason)" }
        }
        #expect(try skipped("") == ["promo.dairy-3off: S$3 off dairy for members"])
        #expect(try skipped("M7").isEmpty)
        _ = try shop.sell([("MILK", 1)], member: "M7")
        _ = try shop.sell([("MILK", 1)], member: "M7")
        #expect(try skipped("M7") == ["promo.dairy-3off: limit reached: twice per member"])
        let noDairy = try shop.calculator().price(lines: [StockLine(sku: "CHIPS", quantity: 1)], memberID: "", redeemPoints: 0,
                                                  atMs: shop.timeMs, state: shop.state)
        #expect(noDairy.skippedRules.isEmpty, "a plain skip gives no reason")
    }

    /// The reasons are on the sale (version 4): the state machine computes them and refuses
    /// a sale whose recorded reasons differ; a reason over 128 bytes is cut on a character.
    @Test func skipReasonsAreRecordedOnTheSale() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let source = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contracts/member-limited.rules").path, encoding: .utf8)
        try shop.submit(.admin, .deployRule(DeployRule(source: source, activeFromMs: 0)))
        let (_, guest) = try shop.sell([("MILK", 1)])
        #expect(guest.skipped == [SkippedRule(rule: "promo.dairy-3off", reason: "S$3 off dairy for members")])
        #expect(POSBody.sale(guest).payloadBytes.first == 4)
        var silent = try shop.makeSale([("MILK", 1)])
        silent.skipped = []
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(silent)) }
        var other = try shop.makeSale([("MILK", 1)])
        other.skipped[0].reason = "limit reached: twice per member"
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(other)) }
        #expect(try shop.sell([("CHIPS", 1)]).1.skipped.isEmpty, "no dairy: a plain skip, no reason")
        #expect(try shop.sell([("MILK", 1)], training: true).1.skipped.isEmpty, "training records none")
        // 127 ASCII bytes then "é" (2 bytes): cut before it; 64 reasons at most.
        let long = String(repeating: "x", count: 127) + "é"
        #expect(SkippedRule.recorded(long) == String(repeating: "x", count: 127))
        #expect(SkippedRule.recorded("short") == "short")
        var empty = POSBody.sale(guest).payloadBytes
        // The same sale with its one reason removed but still version 4: a decoding error.
        let reasons = 4 + 4 + "promo.dairy-3off".utf8.count + 4 + "S$3 off dairy for members".utf8.count
        empty.removeLast(reasons)
        empty += [0, 0, 0, 0]
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.sale, payload: empty) }
    }

    /// Promotion codes keyed in at the till (sale version 5): a rule's `has_code` reads them;
    /// a code no active rule names, or one keyed twice, is refused (17); the code is on
    /// the sale, so an auditor re-prices it exactly.
    @Test func promotionCodesKeyedInAtTheTill() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        let source = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contracts/promo-code.rules").path, encoding: .utf8)
        try shop.submit(.admin, .deployRule(DeployRule(source: source, activeFromMs: 0)))
        func sale(_ lines: [(String, Int64)], codes: [String]) throws -> Sale {
            let calculator = try shop.calculator()
            let priced = try calculator.price(lines: lines.map { StockLine(sku: $0.0, quantity: $0.1) }, memberID: "", redeemPoints: 0,
                                              atMs: shop.timeMs, state: shop.state, codes: codes)
            let number = (try shop.state.shift(outlet: 1, till: "till-1")?.lastReceiptNumber ?? 0) + 1
            let probe = try calculator.sale(priced, receiptNumber: number, training: false, tenders: [])
            return try calculator.sale(priced, receiptNumber: number, training: false,
                                       tenders: [.card(CardPayment(amount: probe.amountPayable, terminalID: "T1", approvalCode: "A1", rrn: "R1",
                                                                   maskedPAN: "************1111", scheme: "visa"))])
        }
        // RICE5KG 13.90 × 2 = 27.80 with WELCOME2: 2.00 off.
        let coded = try sale([("RICE5KG", 2)], codes: ["WELCOME2"])
        #expect(coded.discount == 200 && coded.total == 2_580 && coded.codes == ["WELCOME2"])
        #expect(POSBody.sale(coded).payloadBytes.first == 5)
        try shop.submit(.till, .sale(coded))
        #expect(try sale([("RICE5KG", 2)], codes: []).discount == 0, "no code, no discount")
        var claimed = try sale([("RICE5KG", 2)], codes: ["WELCOME2"])
        claimed.codes = []
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(claimed)) }
        for codes in [["XMAS10"], ["WELCOME2", "WELCOME2"], ["WELCOME 2"], ["welcome2"]] {
            #expect(throws: LedgerRejection.self) { try sale([("RICE5KG", 2)], codes: codes) }
            var forged = try sale([("RICE5KG", 2)], codes: ["WELCOME2"])
            forged.codes = codes
            expectRejected(.invalidField, &shop) { shop in try shop.submit(.till, .sale(forged)) }
        }
        // Under S$20.00 the code is on the sale with the rule's reason.
        let small = try sale([("MILK", 1)], codes: ["WELCOME2"])
        #expect(small.discount == 0 && small.skipped == [SkippedRule(rule: "promo.code-welcome2", reason: "WELCOME2 needs S$20.00 or more")])
        try shop.submit(.till, .sale(small))
        // Version 5 with no code is a decoding error.
        var bytes = POSBody.sale(small).payloadBytes
        bytes.removeLast(4 + 4 + 8)  // the code list: count, length, "WELCOME2"
        bytes += [0, 0, 0, 0]
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.sale, payload: bytes) }
    }

    @Test func deploymentsAreCheckedAndVersioned() throws {
        var shop = try ShopFixture()
        expectRejected(.contractRefused, &shop) { shop in
            try shop.submit(.admin, .deployRule(DeployRule(source: "rule \"x\" version 1 { let y = 1 + S$1.00 }", activeFromMs: 0)))
        }
        expectRejected(.notAuthorized, &shop) { shop in try shop.submit(.manager, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: 0))) }
        try shop.submit(.admin, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: 0)))
        expectRejected(.contractRefused, &shop) { shop in try shop.submit(.admin, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: 0))) }
        try shop.submit(.admin, .deployRule(DeployRule(source: Self.b2g1.replacingOccurrences(of: "version 1", with: "version 2"), activeFromMs: 0)))
        #expect(try shop.state.ruleIDs() == ["promo.snacks-b2g1"])
        // Not yet active: activation in the future.
        var later = try ShopFixture()
        try later.openShift()
        try later.submit(.admin, .deployRule(DeployRule(source: Self.b2g1, activeFromMs: UInt64(later.timeMs + 3_600_000))))
        #expect(try later.sell([("CHIPS", 3)]).1.discount == 0)
        later.timeMs += 3_600_000
        #expect(try later.sell([("CHIPS", 3)]).1.discount == 105)
    }

    @Test func rulePointsReplaceTheBuiltInRuleAndCountersCap() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "bonus" version 1 {
              lang 1
              state uses: counter max 2
              require customer.is_member and uses.left > 0 else skip
              emit award_points(100, "welcome")
              emit increment(uses, 1)
            }
            """, activeFromMs: 0)))
        #expect(try shop.sell([("TV55", 1)], member: "M1", payment: .card).1.pointsEarned == 100)
        #expect(try shop.sell([("PEN", 1)], member: "M1").1.pointsEarned == 100)
        #expect(try shop.sell([("PEN", 1)], member: "M1").1.pointsEarned == 0, "the counter allows two per member")
        #expect(try shop.sell([("PEN", 1)]).1.pointsEarned == 0, "guests earn nothing")
        #expect(try shop.state.memberAccount("M1")!.balance == 200)
    }

    /// Where members' points come from is a setting, not a side effect of deploying a
    /// rule: automatic (the rules' points replace the built-in rule while any rule is
    /// active: version 1 of the settings), built-in plus rules, rules only (version 2).
    @Test func earningIsChosenInTheSettings() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        // S$1,299.00 by card at bronze, 1 point per dollar: 1,299 built-in points.
        #expect(try shop.sell([("TV55", 1)], member: "M1", payment: .card).1.pointsEarned == 1_299)
        func configure(_ earning: RetailSettings.EarningMode, _ shop: inout ShopFixture) throws {
            try shop.submit(.admin, .configure(RetailSettings(earning: earning)))
            let stored = try #require(try shop.state.read(.retailSettings))
            let read = try shop.state.retailSettings()
            #expect(stored[0] == (earning == .automatic ? 1 : 2) && read.earning == earning)
            #expect(try POSBody.decode(type: POSBodyType.configure, payload: POSBody.configure(RetailSettings(earning: earning)).payloadBytes)
                    == .configure(RetailSettings(earning: earning)))
        }
        try configure(.rulesOnly, &shop)
        #expect(try shop.sell([("PEN", 1)], member: "M1").1.pointsEarned == 0, "rules only, and no rule deployed")
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "bonus" version 1 {
              require customer.is_member else skip
              emit award_points(100, "bonus")
            }
            """, activeFromMs: 0)))
        #expect(try shop.sell([("TV55", 1)], member: "M1", payment: .card).1.pointsEarned == 100)
        try configure(.builtInPlusRules, &shop)
        let tier = try #require(try shop.state.memberAccount("M1")).tier
        let builtIn = Int64(1_299) * (tier == 2 ? 12_000 : 10_000) / 10_000
        #expect(try shop.sell([("TV55", 1)], member: "M1", payment: .card).1.pointsEarned == builtIn + 100)
        try configure(.automatic, &shop)
        #expect(try shop.sell([("TV55", 1)], member: "M1", payment: .card).1.pointsEarned == 100, "automatic: the rule replaces the built-in rule")
        // A version-2 settings body with a byte that is not a boolean does not decode.
        var bad = POSBody.configure(RetailSettings(earning: .rulesOnly)).payloadBytes
        bad[bad.count - 1] = 7
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.configure, payload: bad) }
    }

    /// The rules' points are summed checked: two rules whose awards pass 10^9 together
    /// refuse the sale (320) instead of wrapping or stopping the node; each alone is fine.
    @Test func rulePointsBeyondTheCapRefuseTheSale() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        func rule(_ id: String, _ points: String) -> POSBody {
            .deployRule(DeployRule(source: "rule \"\(id)\" version 1 { emit award_points(\(points), \"x\") }", activeFromMs: 0))
        }
        try shop.submit(.admin, rule("a.big", "600_000_000"))
        #expect(try shop.sell([("PEN", 1)], member: "M1").1.pointsEarned == 600_000_000)
        try shop.submit(.admin, rule("b.huge", "9_223_372_036_854_775_807"))
        expectRejected(.pricingRefused, &shop) { shop in try shop.sell([("PEN", 1)], member: "M1") }
    }

    /// What the rules did beyond discounts and points earned is on the sale (version 3):
    /// the reward's points, the tier, the counters; a sale that leaves it out or changes it
    /// is refused, and a version-3 body with an empty record does not decode.
    @Test func theSaleRecordsTheRewardPointsTierAndCountersItsRulesMoved() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 1_000, reason: "welcome")))
        try shop.submit(.admin, .deployRule(DeployRule(source: """
            rule "reward" version 1 {
              lang 1
              state taken: counter max 50
              budget stock: counter max 100
              require customer.is_member else skip
              emit redeem_points(300, "pen")
              emit set_tier(.gold)
              emit increment(taken, 1)
              emit increment(stock, 1)
              emit increment(taken, 2)
            }
            """, activeFromMs: 0)))
        let (_, sale) = try shop.sell([("PEN", 1)], member: "M1")
        #expect(sale.ruleRecord == SaleRuleRecord(rewardPoints: 300, tier: 3, counters: [
            .init(rule: "reward", counter: "taken", member: "M1", by: 3), .init(rule: "reward", counter: "stock", member: "", by: 1)]))
        let bytes = POSBody.sale(sale).payloadBytes
        #expect(bytes[0] == 3)
        #expect(try POSBody.decode(type: POSBodyType.sale, payload: bytes) == .sale(sale))
        #expect(try shop.state.memberAccount("M1")!.balance == 700)
        #expect(try shop.state.ruleCounter(rule: "reward", counter: "taken", member: "M1") == 3)
        // A guest's sale moves only the budget (the per-member counter of member "").
        let (_, guest) = try shop.sell([("PEN", 1)])
        #expect(guest.ruleRecord == nil, "the rule skips guests")
        var unrecorded = try shop.makeSale([("PEN", 1)], member: "M1")
        unrecorded.ruleRecord = nil
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(unrecorded)) }
        var fewerPoints = try shop.makeSale([("PEN", 1)], member: "M1")
        fewerPoints.ruleRecord?.rewardPoints = 1
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(fewerPoints)) }
        // Version 3 whose record is empty (its only field, the tier, zeroed) does not decode.
        var tierOnly = guest
        tierOnly.ruleRecord = SaleRuleRecord(rewardPoints: 0, tier: 1, counters: [])
        var empty = POSBody.sale(tierOnly).payloadBytes
        #expect(empty[0] == 3 && empty[empty.count - 5] == 1)
        #expect(try POSBody.decode(type: POSBodyType.sale, payload: empty) == .sale(tierOnly))
        empty[empty.count - 5] = 0
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.sale, payload: empty) }
    }
}
