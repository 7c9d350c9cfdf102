import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// Random sequences of sales, refunds, voids, receipts and closings; afterwards stock,
/// points and every Z-report equal an independent recomputation from the accepted
/// bodies alone, and the perpetual total never went down.
@Suite("Random sequences")
struct RandomSequenceTests {
    struct Model {
        var stock: [String: Int64] = [:]
        var points: [String: Int64] = [:]
        var salesTotal: Int64 = 0
        var refundsTotal: Int64 = 0
        var voidsTotal: Int64 = 0
        var salesCount: Int64 = 0
        var gst: Int64 = 0
        var tenders: [Tender.Kind: Int64] = [:]
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func stateEqualsAnIndependentRecomputation(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var shop = try ShopFixture()
        let skus = ShopFixture.defaultPrices.map(\.sku)
        let members = ["M1", "M2", "M3"]
        for member in members { try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: member))) }
        try shop.openShift()
        var model = Model()
        var sales: [(id: Hash256, sale: Sale)] = []
        var grandTotals: [Int64] = []
        var zNumber: UInt64 = 0
        for _ in 0..<150 {
            shop.timeMs += Int64.random(in: 1_000...600_000, using: &random)
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<12:
                let lines = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    (skus.randomElement(using: &random)!, Int64.random(in: 1...4, using: &random))
                }
                let member = Bool.random(using: &random) ? members.randomElement(using: &random)! : ""
                let balance = member.isEmpty ? 0 : model.points[member, default: 0]
                let redeem = balance > 0 && Bool.random(using: &random) ? Int64.random(in: 1...min(balance, 300), using: &random) : 0
                let payments: [ShopFixture.Payment] = [.cash(), .card, .nets, .payNow]
                guard let (tx, sale) = try? shop.sell(lines, member: member, redeem: redeem,
                                                      payment: payments.randomElement(using: &random)!) else { continue }
                sales.append((tx.id, sale))
                for line in sale.lines { model.stock[line.sku, default: 0] -= line.quantity }
                if !member.isEmpty { model.points[member, default: 0] += sale.pointsEarned - sale.pointsRedeemed }
                model.salesTotal += sale.total
                model.salesCount += 1
                model.gst += sale.gst
                for tender in sale.tenders { model.tenders[tender.kind, default: 0] += tender.amount }
            case 12..<15 where !sales.isEmpty:
                let (id, sale) = sales.randomElement(using: &random)!
                let record = try shop.state.saleRecord(id)!
                let index = Int.random(in: 0..<sale.lines.count, using: &random)
                let left = record.lines[index].quantity - record.lines[index].refundedQuantity
                guard !record.voided, left > 0 else { continue }
                let cashBack = sale.tenders.contains { $0.kind == .cash }
                let refund = try shop.makeRefund(of: id, [(UInt32(index), Int64.random(in: 1...left, using: &random))],
                                                 cashBack: cashBack)
                try shop.submit(.till, .refund(refund))
                model.stock[record.lines[index].sku, default: 0] += refund.lines[0].quantity
                if !record.memberID.isEmpty {
                    model.points[record.memberID, default: 0] -= min(refund.pointsReversed, model.points[record.memberID, default: 0])
                }
                model.refundsTotal += refund.amount
                model.gst -= refund.gst
                model.tenders[cashBack ? .cash : .card, default: 0] -= refund.amount
            case 15 where !sales.isEmpty:
                let (id, sale) = sales.removeLast()
                let record = try shop.state.saleRecord(id)!
                guard !record.hasRefunds, record.shiftNumber == (try shop.state.shift(outlet: 1, till: "till-1")!.number) else { continue }
                try shop.submit(.till, .void(SaleVoid(originalSale: id, reason: "operator error")))
                for line in sale.lines { model.stock[line.sku, default: 0] += line.quantity }
                if !sale.memberID.isEmpty {
                    let held = model.points[sale.memberID, default: 0]
                    model.points[sale.memberID] = held - min(sale.pointsEarned, held) + sale.pointsRedeemed
                }
                model.voidsTotal += sale.total
                model.gst -= sale.gst
                for tender in sale.tenders { model.tenders[tender.kind, default: 0] -= tender.amount }
            case 16:
                let sku = skus.randomElement(using: &random)!
                let quantity = Int64.random(in: 1...50, using: &random)
                try shop.submit(.manager, .stockReceive(StockReceive(reference: "DO", lines: [StockLine(sku: sku, quantity: quantity)])))
                model.stock[sku, default: 0] += quantity
            case 17:
                // Close the day: the Z-report must equal the model's period.
                try shop.closeShift()
                let period = try shop.state.outletBooks(1).period
                #expect(period.salesTotal == model.salesTotal && period.refundsTotal == model.refundsTotal)
                #expect(period.voidsTotal == model.voidsTotal && period.salesCount == model.salesCount)
                #expect(period.gstByRate.reduce(0) { $0 + $1.gst } == model.gst)
                #expect(period.netSales == period.gstByRate.reduce(0) { $0 + $1.amount })
                for kind in Tender.Kind.allCases {
                    #expect(period.tenders.first { $0.kind == kind }?.amount ?? 0 == model.tenders[kind, default: 0])
                }
                zNumber += 1
                try shop.submit(.manager, .dayClose(DayClose(zNumber: zNumber, businessDate: "2026-03-02", totals: period)))
                grandTotals.append(try shop.state.outletBooks(1).period.grandTotalSales)
                let carried = model
                model = Model(stock: carried.stock, points: carried.points)
                try shop.openShift()
                sales.removeAll()  // voids are for the open shift only
            default:
                continue
            }
        }
        for sku in skus { #expect(try shop.state.stockOnHand(outlet: 1, sku: sku) == model.stock[sku, default: 0], "\(sku)") }
        for member in members {
            #expect(try shop.state.memberAccount(member)!.balance == model.points[member, default: 0], "\(member)")
        }
        #expect(grandTotals == grandTotals.sorted(), "the perpetual total only grows")
    }
}
