import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// Tier review (FORMAT.md §13.3): with a review every R months, tiers follow each period's
/// spend and drop one tier at a review when the period's spend did not keep them.
@Suite("Tier review")
struct TierReviewTests {
    static let day: Int64 = 86_400_000

    @Test func settingsAndRecordsHaveOneEncoding() throws {
        let settings = RetailSettings(returns: .reprice, tierReviewMonths: 12)
        let bytes = settings.canonicalBytes
        #expect(bytes.first == 5 && bytes.suffix(2) == [2, 12])
        #expect(try POSBody.decode(type: POSBodyType.configure, payload: bytes) == .configure(settings))
        #expect(RetailSettings(tierReviewMonths: 1).canonicalBytes.suffix(2) == [1, 1])
        for months: UInt8 in [0, 37] {
            var wrong = bytes
            wrong[wrong.count - 1] = months
            #expect(throws: CodecError.self) { try POSBody.decode(type: POSBodyType.configure, payload: wrong) }
        }
        var account = MemberAccount(tier: 2, lifetimeSpend: 100)
        account.period = .init(start: 20_000, spend: 100, tier: 2)
        let record = account.canonicalBytes
        #expect(record.first == 2 && record.suffix(17) == [0, 0, 0, 0, 0, 0, 0x4E, 0x20, 0, 0, 0, 0, 0, 0, 0, 100, 2])
        #expect(try MemberAccount(canonicalBytes: record) == account)
        var badTier = record
        badTier[badTier.count - 1] = 6
        #expect(throws: CodecError.self) { try MemberAccount(canonicalBytes: badTier) }
        #expect(MemberAccount(tier: 1).canonicalBytes.first == 1)
    }

    @Test func monthsAreAddedOnTheCalendar() {
        let january31 = CivilTime.days(from: CivilTime.Date(iso: "2027-01-31")!)
        #expect(SaleCalculator.addMonths(day: january31, months: 1) == CivilTime.days(from: CivilTime.Date(iso: "2027-02-28")!))
        #expect(SaleCalculator.addMonths(day: january31, months: 13) == CivilTime.days(from: CivilTime.Date(iso: "2028-02-29")!))
        #expect(SaleCalculator.addMonths(day: january31, months: 12) == CivilTime.days(from: CivilTime.Date(iso: "2028-01-31")!))
    }

    /// S$5,196 of TVs makes a member gold in the period; a year on, that spend keeps gold;
    /// two more years with nothing bought drop it two tiers (gold → silver → bronze), at
    /// the first use after them.
    @Test func aTierIsKeptBySpendAndLostWithout() throws {
        var shop = try ShopFixture()
        try shop.submit(.admin, .configure(RetailSettings(tierReviewMonths: 12)))
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let start = SaleCalculator.day(shop.timeMs)
        _ = try shop.sell([("TV55", 4)], member: "M1", payment: .card)
        var account = try #require(try shop.state.memberAccount("M1"))
        #expect(account.tier == 3 && account.period == .init(start: start, spend: 519_600, tier: 1))
        shop.timeMs += 366 * Self.day
        _ = try shop.sell([("PEN", 1)], member: "M1")
        account = try #require(try shop.state.memberAccount("M1"))
        #expect(account.tier == 3, "S$5,196 in the period kept gold")
        #expect(account.period?.start == SaleCalculator.addMonths(day: start, months: 12) && account.period?.spend == 100 && account.period?.tier == 3)
        shop.timeMs += 2 * 366 * Self.day
        _ = try shop.sell([("PEN", 1)], member: "M1")
        account = try #require(try shop.state.memberAccount("M1"))
        #expect(account.tier == 1, "a year of S$1.00 (a pen, cash-rounded) and a year of nothing: gold, silver, bronze")
        #expect(account.period?.start == SaleCalculator.addMonths(day: start, months: 36) && account.period?.tier == 1)
    }

    /// Under review a refund lowers the tier to the greater of the period's first tier and
    /// the tier of what is left of the period's spend; without review a period stays as it is.
    @Test func refundsFollowThePeriodAndNoReviewLeavesItAlone() throws {
        var shop = try ShopFixture()
        try shop.submit(.admin, .configure(RetailSettings(tierReviewMonths: 12)))
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        let (tx, _) = try shop.sell([("TV55", 1)], member: "M1", payment: .card)
        #expect(try shop.state.memberAccount("M1")?.tier == 2)
        try shop.submit(.till, .refund(try shop.makeRefund(of: tx.id, [(0, 1)], cashBack: false)))
        let refunded = try #require(try shop.state.memberAccount("M1"))
        #expect(refunded.tier == 1 && refunded.period?.spend == 0)
        try shop.submit(.admin, .configure(RetailSettings()))
        shop.timeMs += 400 * Self.day
        _ = try shop.sell([("TV55", 1)], member: "M1", payment: .card)
        let after = try #require(try shop.state.memberAccount("M1"))
        #expect(after.period == refunded.period, "no review: the period is left as it was")
        #expect(after.tier == 2, "tiers follow lifetime spend again")
    }
}
