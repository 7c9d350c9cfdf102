// The tree-walking interpreter that ran rules until 2026-11-30, kept unchanged (renamed)
// only as the tests' reference oracle: DifferentialTests checks that the compiled closures
// (Sources/SGPOSContracts/Compiler.swift) give identical outcomes, costs and errors.

@testable import SGPOSContracts

/// Runtime values. Not `indirect`: scalars live inline (no allocation per value); a line
/// is its index into the input (its fields are read from there).
enum ReferenceValue: Sendable {
    case int(Int64), money(Int64), bool(Bool), string(String), tier(UInt8), rounding(String)
    case line(index: Int)
    case unit(line: Int, price: Int64)
    case record(String)
    case counter(String)
    case list([ReferenceValue])
}

/// Runs a checked rule, charging the same cost table as the static bound (dynamic ≤
/// static is asserted), with checked arithmetic: overflow, division by zero, a discount
/// beyond a line's net and a counter past its cap are errors with stable codes.
struct ReferenceInterpreter {
    let rule: Rule
    let input: ContractInput
    let staticCost: UInt64
    /// Bindings in scope, innermost last (a flat stack: no allocation per lambda call).
    private var bindings: [(name: String, value: ReferenceValue)] = []
    private(set) var cost: UInt64 = 0
    private var effects: [Effect] = []
    private var remainingNet: [Int64]
    private var counters: [String: Int64]
    /// Basket discounts this rule granted so far.
    private var basketGranted: Int64 = 0
    private var pointsRedeemed: Int64 = 0
    /// `basket.lines`, built once per run.
    private let basketLines: [ReferenceValue]
    static let tierThresholds: [Int64] = [0, 100_000, 500_000, 2_000_000, 5_000_000]

    init(rule: Rule, input: ContractInput, staticCost: UInt64) {
        self.rule = rule
        self.input = input
        self.staticCost = staticCost
        remainingNet = input.lines.map(\.net)
        counters = input.counters
        basketLines = input.lines.indices.map { .line(index: $0) }
    }

    enum Stop: Error { case skip(String?) }

    mutating func run() -> Outcome {
        do {
            try statements(rule.body)
            return .applied(effects, cost: cost)
        } catch Stop.skip(let reason) {
            return .skipped(cost: cost, reason: reason)
        } catch let error as ContractError {
            return .failed(error, cost: cost)
        } catch {
            return .failed(ContractError(.type, "\(error)"), cost: cost)
        }
    }

    private mutating func charge(_ ticks: UInt64) throws {
        cost = cost.plus(ticks)
        // The static bound makes this unreachable; if it fires, the checker is wrong.
        guard cost <= staticCost else { throw ContractError(.costLimit, "dynamic cost \(cost) passed the static bound \(staticCost)") }
    }

    private func failure(_ code: ContractError.Code, _ position: Position, _ message: String) -> ContractError {
        ContractError(code, line: position.line, column: position.column, message)
    }

    private func lookup(_ name: String) -> ReferenceValue? {
        var index = bindings.count - 1
        while index >= 0 {
            if bindings[index].name == name { return bindings[index].value }
            index -= 1
        }
        switch name {
        case "basket", "customer", "ctx": return .record(name)
        default: return rule.memberCounters.contains { $0.name == name } || rule.budgets.contains { $0.name == name } ? .counter(name) : nil
        }
    }

    private mutating func statements(_ list: [Statement]) throws {
        let mark = bindings.count
        defer { bindings.removeSubrange(mark...) }
        for statement in list { try self.statement(statement) }
    }

    private mutating func statement(_ statement: Statement) throws {
        switch statement {
        case .constant(let name, let value, _), .letBinding(let name, let value, _):
            let result = try evaluate(value)
            try charge(1)
            bindings.append((name, result))
        case .require(let condition, let code, let reason, let at):
            let holds = try bool(evaluate(condition))
            try charge(1)
            if !holds {
                if let code { throw ContractError(userCode: code, line: at.line, column: at.column) }
                throw Stop.skip(reason)
            }
        case .when(let condition, let then, let otherwise, _):
            try statements(try bool(evaluate(condition)) ? then : otherwise)
        case .forEach(let name, let list, let body, _):
            guard case .list(let items) = try evaluate(list) else { preconditionFailure("checked") }
            try charge(2)
            for item in items {
                try charge(1)
                bindings.append((name, item))
                defer { bindings.removeLast() }
                try statements(body)
            }
        case .emit(let effect, let arguments, let at):
            if effect == "increment" {
                guard case .name(let counter, _) = arguments[0].value else { preconditionFailure("checked") }
                let by = try int(evaluate(arguments[1].value))
                try charge(30)
                let cap = (rule.memberCounters + rule.budgets).first { $0.name == counter }!.max
                let (next, overflow) = (counters[counter] ?? 0).addingReportingOverflow(by)
                guard by > 0, !overflow, next <= cap else {
                    throw failure(.stateCapExceeded, at, "counter \(counter) would reach \(next); its maximum is \(cap)")
                }
                counters[counter] = next
                return try append(.increment(counter: counter, by: by), at)
            }
            var values = ReferenceArguments()
            for (index, argument) in arguments.enumerated() { values[index] = try evaluate(argument.value) }
            try charge(10)
            func money(_ value: ReferenceValue) -> Int64 { numeric(value) }
            func text(_ value: ReferenceValue) -> String {
                guard case .string(let string) = value else { preconditionFailure("checked: String") }
                return string
            }
            switch effect {
            case "line_discount":
                let line = numeric(values[0]), amount = money(values[1]), code = text(values[2])
                guard line >= 0, line < remainingNet.count else {
                    throw failure(.lineOutOfRange, at, "line \(line) is not in the basket (0...\(remainingNet.count - 1))")
                }
                guard amount > 0, amount <= remainingNet[Int(line)] else {
                    throw failure(.discountExceedsLine, at, "discount \(amount) on line \(line) must be above 0 and at most its net \(remainingNet[Int(line)])")
                }
                remainingNet[Int(line)] -= amount
                try append(.lineDiscount(line: Int(line), amount: amount, code: code), at)
            case "basket_discount":
                let amount = money(values[0]), code = text(values[1])
                let left = remainingNet.reduce(0, +) - input.basketDiscount - basketGranted
                guard amount > 0, amount <= left else {
                    throw failure(.discountExceedsLine, at, "basket discount \(amount) must be above 0 and at most the \(left) left to pay")
                }
                basketGranted += amount
                try append(.basketDiscount(amount: amount, code: code), at)
            case "award_points":
                let points = numeric(values[0]), reason = text(values[1])
                guard points >= 0 else { throw failure(.overflow, at, "points must not be negative") }
                if points > 0 { try append(.awardPoints(points: points, reason: reason), at) }
            case "redeem_points":
                let points = numeric(values[0]), reason = text(values[1])
                let (total, overflow) = pointsRedeemed.addingReportingOverflow(points)
                guard points > 0, !overflow, total <= input.customer.points else {
                    throw failure(.pointsBeyondBalance, at, "redeem_points \(points) must be above 0 and within the member's \(input.customer.points - pointsRedeemed) points")
                }
                pointsRedeemed = total
                try append(.redeemPoints(points: points, reason: reason), at)
            default:  // set_tier
                try append(.setTier(UInt8(numeric(values[0]))), at)
            }
        }
    }

    private mutating func append(_ effect: Effect, _ at: Position) throws {
        guard effects.count < ContractLimits.effectsMax else { throw failure(.costLimit, at, "more than \(ContractLimits.effectsMax) effects") }
        effects.append(effect)
    }

    private func int(_ value: ReferenceValue) throws -> Int64 {
        guard case .int(let v) = value else { preconditionFailure("checked: Int") }
        return v
    }

    private func bool(_ value: ReferenceValue) throws -> Bool {
        guard case .bool(let v) = value else { preconditionFailure("checked: Bool") }
        return v
    }

    private func numeric(_ value: ReferenceValue) -> Int64 {
        switch value {
        case .int(let v), .money(let v): return v
        case .tier(let t): return Int64(t)
        default: preconditionFailure("checked: numeric")
        }
    }

    private func same(_ template: ReferenceValue, _ raw: Int64) -> ReferenceValue {
        if case .money = template { return .money(raw) }
        if case .tier = template { return .tier(UInt8(raw)) }
        return .int(raw)
    }

    mutating func evaluate(_ expression: Expression) throws -> ReferenceValue {
        switch expression {
        case .integer(let v, _): try charge(1); return .int(v)
        case .money(let v, _): try charge(1); return .money(v)
        case .string(let v, _): try charge(1); return .string(v)
        case .boolean(let v, _): try charge(1); return .bool(v)
        case .enumCase(let name, _):
            if let index = ContractLimits.tiers.firstIndex(of: name) { return .tier(UInt8(index + 1)) }
            return .rounding(name)
        case .name(let name, _):
            try charge(1)
            return lookup(name)!
        case .field(let base, let field, let at):
            let value = try evaluate(base)
            try charge(1)
            return try self.field(value, field, at)
        case .unary(let op, let operand, let at):
            let value = try evaluate(operand)
            try charge(1)
            if op == "not" { return .bool(!(try bool(value))) }
            let (negated, overflow) = Int64(0).subtractingReportingOverflow(numeric(value))
            guard !overflow else { throw failure(.overflow, at, "negation overflows") }
            return same(value, negated)
        case .binary(let op, let left, let right, let at):
            if op == "and" || op == "or" {
                let l = try bool(evaluate(left))
                try charge(1)
                if (op == "and" && !l) || (op == "or" && l) { return .bool(l) }
                return .bool(try bool(evaluate(right)))
            }
            let l = try evaluate(left)
            let r = try evaluate(right)
            switch op {
            case "+", "-":
                if case .money = l { try charge(2) } else { try charge(1) }
                let (v, o) = op == "+" ? numeric(l).addingReportingOverflow(numeric(r)) : numeric(l).subtractingReportingOverflow(numeric(r))
                guard !o else { throw failure(.overflow, at, "\(op) overflows 64 bits") }
                return same(l, v)
            case "*":
                try charge(3)
                let (v, o) = numeric(l).multipliedReportingOverflow(by: numeric(r))
                guard !o else { throw failure(.overflow, at, "* overflows 64 bits") }
                if case .money = l { return .money(v) }
                if case .money = r { return .money(v) }
                return .int(v)
            case "==", "!=":
                try charge(1)
                let equal: Bool = switch (l, r) {
                case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)  // bytewise, no copies
                case (.bool(let a), .bool(let b)): a == b
                default: numeric(l) == numeric(r)
                }
                return .bool(op == "==" ? equal : !equal)
            default:
                try charge(1)
                let (a, b) = (numeric(l), numeric(r))
                return .bool(op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b)
            }
        case .call(let name, let arguments, let at):
            var values = ReferenceArguments()
            for (index, argument) in arguments.enumerated() { values[index] = try evaluate(argument.value) }
            switch name {
            case "div", "scale":
                try charge(3)
                guard case .rounding(let mode) = values[2] else { preconditionFailure("checked") }
                let a = numeric(values[0]), b = numeric(values[1])
                if name == "div" {
                    guard b != 0 else { throw failure(.divisionByZero, at, "division by zero") }
                    return same(values[0], try ReferenceInterpreter.divide(a, by: b, mode, at))
                }
                // scale: a × bps / 10000 with a 128-bit intermediate; only the result can overflow.
                let product = a.multipliedFullWidth(by: b)
                return same(values[0], try ReferenceInterpreter.divideWide(product, by: 10_000, mode, at))
            case "min", "max":
                try charge(1)
                let (a, b) = (numeric(values[0]), numeric(values[1]))
                return same(values[0], name == "min" ? Swift.min(a, b) : Swift.max(a, b))
            case "cents": try charge(1); return .int(numeric(values[0]))
            case "money": try charge(1); return .money(numeric(values[0]))
            case "point_rate":
                try charge(2)
                guard case .string(let category) = values[0] else { preconditionFailure("checked: String") }
                return .int(input.pointRates[category] ?? input.defaultPointRate)
            case "has_code":
                try charge(2)
                guard case .string(let code) = values[0] else { preconditionFailure("checked: String") }
                return .bool(input.codes.contains { Array($0.utf8) == Array(code.utf8) })
            case "tier_for":
                try charge(2)
                let spend = numeric(values[0])
                return .tier(UInt8(ReferenceInterpreter.tierThresholds.lastIndex { spend >= $0 }.map { $0 + 1 } ?? 1))
            default: preconditionFailure("checked")
            }
        case .method(let base, let name, let arguments, let at):
            guard case .list(let items) = try evaluate(base) else { preconditionFailure("checked") }
            let parameter = arguments.first?.parameter ?? ""
            func apply(_ item: ReferenceValue) throws -> ReferenceValue {
                bindings.append((parameter, item))
                defer { bindings.removeLast() }
                return try evaluate(arguments[0].value)
            }
            switch name {
            case "filter", "any", "all", "sum":
                try charge(2)
                var kept: [ReferenceValue] = []
                var total: Int64 = 0
                var totalIsMoney = false
                for item in items {
                    try charge(1)
                    let result = try apply(item)
                    switch name {
                    case "filter": if try bool(result) { kept.append(item) }
                    case "any": if try bool(result) { return .bool(true) }
                    case "all": if !(try bool(result)) { return .bool(false) }
                    default:
                        if case .money = result { totalIsMoney = true }
                        let (v, o) = total.addingReportingOverflow(numeric(result))
                        guard !o else { throw failure(.overflow, at, "sum overflows 64 bits") }
                        total = v
                    }
                }
                switch name {
                case "filter": return .list(kept)
                case "any": return .bool(false)
                case "all": return .bool(true)
                default:
                    if items.isEmpty {
                        // The sum's type comes from the function; an empty list still has one.
                        return ReferenceInterpreter.sumType(arguments[0].value) == .money ? .money(0) : .int(0)
                    }
                    return totalIsMoney ? .money(total) : .int(total)
                }
            case "count":
                try charge(1)
                return .int(Int64(items.count))
            case "sort_by":
                try charge(4)
                var keyed: [(key: Int64, index: Int, value: ReferenceValue)] = []
                for (index, item) in items.enumerated() { keyed.append((numeric(try apply(item)), index, item)) }
                try charge(UInt64(items.count).times(2).times(ceilLog2(items.count)))
                keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }  // stable: ties keep input order
                return .list(keyed.map(\.value))
            case "take":
                let count = try int(evaluate(arguments[0].value))
                let kept = Array(items.prefix(Int(Swift.max(0, Swift.min(count, Int64(items.count))))))
                try charge(1 + UInt64(kept.count))
                return .list(kept)
            case "drop":
                let count = try int(evaluate(arguments[0].value))
                let kept = Array(items.dropFirst(Int(Swift.max(0, Swift.min(count, Int64(items.count))))))
                try charge(1 + UInt64(kept.count))
                return .list(kept)
            case "every":
                let step = try int(evaluate(arguments[0].value))
                let kept = step <= 0 ? [] : items.enumerated().filter { Int64($0.offset + 1) % step == 0 }.map(\.element)
                try charge(1 + UInt64(kept.count))
                return .list(kept)
            case "expand":
                try charge(2)
                var units: [ReferenceValue] = []
                for item in items {
                    let count = try int(apply(item))
                    guard case .line(let index) = item else { preconditionFailure("checked") }
                    let line = input.lines[index]
                    guard count >= 0, units.count + Int(Swift.min(count, Int64(ContractLimits.unitsMax + 1))) <= ContractLimits.unitsMax else {
                        throw failure(.expansionLimit, at, "expand gives more than \(ContractLimits.unitsMax) units")
                    }
                    for _ in 0..<count { units.append(.unit(line: index, price: line.unitPrice)) }
                    try charge(UInt64(count))
                }
                return .list(units)
            default: preconditionFailure("checked")
            }
        }
    }

    /// The type a `sum` function yields, for an empty list (literal Money or a money field).
    static func sumType(_ expression: Expression) -> ValueType {
        switch expression {
        case .money: return .money
        case .field(_, let field, _): return ["net", "unit_price", "price", "subtotal", "lifetime_spend", "net_with_gst"].contains(field) ? .money : .int
        case .call(let name, let arguments, _):
            if name == "money" { return .money }
            // div, scale, min and max keep their first argument's type.
            if ["div", "scale", "min", "max"].contains(name), let first = arguments.first { return sumType(first.value) }
            return .int
        case .binary(_, let left, let right, _): return sumType(left) == .money || sumType(right) == .money ? .money : .int
        default: return .int
        }
    }

    private func field(_ value: ReferenceValue, _ field: String, _ at: Position) throws -> ReferenceValue {
        switch (value, field) {
        case (.record("basket"), "lines"): return .list(basketLines)
        case (.record("basket"), "subtotal"): return .money(remainingNet.reduce(0, +) - input.basketDiscount - basketGranted)
        case (.record("basket"), "units"): return .int(input.lines.reduce(0) { $0 + $1.quantity })
        case (.record("customer"), "is_member"): return .bool(input.customer.isMember)
        case (.record("customer"), "tier"): return .tier(input.customer.tier)
        case (.record("customer"), "lifetime_spend"): return .money(input.customer.lifetimeSpend)
        case (.record("customer"), "points"): return .int(input.customer.points)
        case (.record("customer"), "id"): return .string(input.customer.id)
        case (.record("customer"), "multiplier"): return .int(input.customer.multiplier)
        case (.record("ctx"), "time"): return .int(input.timeMs)
        case (.record("ctx"), "outlet"): return .int(input.outlet)
        case (.counter(let name), "used"): return .int(counters[name] ?? 0)
        case (.counter(let name), "max"): return .int((rule.memberCounters + rule.budgets).first { $0.name == name }!.max)
        case (.counter(let name), "left"):
            return .int((rule.memberCounters + rule.budgets).first { $0.name == name }!.max - (counters[name] ?? 0))
        case (.line(let index), _):
            let line = input.lines[index]
            switch field {
            case "sku": return .string(line.sku)
            case "category": return .string(line.category)
            case "qty": return .int(line.quantity)
            case "index": return .int(Int64(index))
            case "unit_price": return .money(line.unitPrice)
            case "tax": return .string(line.tax)
            case "gst_rate": return .int(line.gstRate)
            case "includes_gst": return .bool(line.includesGST)
            case "net_with_gst":
                // 128-bit, half away from zero, written apart from the compiler's.
                let net = Int128(remainingNet[index])
                guard !line.includesGST, line.gstRate != 0 else { return .money(remainingNet[index]) }
                let product = net * Int128(line.gstRate)
                var gst = product / 10_000
                if (product % 10_000).magnitude * 2 >= 10_000 { gst += product < 0 ? -1 : 1 }
                let total = net + gst
                guard total >= Int128(Int64.min), total <= Int128(Int64.max) else {
                    throw ContractError(.overflow, line: at.line, column: at.column, "net_with_gst overflows")
                }
                return .money(Int64(total))
            default: return .money(remainingNet[index])
            }
        case (.unit(let line, let price), _):
            return field == "line" ? .int(Int64(line)) : .money(price)
        default:
            preconditionFailure("checked field \(field)")
        }
    }

    static func divide(_ a: Int64, by b: Int64, _ mode: String, _ at: Position) throws -> Int64 {
        guard !(a == .min && b == -1) else { throw ContractError(.overflow, line: at.line, column: at.column, "division overflows") }
        return try round(quotient: a / b, remainder: a % b, divisor: b, mode, at)
    }

    static func divideWide(_ product: (high: Int64, low: UInt64), by divisor: Int64, _ mode: String, _ at: Position) throws -> Int64 {
        // The exact quotient, as a Swift integer wide enough, rounded, then checked to fit.
        let magnitudeHigh = product.high < 0 ? ~UInt64(bitPattern: product.high) &+ (product.low == 0 ? 1 : 0) : UInt64(product.high)
        let magnitudeLow = product.high < 0 ? (~product.low &+ 1) : product.low
        guard magnitudeHigh < UInt64(divisor) else { throw ContractError(.overflow, line: at.line, column: at.column, "scale overflows 64 bits") }
        let (quotient, remainder) = UInt64(divisor).dividingFullWidth((magnitudeHigh, magnitudeLow))
        let negative = product.high < 0
        // Rounded magnitude: away from zero adds one to it.
        let twice = remainder * 2
        let away: Bool
        switch mode {
        case "floor": away = negative && remainder != 0
        case "ceil": away = !negative && remainder != 0
        case "trunc": away = false
        case "half_up": away = remainder != 0 && twice >= UInt64(divisor)
        default: away = remainder != 0 && (twice > UInt64(divisor) || (twice == UInt64(divisor) && quotient % 2 != 0))
        }
        let (rounded, wrapped) = quotient.addingReportingOverflow(away ? 1 : 0)
        guard !wrapped else { throw ContractError(.overflow, line: at.line, column: at.column, "scale overflows 64 bits") }
        if negative {
            guard rounded <= UInt64(Int64.max) + 1 else { throw ContractError(.overflow, line: at.line, column: at.column, "scale overflows 64 bits") }
            return rounded == UInt64(Int64.max) + 1 ? .min : -Int64(rounded)
        }
        guard rounded <= UInt64(Int64.max) else { throw ContractError(.overflow, line: at.line, column: at.column, "scale overflows 64 bits") }
        return Int64(rounded)
    }

    /// Truncated quotient and remainder adjusted by the named rounding (|divisor| ≥ 2 when
    /// the remainder is not 0, so the adjusted quotient always fits).
    static func round(quotient: Int64, remainder: Int64, divisor: Int64, _ mode: String, _ at: Position) throws -> Int64 {
        guard remainder != 0 else { return quotient }
        let negative = (remainder < 0) != (divisor < 0)
        let twice = remainder.magnitude * 2
        switch mode {
        case "floor": return negative ? quotient - 1 : quotient
        case "ceil": return negative ? quotient : quotient + 1
        case "trunc": return quotient
        case "half_up": return twice >= divisor.magnitude ? quotient + (negative ? -1 : 1) : quotient
        default:  // half_even
            if twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0) { return quotient + (negative ? -1 : 1) }
            return quotient
        }
    }
}

/// Up to three evaluated arguments, inline (functions and effects take at most three):
/// no array allocation per call.
struct ReferenceArguments {
    private var first = ReferenceValue.int(0), second = ReferenceValue.int(0), third = ReferenceValue.int(0)

    subscript(index: Int) -> ReferenceValue {
        get { index == 0 ? first : index == 1 ? second : third }
        set {
            precondition(index < 3, "functions and effects take at most three arguments")
            if index == 0 { first = newValue } else if index == 1 { second = newValue } else { third = newValue }
        }
    }
}
