/// Type-checks a rule and computes its static cost bound (docs/CONTRACTS.md §5): every
/// list at its declared maximum, every `when` at its dearer branch. A rule whose bound
/// exceeds ``ContractLimits/costMax`` is refused at deploy.
struct Checker {
    private var scopes: [[String: ValueType]] = []
    let rule: Rule
    /// The codes the rule's `has_code` calls name, in the order first met.
    private(set) var codes: [String] = []

    /// The most bytes of a promotion code; codes are printable ASCII without spaces.
    static let codeBytesMax = 32

    init(rule: Rule) {
        self.rule = rule
        var root: [String: ValueType] = ["basket": .record("Basket"), "customer": .record("Customer"), "ctx": .record("Context")]
        for counter in rule.memberCounters + rule.budgets { root[counter.name] = .record("Counter") }
        scopes = [root]
    }

    static func check(_ rule: Rule) throws -> UInt64 { try checkAndListCodes(rule).cost }

    /// The static cost bound and the promotion codes the rule reads (`has_code`).
    static func checkAndListCodes(_ rule: Rule) throws -> (cost: UInt64, codes: [String]) {
        guard rule.language == 1 else { throw ContractError(.unsupportedLanguage, "language \(rule.language) is not supported; this ledger runs language 1") }
        var names = Set<String>()
        for counter in rule.memberCounters + rule.budgets {
            guard names.insert(counter.name).inserted, counter.max > 0 else {
                throw ContractError(.type, "counter \(counter.name) is declared twice or has a maximum below 1")
            }
            guard !Self.inputNames.contains(counter.name) else {
                throw ContractError(.type, "counter \(counter.name) would hide the input of that name; choose another name")
            }
        }
        var checker = Checker(rule: rule)
        let cost = try checker.statements(rule.body)
        guard cost <= ContractLimits.costMax else {
            throw ContractError(.staticCostLimit, "static cost bound \(cost) exceeds \(ContractLimits.costMax) ticks")
        }
        return (cost, checker.codes)
    }

    /// A promotion code: 1–32 bytes, each printable ASCII other than the space (0x21–0x7E).
    public static func isCode(_ text: String) -> Bool {
        (1...codeBytesMax).contains(text.utf8.count) && text.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The inputs every rule sees; counters may not take their names.
    static let inputNames: Set<String> = ["basket", "customer", "ctx"]

    private func fail(_ position: Position, _ message: String) -> ContractError {
        ContractError(.type, line: position.line, column: position.column, message)
    }

    private func lookup(_ name: String) -> ValueType? {
        for scope in scopes.reversed() { if let type = scope[name] { return type } }
        return nil
    }

    private mutating func bind(_ name: String, _ type: ValueType, _ position: Position) throws {
        guard lookup(name) == nil else { throw fail(position, "\(name) is already defined (no shadowing)") }
        scopes[scopes.count - 1][name] = type
    }

    mutating func statements(_ list: [Statement]) throws -> UInt64 {
        scopes.append([:])
        defer { scopes.removeLast() }
        var cost: UInt64 = 0
        for statement in list { cost = cost.plus(try self.statement(statement)) }
        return cost
    }

    private mutating func statement(_ statement: Statement) throws -> UInt64 {
        switch statement {
        case .constant(let name, let value, let at), .letBinding(let name, let value, let at):
            let (type, cost) = try expression(value)
            try bind(name, type, at)
            return cost.plus(1)
        case .require(let condition, _, _, let at):
            let (type, cost) = try expression(condition)
            guard type == .bool else { throw fail(at, "require needs a Bool, got \(type)") }
            return cost.plus(1)
        case .when(let condition, let then, let otherwise, let at):
            let (type, cost) = try expression(condition)
            guard type == .bool else { throw fail(at, "when needs a Bool, got \(type)") }
            return cost.plus(max(try statements(then), try statements(otherwise)))
        case .forEach(let name, let list, let body, let at):
            let (type, cost) = try expression(list)
            guard case .list(let element, let max) = type else { throw fail(at, "for needs a list, got \(type)") }
            scopes.append([name: element])
            defer { scopes.removeLast() }
            let bodyCost = try statements(body)
            return cost.plus(2).plus(UInt64(max).times(bodyCost.plus(1)))
        case .emit(let effect, let arguments, let at):
            let expected: [(String, ValueType)]
            switch effect {
            case "line_discount": expected = [("line", .int), ("amount", .money), ("code", .string)]
            case "basket_discount": expected = [("amount", .money), ("code", .string)]
            case "award_points", "redeem_points": expected = [("points", .int), ("reason", .string)]
            case "set_tier": expected = [("tier", .tier)]
            case "increment":
                guard arguments.count == 2, case .name(let counter, _) = arguments[0].value, lookup(counter) == .record("Counter"),
                      (rule.memberCounters + rule.budgets).contains(where: { $0.name == counter }) else {
                    throw fail(at, "increment(counter, by: Int) needs a declared state or budget counter by its own name")
                }
                let (type, cost) = try expression(arguments[1].value)
                guard type == .int, arguments[1].label == nil || arguments[1].label == "by" else { throw fail(at, "increment's by: must be an Int") }
                return cost.plus(30)
            default: throw fail(at, "unknown effect \(effect) (line_discount, basket_discount, award_points, redeem_points, set_tier, increment)")
            }
            guard arguments.count == expected.count else { throw fail(at, "\(effect) takes \(expected.count) arguments") }
            var cost: UInt64 = 10
            for (argument, (label, type)) in zip(arguments, expected) {
                guard argument.label == nil || argument.label == label else { throw fail(at, "\(effect): expected argument \(label):") }
                let (actual, argumentCost) = try expression(argument.value)
                guard actual == type else { throw fail(argument.value.position, "\(effect) \(label): expected \(type), got \(actual)") }
                cost = cost.plus(argumentCost)
            }
            return cost
        }
    }

    mutating func expression(_ expression: Expression) throws -> (ValueType, UInt64) {
        switch expression {
        case .integer: return (.int, 1)
        case .money: return (.money, 1)
        case .string: return (.string, 1)
        case .boolean: return (.bool, 1)
        case .enumCase(let name, let at):
            if ContractLimits.tiers.contains(name) { return (.tier, 0) }
            if ContractLimits.roundings.contains(name) { return (.rounding, 0) }
            throw fail(at, "unknown enum case .\(name)")
        case .name(let name, let at):
            guard let type = lookup(name) else { throw fail(at, "\(name) is not defined") }
            return (type, 1)
        case .field(let base, let field, let at):
            let (type, cost) = try self.expression(base)
            guard let fieldType = Fields.type(of: field, in: type) else { throw fail(at, "\(type) has no field \(field)") }
            return (fieldType, cost.plus(1))
        case .unary(let op, let operand, let at):
            let (type, cost) = try self.expression(operand)
            if op == "not" {
                guard type == .bool else { throw fail(at, "not needs a Bool") }
            } else {
                guard type.isNumeric else { throw fail(at, "unary - needs Int or Money") }
            }
            return (type, cost.plus(1))
        case .binary(let op, let left, let right, let at):
            let (l, lc) = try self.expression(left)
            let (r, rc) = try self.expression(right)
            let cost = lc.plus(rc)
            switch op {
            case "and", "or":
                guard l == .bool, r == .bool else { throw fail(at, "\(op) needs Bools") }
                return (.bool, cost.plus(1))
            case "+", "-":
                guard l == r, l.isNumeric else { throw fail(at, "\(op) needs two Ints or two Money values, got \(l) and \(r)") }
                return (l, cost.plus(l == .money ? 2 : 1))
            case "*":
                switch (l, r) {
                case (.int, .int): return (.int, cost.plus(3))
                case (.money, .int), (.int, .money): return (.money, cost.plus(3))
                default: throw fail(at, "* multiplies Ints, or Money by an Int")
                }
            case "==", "!=":
                guard l == r, [.int, .money, .bool, .string, .tier].contains(l) else { throw fail(at, "\(op) compares two values of one scalar type, got \(l) and \(r)") }
                return (.bool, cost.plus(1))
            default:
                guard l == r, [.int, .money, .tier].contains(l) else { throw fail(at, "\(op) orders Ints, Money or Tiers, got \(l) and \(r)") }
                return (.bool, cost.plus(1))
            }
        case .call(let name, let arguments, let at):
            return try call(name, arguments, at)
        case .method(let base, let name, let arguments, let at):
            let (type, baseCost) = try self.expression(base)
            guard case .list(let element, let max) = type else { throw fail(at, "\(name)() is a list method; \(type) is not a list") }
            let n = UInt64(max)
            func lambda(_ wanted: [ValueType]) throws -> (ValueType, UInt64) {
                guard arguments.count == 1, let parameter = arguments[0].parameter else { throw fail(at, "\(name) takes one x => … argument") }
                scopes.append([parameter: element])
                defer { scopes.removeLast() }
                let (result, cost) = try self.expression(arguments[0].value)
                guard wanted.contains(result) else { throw fail(at, "\(name)'s function must give \(wanted.map(\.description).joined(separator: " or ")), not \(result)") }
                return (result, cost)
            }
            switch name {
            case "filter":
                let (_, body) = try lambda([.bool])
                return (type, baseCost.plus(2).plus(n.times(body.plus(1))))
            case "any", "all":
                let (_, body) = try lambda([.bool])
                return (.bool, baseCost.plus(2).plus(n.times(body.plus(1))))
            case "sum":
                let (result, body) = try lambda([.int, .money])
                return (result, baseCost.plus(2).plus(n.times(body.plus(1))))
            case "count":
                guard arguments.isEmpty else { throw fail(at, "count() takes no arguments") }
                return (.int, baseCost.plus(1))
            case "sort_by":
                let (_, key) = try lambda([.int, .money])
                return (type, baseCost.plus(4).plus(n.times(key)).plus(n.times(2).times(ceilLog2(max))))
            case "take", "drop", "every":
                guard arguments.count == 1, arguments[0].parameter == nil else { throw fail(at, "\(name)(n) takes one Int") }
                let (count, cost) = try self.expression(arguments[0].value)
                guard count == .int else { throw fail(at, "\(name)(n) takes an Int") }
                return (type, baseCost.plus(cost).plus(1).plus(n))
            case "expand":
                guard element == .line else { throw fail(at, "expand works on basket lines") }
                let (_, body) = try lambda([.int])
                return (.list(.unit, max: ContractLimits.unitsMax), baseCost.plus(2).plus(UInt64(ContractLimits.unitsMax)).plus(n.times(body)))
            default:
                throw fail(at, "unknown list method \(name) (filter, any, all, sum, count, sort_by, take, drop, every, expand)")
            }
        }
    }

    private mutating func call(_ name: String, _ arguments: [Argument], _ at: Position) throws -> (ValueType, UInt64) {
        if name == "has_code" {
            // The code is a literal, so a chain knows every code its rules accept.
            guard arguments.count == 1, arguments[0].parameter == nil, case .string(let code, _) = arguments[0].value, Checker.isCode(code) else {
                throw fail(at, "has_code takes one promotion code as a string literal of 1-\(Checker.codeBytesMax) printable ASCII characters without spaces")
            }
            let (_, argumentCost) = try expression(arguments[0].value)
            if !codes.contains(code) { codes.append(code) }
            return (.bool, argumentCost.plus(2))
        }
        var types: [ValueType] = []
        var cost: UInt64 = 0
        for argument in arguments {
            guard argument.parameter == nil else { throw fail(at, "\(name) takes no functions") }
            let (type, argumentCost) = try expression(argument.value)
            types.append(type)
            cost = cost.plus(argumentCost)
        }
        let numericFirst = types.first?.isNumeric == true
        switch name {
        case "div" where types.count == 3 && numericFirst && types[1] == .int && types[2] == .rounding,
             "scale" where types.count == 3 && numericFirst && types[1] == .int && types[2] == .rounding:
            return (types[0], cost.plus(3))
        case "min" where types.count == 2 && types[0] == types[1] && (numericFirst || types[0] == .tier),
             "max" where types.count == 2 && types[0] == types[1] && (numericFirst || types[0] == .tier):
            return (types[0], cost.plus(1))
        case "cents" where types == [.money]: return (.int, cost.plus(1))
        case "money" where types == [.int]: return (.money, cost.plus(1))
        case "tier_for" where types == [.money]: return (.tier, cost.plus(2))
        case "point_rate" where types == [.string]: return (.int, cost.plus(2))
        default:
            throw fail(at, "no function \(name)(\(types.map(\.description).joined(separator: ", "))); "
                + "div(a, b, .mode), scale(a, bps, .mode), min, max, cents(Money), money(Int), tier_for(Money), point_rate(String), has_code(\"CODE\")")
        }
    }
}
