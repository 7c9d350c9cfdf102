import Foundation
import SGPOSChain
import SGPOSContracts
import SGPOSState
import SGPOSTestSupport
import Testing

/// The shipped loyalty programme on chain: operator points rates (the "oracle" table),
/// personal multipliers, tiers, and a rewards-catalogue entry bought with points.
@Suite("Loyalty programme on chain")
struct LoyaltyProgrammeTests {
    static func shipped(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Contracts/\(name).rules"), encoding: .utf8)
    }

    @Test func operatorRatesAndPersonalMultipliersShapeThePoints() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.admin, .deployRule(DeployRule(source: try Self.shipped("loyalty-tiers"), activeFromMs: 0)))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        // Bronze, default rates: 1,299.00 + 2 × 1.05 = 1,301.10 → 1,301 points; upgraded to silver.
        #expect(try shop.sell([("TV55", 1), ("CHIPS", 2)], member: "M1", payment: .card).1.pointsEarned == 1_301)
        #expect(try shop.state.memberAccount("M1")!.tier == 2)

        try shop.submit(.manager, .setPointRates(SetPointRates(entries: [
            .init(category: "electronics", basisPoints: 5_000), .init(category: "snacks", basisPoints: 20_000)], reason: "Q2 margins")))
        try shop.submit(.manager, .setMemberMultiplier(SetMemberMultiplier(memberID: "M1", basisPoints: 15_000, reason: "staff")))
        #expect(try shop.state.pointRate(category: "snacks") == 20_000)
        #expect(try shop.state.memberMultiplier("M1") == 15_000)
        // Rated: 1,299.00 × 50 % + 2.10 × 200 % = 653.70 → 653 dollars; silver 1.2× → 783; personal 1.5× → 1,174.
        #expect(try shop.sell([("TV55", 1), ("CHIPS", 2)], member: "M1", payment: .card).1.pointsEarned == 1_174)
        // Another member keeps 1.0×: 653 × 1.0 (bronze) = 653.
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M2")))
        #expect(try shop.sell([("TV55", 1), ("CHIPS", 2)], member: "M2", payment: .card).1.pointsEarned == 653)

        // A till cannot set rates; categories must be ascending; rates are 0…10×; the member must exist.
        expectRejected(.notAuthorized, &shop) { shop in
            try shop.submit(.till, .setPointRates(SetPointRates(entries: [.init(category: "dairy", basisPoints: 0)], reason: "x")))
        }
        expectRejected(.invalidField, &shop) { shop in
            try shop.submit(.manager, .setPointRates(SetPointRates(entries: [
                .init(category: "snacks", basisPoints: 1), .init(category: "dairy", basisPoints: 1)], reason: "x")))
        }
        expectRejected(.invalidField, &shop) { shop in
            try shop.submit(.manager, .setPointRates(SetPointRates(entries: [.init(category: "dairy", basisPoints: 100_001)], reason: "x")))
        }
        expectRejected(.unknownMember, &shop) { shop in
            try shop.submit(.manager, .setMemberMultiplier(SetMemberMultiplier(memberID: "NOPE", basisPoints: 10_000, reason: "x")))
        }
        // A sale claiming the old (unrated) points is refused by the replay.
        var greedy = try shop.makeSale([("TV55", 1)], member: "M1", payment: .card)
        greedy.pointsEarned += 1
        expectRejected(.totalsMismatch, &shop) { shop in try shop.submit(.till, .sale(greedy)) }
    }

    @Test func aRewardIsTakenWithPointsOncePerMember() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "RW-TOTE", category: "rewards", unitPrice: 1_290)])))
        try shop.submit(.admin, .deployRule(DeployRule(source: try Self.shipped("reward-tote-bag"), activeFromMs: 0)))
        for member in ["M1", "M2", "M3"] { try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: member))) }
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 1_000, reason: "welcome")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M3", delta: 900, reason: "welcome")))

        let (_, taken) = try shop.sell([("RW-TOTE", 1), ("PEN", 1)], member: "M1")
        #expect(taken.lines[0].discounts == [LineDiscount(rule: "reward.tote-bag", amount: 1_290)])
        #expect(taken.total == 99)
        #expect(try shop.state.memberAccount("M1")!.balance == 200, "800 points taken, none earned (only the reward rule is deployed)")
        #expect(try shop.state.ruleCounter(rule: "reward.tote-bag", counter: "stock", member: "") == 1)
        #expect(try shop.state.ruleCounter(rule: "reward.tote-bag", counter: "taken", member: "M1") == 1)

        // Once per member: the same basket again is refused by the state machine, not only the till.
        var again = taken
        again.receiptNumber += 1
        expectRejected(.contractRefused, &shop) { shop in try shop.submit(.till, .sale(again)) }
        expectRejected(.contractRefused, &shop) { shop in try shop.sell([("RW-TOTE", 1)], member: "M1") }
        expectRejected(.contractRefused, &shop) { shop in try shop.sell([("RW-TOTE", 1)], member: "M2") }  // no points
        expectRejected(.contractRefused, &shop) { shop in try shop.sell([("RW-TOTE", 1)]) }               // a guest
        expectRejected(.contractRefused, &shop) { shop in try shop.sell([("RW-TOTE", 2)], member: "M3") } // two
        // 900 points: the reward (800) and 200 more redeemed do not fit.
        expectRejected(.insufficientPoints, &shop) { shop in try shop.sell([("RW-TOTE", 1), ("RICE5KG", 1)], member: "M3", redeem: 200) }
        let (_, second) = try shop.sell([("RW-TOTE", 1), ("RICE5KG", 1)], member: "M3", redeem: 100)
        #expect(second.pointsRedeemed == 100)
        #expect(try shop.state.memberAccount("M3")!.balance == 0)
        #expect(try shop.state.ruleCounter(rule: "reward.tote-bag", counter: "stock", member: "") == 2)
    }
}
