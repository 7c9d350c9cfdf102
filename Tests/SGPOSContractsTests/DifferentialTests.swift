import Foundation
@testable import SGPOSContracts
import Testing

/// The compiled rules against the tree-walking reference interpreter (the language's
/// behaviour before compilation): every conformance program and shipped rule, on its own
/// input and on generated baskets, must give the identical outcome — effects, cost, error
/// code, position and message.
@Suite("Contracts compiled = reference")
struct DifferentialTests {
    func reference(_ compiled: CompiledRule, _ input: ContractInput) -> Outcome {
        if let window = compiled.rule.window, !(window.from <= input.timeMs && input.timeMs < window.until) { return .skipped(cost: 0, reason: nil) }
        if let coupon = compiled.rule.coupon, !input.coupons.contains(where: { Array($0.utf8) == Array(coupon.utf8) }) { return .skipped(cost: 0, reason: nil) }
        var interpreter = ReferenceInterpreter(rule: compiled.rule, input: input, staticCost: compiled.staticCost)
        return interpreter.run()
    }

    /// Baskets from empty to 40 lines, with small and very large amounts (overflow paths),
    /// some reward lines, random counters, rates, members and times.
    func basket(_ random: inout PropertyTests.SplitMix, counters names: [String]) -> ContractInput {
        let categories = ["snacks", "dairy", "electronics", "bakery", "rewards", "e\u{301}", "\u{e9}"]
        let huge = Int.random(in: 0...4, using: &random) == 0
        let lines = (0..<Int.random(in: 0...40, using: &random)).map { index -> ContractInput.Line in
            let qty = Int64.random(in: 1...30, using: &random)
            let price = huge ? Int64.random(in: 0...(1 << 50), using: &random) : Int64.random(in: 0...50_000, using: &random)
            let sku = Int.random(in: 0...9, using: &random) == 0 ? "RW-TOTE" : "S\(index)"
            return .init(sku: sku, category: categories.randomElement(using: &random)!, quantity: qty, unitPrice: price, net: qty * price)
        }
        let member = Bool.random(using: &random)
        var counters: [String: Int64] = [:]
        for name in names where Bool.random(using: &random) { counters[name] = Int64.random(in: 0...1_000, using: &random) }
        var input = ContractInput(
            lines: lines,
            customer: member ? .init(id: Bool.random(using: &random) ? "M" : "", isMember: true, tier: UInt8.random(in: 1...5, using: &random),
                                     lifetimeSpend: huge ? Int64.random(in: 0...(1 << 60), using: &random) : Int64.random(in: 0...6_000_000, using: &random),
                                     points: Int64.random(in: 0...2_000, using: &random),
                                     multiplier: huge ? Int64.random(in: 0...(1 << 60), using: &random) : Int64.random(in: 0...100_000, using: &random)) : .guest,
            timeMs: 1_767_196_800_000 + Int64.random(in: -(40 * 86_400_000)...(400 * 86_400_000), using: &random),
            outlet: Int64.random(in: 1...5, using: &random), counters: counters)
        for category in categories where Bool.random(using: &random) {
            input.pointRates[category] = huge ? Int64.random(in: 0...(1 << 60), using: &random) : Int64.random(in: 0...100_000, using: &random)
        }
        if Int.random(in: 0...3, using: &random) == 0 { input.basketDiscount = Int64.random(in: 0...100_000, using: &random) }
        return input
    }

    /// Corners the conformance programs do not reach: the Money tag of an empty sum (it
    /// comes from the function's syntax and decides what a later `+` costs), aliases of
    /// records and counters, roundings in variables, shadowing lambda and loop variables,
    /// bytewise string equality, and every runtime error.
    static let corners = [
        """
        rule "d.empty-sum" version 1 {
          let m = S$1.00
          let none = basket.lines.filter(l => l.qty > 25)
          let s = none.sum(l => m)
          let t = s + S$2.00 - S$0.50
          let u = -s
          let v = min(s, S$3.00) - S$1.00
          let w = none.sum(l => -l.net) - S$1.00
          let x = none.sum(l => div(m, 2, .floor)) + none.sum(l => money(l.qty)) + none.sum(l => l.net * 2)
          let y = basket.lines.sum(l => m) + basket.lines.sum(l => scale(m, 5000, .half_even))
          emit award_points(cents(t) + cents(u) + cents(v) + cents(w) + cents(x) + cents(y) + 100000, "empty")
        }
        """,
        """
        rule "d.aliases" version 1 {
          state uses: counter max 3
          budget total: counter max 5
          let b = basket
          let c = customer
          let k = uses
          require k.left > 0 and total.left > 0 else skip
          let x = b.subtotal + S$0.01
          when c.is_member { emit award_points(k.used + total.max + 1, c.id) } else { emit award_points(k.max, "guest") }
          emit increment(uses, 1)
          emit increment(total, 2)
          when x > S$100.00 { emit basket_discount(min(scale(x, 500, .floor), b.subtotal), "ALIAS") }
        }
        """,
        """
        rule "d.roundings" version 1 {
          let r = .half_even
          let h = .half_up
          let d = div(basket.units, 3, r) + div(basket.units, -4, h) + div(-basket.units, 4, .ceil) + div(basket.units, 7, .trunc)
          let e = scale(basket.subtotal, 3333, r) + scale(basket.subtotal, -3333, h) + scale(-basket.subtotal, 2500, .floor)
          let t = max(customer.tier, .gold)
          when t == .gold and min(customer.tier, .silver) >= .bronze { emit award_points(cents(e) + d + 1000000000, "r") }
          emit set_tier(max(tier_for(customer.lifetime_spend), .silver))
        }
        """,
        """
        rule "d.shadowing" version 1 {
          let l = 5
          let n = basket.lines.filter(l => l.qty > 1).count()
          let q = basket.lines.any(basket => basket.qty > l) or basket.lines.all(x => x.qty > l)
          for l in basket.lines.take(n) { when q and l.net > S$1.00 { emit line_discount(l.index, S$1.00, "SH") } }
          for p in basket.lines.filter(a => a.sku == "RW-TOTE" or a.index == l) { emit award_points(p.index + 1, p.sku) }
          when n > 2 { let a = 1 emit award_points(a, "a") } else { let a = S$1.00 emit basket_discount(min(a, basket.subtotal), "A") }
        }
        """,
        """
        rule "d.strings" version 1 {
          let tote = "RW-TOTE"
          let acute = "\u{e9}"
          let e = basket.lines.filter(l => l.sku != tote and (l.category == acute or l.category == "e\u{301}" or l.category != "dairy"))
          let rated = cents(e.sum(l => scale(l.net, point_rate(l.category), .floor))) + point_rate(acute) + point_rate("e\u{301}")
          require customer.id != "" or rated > 0 else fail(1234)
          emit award_points(rated, "strings")
        }
        """,
        """
        rule "d.units" version 1 {
          group "g"
          let units = basket.lines.expand(l => l.qty).sort_by(u => -u.price)
          let cheap = basket.lines.sort_by(l => l.qty).take(3)
          for u in units.take(div(units.count(), 4, .floor)) { emit line_discount(u.line, min(u.price, S$2.00), "U") }
          for l in cheap { when l.net > S$0.00 { emit line_discount(l.index, l.net, "ALL") } }
          emit redeem_points(customer.points - 5, "r")
        }
        """,
        """
        rule "d.errors" version 1 {
          let big = 9_223_372_036_854_775_807
          let which = basket.units - div(basket.units, 4, .floor) * 4
          when which == 0 { let o = big + basket.units }
          when which == 1 { let o = div(1, basket.units - basket.units, .floor) }
          when which == 2 { let o = -(-big - 1) }
          when which == 3 { let o = scale(big, basket.units * 10000, .floor) * 2 }
          let s = basket.lines.sum(l => l.net * big)
          emit line_discount(basket.units, S$1.00, "OUT")
        }
        """,
    ]

    static func programs() throws -> [String] {
        var sources = try PropertyTests.shipped() + corners
        for file in try ConformanceTests.suites() {
            let suite = try JSONSerialization.jsonObject(with: Data(contentsOf: ConformanceTests.directory.appendingPathComponent(file))) as! [String: Any]
            for case let testCase as [String: Any] in suite["cases"] as! [Any] {
                if let program = testCase["program"] as? String { sources.append(program) }
                sources += testCase["programs"] as? [String] ?? []
            }
        }
        return sources
    }

    @Test func compiledRulesMatchTheReferenceInterpreter() throws {
        var random = PropertyTests.SplitMix(state: 2026)
        var compared = 0
        for source in try Self.programs() {
            guard let compiled = try? CompiledRule.compile(source) else { continue }
            let names = (compiled.rule.memberCounters + compiled.rule.budgets).map(\.name)
            for _ in 0..<40 {
                let input = basket(&random, counters: names)
                let outcome = compiled.evaluate(input)
                #expect(outcome == reference(compiled, input), "\(compiled.id) on \(input)")
                compared += 1
            }
        }
        #expect(compared > 10_000)
    }

    @Test func theCornerProgramsCompile() throws {
        for source in Self.corners { #expect(throws: Never.self) { try CompiledRule.compile(source) } }
    }

    /// RuleSet.evaluate as it was before compilation, over the reference interpreter.
    func referenceSet(_ set: RuleSet, _ input: ContractInput, counters: [String: [String: Int64]]) -> RuleSet.Result {
        var current = input
        var claimed: [String: Set<Int>] = [:]
        var result = RuleSet.Result(outcomes: [], effects: [], cost: 0)
        for compiled in set.rules {
            current.counters = counters[compiled.id] ?? [:]
            let outcome = reference(compiled, current)
            result.outcomes.append((compiled.id, outcome))
            result.cost = result.cost.plus(outcome.cost)
            guard case .applied(let effects, _) = outcome else { continue }
            for effect in effects {
                if case .lineDiscount(let line, let amount, _) = effect {
                    if let group = compiled.rule.group {
                        let own = result.effects.contains { entry in
                            guard entry.id == compiled.id, case .lineDiscount(let l, _, _) = entry.effect else { return false }
                            return l == line
                        }
                        if claimed[group]?.contains(line) == true, !own { continue }
                        claimed[group, default: []].insert(line)
                    }
                    current.lines[line].net -= amount
                }
                if case .basketDiscount(let amount, _) = effect { current.basketDiscount += amount }
                result.effects.append((compiled.id, effect))
            }
            if compiled.rule.stopsLaterRules {
                result.stoppedBy = compiled.id
                break
            }
        }
        return result
    }

    @Test func ruleSetsMatchTheReference() throws {
        var sets = [try PropertyTests.shipped().map(CompiledRule.compile)]
        for file in try ConformanceTests.suites() {
            let suite = try JSONSerialization.jsonObject(with: Data(contentsOf: ConformanceTests.directory.appendingPathComponent(file))) as! [String: Any]
            for case let testCase as [String: Any] in suite["cases"] as! [Any] {
                if let programs = testCase["programs"] as? [String] { sets.append(try programs.map(CompiledRule.compile)) }
            }
        }
        sets.append(try (Self.corners + PropertyTests.shipped()).map(CompiledRule.compile))
        var random = PropertyTests.SplitMix(state: 11)
        for rules in sets {
            let set = RuleSet(rules)
            for _ in 0..<100 {
                let input = basket(&random, counters: [])
                var counters: [String: [String: Int64]] = [:]
                for rule in rules where Bool.random(using: &random) {
                    counters[rule.id] = Dictionary(uniqueKeysWithValues: (rule.rule.memberCounters + rule.rule.budgets).map {
                        ($0.name, Int64.random(in: 0...$0.max, using: &random))
                    })
                }
                let expected = referenceSet(set, input, counters: counters)
                let actual = set.evaluate(input, counters: counters)
                #expect(actual == expected, "\(rules.map(\.id)) on \(input)")
                #expect(set.evaluate(input) == referenceSet(set, input, counters: [:]))
            }
        }
    }
}
