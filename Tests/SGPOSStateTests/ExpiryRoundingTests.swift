import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// Points expiry rounded to the day, month, quarter or year (FORMAT.md §13.3 "Expiry day";
/// configure version 3 only for the non-default roundings).
@Suite struct ExpiryRoundingTests {
    /// 12:00 in Singapore on an ISO date.
    static func noon(_ iso: String) -> Int64 { CivilTime.days(from: CivilTime.Date(iso: iso)!) * 86_400_000 + 4 * 3_600_000 }
    static func day(_ iso: String) -> Int64 { CivilTime.days(from: CivilTime.Date(iso: iso)!) }

    /// The same dates scripts/pyverify/pos_test.py checks, by hand.
    @Test(arguments: [
        ("2026-03-15", 12, RetailSettings.ExpiryRounding.day, "2027-03-15"), ("2026-03-15", 12, .endOfMonth, "2027-03-31"),
        ("2026-03-15", 12, .endOfQuarter, "2027-03-31"), ("2026-03-15", 12, .endOfYear, "2027-12-31"),
        ("2026-01-31", 1, .day, "2026-02-28"), ("2027-12-31", 2, .day, "2028-02-29"),
        ("2026-05-10", 12, .endOfQuarter, "2027-06-30"), ("2026-11-30", 1, .endOfQuarter, "2026-12-31"),
        ("2026-12-01", 1, .endOfYear, "2027-12-31"), ("2026-12-01", 1, .endOfMonth, "2027-01-31"),
    ] as [(String, Int64, RetailSettings.ExpiryRounding, String)])
    func expiryDays(earned: String, months: Int64, rounding: RetailSettings.ExpiryRounding, expected: String) {
        #expect(SaleCalculator.expiryDay(earnedAtMs: Self.noon(earned), months: months, rounding: rounding) == Self.day(expected))
    }

    @Test func oneEncodingPerSetting() throws {
        let month = RetailSettings(earning: .builtInPlusRules)
        #expect(month.canonicalBytes.first == 2, "end of month keeps versions 1 and 2")
        let quarter = RetailSettings(earning: .rulesOnly, pointsExpiry: .endOfQuarter)
        #expect(quarter.canonicalBytes == [3] + Array(month.canonicalBytes[1..<27]) + [3, 3])
        for body in [quarter, RetailSettings(pointsExpiry: .day), RetailSettings(pointsExpiry: .endOfYear), month, RetailSettings()] {
            #expect(try POSBody.decode(type: POSBodyType.configure, payload: body.canonicalBytes) == .configure(body))
        }
        var monthInVersion3 = quarter.canonicalBytes
        monthInVersion3[monthInVersion3.count - 1] = 2
        #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.configure, payload: monthInVersion3) }
    }

    @Test func aMemberSaleEarnsPointsThatExpireAtTheEndOfTheQuarter() throws {
        var shop = try ShopFixture(timeMs: Self.noon("2026-05-10"))
        try shop.openShift()
        try shop.submit(.admin, .configure(RetailSettings(pointsExpiry: .endOfQuarter)))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M9")))
        _ = try shop.sell([("MILK", 10)], member: "M9")
        let lots = try #require(try shop.state.memberAccount("M9")).lots
        #expect(lots.map(\.expiresOn) == [Self.day("2027-06-30")], "12 months on is May 2027: the end of its quarter")
    }
}
