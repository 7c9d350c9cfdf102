/// Division and scaling with a named rounding (docs/CONTRACTS.md §1), checked for overflow.
enum Arithmetic {
    /// A rounding's index in ``ContractLimits/roundings``.
    enum Rounding: Int64 {
        case floor = 0, ceil, trunc, halfUp, halfEven
    }

    static let tierThresholds: [Int64] = [0, 100_000, 500_000, 2_000_000, 5_000_000]

    static func divide(_ a: Int64, by b: Int64, _ mode: Rounding, _ at: Position) throws(Interrupt) -> Int64 {
        guard !(a == .min && b == -1) else { throw .failure(.overflow, at, "division overflows") }
        return try round(quotient: a / b, remainder: a % b, divisor: b, mode, at)
    }

    static func divideWide(_ product: (high: Int64, low: UInt64), by divisor: Int64, _ mode: Rounding, _ at: Position) throws(Interrupt) -> Int64 {
        // |a × b| < 2^126, divisor 10000: the quotient fits in 64 bits unless the result overflows.
        let magnitudeHigh = product.high < 0 ? ~UInt64(bitPattern: product.high) &+ (product.low == 0 ? 1 : 0) : UInt64(product.high)
        let magnitudeLow = product.high < 0 ? (~product.low &+ 1) : product.low
        guard magnitudeHigh < UInt64(divisor) else { throw .failure(.overflow, at, "scale overflows 64 bits") }
        let (quotient, remainder) = UInt64(divisor).dividingFullWidth((magnitudeHigh, magnitudeLow))
        let negative = product.high < 0
        // The truncated quotient as a signed value: up to 2^63 − 1, or down to −2^63.
        let signed: Int64
        if negative {
            guard quotient <= UInt64(Int64.max) + 1 else { throw .failure(.overflow, at, "scale overflows 64 bits") }
            signed = quotient == UInt64(Int64.max) + 1 ? .min : -Int64(quotient)
        } else {
            guard quotient <= UInt64(Int64.max) else { throw .failure(.overflow, at, "scale overflows 64 bits") }
            signed = Int64(quotient)
        }
        return try round(quotient: signed, remainder: negative ? -Int64(remainder) : Int64(remainder), divisor: divisor, mode, at)
    }

    /// Truncated quotient and remainder adjusted by the rounding; error 10 when the rounded
    /// result leaves −2^63…2^63 − 1 (a quotient at either end rounded outward).
    static func round(quotient: Int64, remainder: Int64, divisor: Int64, _ mode: Rounding, _ at: Position) throws(Interrupt) -> Int64 {
        guard remainder != 0 else { return quotient }
        let negative = (remainder < 0) != (divisor < 0)
        let twice = remainder.magnitude * 2
        let away: Bool
        switch mode {
        case .floor: away = negative
        case .ceil: away = !negative
        case .trunc: away = false
        case .halfUp: away = twice >= divisor.magnitude
        case .halfEven: away = twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0)
        }
        guard away else { return quotient }
        let (rounded, overflow) = quotient.addingReportingOverflow(negative ? -1 : 1)
        guard !overflow else { throw .failure(.overflow, at, "scale overflows 64 bits") }   // divide never rounds to an end
        return rounded
    }

    /// `tier_for(spend)`: the highest tier whose threshold the spend reaches.
    static func tier(for spend: Int64) -> Int64 {
        Int64(tierThresholds.lastIndex { spend >= $0 }.map { $0 + 1 } ?? 1)
    }
}
