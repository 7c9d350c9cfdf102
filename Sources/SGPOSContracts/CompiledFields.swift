/// Fields of records, counters, lines and units, resolved to accessors at compile time.
extension Compiler {
    mutating func field(_ base: Expression, _ field: String) -> (ValueType, Compiled) {
        let (baseType, compiled) = expression(base)
        guard let type = Fields.type(of: field, in: baseType) else { preconditionFailure("checked: \(baseType) has no field \(field)") }
        switch compiled {
        case .record(let record, let base):
            return (type, recordField(record, base, field, type))
        case .scalar(let base) where baseType == .line:
            return (type, Compiler.lineField(base, field))
        case .scalar(let base) where baseType == .unit:
            if field == "line" {
                return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                    let unit = try base(&f)
                    try f.charge(1)
                    return unit
                })
            }
            return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                let unit = try base(&f)
                try f.charge(1)
                return Scalar(f.input.lines[Int(unit.value)].unitPrice, money: true)
            })
        default:
            preconditionFailure("checked: field \(field) of \(baseType)")
        }
    }

    private static func lineField(_ base: @escaping Code<Scalar>, _ field: String) -> Compiled {
        switch field {
        case "sku":
            return .string { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return f.input.lines[Int(line.value)].sku
            }
        case "category":
            return .string { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return f.input.lines[Int(line.value)].category
            }
        case "qty":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return Scalar(f.input.lines[Int(line.value)].quantity)
            }
        case "index":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return line
            }
        case "unit_price":
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return Scalar(f.input.lines[Int(line.value)].unitPrice, money: true)
            }
        default:  // net
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let line = try base(&f)
                try f.charge(1)
                return Scalar(f.net[Int(line.value)], money: true)
            }
        }
    }

    private func recordField(_ record: RecordValue, _ base: @escaping Code<Void>, _ field: String, _ type: ValueType) -> Compiled {
        func scalar(money: Bool = false, _ read: @escaping @Sendable (inout Frame) -> Int64) -> Compiled {
            .scalar { (f: inout Frame) throws(Interrupt) in
                try base(&f)
                try f.charge(1)
                return Scalar(read(&f), money: money)
            }
        }
        switch (record, field) {
        case (.basket, "lines"):
            return .list { (f: inout Frame) throws(Interrupt) in
                try base(&f)
                try f.charge(1)
                return IndexList(indices: nil, count: f.input.lines.count)
            }
        case (.basket, "subtotal"): return scalar(money: true) { $0.subtotal }
        case (.basket, "units"): return scalar { $0.input.lines.reduce(0) { $0 + $1.quantity } }
        case (.customer, "is_member"):
            return .bool { (f: inout Frame) throws(Interrupt) in
                try base(&f)
                try f.charge(1)
                return f.input.customer.isMember
            }
        case (.customer, "tier"): return scalar { Int64($0.input.customer.tier) }
        case (.customer, "lifetime_spend"): return scalar(money: true) { $0.input.customer.lifetimeSpend }
        case (.customer, "points"): return scalar { $0.input.customer.points }
        case (.customer, "id"):
            return .string { (f: inout Frame) throws(Interrupt) in
                try base(&f)
                try f.charge(1)
                return f.input.customer.id
            }
        case (.customer, "multiplier"): return scalar { $0.input.customer.multiplier }
        case (.context, "time"): return scalar { $0.input.timeMs }
        case (.context, "outlet"): return scalar { $0.input.outlet }
        case (.counter(let index), "used"): return scalar { $0.counters[index] }
        case (.counter(let index), "max"):
            let cap = layout.counters[index].max
            return scalar { _ in cap }
        case (.counter(let index), "left"):
            let cap = layout.counters[index].max
            return scalar { cap - $0.counters[index] }
        default:
            // A counter named like a root record (`basket`, `customer`, `ctx`): the checker
            // types the name as the counter, the name denotes the record, and the field does
            // not exist at run time — a trap, as it always was.
            let trap: @Sendable (inout Frame) throws(Interrupt) -> Never = { (f: inout Frame) throws(Interrupt) -> Never in
                try base(&f)
                try f.charge(1)
                preconditionFailure("checked field \(field)")
            }
            switch type {
            case .bool: return .bool { (f: inout Frame) throws(Interrupt) in try trap(&f) }
            case .string: return .string { (f: inout Frame) throws(Interrupt) in try trap(&f) }
            case .list: return .list { (f: inout Frame) throws(Interrupt) in try trap(&f) }
            default: return .scalar { (f: inout Frame) throws(Interrupt) in try trap(&f) }
            }
        }
    }
}
