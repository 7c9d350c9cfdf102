/// Expressions: literals, names, operators and functions, each resolved to a closure that
/// charges what the cost table says at the point the language charges it.
extension Compiler {
    mutating func expression(_ expression: Expression) -> (ValueType, Compiled) {
        switch expression {
        case .integer(let v, _):
            return (.int, .scalar { (f: inout Frame) throws(Interrupt) in try f.charge(1); return Scalar(v) })
        case .money(let v, _):
            return (.money, .scalar { (f: inout Frame) throws(Interrupt) in try f.charge(1); return Scalar(v, money: true) })
        case .string(let v, _):
            return (.string, .string { (f: inout Frame) throws(Interrupt) in try f.charge(1); return v })
        case .boolean(let v, _):
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in try f.charge(1); return v })
        case .enumCase(let name, _):
            // Free: an enum case costs nothing.
            let (type, value) = Compiler.enumCase(name)
            return (type, .scalar { (_: inout Frame) throws(Interrupt) in Scalar(value) })
        case .name(let name, _):
            return self.name(name)
        case .field(let base, let field, let at):
            return self.field(base, field, at)
        case .unary(let op, let operand, let at):
            return unary(op, operand, at)
        case .binary(let op, let left, let right, let at):
            return binary(op, left, right, at)
        case .call(let name, let arguments, let at):
            return call(name, arguments, at)
        case .method(let base, let name, let arguments, let at):
            return method(base, name, arguments, at)
        }
    }

    /// A tier (1 bronze … 5 diamond) or a rounding (its index; an unknown name rounds half-even).
    static func enumCase(_ name: String) -> (ValueType, Int64) {
        if let index = ContractLimits.tiers.firstIndex(of: name) { return (.tier, Int64(index + 1)) }
        return (.rounding, Int64(ContractLimits.roundings.firstIndex(of: name) ?? 4))
    }

    mutating func scalar(_ expression: Expression) -> Code<Scalar> {
        guard case .scalar(let code) = self.expression(expression).1 else { preconditionFailure("checked: a scalar") }
        return code
    }

    mutating func bool(_ expression: Expression) -> Code<Bool> {
        guard case .bool(let code) = self.expression(expression).1 else { preconditionFailure("checked: a Bool") }
        return code
    }

    mutating func string(_ expression: Expression) -> Code<String> {
        guard case .string(let code) = self.expression(expression).1 else { preconditionFailure("checked: a String") }
        return code
    }

    mutating func list(_ expression: Expression) -> (ValueType, Code<IndexList>) {
        let (type, compiled) = self.expression(expression)
        guard case .list(let code) = compiled else { preconditionFailure("checked: a list") }
        return (type, code)
    }

    private func name(_ name: String) -> (ValueType, Compiled) {
        switch resolve(name) {
        case .scalar(let slot, .bool):
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in try f.charge(1); return f.scalars[slot].value != 0 })
        case .scalar(let slot, let type):
            return (type, .scalar { (f: inout Frame) throws(Interrupt) in try f.charge(1); return f.scalars[slot] })
        case .string(let slot):
            return (.string, .string { (f: inout Frame) throws(Interrupt) in try f.charge(1); return f.strings[slot] })
        case .list(let slot, let type):
            return (type, .list { (f: inout Frame) throws(Interrupt) in try f.charge(1); return f.lists[slot] })
        case .record(let record, let type):
            return (type, .record(record) { (f: inout Frame) throws(Interrupt) in try f.charge(1) })
        }
    }

    private mutating func unary(_ op: String, _ operand: Expression, _ at: Position) -> (ValueType, Compiled) {
        if op == "not" {
            let value = bool(operand)
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let v = try value(&f)
                try f.charge(1)
                return !v
            })
        }
        let (type, compiled) = expression(operand)
        guard case .scalar(let value) = compiled else { preconditionFailure("checked: unary - needs Int or Money") }
        return (type, .scalar { (f: inout Frame) throws(Interrupt) in
            let v = try value(&f)
            try f.charge(1)
            let (negated, overflow) = Int64(0).subtractingReportingOverflow(v.value)
            guard !overflow else { throw .failure(.overflow, at, "negation overflows") }
            return Scalar(negated, money: v.isMoney)
        })
    }

    private mutating func binary(_ op: String, _ left: Expression, _ right: Expression, _ at: Position) -> (ValueType, Compiled) {
        if op == "and" || op == "or" {
            let l = bool(left), r = bool(right)
            if op == "and" {
                return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                    let a = try l(&f)
                    try f.charge(1)
                    return a ? try r(&f) : false
                })
            }
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f)
                try f.charge(1)
                return a ? true : try r(&f)
            })
        }
        // `l.sku == "…"` on a line variable: one closure, charged name, field, literal, operator.
        if op == "==" || op == "!=", case .string(let k, _) = right, case .field(.name(let name, _), let field, _) = left,
           field == "sku" || field == "category", case .scalar(let slot, .line) = resolve(name) {
            let read = LineField(field, of: .line), equal = op == "=="
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                try f.charge(1)
                let line = Int(f.scalars[slot].value)
                try f.charge(1)
                try f.charge(1)
                try f.charge(1)
                return Compiler.bytewiseEqual(read.string(line, &f), k) == equal
            })
        }
        let (leftType, leftCode) = expression(left)
        // A literal right operand is read in place (charged 1, as its own closure would be).
        switch (op, leftCode, right) {
        case ("==", .string(let l), .string(let k, _)), ("!=", .string(let l), .string(let k, _)):
            let equal = op == "=="
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f)
                try f.charge(1)
                try f.charge(1)
                return Compiler.bytewiseEqual(a, k) == equal
            })
        case (_, .scalar(let l), .integer(let k, _)), (_, .scalar(let l), .money(let k, _)):
            if let compiled = Compiled.comparison(l, op, k) { return (.bool, compiled) }
        default:
            break
        }
        let (rightType, rightCode) = expression(right)
        switch (op, leftCode, rightCode) {
        case ("==", .string(let l), .string(let r)), ("!=", .string(let l), .string(let r)):
            let equal = op == "=="
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f), b = try r(&f)
                try f.charge(1)
                return Compiler.bytewiseEqual(a, b) == equal
            })
        case ("==", .bool(let l), .bool(let r)), ("!=", .bool(let l), .bool(let r)):
            let equal = op == "=="
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f), b = try r(&f)
                try f.charge(1)
                return (a == b) == equal
            })
        case (_, .scalar(let l), .scalar(let r)):
            return (Compiler.binaryType(op, leftType, rightType), .scalar(l, op, r, at))
        default:
            preconditionFailure("checked: \(op) on \(leftType) and \(rightType)")
        }
    }

    /// The checker's result type of a binary operator on two numeric operands.
    static func binaryType(_ op: String, _ left: ValueType, _ right: ValueType) -> ValueType {
        switch op {
        case "+", "-": left
        case "*": left == .int && right == .int ? .int : .money
        default: .bool
        }
    }

    /// Strings compare bytewise (not by Unicode canonical equivalence).
    @inline(__always) static func bytewiseEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (a.utf8, b.utf8)
        guard x.count == y.count else { return false }
        let contiguous = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in equalBytes(UnsafeRawBufferPointer(p), UnsafeRawBufferPointer(q)) }
        }
        return (contiguous ?? nil) ?? x.elementsEqual(y)
    }

    /// Two buffers of one length, compared eight bytes at a time.
    static func equalBytes(_ p: UnsafeRawBufferPointer, _ q: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 8 <= p.count {
            guard p.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == q.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < p.count {
            guard p[offset] == q[offset] else { return false }
            offset += 1
        }
        return true
    }
}

extension Compiled {
    /// A comparison with a literal right operand `k`, or nil for arithmetic.
    static func comparison(_ l: @escaping Code<Scalar>, _ op: String, _ k: Int64) -> Compiled? {
        switch op {
        case "==": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value == k }
        case "!=": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value != k }
        case "<": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value < k }
        case "<=": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value <= k }
        case ">": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value > k }
        case ">=": .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f); try f.charge(1); try f.charge(1); return a.value >= k }
        default: nil
        }
    }

    /// A numeric operator on two scalars: arithmetic (checked) or a comparison.
    static func scalar(_ l: @escaping Code<Scalar>, _ op: String, _ r: @escaping Code<Scalar>, _ at: Position) -> Compiled {
        switch op {
        case "+":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f), b = try r(&f)
                try f.charge(a.isMoney ? 2 : 1)
                let (v, o) = a.value.addingReportingOverflow(b.value)
                guard !o else { throw .failure(.overflow, at, "+ overflows 64 bits") }
                return Scalar(v, money: a.isMoney)
            }
        case "-":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f), b = try r(&f)
                try f.charge(a.isMoney ? 2 : 1)
                let (v, o) = a.value.subtractingReportingOverflow(b.value)
                guard !o else { throw .failure(.overflow, at, "- overflows 64 bits") }
                return Scalar(v, money: a.isMoney)
            }
        case "*":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let a = try l(&f), b = try r(&f)
                try f.charge(3)
                let (v, o) = a.value.multipliedReportingOverflow(by: b.value)
                guard !o else { throw .failure(.overflow, at, "* overflows 64 bits") }
                return Scalar(v, money: a.isMoney || b.isMoney)
            }
        case "==": return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value == b.value }
        case "!=": return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value != b.value }
        case "<": return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value < b.value }
        case "<=": return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value <= b.value }
        case ">": return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value > b.value }
        default: return .bool { (f: inout Frame) throws(Interrupt) in let a = try l(&f), b = try r(&f); try f.charge(1); return a.value >= b.value }
        }
    }
}
