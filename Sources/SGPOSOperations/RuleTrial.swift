import SGPOSContracts
import SGPOSState
import SGPOSRetail

/// A basket to try rules on (`sgpos contract run`), before any is deployed: lines with
/// their own prices, an optional member (with a personal multiplier), the points rates by
/// category and the outlet — every input the state machine gives the rules (FORMAT.md
/// §13.4 step 4) — and the rules' counters. The rules run as a
/// ``SGPOSContracts/RuleSet`` (priority order, exclusivity groups), as the state machine
/// runs them, but on the basket alone: no GST is computed (the lines carry their tax
/// category, includes-GST flag and the rate for the rules to read), no tenders, no ledger.
public struct RuleTrial: Codable, Sendable {
    public struct Line: Codable, Sendable {
        public var sku: String
        public var category: String?
        public var qty: Int64
        public var unitPrice: String
        /// The tax category's code, SR ZR ES or OS; SR when absent.
        public var tax: String?
        /// Whether `unitPrice` includes GST; true when absent.
        public var includesGst: Bool?
    }

    public struct Member: Codable, Sendable {
        public var id: String
        /// bronze … diamond; bronze when absent.
        public var tier: String?
        public var lifetimeSpend: String?
        public var points: Int64?
        /// Personal points multiplier in basis points (`set-member-multiplier`); 10,000 when absent.
        public var multiplier: Int64?
    }

    /// RFC 3339 time the rules see.
    public var at: String
    public var lines: [Line]
    public var member: Member?
    /// Counter values by rule id, then counter name.
    public var counters: [String: [String: Int64]]?
    /// Points rate by category in basis points (`set-point-rates`); a category not listed
    /// is 10,000 to the rules.
    public var pointRates: [String: Int64]?
    /// `ctx.outlet`; 1 when absent.
    public var outlet: Int64?
    /// The GST rate in basis points a standard-rated line bears (`l.gst_rate`); 900 when absent.
    public var gstRate: Int64?
    /// Promotion codes keyed in (`has_code`); none when absent.
    public var codes: [String]?
    /// The campaigns of the coupons keyed in, one per coupon (`coupon` rules); none when absent.
    public var coupons: [String]?
}

/// What `sgpos contract run` prints: each rule's outcome and cost, the effects in order,
/// the total cost. Money as decimal strings with two decimals.
public struct RuleTrialReport: Encodable, Sendable, Equatable {
    public struct Rule: Encodable, Sendable, Equatable {
        public let id: String
        /// applied, skipped or failed; `stopped` for a rule that did not run because an
        /// earlier `stop` rule was applied (cost 0).
        public let status: String
        public let cost: UInt64
        public let staticCost: UInt64
        public let error: String?
        /// Why a skipped rule skipped, if its `skip` gives a reason.
        public var reason: String? = nil
    }

    public struct Effect: Encodable, Sendable, Equatable {
        public let rule: String, kind: String
        public let line: Int?, amount: String?, code: String?, points: Int64?, tier: String?, counter: String?, by: Int64?
    }

    public let rules: [Rule]
    public let effects: [Effect]
    public let cost: UInt64
    /// The applied `stop` rule after which no rule ran, if any.
    public let stoppedBy: String?
}

extension RuleTrial {
    /// Runs `rules` on the basket.
    public func run(_ rules: [CompiledRule]) throws(RequestError) -> RuleTrialReport {
        RuleTrialReport(RuleSet(rules).evaluate(try input(), counters: counters ?? [:]), rules: rules)
    }

    /// The rules' view of the basket: each line's net is its price times its quantity.
    public func input() throws(RequestError) -> ContractInput {
        let time: Int64
        do { time = try CivilTime.parse(at) } catch { throw RequestError("at: \(error.message)") }
        let gstRate = self.gstRate ?? 900
        guard (0...10_000).contains(gstRate) else { throw RequestError("gstRate: expected 0...10000 basis points, got \(gstRate)") }
        var lines: [ContractInput.Line] = []
        for (index, line) in self.lines.enumerated() {
            guard (1...100_000).contains(line.qty) else { throw RequestError("line \(index + 1): qty must be 1...100000") }
            let price: Int64
            do { price = try Money(decimal: line.unitPrice).cents } catch { throw RequestError("line \(index + 1): unitPrice: \(error.message)") }
            let tax = line.tax ?? "SR"
            guard TaxCategory(code: tax) != nil else { throw RequestError("line \(index + 1): tax must be SR, ZR, ES or OS") }
            lines.append(.init(sku: line.sku, category: line.category ?? "", quantity: line.qty, unitPrice: price, net: price * line.qty,
                               tax: tax, includesGST: line.includesGst ?? true, gstRate: gstRate))
        }
        guard lines.count <= ContractLimits.linesMax else { throw RequestError("at most \(ContractLimits.linesMax) lines") }
        var customer = ContractInput.Customer.guest
        if let member {
            guard let tier = member.tier.map({ LoyaltyTier(name: $0) }) ?? .some(.bronze) else { throw RequestError("member.tier is not a tier") }
            let spend: Int64
            do { spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents } catch { throw RequestError("member.lifetimeSpend: \(error.message)") }
            let multiplier = member.multiplier ?? 10_000
            guard (0...100_000).contains(multiplier) else { throw RequestError("member.multiplier: expected 0...100000 basis points, got \(multiplier)") }
            customer = .init(id: member.id, isMember: true, tier: tier.rawValue, lifetimeSpend: spend, points: member.points ?? 0,
                             multiplier: multiplier)
        }
        let outlet = self.outlet ?? 1
        guard (1...Int64(UInt32.max)).contains(outlet) else { throw RequestError("outlet: expected 1...4294967295, got \(outlet)") }
        var input = ContractInput(lines: lines, customer: customer, timeMs: time, outlet: outlet)
        let rates = pointRates ?? [:]
        guard rates.count <= 256 else { throw RequestError("pointRates: at most 256 categories") }
        for (category, rate) in rates {
            guard (0...100_000).contains(rate) else { throw RequestError("pointRates.\(category): expected 0...100000 basis points, got \(rate)") }
        }
        input.pointRates = rates
        let codes = self.codes ?? []
        do { try RequestLimits.codes(codes) } catch { throw RequestError("codes: \(error.message)") }
        input.codes = codes
        let coupons = self.coupons ?? []
        guard coupons.count <= Sale.codesMax, coupons.allSatisfy(CompiledRule.isCode) else {
            throw RequestError("coupons: at most \(Sale.codesMax) campaigns, each 1-32 printable ASCII characters without spaces")
        }
        input.coupons = coupons
        return input
    }
}

extension RuleTrialReport {
    /// The report of `result`, with each rule's static cost bound from `compiled`.
    public init(_ result: RuleSet.Result, rules compiled: [CompiledRule]) {
        func money(_ cents: Int64) -> String { (try? Money(cents: cents).decimal) ?? "\(cents)" }
        var rules = result.outcomes.map { entry in
            let bound = compiled.first { $0.id == entry.id }?.staticCost ?? 0
            switch entry.outcome {
            case .applied(_, let cost): return Rule(id: entry.id, status: "applied", cost: cost, staticCost: bound, error: nil)
            case .skipped(let cost, let reason):
                return Rule(id: entry.id, status: "skipped", cost: cost, staticCost: bound, error: nil, reason: reason)
            case .failed(let error, let cost): return Rule(id: entry.id, status: "failed", cost: cost, staticCost: bound, error: "\(error)")
            }
        }
        // The rules after a `stop` rule, in the set's order: listed, not run.
        if let stopper = result.stoppedBy {
            rules += RuleSet(compiled).rules.dropFirst(result.outcomes.count).map {
                Rule(id: $0.id, status: "stopped", cost: 0, staticCost: $0.staticCost, error: "not run: \(stopper) was applied and stops later rules")
            }
        }
        self.rules = rules
        stoppedBy = result.stoppedBy
        effects = result.effects.map { entry in
            switch entry.effect {
            case .lineDiscount(let line, let amount, let code):
                Effect(rule: entry.id, kind: "line_discount", line: line, amount: money(amount), code: code, points: nil, tier: nil, counter: nil, by: nil)
            case .basketDiscount(let amount, let code):
                Effect(rule: entry.id, kind: "basket_discount", line: nil, amount: money(amount), code: code, points: nil, tier: nil, counter: nil, by: nil)
            case .awardPoints(let points, let reason):
                Effect(rule: entry.id, kind: "award_points", line: nil, amount: nil, code: reason, points: points, tier: nil, counter: nil, by: nil)
            case .redeemPoints(let points, let reason):
                Effect(rule: entry.id, kind: "redeem_points", line: nil, amount: nil, code: reason, points: points, tier: nil, counter: nil, by: nil)
            case .setTier(let tier):
                Effect(rule: entry.id, kind: "set_tier", line: nil, amount: nil, code: nil, points: nil,
                       tier: LoyaltyTier(rawValue: tier)?.name, counter: nil, by: nil)
            case .increment(let counter, let by):
                Effect(rule: entry.id, kind: "increment", line: nil, amount: nil, code: nil, points: nil, tier: nil, counter: counter, by: by)
            }
        }
        cost = result.cost
    }
}
