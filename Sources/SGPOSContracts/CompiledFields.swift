/// Fields of records, counters, lines and units, resolved to accessors at compile time.
extension Compiler {
    mutating func field(_ base: Expression, _ field: String, _ at: Position) -> (ValueType, Compiled) {
        // A field of a line or unit variable (`l.net`): one closure reads the slot and the
        // field, charging the name and then the field as two closures would.
        if case .name(let name, _) = base, case .scalar(let slot, let baseType) = resolve(name), baseType == .line || baseType == .unit,
           let type = Fields.type(of: field, in: baseType) {
            let read = LineField(field, of: baseType)
            if read.isString {
                return (type, .string { (f: inout Frame) throws(Interrupt) in
                    try f.charge(1)
                    let line = Int(f.scalars[slot].value)
                    try f.charge(1)
                    return read.string(line, &f)
                })
            }
            if read.isBool {
                return (type, .bool { (f: inout Frame) throws(Interrupt) in
                    try f.charge(1)
                    let line = Int(f.scalars[slot].value)
                    try f.charge(1)
                    return f.input.lines[line].includesGST
                })
            }
            return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                try f.charge(1)
                let line = Int(f.scalars[slot].value)
                try f.charge(1)
                return try read.scalar(line, &f, at)
            })
        }
        let (baseType, compiled) = expression(base)
        guard let type = Fields.type(of: field, in: baseType) else { preconditionFailure("checked: \(baseType) has no field \(field)") }
        switch compiled {
        case .record(let record, let base):
            return (type, recordField(record, base, field, type))
        case .scalar(let base) where baseType == .line || baseType == .unit:
            let read = LineField(field, of: baseType)
            if read.isString {
                return (type, .string { (f: inout Frame) throws(Interrupt) in
                    let line = Int(try base(&f).value)
                    try f.charge(1)
                    return read.string(line, &f)
                })
            }
            if read.isBool {
                return (type, .bool { (f: inout Frame) throws(Interrupt) in
                    let line = Int(try base(&f).value)
                    try f.charge(1)
                    return f.input.lines[line].includesGST
                })
            }
            return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                let line = Int(try base(&f).value)
                try f.charge(1)
                return try read.scalar(line, &f, at)
            })
        default:
            preconditionFailure("checked: field \(field) of \(baseType)")
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
            // Unreachable: the checker types every field it accepts, and refuses counters
            // named like a root record (`basket`, `customer`, `ctx`), the one way a checked
            // field used to reach here. Kept as an invariant trap.
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

/// A field of a line (by its index) or of a unit (by its line's index: a unit's price is
/// its line's unit price).
enum LineField {
    case sku, category, qty, index, unitPrice, net, tax, gstRate, includesGST, netWithGST

    init(_ field: String, of type: ValueType) {
        switch (type, field) {
        case (.unit, "line"): self = .index
        case (.unit, _): self = .unitPrice
        case (_, "sku"): self = .sku
        case (_, "category"): self = .category
        case (_, "qty"): self = .qty
        case (_, "index"): self = .index
        case (_, "unit_price"): self = .unitPrice
        case (_, "tax"): self = .tax
        case (_, "gst_rate"): self = .gstRate
        case (_, "includes_gst"): self = .includesGST
        case (_, "net_with_gst"): self = .netWithGST
        default: self = .net
        }
    }

    var isString: Bool { self == .sku || self == .category || self == .tax }
    var isBool: Bool { self == .includesGST }

    @inline(__always) func string(_ line: Int, _ f: inout Frame) -> String {
        switch self {
        case .sku: f.input.lines[line].sku
        case .category: f.input.lines[line].category
        default: f.input.lines[line].tax
        }
    }

    @inline(__always) func scalar(_ line: Int, _ f: inout Frame, _ at: Position) throws(Interrupt) -> Scalar {
        switch self {
        case .qty: return Scalar(f.input.lines[line].quantity)
        case .index: return Scalar(Int64(line))
        case .unitPrice: return Scalar(f.input.lines[line].unitPrice, money: true)
        case .gstRate: return Scalar(f.input.lines[line].gstRate)
        case .netWithGST: return Scalar(try Self.netWithGST(f.net[line], f.input.lines[line], at), money: true)
        default: return Scalar(f.net[line], money: true)
        }
    }

    /// The line's net with GST as the per-line method charges it (FORMAT.md §13.4 step 6):
    /// the net when the price includes GST or the line bears none, else net +
    /// scale(net, rate, .half_up); error 10 at the field's `.` outside 64 bits.
    static func netWithGST(_ net: Int64, _ line: ContractInput.Line, _ at: Position) throws(Interrupt) -> Int64 {
        guard !line.includesGST, line.gstRate != 0 else { return net }
        let gst = try Arithmetic.divideWide(net.multipliedFullWidth(by: line.gstRate), by: 10_000, .halfUp, at)
        let (total, overflow) = net.addingReportingOverflow(gst)
        guard !overflow else { throw .failure(.overflow, at, "net_with_gst overflows 64 bits") }
        return total
    }
}
