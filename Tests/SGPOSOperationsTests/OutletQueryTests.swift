import SGPOSChain
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// The reads of one outlet's state: stock, shifts, books, a member's standing on a day.
@Suite struct OutletQueryTests {
    @Test func readsStockShiftsBooksAndMembers() throws {
        var shop = try ShopFixture()
        let query = OutletQuery(outlet: shop.outlet)
        try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-1", lines: [StockLine(sku: "MILK", quantity: 12)])))
        try shop.openShift(float: 5_000)
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 100, reason: "welcome")))
        try shop.sell([("MILK", 2)])

        #expect(try query.stock(sku: "MILK", state: shop.state) == 10)
        #expect(try query.stock(sku: "BREAD", state: shop.state) == 0)
        let shift = try #require(try query.shift(till: "till-1", state: shop.state))
        #expect(shift.open && shift.lastReceiptNumber == 1 && shift.expectedCash == 5_000 + 730)
        #expect(try query.shift(till: "till-2", state: shop.state) == nil)
        let books = try query.books(state: shop.state)
        #expect(books.openShifts == 1 && books.period.salesCount == 1)

        let standing = try #require(try query.member("M1", todayMs: shop.timeMs, state: shop.state))
        let expiry = CivilTime.date(fromDays: SaleCalculator.expiryDay(earnedAtMs: shop.timeMs, months: 12))
        #expect(standing.tier == .bronze && standing.points == 100 && standing.lots == [.init(expiresOn: expiry, points: 100)])
        // A day after the lot expired: no points left.
        let later = try #require(try query.member("M1", todayMs: shop.timeMs + 400 * 86_400_000, state: shop.state))
        #expect(later.points == 0 && later.lots.isEmpty)
        #expect(try query.member("M2", todayMs: shop.timeMs, state: shop.state) == nil)

        // Input over the limits is refused before a state key is built.
        #expect(throws: RequestError.self) { try query.stock(sku: String(repeating: "S", count: 65), state: shop.state) }
        #expect(throws: RequestError.self) { try query.member("91234567", todayMs: shop.timeMs, state: shop.state) }
    }
}
