import Foundation
import SGPOSChain
import SGPOSCommandSupport
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// What the shipped rules did across the demo network, as the ledger recorded it: the
/// discount each rule gave (the promotions report over every outlet's chain), the points
/// members earned and redeemed (their accounts), and the counters the member-limited offer
/// and the reward moved (the `rule counters` table of each outlet).
enum DemoRules {
    static func describe(dataDirectory: String, genesis: Genesis) throws -> [String] {
        let store = try openStore(dataDirectory)
        let reports = Reports(store: store)
        let outlets = genesis.outlets.map(\.id)
        let everything = ReportRange(from: .init(year: 2000, month: 1, day: 1), to: .init(year: 2100, month: 12, day: 31), outlets: outlets)
        let promotions = try reports.promotions(everything)
        var lines: [String] = []
        for id in promotions.rules.keys.sorted() {
            let rule = promotions.rules[id]!
            lines.append("\(id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(rule.sales) sales, \(rule.lines) lines, \(money(rule.discount)) off (less voids)")
        }
        let loyalty = try reports.loyalty(on: CivilTime.singaporeDate(epochMs: Int64(wallClockMs())), withinDays: 30, outlets: outlets).totals
        lines.append("loyalty.tiers + loyalty.bonus-2x: members earned \(loyalty.earnedTotal) points, redeemed \(loyalty.redeemedTotal) (rewards included)")
        // The sales' rule records (FORMAT.md §13.2, sale version 3), read from the chains.
        var tiers = 0, rewards = 0, rewardPoints: Int64 = 0
        var moved: [String: Int64] = [:]
        try store.environment.read { transaction in
            for outlet in outlets {
                let head = try store.head(outlet, transaction).height
                guard head > 0 else { continue }
                for height in 1...head {
                    for signed in try store.block(outlet, height: height, transaction)?.transactions ?? [] {
                        guard case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.sale,
                              case .sale(let sale) = try POSBody.decode(type: type, payload: payload), let record = sale.ruleRecord
                        else { continue }
                        if record.tier > 0 { tiers += 1 }
                        if record.rewardPoints > 0 { rewards += 1; rewardPoints += record.rewardPoints }
                        for move in record.counters { moved["\(move.rule).\(move.counter)", default: 0] += move.by }
                    }
                }
            }
        }
        lines.append("rule records on the sales: \(tiers) set a member's tier, \(rewards) took \(rewardPoints) points for rewards; counters moved: "
            + moved.keys.sorted().map { "\($0) +\(moved[$0]!)" }.joined(separator: ", "))
        return lines
    }

    private static func money(_ cents: Int64) -> String { (try? Money(cents: cents))?.description ?? "\(cents) cents" }
}
