import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSTestSupport
import Testing

/// Re-priced returns on generated baskets under every shipped rule (Contracts/): a sale
/// returned in random pieces never refunds below 0 or above what is left, and once every
/// unit is back the refunds add up to exactly what was paid, GST included, and every
/// point earned is taken back. The state machine accepts each refund.
@Suite("Re-priced returns, generated")
struct RepricedReturnPropertyTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func returnsInPiecesGiveBackExactlyWhatWasPaid(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var shop = try ShopFixture()
        try shop.submit(.manager, .setPrices(SetPrices(entries: [PriceEntry(sku: "NUTS", category: "snacks", unitPrice: 200),
                                                                 PriceEntry(sku: "RW-TOTE", category: "rewards", unitPrice: 1_500)])))
        try shop.submit(.admin, .configure(RetailSettings(earning: .builtInPlusRules, returns: .reprice)))
        let contracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Contracts")
        for name in try FileManager.default.contentsOfDirectory(atPath: contracts.path).sorted() where name.hasSuffix(".rules") {
            let source = try String(contentsOf: contracts.appendingPathComponent(name), encoding: .utf8)
            try shop.submit(.admin, .deployRule(DeployRule(source: source, activeFromMs: 0)))
        }
        try shop.openShift()
        for member in ["M1", "M2"] { try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: member))) }
        let skus = ["CHIPS", "NUTS", "MILK", "BREAD", "RICE5KG", "PEN"]
        var adjusted = 0
        for round in 0..<25 {
            let lines = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                (skus.randomElement(using: &random)!, Int64.random(in: 1...4, using: &random))
            }
            let member = ["", "M1", "M2"].randomElement(using: &random)!
            let codes = Bool.random(using: &random) ? ["WELCOME2"] : []
            let (tx, sale) = try shop.sell(lines, member: member, codes: codes, payment: .card)
            let earned = sale.pointsEarned
            var refunded: Int64 = 0, refundedGST: Int64 = 0, reversed: Int64 = 0
            var left = sale.lines.map(\.quantity)
            var steps = 0
            while left.contains(where: { $0 > 0 }) {
                steps += 1
                #expect(steps <= 40, "round \(round): the returns end")
                let open = left.indices.filter { left[$0] > 0 }
                var units: [(UInt32, Int64)] = []
                for index in open where units.isEmpty || Bool.random(using: &random) {
                    units.append((UInt32(index), Int64.random(in: 1...left[index], using: &random)))
                }
                let record = try shop.state.saleRecord(tx.id)!
                let remaining = record.lines.reduce(Int64(0)) { $0 + $1.amount - $1.refundedAmount }
                let refund = try RepricedReturnTests.refund(shop, tx.id, units, card: true)
                #expect(refund.amount >= 0 && refund.amount <= remaining, "round \(round): refund \(refund.amount) of \(remaining) left")
                try shop.submit(.till, .refund(refund))
                for (index, quantity) in units { left[Int(index)] -= quantity }
                if !refund.adjustments.isEmpty { adjusted += 1 }
                refunded += refund.amount
                refundedGST += refund.gst
                reversed += refund.pointsReversed
            }
            #expect(refunded == sale.total, "round \(round): refunds \(refunded) of \(sale.total) paid")
            #expect(refundedGST == sale.gst, "round \(round): GST back \(refundedGST) of \(sale.gst)")
            #expect(reversed == earned, "round \(round): points back \(reversed) of \(earned)")
        }
        #expect(adjusted >= 3, "the generated returns re-price kept units (\(adjusted) did)")
    }
}
