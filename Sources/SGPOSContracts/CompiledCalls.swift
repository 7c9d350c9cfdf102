/// Built-in functions, resolved at compile time. Arguments are evaluated in order, then
/// the function is charged, as the cost table says.
extension Compiler {
    mutating func call(_ name: String, _ arguments: [Argument], _ at: Position) -> (ValueType, Compiled) {
        switch name {
        case "div", "scale":
            let (type, first) = expression(arguments[0].value)
            guard case .scalar(let a) = first else { preconditionFailure("checked: \(name) of a number") }
            let b = scalar(arguments[1].value)
            let mode: Code<Scalar>? = if case .enumCase = arguments[2].value { nil } else { scalar(arguments[2].value) }
            let constant = Compiler.rounding(arguments[2].value)
            return (type, name == "div" ? Compiler.div(a, b, mode, constant, at) : Compiler.scale(a, b, mode, constant, at))
        case "min", "max":
            let (type, first) = expression(arguments[0].value)
            guard case .scalar(let a) = first else { preconditionFailure("checked: \(name) of a number") }
            let b = scalar(arguments[1].value)
            if name == "min" {
                return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                    let x = try a(&f), y = try b(&f)
                    try f.charge(1)
                    return Scalar(Swift.min(x.value, y.value), money: x.isMoney)
                })
            }
            return (type, .scalar { (f: inout Frame) throws(Interrupt) in
                let x = try a(&f), y = try b(&f)
                try f.charge(1)
                return Scalar(Swift.max(x.value, y.value), money: x.isMoney)
            })
        case "cents", "money":
            let a = scalar(arguments[0].value)
            let money = name == "money"
            return (money ? .money : .int, .scalar { (f: inout Frame) throws(Interrupt) in
                let x = try a(&f)
                try f.charge(1)
                return Scalar(x.value, money: money)
            })
        case "point_rate":
            let category = string(arguments[0].value)
            return (.int, .scalar { (f: inout Frame) throws(Interrupt) in
                let key = try category(&f)
                try f.charge(2)
                return Scalar(f.pointRate(key))
            })
        case "has_code":
            let code = string(arguments[0].value)
            return (.bool, .bool { (f: inout Frame) throws(Interrupt) in
                let wanted = try code(&f)
                try f.charge(2)
                return f.input.codes.contains { Compiler.bytewiseEqual($0, wanted) }
            })
        case "tier_for":
            let spend = scalar(arguments[0].value)
            return (.tier, .scalar { (f: inout Frame) throws(Interrupt) in
                let x = try spend(&f)
                try f.charge(2)
                return Scalar(Arithmetic.tier(for: x.value))
            })
        default:
            preconditionFailure("checked: no function \(name)")
        }
    }

    /// A literal rounding (`.floor`), known at compile time; a named one is read at run time.
    static func rounding(_ expression: Expression) -> Arithmetic.Rounding {
        guard case .enumCase(let name, _) = expression else { return .halfEven }
        return Arithmetic.Rounding(rawValue: enumCase(name).1) ?? .halfEven
    }

    private static func div(_ a: @escaping Code<Scalar>, _ b: @escaping Code<Scalar>, _ mode: Code<Scalar>?,
                            _ constant: Arithmetic.Rounding, _ at: Position) -> Compiled {
        guard let mode else {
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let x = try a(&f), y = try b(&f)
                try f.charge(3)
                guard y.value != 0 else { throw .failure(.divisionByZero, at, "division by zero") }
                return Scalar(try Arithmetic.divide(x.value, by: y.value, constant, at), money: x.isMoney)
            }
        }
        return .scalar { (f: inout Frame) throws(Interrupt) in
            let x = try a(&f), y = try b(&f), m = try mode(&f)
            try f.charge(3)
            guard y.value != 0 else { throw .failure(.divisionByZero, at, "division by zero") }
            let rounding = Arithmetic.Rounding(rawValue: m.value) ?? .halfEven
            return Scalar(try Arithmetic.divide(x.value, by: y.value, rounding, at), money: x.isMoney)
        }
    }

    /// scale: a × bps / 10000 with a 128-bit intermediate; only the result can overflow.
    private static func scale(_ a: @escaping Code<Scalar>, _ b: @escaping Code<Scalar>, _ mode: Code<Scalar>?,
                              _ constant: Arithmetic.Rounding, _ at: Position) -> Compiled {
        guard let mode else {
            return .scalar { (f: inout Frame) throws(Interrupt) in
                let x = try a(&f), y = try b(&f)
                try f.charge(3)
                return Scalar(try Arithmetic.divideWide(x.value.multipliedFullWidth(by: y.value), by: 10_000, constant, at), money: x.isMoney)
            }
        }
        return .scalar { (f: inout Frame) throws(Interrupt) in
            let x = try a(&f), y = try b(&f), m = try mode(&f)
            try f.charge(3)
            let rounding = Arithmetic.Rounding(rawValue: m.value) ?? .halfEven
            return Scalar(try Arithmetic.divideWide(x.value.multipliedFullWidth(by: y.value), by: 10_000, rounding, at), money: x.isMoney)
        }
    }
}
