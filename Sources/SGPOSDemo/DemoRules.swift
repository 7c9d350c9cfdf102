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
        var counters: [String: Int64] = [:]
        try store.environment.read { transaction in
            for outlet in outlets {
                let state = store.stateReader(outlet, transaction)
                counters["promo.dairy-3off total", default: 0] += try state.ruleCounter(rule: "promo.dairy-3off", counter: "total", member: "")
                counters["reward.tote-bag stock", default: 0] += try state.ruleCounter(rule: "reward.tote-bag", counter: "stock", member: "")
            }
        }
        lines.append("counters: promo.dairy-3off used \(counters["promo.dairy-3off total"]!) of its 1000 per outlet, "
            + "reward.tote-bag given \(counters["reward.tote-bag stock"]!) of its 500 per outlet")
        return lines
    }

    private static func money(_ cents: Int64) -> String { (try? Money(cents: cents))?.description ?? "\(cents) cents" }
}
