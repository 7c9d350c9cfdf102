import Foundation
import SGPOSContracts
import SGPOSRetail
import SGPOSState

/// Promotion and loyalty rules applied to a quote: line discounts go on their lines,
/// basket discounts are spread over the lines by what is left of each (largest
/// remainder), points awarded replace the built-in earning rule, and a tier change is
/// reported. Failed or skipped rules change nothing.
struct PromotionRules {
    let set: RuleSet

    static func load(directory: String) throws -> PromotionRules {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".rules") }.sorted()
        guard !files.isEmpty else { throw CLIError("\(directory) holds no .rules files") }
        var rules: [CompiledRule] = []
        for file in files {
            do {
                rules.append(try CompiledRule.compile(String(decoding: try readFile(directory + "/" + file, what: "rule"), as: UTF8.self)))
            } catch let error as ContractError {
                throw CLIError("\(directory)/\(file): \(error)")
            }
        }
        return PromotionRules(set: RuleSet(rules))
    }

    /// Runs the rule set on the basket and puts the effects on it through
    /// ``RulePricing`` (the state machine's own code). Counters start at 0: a quote does
    /// not know a member's history; the ledger checks the caps when the sale commits.
    func apply(to basket: inout Basket, request: QuoteRequest, tier: LoyaltyTier?) throws -> RuleEffects {
        var lines: [ContractInput.Line] = []
        for line in basket.lines {
            let gross = try line.unitPrice.multiplied(by: line.quantity).cents
            lines.append(.init(sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice.cents,
                               net: gross - line.discount.cents))
        }
        var customer = ContractInput.Customer.guest
        if let member = request.member {
            let spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents
            let multiplier = member.multiplierBps ?? 10_000
            guard (0...POSLimits.pointRateBasisPointsMax).contains(multiplier) else {
                throw CLIError("member.multiplierBps must be 0...\(POSLimits.pointRateBasisPointsMax), got \(multiplier)")
            }
            customer = .init(id: member.id, isMember: true, tier: (tier ?? .bronze).rawValue, lifetimeSpend: spend,
                             points: member.points ?? 0, multiplier: multiplier)
        }
        var input = ContractInput(lines: lines, customer: customer, timeMs: basket.atEpochMs)
        for (category, rate) in request.pointRates ?? [:] {
            guard (0...POSLimits.pointRateBasisPointsMax).contains(rate) else {
                throw CLIError("pointRates.\(category) must be 0...\(POSLimits.pointRateBasisPointsMax) basis points, got \(rate)")
            }
            input.pointRates[category] = rate
        }
        let result = set.evaluate(input)
        do {
            return try RulePricing.apply(result, rules: set.rules, to: &basket.lines, memberID: customer.id)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
