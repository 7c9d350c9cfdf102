import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

@Suite("Loyalty, stock and shifts")
struct LoyaltyStockShiftTests {
    @Test func pointsEarnRedeemExpireAndTiersUpgrade() throws {
        var shop = try ShopFixture()
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        expectRejected(.memberAlreadyEnrolled, &shop) { shop in try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1"))) }
        let (_, tv) = try shop.sell([("TV55", 1)], member: "M1", payment: .card)  // 1299.00 → 1299 points, Silver after
        #expect(tv.pointsEarned == 1_299)
        var account = try shop.state.memberAccount("M1")!
        #expect(account.tier == LoyaltyTier.silver.rawValue && account.lifetimeSpend == 129_900)
        // Silver earns 1.2×: 13.90 → 13 dollars × 1.2 = 15 points.
        let (_, rice) = try shop.sell([("RICE5KG", 1)], member: "M1", payment: .card)
        #expect(rice.pointsEarned == 15)
        // Redeem 500 points (S$5.00) as a discount: GST falls with it.
        let (_, redeemed) = try shop.sell([("RICE5KG", 1)], member: "M1", redeem: 500, payment: .card)
        #expect(redeemed.discount == 500 && redeemed.total == 890 && redeemed.gst == 73)  // 8.90 × 9/109 = 0.7348
        #expect(redeemed.lines[0].discounts == [LineDiscount(rule: "loyalty-points", amount: 500)])
        account = try shop.state.memberAccount("M1")!
        #expect(account.balance == 1_299 + 15 - 500 + redeemed.pointsEarned)
        // Points earned in March 2026 expire at the end of March 2027.
        #expect(account.lots.map(\.expiresOn) == [CivilTime.days(from: CivilTime.Date(iso: "2027-03-31")!)])
        shop.timeMs += 400 * 86_400_000
        try shop.closeShift()
        try shop.openShift()
        expectRejected(.insufficientPoints, &shop) { shop in try shop.sell([("PEN", 1)], member: "M1", redeem: 1) }
    }

    @Test func redemptionAsATenderLeavesGSTOnTheFullPrice() throws {
        var shop = try ShopFixture()
        try shop.submitChain(.admin, POSBody.configure(RetailSettings(redemptionIsTender: true)).transactionBody)
        try shop.openShift()
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 600, reason: "welcome")))
        // retail.md's case: S$54.50 with S$5.00 of points. As a tender GST stays 4.50.
        try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "BAG", category: "x", unitPrice: 5_450)])))
        let (_, sale) = try shop.sell([("BAG", 1)], member: "M1", redeem: 500, payment: .card)
        #expect(sale.gst == 450 && sale.total == 5_450 && sale.discount == 0)
        #expect(sale.tenders.first == .points(points: 500, amount: 500) && sale.amountPayable == 5_450)
        #expect(sale.pointsEarned == 49, "points are earned on the S$49.50 paid in money")
        // As a discount (the default) the same sale carries 4.09 GST.
        var other = try ShopFixture()
        try other.openShift()
        try other.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try other.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 600, reason: "welcome")))
        try other.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "BAG", category: "x", unitPrice: 5_450)])))
        let (_, discounted) = try other.sell([("BAG", 1)], member: "M1", redeem: 500, payment: .card)
        #expect(discounted.gst == 409 && discounted.total == 4_950)
    }

    @Test func stockMovesAndTheStocktakeRecordsTheVariance() throws {
        var shop = try ShopFixture()
        try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-88", lines: [StockLine(sku: "PEN", quantity: 100)])))
        try shop.submit(.manager, .stockAdjust(StockAdjust(sku: "PEN", delta: -3, reason: .damaged)))
        try shop.openShift()
        try shop.sell([("PEN", 7)])
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "PEN") == 90)
        expectRejected(.stockCountMismatch, &shop) { shop in
            try shop.submit(.manager, .stockCount(StockCount(lines: [.init(sku: "PEN", counted: 88, expected: 100, variance: -12)])))
        }
        try shop.submit(.manager, .stockCount(StockCount(lines: [.init(sku: "PEN", counted: 88, expected: 90, variance: -2)])))
        #expect(try shop.state.stockOnHand(outlet: 1, sku: "PEN") == 88)
        expectRejected(.unknownSKU, &shop) { shop in
            try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-89", lines: [StockLine(sku: "NOPE", quantity: 1)])))
        }
        expectRejected(.invalidField, &shop) { shop in
            try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO-89", lines: [StockLine(sku: "PEN", quantity: -1)])))
        }
        expectRejected(.notAuthorized, &shop) { shop in
            try shop.submit(.till, .stockAdjust(StockAdjust(sku: "PEN", delta: 5, reason: .found)))
        }
    }

    @Test func transferHalvesMatchWhereBothAreVisible() throws {
        // One state holding both outlets' transactions (the global view of issue 5).
        var one = try ShopFixture(outlet: 1)
        let id = TransferID(bytes: Array(repeating: 0xAB, count: 16))!
        let lines = [StockLine(sku: "PEN", quantity: 4)]
        try one.submit(.manager, .transferOut(StockTransfer(transferID: id, counterpart: 2, lines: lines)))
        expectRejected(.transferMismatch, &one) { one in
            try one.submit(.manager, .transferOut(StockTransfer(transferID: id, counterpart: 2, lines: lines)))
        }
        #expect(try one.state.stockOnHand(outlet: 1, sku: "PEN") == -4)
        var outOnly = StockTransfer(transferID: id, counterpart: 1, lines: [StockLine(sku: "PEN", quantity: 5)])
        var global = one.state
        // Outlet 2's transfer-in applied over outlet 1's state must match the out half.
        var two = try ShopFixture(outlet: 2)
        try two.adopt(global)
        expectRejected(.transferMismatch, &two) { two in try two.submit(.manager, .transferIn(outOnly)) }
        outOnly.lines = lines
        try two.submit(.manager, .transferIn(outOnly))
        #expect(try two.state.stockOnHand(outlet: 2, sku: "PEN") == 4)
        global = two.state
        #expect(try global.stockOnHand(outlet: 1, sku: "PEN") == -4)
    }

    @Test func shiftCashAndVarianceAreChecked() throws {
        var shop = try ShopFixture()
        try shop.openShift(float: 10_000)
        try shop.sell([("RICE5KG", 1)], payment: .cash(tendered: 5_000))  // 13.90 in cash
        try shop.submit(.till, .cashIn(CashMovement(amount: 2_000, reason: "coins from safe")))
        try shop.submit(.till, .drawerOpen(DrawerOpen(reason: "change for a customer")))
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.drawerOpens == 1)
        expectRejected(.shiftNotOpen, &shop) { shop in try shop.submit(.till2, .drawerOpen(DrawerOpen(reason: "x"))) }
        try shop.submit(.till, .cashOut(CashMovement(amount: 5_000, reason: "to safe")))
        expectRejected(.invalidField, &shop) { shop in try shop.submit(.till, .cashOut(CashMovement(amount: 1_000_000, reason: "x"))) }
        let expected: Int64 = 10_000 + 1_390 + 2_000 - 5_000
        #expect(try shop.state.shift(outlet: 1, till: "till-1")!.expectedCash == expected)
        expectRejected(.closingMismatch, &shop) { shop in
            try shop.submit(.till, .shiftClose(ShiftClose(counted: 8_000, expected: 8_000, variance: 0)))
        }
        try shop.submit(.till, .shiftClose(ShiftClose(counted: 8_380, expected: expected, variance: -10)))
        expectRejected(.shiftNotOpen, &shop) { shop in try shop.sell([("PEN", 1)]) }
    }
}

extension ShopFixture {
    /// Continues from another fixture's state (both outlets in one state).
    mutating func adopt(_ other: MemoryState) throws {
        var merged = other
        var writes = WriteSet()
        for entry in state.sortedEntries where other.read(entry.key) == nil { writes.put(entry.key, entry.value) }
        merged.apply(writes)
        replaceState(merged)
    }
}
