import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill

extension DemoCommand {
    /// The demo's lot-tracked product: milk of GTIN 09556001234568 (check digit 8), lots
    /// L2611A (recalled) and L2611B.
    static let recallGTIN = "09556001234568"
    static let recalledLot = "L2611A"
    static let keptLot = "L2611B"

    /// 2027-12-31, as the labels print it (AI 17 271231).
    static let lotExpiryDay = CivilTime.days(from: .init(year: 2027, month: 12, day: 31))

    /// A problem of the recall step: in the demo's output and on stderr (the end of which a
    /// failing test shows).
    static func recallFailure(_ message: String) {
        print("   FAIL " + message)
        FileHandle.standardError.write(Data("sgpos demo: FAIL \(message)\n".utf8))
    }

    static func gs1(_ lot: String) -> String { "(01)\(recallGTIN)(17)271231(10)\(lot)" }

    /// Lots and a recall (FORMAT.md §9.8, §13.6): every outlet opened with two lots of milk
    /// (GS1 lot and expiry on the receipt, ``DemoShop/openingDeliveries``) and two sell scanned units; `cutOff` is cut off; head
    /// office recalls lot A; the connected outlets record the recall from the checkpoint that
    /// carries it and refuse the lot, while the cut-off outlet, not knowing, still sells
    /// it; reconnected, it records the recall and refuses the lot too (lot B still sells);
    /// the lot report lists where lot A is and who bought it. Returns the number of problems.
    func showRecall(network: DemoNetwork, nodes: DemoNodes, sellers: inout [OutletID: [TillSession]],
                    members: [OutletID: [String]], cutOff: OutletID) async throws -> Int {
        guard nodes.nodes.count >= 4 else { return 0 }
        var problems = 0
        let gtin = Self.recallGTIN
        print("== lots: every outlet opened with 24 MILK-1L, 12 each of lots \(Self.recalledLot) and \(Self.keptLot) of GTIN \(gtin) (GS1 lot and expiry on the stock receipt)")

        /// A sale of scanned units at `outlet`, to its first member; the refusal's code if refused.
        func sell(_ lots: [String], at outlet: OutletID) async throws -> (receipt: UInt64, id: String, refused: NodeClient.Failure?) {
            let node = nodes.nodes.first { $0.outlet == outlet }!
            var till = sellers[outlet]![0]
            defer { sellers[outlet]![0] = till }
            do {
                let prepared = try await node.client.signed(by: till.key).prepare(API.PrepareRequest(
                    kind: "sale", till: till.principal, memberId: members[outlet]?.first, payment: API.Payment(kind: "cash"),
                    scans: lots.map(Self.gs1)))
                let signed = try signPrepared(prepared, with: &till)
                _ = try await node.client.submit(signed)
                return (prepared.number, signed.id.hex, nil)
            } catch let failure as NodeClient.Failure {
                return (0, "", failure)
            }
        }
        let first = nodes.nodes[0].outlet
        for outlet in [first, cutOff] {
            let sold = try await sell([Self.recalledLot, Self.recalledLot], at: outlet)
            if let refused = sold.refused {
                Self.recallFailure("a scanned sale of lot \(Self.recalledLot) at outlet \(outlet) was refused: \(refused)")
                problems += 1
            }
        }
        print("   outlets \(first) and \(cutOff) each sell 2 scanned units of lot \(Self.recalledLot) to a member: the lot is on the sale lines")

        let isolated = nodes.nodes.first { $0.outlet == cutOff }!
        try await isolated.client.isolate(true)
        let recall = ProductRecall(chainID: network.genesis.id, serial: 1, gtin: gtin, lot: Self.recalledLot,
                                   reason: "Listeria found in batch \(Self.recalledLot); return to store", admin: network.admin)
        for node in nodes.nodes where node.outlet != cutOff { _ = try await node.client.signed(by: network.admin).submitRecall(recall) }
        print("== outlet \(cutOff) cut off; head office recalls lot \(Self.recalledLot) (recall \(recall.id.hex.prefix(16))…, signed by a genesis admin)")

        /// Waits until `outlet` has recorded the recall on its chain.
        func recorded(_ outlet: OutletID, within seconds: Int64) async throws -> (Bool, UInt64) {
            let node = nodes.nodes.first { $0.outlet == outlet }!
            let started = ContinuousClock.now
            while started.duration(to: .now) < .seconds(seconds) {
                if let entry = try await node.client.signed(by: network.admin).recalls().carried.first(where: { $0.id == recall.id.hex }), entry.recordedHere {
                    return (true, entry.checkpoint ?? 0)
                }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            return (false, 0)
        }
        // The cut-off outlet cannot know: it still sells the lot.
        let offline = try await sell([Self.recalledLot], at: cutOff)
        if offline.refused == nil {
            print("   outlet \(cutOff), cut off, has not heard of it: it still sells a unit of the lot (receipt \(offline.receipt))")
        } else {
            Self.recallFailure("outlet \(cutOff), cut off, refused the lot before it could know of the recall: \(offline.refused!)")
            problems += 1
        }
        // The others: the next checkpoint (three validators of four, outlet 4 being out of
        // reach) carries the recall. On a loaded machine the three may take longer than
        // this: then the outlet reconnects first, and the recall comes with four.
        var (atFirst, checkpoint) = try await recorded(first, within: 30)
        let reconnectedFirst = !atFirst
        if reconnectedFirst {
            try await isolated.client.isolate(false)
            print("   (no checkpoint among the 3 connected validators within 30 s: outlet \(cutOff) reconnects first)")
            (atFirst, checkpoint) = try await recorded(first, within: 120)
        }
        guard atFirst else {
            if !reconnectedFirst { try await isolated.client.isolate(false) }
            var states: [String] = []
            for node in nodes.nodes {
                let status = try? await node.client.checkpointStatus()
                states.append("outlet \(node.outlet): " + (status.map { "checkpoint \($0.checkpointHeight), working \($0.working) round \($0.round)" } ?? "no status"))
            }
            // Only after both waits (a record within the first ends the step above).
            Self.recallFailure("outlet \(first) did not record the recall within 30 s with 3 validators, then 120 s with all 4 "
                               + "(\(states.joined(separator: "; ")))")
            return problems + 1
        }
        let refusedThere = try await sell([Self.recalledLot], at: first).refused
        if refusedThere?.problem?.code == Int(LedgerRejection.Reason.lotRecalled.rawValue) {
            print("   checkpoint \(checkpoint) carries it; outlet \(first) records it and refuses the lot: \(refusedThere?.problem?.message ?? "")")
        } else {
            Self.recallFailure("outlet \(first) sold lot \(Self.recalledLot) after recording its recall (\(refusedThere.map { "\($0)" } ?? "accepted"))")
            problems += 1
        }
        if !reconnectedFirst { try await isolated.client.isolate(false) }
        let started = ContinuousClock.now
        let (atCutOff, _) = try await recorded(cutOff, within: 120)
        let elapsed = started.duration(to: .now)
        if !atCutOff {
            Self.recallFailure("outlet \(cutOff) did not record the recall within 120 s of reconnecting")
            return problems + 1
        }
        let refusedLater = try await sell([Self.recalledLot], at: cutOff).refused
        let kept = try await sell([Self.keptLot], at: cutOff)
        let keptSells = kept.refused == nil
        if keptSells {
            // Rung up twice: the post-void gives the unit back to its lot.
            var till = sellers[cutOff]![0]
            let node = nodes.nodes.first { $0.outlet == cutOff }!
            let prepared = try await node.client.signed(by: till.key).prepare(API.PrepareRequest(kind: "void", till: till.principal, sale: kept.id, reason: "rung up twice"))
            _ = try await node.client.submit(try signPrepared(prepared, with: &till))
            sellers[cutOff]![0] = till
        }
        if refusedLater?.problem?.code == Int(LedgerRejection.Reason.lotRecalled.rawValue), keptSells {
            print(String(format: "   reconnected: outlet %u records the recall %.1f s later and refuses lot %@; lot %@ still sells",
                         cutOff, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, Self.recalledLot, Self.keptLot))
        } else {
            Self.recallFailure("after reconnecting, outlet \(cutOff) answered \(refusedLater.map { "\($0)" } ?? "accepted") for lot \(Self.recalledLot) and \(keptSells ? "accepted" : "refused") lot \(Self.keptLot)")
            problems += 1
        }

        // Where is lot A? Every sale of it, with receipt and member, once the cut-off
        // outlet's blocks and every outlet's apply-recall have reached outlet 1's node.
        let path = "/v1/reports/lot?gtin=\(gtin)&lot=\(Self.recalledLot)"
        var report: LotReport?
        let waitStarted = ContinuousClock.now
        while waitStarted.duration(to: .now) < .seconds(120) {
            let current: LotReport = try await nodes.nodes[0].client.signed(by: network.admin).call("GET", path, retry: true)
            report = current
            // Every outlet's apply-recall block, and outlet 4's sales, replicated to node 1.
            if current.totals.sold == 5, current.outlets.count == nodes.nodes.count, current.outlets.allSatisfy({ $0.recall != nil }) { break }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        guard let report else { return problems + 1 }
        let places = report.outlets.map { "outlet \($0.outletId) on hand \($0.onHand)" + ($0.recall == nil ? "" : " (recorded)") }.joined(separator: ", ")
        print("   lot report from outlet \(first)'s node (GET \(path)): received \(report.totals.received), sold \(report.totals.sold) "
            + "in \(report.totals.sales) sales to \(report.totals.members) member(s); \(places)")
        for sale in report.sold {
            print("     outlet \(sale.outletId) till \(sale.till) receipt \(sale.receiptNumber) x\(sale.quantity) "
                + (sale.memberId.isEmpty ? "guest" : "member \(sale.memberId)") + " at \(sale.time)")
        }
        let expectedOnHand = Int64(nodes.nodes.count) * 12 - 5
        if report.totals.sold != 5 || report.totals.onHand != expectedOnHand || report.outlets.contains(where: { $0.recall == nil }) {
            Self.recallFailure("the lot report says sold \(report.totals.sold) (expected 5), on hand \(report.totals.onHand) (expected \(expectedOnHand)), every outlet recorded the recall: \(!report.outlets.contains { $0.recall == nil })")
            problems += 1
        }
        return problems
    }
}
