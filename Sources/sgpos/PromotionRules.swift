import Foundation
import SGPOSContracts
import SGPOSRetail

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

    struct Applied {
        var points: Int64?
        var tier: LoyaltyTier?
        var applied: [String]
    }

    func apply(to basket: inout Basket, request: QuoteRequest, tier: LoyaltyTier?) throws -> Applied {
        var lines: [ContractInput.Line] = []
        for line in basket.lines {
            let gross = try line.unitPrice.multiplied(by: line.quantity).cents
            lines.append(.init(sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice.cents,
                               net: gross - line.discount.cents))
        }
        var customer = ContractInput.Customer.guest
        if let member = request.member {
            let spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents
            customer = .init(id: member.id, isMember: true, tier: (tier ?? .bronze).rawValue, lifetimeSpend: spend, points: member.points ?? 0)
        }
        let result = set.evaluate(ContractInput(lines: lines, customer: customer, timeMs: basket.atEpochMs))
        var applied: [String] = []
        var points: Int64?
        var newTier: LoyaltyTier?
        var nets = lines.map(\.net)
        for (rule, effect) in result.effects {
            if !applied.contains(rule) { applied.append(rule) }
            switch effect {
            case .lineDiscount(let line, let amount, _):
                basket.lines[line].discounts.append(AppliedDiscount(rule: rule, amount: try Money(cents: amount)))
                nets[line] -= amount
            case .basketDiscount(let amount, _):
                let parts = try GSTCalculator.allocate(try Money(cents: amount), over: nets)
                for (index, part) in parts.enumerated() where part.cents > 0 {
                    basket.lines[index].discounts.append(AppliedDiscount(rule: rule, amount: part))
                    nets[index] -= part.cents
                }
            case .awardPoints(let awarded, _):
                points = (points ?? 0) + awarded
            case .setTier(let raw):
                newTier = LoyaltyTier(rawValue: raw)
            case .increment:
                break  // counters are kept by the ledger when a sale commits
            }
        }
        return Applied(points: points, tier: newTier, applied: applied)
    }
}
