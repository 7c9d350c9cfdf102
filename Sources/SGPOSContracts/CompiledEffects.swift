/// `emit`: the arguments are evaluated in order, the effect charged (10, `increment` 30),
/// checked against the rule's own earlier effects, and recorded.
extension Compiler {
    mutating func emit(_ effect: String, _ arguments: [Argument], _ at: Position) -> Code<Void> {
        switch effect {
        case "increment": return increment(arguments, at)
        case "line_discount":
            let line = scalar(arguments[0].value), amount = scalar(arguments[1].value), code = string(arguments[2].value)
            return { (f: inout Frame) throws(Interrupt) in
                let index = try line(&f).value, value = try amount(&f).value, text = try code(&f)
                try f.charge(10)
                guard index >= 0, index < f.net.count else {
                    throw .failure(.lineOutOfRange, at, "line \(index) is not in the basket (0...\(f.net.count - 1))")
                }
                guard value > 0, value <= f.net[Int(index)] else {
                    throw .failure(.discountExceedsLine, at, "discount \(value) on line \(index) must be above 0 and at most its net \(f.net[Int(index)])")
                }
                f.net[Int(index)] -= value
                try f.append(.lineDiscount(line: Int(index), amount: value, code: text), at)
            }
        case "basket_discount":
            let amount = scalar(arguments[0].value), code = string(arguments[1].value)
            return { (f: inout Frame) throws(Interrupt) in
                let value = try amount(&f).value, text = try code(&f)
                try f.charge(10)
                let left = f.subtotal
                guard value > 0, value <= left else {
                    throw .failure(.discountExceedsLine, at, "basket discount \(value) must be above 0 and at most the \(left) left to pay")
                }
                f.basketGranted += value
                try f.append(.basketDiscount(amount: value, code: text), at)
            }
        case "award_points":
            let points = scalar(arguments[0].value), reason = string(arguments[1].value)
            return { (f: inout Frame) throws(Interrupt) in
                let value = try points(&f).value, text = try reason(&f)
                try f.charge(10)
                guard value >= 0 else { throw .failure(.overflow, at, "points must not be negative") }
                if value > 0 { try f.append(.awardPoints(points: value, reason: text), at) }
            }
        case "redeem_points":
            let points = scalar(arguments[0].value), reason = string(arguments[1].value)
            return { (f: inout Frame) throws(Interrupt) in
                let value = try points(&f).value, text = try reason(&f)
                try f.charge(10)
                let (total, overflow) = f.pointsRedeemed.addingReportingOverflow(value)
                guard value > 0, !overflow, total <= f.input.customer.points else {
                    throw .failure(.pointsBeyondBalance, at,
                                   "redeem_points \(value) must be above 0 and within the member's \(f.input.customer.points - f.pointsRedeemed) points")
                }
                f.pointsRedeemed = total
                try f.append(.redeemPoints(points: value, reason: text), at)
            }
        default:  // set_tier
            let tier = scalar(arguments[0].value)
            return { (f: inout Frame) throws(Interrupt) in
                let value = try tier(&f).value
                try f.charge(10)
                try f.append(.setTier(UInt8(value)), at)
            }
        }
    }

    /// `increment(counter, by)`: the counter is named, not evaluated; its cap is checked.
    private mutating func increment(_ arguments: [Argument], _ at: Position) -> Code<Void> {
        guard case .name(let counter, _) = arguments[0].value else { preconditionFailure("checked") }
        let by = scalar(arguments[1].value)
        guard let index = layout.counters.firstIndex(where: { $0.name == counter }) else {
            // Unreachable: the checker refuses an increment of anything but a declared
            // counter by its own name (a `let` of it, a loop variable or parameter).
            return { (f: inout Frame) throws(Interrupt) in
                _ = try by(&f)
                try f.charge(30)
                preconditionFailure("increment of \(counter), which is not a declared counter")
            }
        }
        let cap = layout.counters[index].max
        return { (f: inout Frame) throws(Interrupt) in
            let amount = try by(&f).value
            try f.charge(30)
            let (next, overflow) = f.counters[index].addingReportingOverflow(amount)
            guard amount > 0, !overflow, next <= cap else {
                throw .failure(.stateCapExceeded, at, "counter \(counter) would reach \(next); its maximum is \(cap)")
            }
            f.counters[index] = next
            try f.append(.increment(counter: counter, by: amount), at)
        }
    }
}
