import SGPOSCrypto

/// A rule parsed, type-checked and bounded: what a deployment records and every node runs.
public struct CompiledRule: Sendable {
    public let rule: Rule
    /// Static cost bound in ticks (≤ ``ContractLimits/costMax``).
    public let staticCost: UInt64
    /// SHA-256 of the source bytes: what a deployment transaction names.
    public let sourceHash: Hash256
    /// The promotion codes the rule reads (`has_code`), in the order first met.
    public let codes: [String]
    /// The body compiled to closures, once, here (docs/CONTRACTS.md §10).
    let program: Program

    /// Parses, checks and compiles `source`; throws a ``ContractError`` with line and column.
    public static func compile(_ source: String) throws -> CompiledRule {
        let rule = try Parser.parse(source)
        let (staticCost, codes) = try Checker.checkAndListCodes(rule)
        return CompiledRule(rule: rule, staticCost: staticCost, sourceHash: Hash256.sha256(Array(source.utf8)), codes: codes,
                            program: Program(rule, staticCost: staticCost))
    }

    public var id: String { rule.id }

    /// Whether `text` is a promotion code: 1–32 bytes, each printable ASCII but the space.
    public static func isCode(_ text: String) -> Bool { Checker.isCode(text) }

    /// Runs the rule on `input`. Outside its window it is skipped at no cost.
    public func evaluate(_ input: ContractInput) -> Outcome {
        var scratch = Scratch()
        return program.evaluate(input, nets: nil, scratch: &scratch)
    }
}

/// The active rules of a chain, run in one defined order: priority ascending, then rule
/// id bytewise. Each rule sees line nets after the earlier rules' discounts; within an
/// exclusivity group the first rule to discount a line keeps it (later line discounts of
/// that group on that line are dropped); a failed or skipped rule changes nothing; once a
/// rule with the `stop` header is applied, the rules after it do not run.
public struct RuleSet: Sendable {
    public let rules: [CompiledRule]
    /// The rules' programs, in the same order.
    private let programs: [Program]

    public init(_ rules: [CompiledRule]) {
        self.rules = rules.sorted {
            $0.rule.priority != $1.rule.priority ? $0.rule.priority < $1.rule.priority
                : Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8))
        }
        programs = self.rules.map(\.program)
    }

    public struct Result: Sendable, Hashable {
        /// The rules that ran, in order (none after a rule that stopped the set).
        public var outcomes: [(id: String, outcome: Outcome)]
        public var effects: [(id: String, effect: Effect)]
        public var cost: UInt64
        /// The applied `stop` rule after which no rule ran, if any.
        public var stoppedBy: String?

        public static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.cost == rhs.cost && lhs.stoppedBy == rhs.stoppedBy && lhs.outcomes.map(\.id) == rhs.outcomes.map(\.id) && lhs.outcomes.map(\.outcome) == rhs.outcomes.map(\.outcome)
                && lhs.effects.map(\.id) == rhs.effects.map(\.id) && lhs.effects.map(\.effect) == rhs.effects.map(\.effect)
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(cost) }
    }

    public func evaluate(_ input: ContractInput, counters: [String: [String: Int64]] = [:]) -> Result {
        var current = input
        // Line nets after the earlier rules' discounts: the rules read them from here (not
        // from `current.lines`, which is left as given, so it is not copied per run).
        var nets = input.lines.map { $0.net }
        var claimed: [Claim] = []
        var scratch = Scratch()
        var result = Result(outcomes: [], effects: [], cost: 0)
        result.outcomes.reserveCapacity(programs.count)
        result.effects.reserveCapacity(16)
        for program in programs {
            let id = program.id
            current.counters = counters.isEmpty ? [:] : counters[id] ?? [:]
            let outcome = program.evaluate(current, nets: nets, scratch: &scratch)
            result.outcomes.append((id, outcome))
            result.cost = result.cost.plus(outcome.cost)
            guard case .applied(let effects, _) = outcome else { continue }
            // An applied coupon rule uses one coupon of its campaign: a later rule of that
            // campaign needs another.
            if let coupon = program.coupon, let at = current.coupons.firstIndex(where: { Compiler.bytewiseEqual($0, coupon) }) {
                current.coupons.remove(at: at)
            }
            for effect in effects {
                if case .lineDiscount(let line, let amount, _) = effect {
                    if let group = program.group {
                        // Groups match as dictionary keys would (String ==).
                        let at = claimed.firstIndex { $0.group == group }
                        if let at, claimed[at].lines[line], !(claimedBy(id, group, line, result)) { continue }
                        if let at {
                            claimed[at].lines[line] = true
                        } else {
                            claimed.append(Claim(group: group, lines: Array(repeating: false, count: nets.count)))
                            claimed[claimed.count - 1].lines[line] = true
                        }
                    }
                    nets[line] -= amount
                }
                if case .basketDiscount(let amount, _) = effect { current.basketDiscount += amount }
                result.effects.append((id, effect))
            }
            if program.stopsLaterRules {
                result.stoppedBy = id
                break
            }
        }
        return result
    }

    /// The lines an exclusivity group's rules discounted so far.
    private struct Claim {
        let group: String
        var lines: [Bool]
    }

    /// Whether `id` itself claimed `line` for `group` earlier (a rule may discount its own lines twice).
    private func claimedBy(_ id: String, _ group: String, _ line: Int, _ result: Result) -> Bool {
        result.effects.contains { entry in
            guard entry.id == id, case .lineDiscount(let l, _, _) = entry.effect else { return false }
            return l == line
        }
    }
}
