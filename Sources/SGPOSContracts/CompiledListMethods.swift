/// List methods. A function argument (`l => …`) is compiled with its parameter in a slot
/// of its own; applying it stores the element there and runs the body.
extension Compiler {
    mutating func method(_ base: Expression, _ name: String, _ arguments: [Argument], _ at: Position) -> (ValueType, Compiled) {
        let (type, items) = list(base)
        guard case .list(let element, _) = type else { preconditionFailure("checked: \(name) on a list") }
        switch name {
        case "count":
            return (.int, .scalar { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(1)
                return Scalar(Int64(values.count))
            })
        case "take":
            let count = scalar(arguments[0].value)
            return (type, .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                let wanted = try count(&f).value
                let kept = Int(Swift.max(0, Swift.min(wanted, Int64(values.count))))
                try f.charge(1 + UInt64(kept))
                guard let indices = values.indices else { return IndexList(indices: nil, count: kept) }
                return IndexList(Array(indices.prefix(kept)))
            })
        case "drop":
            // All but the first max(0, min(k, n)) elements.
            let count = scalar(arguments[0].value)
            return (type, .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                let wanted = try count(&f).value
                let dropped = Int(Swift.max(0, Swift.min(wanted, Int64(values.count))))
                try f.charge(1 + UInt64(values.count - dropped))
                return IndexList((dropped..<values.count).map { values[$0] })
            })
        case "every":
            // The k-th, 2k-th, … elements (positions k − 1, 2k − 1, …); none for k ≤ 0.
            let step = scalar(arguments[0].value)
            return (type, .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                let k = try step(&f).value
                let kept = k <= 0 ? 0 : Int(Int64(values.count) / k)
                try f.charge(1 + UInt64(kept))
                return IndexList((0..<kept).map { values[($0 + 1) * Int(k) - 1] })
            })
        default:
            break
        }
        let slot = newScalarSlot()
        push([arguments.first?.parameter ?? "": .scalar(slot, element)])
        defer { pop() }
        let body = arguments[0].value
        switch name {
        case "filter":
            let test = bool(body)
            return (type, .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(2)
                var kept: [Int] = []
                if values.count > 0 { kept.reserveCapacity(values.count) }
                for position in 0..<values.count {
                    try f.charge(1)
                    let item = values[position]
                    f.scalars[slot] = Scalar(Int64(item))
                    if try test(&f) { kept.append(item) }
                }
                return IndexList(kept)
            })
        case "any", "all":
            let test = bool(body)
            let any = name == "any"
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(2)
                for position in 0..<values.count {
                    try f.charge(1)
                    f.scalars[slot] = Scalar(Int64(values[position]))
                    if try test(&f) == any { return any }
                }
                return !any
            })
        case "sum":
            let (resultType, compiled) = expression(body)
            guard case .scalar(let term) = compiled else { preconditionFailure("checked: sum of numbers") }
            // The tag of an empty sum comes from the function's syntax (language 1).
            let emptyIsMoney = Compiler.sumType(body) == .money
            return (resultType, .scalar { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(2)
                var total: Int64 = 0
                var totalIsMoney = false
                for position in 0..<values.count {
                    try f.charge(1)
                    f.scalars[slot] = Scalar(Int64(values[position]))
                    let result = try term(&f)
                    if result.isMoney { totalIsMoney = true }
                    let (v, o) = total.addingReportingOverflow(result.value)
                    guard !o else { throw .failure(.overflow, at, "sum overflows 64 bits") }
                    total = v
                }
                if values.count == 0 { return Scalar(0, money: emptyIsMoney) }
                return Scalar(total, money: totalIsMoney)
            })
        case "sort_by":
            let key = scalar(body)
            return (type, .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(4)
                var keyed: [Keyed] = []
                keyed.reserveCapacity(values.count)
                for position in 0..<values.count {
                    let item = values[position]
                    f.scalars[slot] = Scalar(Int64(item))
                    keyed.append(Keyed(key: try key(&f).value, index: position, value: item))
                }
                try f.charge(UInt64(values.count).times(2).times(ceilLog2(values.count)))
                keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }  // stable: ties keep input order
                return IndexList(keyed.map(\.value))
            })
        case "expand":
            let count = scalar(body)
            return (.list(.unit, max: ContractLimits.unitsMax), .list { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(2)
                var units: [Int] = []
                for position in 0..<values.count {
                    let item = values[position]
                    f.scalars[slot] = Scalar(Int64(item))
                    let n = try count(&f).value
                    guard n >= 0, units.count + Int(Swift.min(n, Int64(ContractLimits.unitsMax + 1))) <= ContractLimits.unitsMax else {
                        throw .failure(.expansionLimit, at, "expand gives more than \(ContractLimits.unitsMax) units")
                    }
                    for _ in 0..<n { units.append(item) }
                    try f.charge(UInt64(n))
                }
                return IndexList(units)
            })
        default:
            preconditionFailure("checked: no list method \(name)")
        }
    }

    /// An element of `sort_by` with its key and position (a struct: an array of tuples
    /// looks up the tuple's metadata at run time).
    struct Keyed {
        let key: Int64
        let index: Int
        let value: Int
    }

    /// The type a `sum` function yields for an empty list, from its syntax: a Money literal
    /// or a money field (by name), `money(…)`, `div`/`scale`/`min`/`max` of such, or `+ - *`
    /// with such an operand; anything else is Int.
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
}
