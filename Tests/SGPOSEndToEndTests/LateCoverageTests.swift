import Foundation
import SGPOSChain
@testable import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
@testable import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing

/// Which sales were covered late (docs/REPORTS.md, "Covered late"; docs/CONSENSUS.md §11):
/// an outlet chain in a real store, checkpoints with agreed times over it, and the GST
/// return and the Z-report naming the sales, refunds and voids whose blocks reached a
/// checkpoint more than the genesis's lag threshold (1 hour here) after their own time.
@Suite struct LateCoverageTests {
    static let minute: Int64 = 60_000

    @Test func theGSTReturnAndTheZReportNameTheSalesCoveredLate() throws {
        let scratch = Scratch()
        let network = TestNetwork(outlets: 4)
        #expect(network.genesis.hasCheckpointChain && network.genesis.timeParameters.lagThresholdMs == 3_600_000)
        let store = try LedgerStore.create(dataDirectory: scratch.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        var shop = try ShopFixture(network: network, outlet: 1)
        let start = shop.timeMs
        try shop.openShift()
        var written = 0
        /// Puts what the fixture applied since the last call into one block stamped `shop.timeMs`.
        func seal() throws {
            _ = try writer.append(Array(shop.log[written...]), timestampMs: TimestampMs(shop.timeMs))
            written = shop.log.count
        }
        try seal()                                                   // block 1: keys, prices, shift
        var sales: [(SignedTransaction, Sale)] = []
        var refund: Refund?
        for k in 1...12 {                                           // blocks 2…13: a sale every 10 minutes
            shop.timeMs = start + Int64(k) * 10 * Self.minute
            sales.append(try shop.sell([("MILK", Int64(k))]))
            if k == 4 {                                             // and with the fourth, a refund of one unit of the second
                refund = try shop.makeRefund(of: sales[1].0.id, [(0, 1)])
                try shop.submit(.till, .refund(refund!))
            }
            try seal()
        }
        shop.timeMs = start + 130 * Self.minute                      // block 14: a sale on time
        try shop.sell([("BREAD", 1)])
        try seal()
        shop.timeMs = start + 131 * Self.minute                      // block 15: the shift's close and the day-close (Z-report 1)
        try shop.closeShift()
        try shop.submit(.manager, .dayClose(DayClose(zNumber: 1, businessDate: "2026-03-02", totals: try shop.state.outletBooks(1).period)))
        try seal()

        // Checkpoint 1 covers block 1 after 10 s; checkpoint 2 covers blocks 2…13 at
        // 2 h 5 min: blocks stamped before 1 h 5 min (sales 1…6, blocks 2…7) are late;
        // checkpoint 3 covers blocks 14 and 15 a minute after their time.
        let consensus = try ConsensusStorage(environment: store.environment)
        func checkpoint(_ height: UInt64, covering outletHeight: UInt64, atMs: Int64) throws {
            let block = try #require(try store.environment.read { try store.block(1, height: outletHeight, $0) })
            let heads = [Checkpoint.Head(outlet: 1, height: outletHeight, blockID: block.header.id)]
                + (2...4).map { Checkpoint.Head(outlet: $0, height: 0, blockID: Hash256(bytes: [UInt8](repeating: 0, count: 32))!) }
            let value = Checkpoint(heads: heads, historyRoot: MerkleTree.emptyRoot, networkRoot: MerkleTree.emptyRoot, timeMs: UInt64(atMs))
            try consensus.store(CommitCertificate(height: height, round: 0, value: value.canonicalBytes, precommits: []))
        }
        try checkpoint(1, covering: 1, atMs: start + 10_000)
        try checkpoint(2, covering: 13, atMs: start + 125 * Self.minute)
        try checkpoint(3, covering: 15, atMs: start + 132 * Self.minute)

        let late = try store.environment.read { try LateCoverage(store: store, consensus: consensus, outlets: [1, 2], $0) }
        let span = LateCoverage.Span(outlet: 1, firstHeight: 2, lastHeight: 7, largestLagMs: UInt64(115 * Self.minute))
        #expect(late.spans == [1: [span]], "blocks 2…7, the first 1 h 55 min behind")
        #expect(late.span(1, height: 7) == span && late.span(1, height: 8) == nil && late.span(1, height: 1) == nil)
        let partial = try store.environment.read { try LateCoverage(store: store, consensus: consensus, outlets: [1], through: [1: 4], $0) }
        #expect(partial.spans[1]?.map(\.lastHeight) == [4], "counted only up to the height asked")

        // The GST return of the day: sales 1…6 and the refund covered late, the rest not.
        let reports = Reports(store: store)
        let gst = try reports.gst(try ReportRange(from: "2026-03-02", to: "2026-03-02"))
        let lateSales = sales.prefix(6).map(\.1)
        let refunded = try #require(refund)
        #expect(gst.coveredLate.transactions == 7)
        #expect(gst.coveredLate.amount == lateSales.reduce(0) { $0 + $1.lines.reduce(0) { $0 + $1.paid } } - refunded.amount)
        #expect(gst.coveredLate.gst == lateSales.reduce(0) { $0 + $1.lines.reduce(0) { $0 + $1.gst } } - refunded.gst)
        #expect(gst.coveredLate.gst > 0 && refunded.gst > 0)
        #expect(gst.coveredLate.spans == [span])
        let document = ReportDocument.gst(gst).coveredLate
        #expect(document.blocks == [.init(outletId: 1, fromHeight: 2, toHeight: 7, largestLagMs: UInt64(115 * Self.minute))])
        #expect(ReportDocument.lateLine(document).hasPrefix("covered late: 7 sale(s), refund(s) or void(s), amount \(document.amount), GST \(document.gst), in blocks o1@2-7 (up to 1 h 55 min"))
        #expect(try ReportFormat.gst(gst, format: "text").contains("covered late: 7 sale(s)"))
        #expect(ReportHTML.gst(gst).contains("Covered late"))
        #expect(try reports.gst(try ReportRange(from: "2026-03-03", to: "2026-03-03")).coveredLate == CoveredLate(), "another day: nothing")

        // The Z-report closing the day names the same seven.
        let z = try reports.zReport(outlet: 1, number: 1)
        #expect(z.height == 15 && z.coveredLate == gst.coveredLate)
        #expect(ReportHTML.z(ReportDocument.z(outlet: 1, close: z.close, height: z.height, coveredLate: z.coveredLate)).contains("Covered late"))
    }

    @Test func aStoreWithoutCheckpointsHasNothingLate() throws {
        let scratch = Scratch()
        let network = TestNetwork(outlets: 4)
        let store = try LedgerStore.create(dataDirectory: scratch.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        var shop = try ShopFixture(network: network, outlet: 1)
        try shop.openShift()
        try shop.sell([("BREAD", 2)])
        _ = try writer.append(shop.log, timestampMs: TimestampMs(shop.timeMs))
        let gst = try Reports(store: store).gst(try ReportRange(from: "2026-03-02", to: "2026-03-02"))
        #expect(gst.coveredLate == CoveredLate() && gst.box6 > 0, "blocks no checkpoint covers yet are not late")
    }
}
