import Foundation
@testable import SGPOSContracts
import Testing

/// Runs every case of Conformance/*.json (written by scripts/contracts-conformance/generate.py
/// from an independent Python oracle or by hand): deploy errors, evaluation errors,
/// outcomes with their effects in order, and rule sets.
@Suite("Contracts conformance")
struct ConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Conformance")

    static func suites() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func theSuiteHasAtLeast300Cases() throws {
        var count = 0
        for file in try Self.suites() {
            let suite = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent(file))) as! [String: Any]
            count += (suite["cases"] as! [Any]).count
        }
        #expect(count >= 300, "only \(count) cases")
    }

    @Test(arguments: ["rounding", "scale", "arithmetic", "expressions", "parse", "types", "effects", "stacking", "loyalty"])
    func suite(_ name: String) throws {
        let suite = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent(name + ".json"))) as! [String: Any]
        #expect(suite["lang"] as? Int == 1)
        for case let testCase as [String: Any] in suite["cases"] as! [Any] {
            try run(testCase)
        }
    }

    func input(_ json: [String: Any]?) -> ContractInput {
        let gstRate = Int64(json?["gstRate"] as? Int ?? 900)
        let lines = (json?["lines"] as? [[String: Any]] ?? []).map { line in
            let qty = Int64(line["qty"] as! Int), price = Int64(line["unitPrice"] as! Int)
            return ContractInput.Line(sku: line["sku"] as! String, category: line["category"] as! String, quantity: qty, unitPrice: price, net: qty * price,
                                      tax: line["tax"] as? String ?? "SR", includesGST: line["includesGst"] as? Bool ?? true, gstRate: gstRate)
        }
        var customer = ContractInput.Customer.guest
        if let member = json?["member"] as? [String: Any] {
            customer = .init(id: member["id"] as! String, isMember: member["isMember"] as! Bool, tier: UInt8(member["tier"] as! Int),
                             lifetimeSpend: Int64(member["lifetimeSpend"] as! Int), points: Int64(member["points"] as! Int),
                             multiplier: Int64(member["multiplier"] as? Int ?? 10_000))
        }
        let time = RFC3339.parse(json?["time"] as? String ?? "2026-11-05T10:00:00+08:00")!
        var input = ContractInput(lines: lines, customer: customer, timeMs: time)
        input.pointRates = (json?["pointRates"] as? [String: Int] ?? [:]).mapValues(Int64.init)
        input.codes = json?["codes"] as? [String] ?? []
        input.coupons = json?["coupons"] as? [String] ?? []
        return input
    }

    func counters(_ json: [String: Any]?) -> [String: [String: Int64]] {
        (json?["counters"] as? [String: [String: Int]] ?? [:]).mapValues { $0.mapValues(Int64.init) }
    }

    func effect(_ json: [String: Any]) -> Effect {
        if let e = json["line_discount"] as? [String: Any] {
            return .lineDiscount(line: e["line"] as! Int, amount: Int64(e["amount"] as! Int), code: e["code"] as! String)
        }
        if let e = json["basket_discount"] as? [String: Any] { return .basketDiscount(amount: Int64(e["amount"] as! Int), code: e["code"] as! String) }
        if let e = json["award_points"] as? [String: Any] { return .awardPoints(points: Int64(e["points"] as! Int), reason: e["reason"] as! String) }
        if let e = json["redeem_points"] as? [String: Any] { return .redeemPoints(points: Int64(e["points"] as! Int), reason: e["reason"] as! String) }
        if let e = json["set_tier"] as? [String: Any] { return .setTier(UInt8(e["tier"] as! Int)) }
        let e = json["increment"] as! [String: Any]
        return .increment(counter: e["counter"] as! String, by: Int64(e["by"] as! Int))
    }

    func run(_ testCase: [String: Any]) throws {
        let name = testCase["name"] as! String
        let expect = testCase["expect"] as! [String: Any]
        let given = input(testCase["input"] as? [String: Any])
        if let programs = testCase["programs"] as? [String] {
            let set = RuleSet(try programs.map(CompiledRule.compile))
            let result = set.evaluate(given, counters: counters(testCase["input"] as? [String: Any]))
            let wanted = ((expect["set"] as! [String: Any])["effects"] as! [[String: Any]]).map { ($0["rule"] as! String, effect($0)) }
            #expect(result.effects.map(\.id) == wanted.map(\.0) && result.effects.map(\.effect) == wanted.map(\.1), "\(name): \(result.effects)")
            #expect(result.stoppedBy == (expect["set"] as! [String: Any])["stoppedBy"] as? String, "\(name): stopped by \(result.stoppedBy ?? "none")")
            if let outcomes = expect["outcomes"] as? [[String: Any]] {
                #expect(result.outcomes.map(\.id) == outcomes.map { $0["rule"] as! String }, "\(name): rules run \(result.outcomes.map(\.id))")
                #expect(result.outcomes.map(\.outcome.cost) == outcomes.map { UInt64($0["cost"] as! Int) }, "\(name): costs")
                let reasons = result.outcomes.map { entry -> String? in
                    if case .skipped(_, let reason) = entry.outcome { return reason }
                    return nil
                }
                #expect(reasons == outcomes.map { $0["reason"] as? String }, "\(name): skip reasons \(reasons)")
            }
            return
        }
        let source = testCase["program"] as! String
        let compiled: CompiledRule
        do {
            compiled = try CompiledRule.compile(source)
        } catch let error as ContractError {
            #expect(expect["deploy_error"] as? Int == Int(error.code), "\(name): deploy error \(error)")
            if let position = expect["position"] as? [Int] {
                #expect([error.line, error.column] == position, "\(name): deploy error at \(error.line):\(error.column), expected \(position)")
            }
            return
        }
        #expect(expect["deploy_error"] == nil, "\(name): compiled, but deploy error \(expect["deploy_error"]!) was expected")
        guard expect["deploy_error"] == nil else { return }
        var ruleInput = given
        ruleInput.counters = counters(testCase["input"] as? [String: Any])[compiled.id] ?? [:]
        let outcome = compiled.evaluate(ruleInput)
        #expect(outcome.cost <= compiled.staticCost, "\(name): dynamic cost \(outcome.cost) above the static bound \(compiled.staticCost)")
        if let code = expect["eval_error"] as? Int {
            guard case .failed(let error, _) = outcome else { Issue.record("\(name): expected error \(code), got \(outcome)"); return }
            #expect(Int(error.code) == code, "\(name): \(error)")
            if let position = expect["position"] as? [Int] {
                #expect([error.line, error.column] == position, "\(name): error at \(error.line):\(error.column), expected \(position)")
            }
            // What a failed run was charged up to its error (CONTRACTS.md §5, when ticks are charged).
            if let cost = expect["cost"] as? Int { #expect(outcome.cost == UInt64(cost), "\(name): cost \(outcome.cost) of the failed run") }
            return
        }
        let wanted = expect["outcome"] as! [String: Any]
        let effects = (wanted["effects"] as! [[String: Any]]).map(effect)
        switch (wanted["status"] as! String, outcome) {
        case ("applied", .applied(let actual, _)): #expect(actual == effects, "\(name): \(actual)")
        case ("skipped", .skipped(_, let reason)): #expect(reason == wanted["reason"] as? String, "\(name): reason \(reason ?? "none")")
        default: Issue.record("\(name): expected \(wanted["status"]!), got \(outcome)")
        }
        if let cost = wanted["cost"] as? Int { #expect(outcome.cost == UInt64(cost), "\(name): cost \(outcome.cost)") }
        if let bound = expect["staticCost"] as? Int { #expect(compiled.staticCost == UInt64(bound), "\(name): static cost \(compiled.staticCost)") }
    }
}
