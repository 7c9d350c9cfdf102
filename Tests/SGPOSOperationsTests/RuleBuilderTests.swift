import Foundation
import SGPOSChain
import SGPOSContracts
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// Rules as an admin handles them: compiled to check them, deployed through the body
/// ``RuleBuilder`` builds, tried on a basket through ``RuleTrial``.
@Suite struct RuleBuilderTests {
    static let save5 = """
        rule "promo.spend50-save5" version 1 {
          lang 1
          priority 400
          require basket.subtotal >= S$50.00 else skip
          emit basket_discount(S$5.00, "SAVE5")
        }
        """
    static let broken = "rule \"x\" version 1 {\n  let y = 1 + S$1.00\n}"

    @Test func aDeploymentIsAcceptedAndABrokenRuleRefusedWithItsCode() throws {
        var shop = try ShopFixture()
        let deployment = try RuleBuilder.deployment(source: Self.save5, activeFrom: "2026-03-01T00:00:00+08:00", nowMs: 0)
        #expect(deployment == DeployRule(source: Self.save5, activeFromMs: 1_772_294_400_000))
        try shop.submit(.admin, .deployRule(deployment))
        #expect(try shop.state.ruleIDs() == ["promo.spend50-save5"])
        #expect(try RuleBuilder.deployment(source: Self.save5, activeFrom: nil, nowMs: -5).activeFromMs == 0, "before the epoch: the epoch")

        // Checking the source names the error's code, line and column; the ledger refuses it with its own code.
        #expect(throws: ContractError.self) { try RuleBuilder.compile(Self.broken) }
        do { _ = try RuleBuilder.compile(Self.broken) } catch let error as ContractError { #expect(error.code == ContractError.Code.type.rawValue && error.line == 2) }
        let refused = refusal { try shop.submit(.admin, .deployRule(try RuleBuilder.deployment(source: Self.broken, activeFromMs: 0))) }
        #expect(refused?.reason == .contractRefused)
        // The same version again: refused too.
        #expect(refusal { try shop.submit(.admin, .deployRule(deployment)) }?.reason == .contractRefused)

        #expect(throws: RequestError("--active-from: " + Self.parseError("yesterday"))) {
            try RuleBuilder.deployment(source: Self.save5, activeFrom: "yesterday", nowMs: 0, field: "--active-from")
        }
        #expect(throws: RequestError.self) { try RuleBuilder.deployment(source: String(repeating: " ", count: DeployRule.sourceBytesMax + 1), activeFromMs: 0) }
    }

    static func parseError(_ text: String) -> String {
        do { _ = try CivilTime.parse(text); return "" } catch { return error.message }
    }

    @Test func aTrialRunsTheRulesOnTheBasketAndRefusesBadLines() throws {
        let basket = """
            {"at": "2026-11-05T10:00:00+08:00", "lines": [{"sku": "TV", "category": "electronics", "qty": 1, "unitPrice": "120.00"}]}
            """
        let trial = try JSONDecoder().decode(RuleTrial.self, from: Data(basket.utf8))
        let report = try trial.run([try RuleBuilder.compile(Self.save5)])
        #expect(report.rules.map(\.status) == ["applied"])
        #expect(report.effects.map(\.kind) == ["basket_discount"] && report.effects.first?.amount == "5.00" && report.effects.first?.code == "SAVE5")
        let zero = try JSONDecoder().decode(RuleTrial.self, from: Data(basket.replacingOccurrences(of: "\"qty\": 1", with: "\"qty\": 0").utf8))
        #expect(throws: RequestError("line 1: qty must be 1...100000")) { try zero.run([]) }
    }

    /// The trial gives the rules what the state machine gives them: a personal multiplier,
    /// points rates by category, the outlet (FORMAT.md §13.4 step 4).
    @Test func aTrialPassesTheMultiplierPointsRatesAndOutlet() throws {
        let rule = """
            rule "t.rate" version 1 {
              emit award_points(scale(100, point_rate("snacks"), .floor) + scale(100, point_rate("toys"), .floor), "rates")
              emit award_points(customer.multiplier + ctx.outlet, "member")
            }
            """
        let basket = """
            {"at": "2026-11-05T10:00:00+08:00", "lines": [{"sku": "A", "category": "snacks", "qty": 1, "unitPrice": "1.00"}],
             "member": {"id": "M1", "multiplier": 12500}, "pointRates": {"snacks": 20000}, "outlet": 7}
            """
        let report = try JSONDecoder().decode(RuleTrial.self, from: Data(basket.utf8)).run([try RuleBuilder.compile(rule)])
        #expect(report.effects.map(\.points) == [300, 12_507], "snacks at 200 %, toys unlisted at 100 %; 12,500 + outlet 7")
        let plain = try JSONDecoder().decode(RuleTrial.self, from: Data("""
            {"at": "2026-11-05T10:00:00+08:00", "lines": [], "member": {"id": "M1"}}
            """.utf8)).run([try RuleBuilder.compile(rule)])
        #expect(plain.effects.map(\.points) == [200, 10_001], "defaults: 100 %, 10,000, outlet 1")
        let tooHigh = try JSONDecoder().decode(RuleTrial.self, from: Data(basket.replacingOccurrences(of: "20000", with: "100001").utf8))
        #expect(throws: RequestError("pointRates.snacks: expected 0...100000 basis points, got 100001")) { try tooHigh.run([]) }
    }
}
