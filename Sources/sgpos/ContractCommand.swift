import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSCodec
import SGPOSContracts
import SGPOSRetail

/// `sgpos contract`: check and run loyalty and promotion rules (docs/CONTRACTS.md).
struct ContractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract", abstract: "Check and run loyalty and promotion rules.", subcommands: [Check.self, Run.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse and type-check rules; print each static cost bound.")
        @Argument(help: "Rule files (.rules).") var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let compiled = try CompiledRule.compile(String(decoding: try readFile(file, what: "rule"), as: UTF8.self))
                    print("\(file): rule \"\(compiled.id)\" version \(compiled.rule.version), priority \(compiled.rule.priority): OK, static cost ≤ \(compiled.staticCost) ticks, source \(compiled.sourceHash.hex.prefix(16))…")
                } catch let error as ContractError {
                    print("\(file): \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run rules on a basket (JSON) in priority order; print the effects and costs as JSON.",
            discussion: """
                Basket: {"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A1", "category": "snacks", "qty": 3, "unitPrice": "1.05"}],
                "member": {"id": "M1", "tier": "gold", "lifetimeSpend": "1200.00", "points": 500}, "counters": {"rule-id": {"uses": 1}}}
                """)
        @Argument(help: "Rule files (.rules) or directories of them.") var files: [String]
        @Option(help: "Basket JSON file (- for standard input).") var basket: String = "-"

        func run() throws {
            var rules: [CompiledRule] = []
            for path in files {
                var isDirectory: ObjCBool = false
                let paths = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".rules") }.sorted().map { path + "/" + $0 }
                    : [path]
                for file in paths {
                    do {
                        rules.append(try CompiledRule.compile(String(decoding: try readFile(file, what: "rule"), as: UTF8.self)))
                    } catch let error as ContractError {
                        throw CLIError("\(file): \(error)")
                    }
                }
            }
            let data = basket == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(basket, what: "basket")
            let request = try JSON.decode(BasketJSON.self, from: data, what: "basket")
            let result = RuleSet(rules).evaluate(try request.input(), counters: request.counters ?? [:])
            print(try JSON.string(RunJSON(result, rules: rules)))
        }
    }
}

struct BasketJSON: Decodable {
    struct Line: Decodable { let sku: String; let category: String?; let qty: Int64; let unitPrice: String }
    struct Member: Decodable { let id: String; let tier: String?; let lifetimeSpend: String?; let points: Int64? }
    let at: String
    let lines: [Line]
    let member: Member?
    let counters: [String: [String: Int64]]?

    func input() throws -> ContractInput {
        let time: Int64
        do { time = try CivilTime.parse(at) } catch { throw CLIError("at: \(error.message)") }
        var lines: [ContractInput.Line] = []
        for (index, line) in self.lines.enumerated() {
            guard (1...100_000).contains(line.qty) else { throw CLIError("line \(index + 1): qty must be 1...100000") }
            let price: Int64
            do { price = try Money(decimal: line.unitPrice).cents } catch { throw CLIError("line \(index + 1): unitPrice: \(error.message)") }
            lines.append(.init(sku: line.sku, category: line.category ?? "", quantity: line.qty, unitPrice: price, net: price * line.qty))
        }
        guard lines.count <= ContractLimits.linesMax else { throw CLIError("at most \(ContractLimits.linesMax) lines") }
        var customer = ContractInput.Customer.guest
        if let member {
            guard let tier = member.tier.map({ LoyaltyTier(name: $0) }) ?? .some(.bronze) else { throw CLIError("member.tier is not a tier") }
            let spend: Int64
            do { spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents } catch { throw CLIError("member.lifetimeSpend: \(error.message)") }
            customer = .init(id: member.id, isMember: true, tier: tier.rawValue, lifetimeSpend: spend, points: member.points ?? 0)
        }
        return ContractInput(lines: lines, customer: customer, timeMs: time)
    }
}

struct RunJSON: Encodable {
    struct RuleJSON: Encodable { let id: String; let status: String; let cost: UInt64; let staticCost: UInt64; let error: String? }
    struct EffectJSON: Encodable {
        let rule: String, kind: String
        let line: Int?, amount: String?, code: String?, points: Int64?, tier: String?, counter: String?, by: Int64?
    }
    let rules: [RuleJSON]
    let effects: [EffectJSON]
    let cost: UInt64

    init(_ result: RuleSet.Result, rules compiled: [CompiledRule]) {
        func money(_ cents: Int64) -> String { (try? Money(cents: cents).decimal) ?? "\(cents)" }
        rules = result.outcomes.map { entry in
            let bound = compiled.first { $0.id == entry.id }?.staticCost ?? 0
            switch entry.outcome {
            case .applied(_, let cost): return RuleJSON(id: entry.id, status: "applied", cost: cost, staticCost: bound, error: nil)
            case .skipped(let cost): return RuleJSON(id: entry.id, status: "skipped", cost: cost, staticCost: bound, error: nil)
            case .failed(let error, let cost): return RuleJSON(id: entry.id, status: "failed", cost: cost, staticCost: bound, error: "\(error)")
            }
        }
        effects = result.effects.map { entry in
            switch entry.effect {
            case .lineDiscount(let line, let amount, let code):
                EffectJSON(rule: entry.id, kind: "line_discount", line: line, amount: money(amount), code: code, points: nil, tier: nil, counter: nil, by: nil)
            case .basketDiscount(let amount, let code):
                EffectJSON(rule: entry.id, kind: "basket_discount", line: nil, amount: money(amount), code: code, points: nil, tier: nil, counter: nil, by: nil)
            case .awardPoints(let points, let reason):
                EffectJSON(rule: entry.id, kind: "award_points", line: nil, amount: nil, code: reason, points: points, tier: nil, counter: nil, by: nil)
            case .redeemPoints(let points, let reason):
                EffectJSON(rule: entry.id, kind: "redeem_points", line: nil, amount: nil, code: reason, points: points, tier: nil, counter: nil, by: nil)
            case .setTier(let tier):
                EffectJSON(rule: entry.id, kind: "set_tier", line: nil, amount: nil, code: nil, points: nil,
                           tier: LoyaltyTier(rawValue: tier)?.name, counter: nil, by: nil)
            case .increment(let counter, let by):
                EffectJSON(rule: entry.id, kind: "increment", line: nil, amount: nil, code: nil, points: nil, tier: nil, counter: counter, by: by)
            }
        }
        cost = result.cost
    }
}
