import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// Single-use coupons (issue-coupons, FORMAT.md §13.2) and next-order coupons a rule
/// issues (`issues "NEXT3" days 30`): keyed in like codes, used once, given back by a void.
@Suite("Coupons")
struct CouponTests {
    static func rule(_ name: String) throws -> String {
        try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contracts/\(name).rules").path, encoding: .utf8)
    }

    static func shop() throws -> ShopFixture {
        var shop = try ShopFixture()
        for name in ["coupon-next3-issue", "coupon-next3-redeem"] {
            try shop.submit(.admin, .deployRule(DeployRule(source: try rule(name), activeFromMs: 0)))
        }
        try shop.openShift()
        return shop
    }

    static func issue(_ shop: inout ShopFixture, _ codes: [String], member: String = "", from: Int64? = nil, days: Int64 = 30) throws {
        let today = SaleCalculator.day(shop.timeMs)
        try shop.submit(.manager, .issueCoupons(IssueCoupons(campaign: "NEXT3", memberID: member, validFrom: from ?? today,
                                                             validUntil: (from ?? today) + days, codeHashes: codes.map(CouponCode.hash))))
    }

    @Test func aBatchCouponIsUsedOnce() throws {
        var shop = try Self.shop()
        try Self.issue(&shop, ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"])
        let record = try #require(try shop.state.coupon(code: "AAAA-BBBB-CCCC"))
        #expect(record.campaign == "NEXT3" && !record.isUsed && record.validUntil - record.validFrom == 30)
        // MILK 3.65 with the coupon: 3.00 off.
        let (tx, sale) = try shop.sell([("MILK", 1)], codes: ["AAAA-BBBB-CCCC"])
        #expect(sale.discount == 300 && sale.total == 65 && sale.codes == ["AAAA-BBBB-CCCC"])
        #expect(try shop.state.coupon(code: "AAAA-BBBB-CCCC")?.usedBy == tx.id)
        #expect(try shop.state.couponsUsed(by: tx.id) == ["AAAA-BBBB-CCCC"])
        #expect(throws: LedgerRejection.self) { try shop.makeSale([("MILK", 1)], codes: ["AAAA-BBBB-CCCC"]) }
        var reused = try shop.makeSale([("MILK", 1)], codes: ["DDDD-EEEE-FFFF"])
        reused.codes = ["AAAA-BBBB-CCCC"]
        expectRejected(.voucherAlreadyRedeemed, &shop) { shop in try shop.submit(.till, .sale(reused)) }
        #expect(throws: LedgerRejection.self) { try shop.makeSale([("MILK", 1)], codes: ["NOPE-NOPE-NOPE"]) }
        // Two coupons, one coupon rule: one is used, the other stays for next time.
        let (both, twice) = try shop.sell([("RICE5KG", 1)], codes: ["DDDD-EEEE-FFFF"])
        let used = try shop.state.coupon(code: "DDDD-EEEE-FFFF")?.usedBy
        #expect(twice.discount == 300 && used == both.id)
    }

    @Test func couponsKeepTheirDatesAndMember() throws {
        var shop = try Self.shop()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try Self.issue(&shop, ["LATER-1"], from: SaleCalculator.day(shop.timeMs) + 1)
        try Self.issue(&shop, ["M1-ONLY"], member: "M1")
        for (code, member) in [("LATER-1", ""), ("M1-ONLY", ""), ("M1-ONLY", "M2")] {
            #expect(throws: LedgerRejection.self, "\(code) for \(member)") { try shop.makeSale([("MILK", 1)], member: member, codes: [code]) }
        }
        #expect(try shop.sell([("MILK", 1)], member: "M1", codes: ["M1-ONLY"]).1.discount == 300)
        shop.timeMs += 86_400_000
        #expect(try shop.sell([("MILK", 1)], codes: ["LATER-1"]).1.discount == 300, "valid from the next day")
    }

    @Test func issuesAreCheckedAndSignedByAnOperator() throws {
        var shop = try Self.shop()
        let day = SaleCalculator.day(shop.timeMs)
        func body(_ campaign: String = "NEXT3", member: String = "", from: Int64 = 0, until: Int64 = 1, hashes: [Hash256] = [CouponCode.hash("X-1")]) -> POSBody {
            .issueCoupons(IssueCoupons(campaign: campaign, memberID: member, validFrom: from, validUntil: until, codeHashes: hashes))
        }
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, body("NEXT 3")) }
        expectRejected(.unknownMember, &shop) { shop in try shop.submit(.manager, body(member: "M9")) }
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, body(from: day, until: day - 1)) }
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.manager, body(hashes: [])) }
        expectRejected(.voucherAlreadyRedeemed, &shop) { shop in try shop.submit(.manager, body(hashes: [CouponCode.hash("X-1"), CouponCode.hash("X-1")])) }
        expectRejected(.notAuthorized, &shop) { shop in try shop.submit(.till, body()) }
        try shop.submit(.admin, body())
        expectRejected(.voucherAlreadyRedeemed, &shop) { shop in try shop.submit(.manager, body()) }
        let bytes = POSBody.issueCoupons(IssueCoupons(campaign: "NEXT3", memberID: "", validFrom: 1, validUntil: 2, codeHashes: [CouponCode.hash("X-1")])).payloadBytes
        #expect(try POSBody.decode(type: POSBodyType.issueCoupons, payload: bytes) == body(from: 1, until: 2))
    }

    /// S$30.00 or more issues a NEXT3 coupon for the sale's member; its code is the
    /// sale's: `C` and 12 hex digits of SHA-256(transaction id ‖ u32 0). A training sale
    /// issues none; a void gives the used coupon back and withdraws the issued one.
    @Test func aRuleIssuesANextOrderCouponAndAVoidUndoesCoupons() throws {
        var shop = try Self.shop()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let (big, _) = try shop.sell([("RICE5KG", 3)], member: "M1")
        let digits = Array("0123456789ABCDEF")
        let hash = Hash256.sha256(big.id.bytes + [0, 0, 0, 0]).bytes
        let code = "C" + String(hash.prefix(6).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
        #expect(CouponCode.issued(by: big.id, index: 0) == code && code.count == 13)
        let issued = try #require(try shop.state.coupon(code: code))
        #expect(issued.campaign == "NEXT3" && issued.memberID == "M1" && issued.issuedBy == big.id
                && issued.validFrom == SaleCalculator.day(shop.timeMs) && issued.validUntil == issued.validFrom + 30)
        #expect(try shop.state.couponsIssued(by: big.id).map(\.code) == [code])
        let (training, _) = try shop.sell([("RICE5KG", 3)], training: true)
        #expect(try shop.state.couponsIssued(by: training.id).isEmpty)
        // The member uses it on a S$41.70 sale, which earns the next one; then the sale is voided.
        let (second, again) = try shop.sell([("RICE5KG", 3)], member: "M1", codes: [code])
        let usedBy = try shop.state.coupon(code: code)?.usedBy
        #expect(again.discount == 300 && usedBy == second.id)
        let next = CouponCode.issued(by: second.id, index: 0)
        #expect(try shop.state.coupon(code: next) != nil)
        try shop.submit(.till, .void(SaleVoid(originalSale: second.id, reason: "wrong basket")))
        #expect(try shop.state.coupon(code: code)?.isUsed == false, "the coupon is the member's again")
        #expect(try shop.state.coupon(code: next) == nil)
        #expect(try shop.state.couponsUsed(by: second.id).isEmpty)
    }
}
