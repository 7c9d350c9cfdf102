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
        if let window = compiled.rule.window, !(window.from <= input.timeMs && input.timeMs < window.until) { return .skipped(cost: 0) }
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

    static func programs() throws -> [String] {
        var sources = try PropertyTests.shipped()
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

    @Test func shippedRuleSetsMatchTheReferenceInterpreter() throws {
        let rules = try PropertyTests.shipped().map(CompiledRule.compile)
        var random = PropertyTests.SplitMix(state: 11)
        for _ in 0..<500 {
            let input = basket(&random, counters: ["uses", "total", "taken", "stock"])
            for rule in rules { #expect(rule.evaluate(input) == reference(rule, input), "\(rule.id) on \(input)") }
        }
    }
}
