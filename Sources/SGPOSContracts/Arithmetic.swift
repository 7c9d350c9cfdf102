/// Division and scaling with a named rounding (docs/CONTRACTS.md §1), checked for overflow.
enum Arithmetic {
    /// A rounding's index in ``ContractLimits/roundings``.
    enum Rounding: Int64 {
        case floor = 0, ceil, trunc, halfUp, halfEven
    }

    static let tierThresholds: [Int64] = [0, 100_000, 500_000, 2_000_000, 5_000_000]

    static func divide(_ a: Int64, by b: Int64, _ mode: Rounding, _ at: Position) throws(Interrupt) -> Int64 {
        guard !(a == .min && b == -1) else { throw .failure(.overflow, at, "division overflows") }
        return round(quotient: a / b, remainder: a % b, divisor: b, mode)
    }

    static func divideWide(_ product: (high: Int64, low: UInt64), by divisor: Int64, _ mode: Rounding, _ at: Position) throws(Interrupt) -> Int64 {
        // |a × b| < 2^126, divisor 10000: the quotient fits in Int64 unless the result overflows.
        let magnitudeHigh = product.high < 0 ? ~UInt64(bitPattern: product.high) &+ (product.low == 0 ? 1 : 0) : UInt64(product.high)
        let magnitudeLow = product.high < 0 ? (~product.low &+ 1) : product.low
        guard magnitudeHigh < UInt64(divisor) else { throw .failure(.overflow, at, "scale overflows 64 bits") }
        let (quotient, remainder) = UInt64(divisor).dividingFullWidth((magnitudeHigh, magnitudeLow))
        guard quotient <= UInt64(Int64.max) else { throw .failure(.overflow, at, "scale overflows 64 bits") }
        let negative = product.high < 0
        return round(quotient: negative ? -Int64(quotient) : Int64(quotient), remainder: negative ? -Int64(remainder) : Int64(remainder),
                     divisor: divisor, mode)
    }

    /// Truncated quotient and remainder adjusted by the rounding.
    static func round(quotient: Int64, remainder: Int64, divisor: Int64, _ mode: Rounding) -> Int64 {
        guard remainder != 0 else { return quotient }
        let negative = (remainder < 0) != (divisor < 0)
        let twice = remainder.magnitude * 2
        switch mode {
        case .floor: return negative ? quotient - 1 : quotient
        case .ceil: return negative ? quotient : quotient + 1
        case .trunc: return quotient
        case .halfUp: return twice >= divisor.magnitude ? quotient + (negative ? -1 : 1) : quotient
        case .halfEven:
            if twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0) { return quotient + (negative ? -1 : 1) }
            return quotient
        }
    }

    /// `tier_for(spend)`: the highest tier whose threshold the spend reaches.
    static func tier(for spend: Int64) -> Int64 {
        Int64(tierThresholds.lastIndex { spend >= $0 }.map { $0 + 1 } ?? 1)
    }
}
