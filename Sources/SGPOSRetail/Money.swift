/// An amount of Singapore dollars in integer cents. No floating point anywhere: every
/// operation is checked and overflow is an error, never a wrap or a crash.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The amount in cents (may be negative: refunds, discounts).
    public let cents: Int64

    /// Largest amount a single value may hold: S$10 billion. Far above any basket, far
    /// below Int64, so sums of many bounded values cannot overflow unnoticed.
    public static let limitCents: Int64 = 1_000_000_000_000
    public static let zero = Money(uncheckedCents: 0)

    init(uncheckedCents cents: Int64) {
        precondition(cents.magnitude <= UInt64(Money.limitCents), "money out of range")
        self.cents = cents
    }

    /// `cents` if within ±``limitCents``.
    public init(cents: Int64) throws(RetailError) {
        guard cents.magnitude <= UInt64(Money.limitCents) else {
            throw .amountOutOfRange("\(cents) cents is beyond the S$10,000,000,000.00 limit")
        }
        self.cents = cents
    }

    /// Parses a decimal string with exactly two decimals: `"12.30"`, `"-0.05"`.
    public init(decimal text: String) throws(RetailError) {
        var bytes = Array(text.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        let digits = { (slice: ArraySlice<UInt8>) in
            !slice.isEmpty && slice.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        guard bytes.count >= 4, bytes.count <= 16, bytes[bytes.count - 3] == UInt8(ascii: "."),
            digits(bytes[..<(bytes.count - 3)]), digits(bytes[(bytes.count - 2)...]),
            bytes.count == 4 || bytes[0] != UInt8(ascii: "0")
        else {
            throw .invalidAmount("\"\(text)\" is not an amount with exactly two decimals, like \"12.30\"")
        }
        var value: Int64 = 0
        for byte in bytes where byte != UInt8(ascii: ".") {
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))  // ≤ 15 digits: cannot overflow
        }
        try self.init(cents: negative ? -value : value)
    }

    /// `"12.30"`, `"-0.05"`.
    public var decimal: String { Money.decimal(cents: cents) }

    /// Any number of cents as `"12.30"`, `"-0.05"` (sums beyond one value's limit
    /// included): the one money formatter of API answers, reports and the CLI.
    public static func decimal(cents: Int64) -> String {
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    public var description: String { "S$" + decimal }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    public func adding(_ other: Money) throws(RetailError) -> Money {
        try Money(cents: cents + other.cents)  // both within ±1e12: the Int64 sum cannot overflow
    }

    public func subtracting(_ other: Money) throws(RetailError) -> Money {
        try Money(cents: cents - other.cents)
    }

    public func negated() -> Money { Money(uncheckedCents: -cents) }

    /// This amount times a count (quantities).
    public func multiplied(by count: Int64) throws(RetailError) -> Money {
        let (product, overflow) = cents.multipliedReportingOverflow(by: count)
        guard !overflow else { throw .amountOutOfRange("\(self) × \(count) overflows") }
        return try Money(cents: product)
    }

    /// Sum of amounts, checked.
    public static func sum(_ amounts: some Sequence<Money>) throws(RetailError) -> Money {
        var total = Money.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }
}

/// Integer division with the rounding named at the call site (TigerStyle: every
/// division says how it rounds).
public enum Rounding: Sendable {
    /// Half away from zero: 0.5 → 1, −0.5 → −1 (IRAS: round to the nearest cent; refunds
    /// mirror sales exactly).
    case halfAwayFromZero
    /// Toward zero (truncate).
    case towardZero

    /// `numerator / denominator` rounded; denominator must be positive.
    public func divide(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0, "division by a non-positive denominator")
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        switch self {
        case .towardZero:
            return quotient
        case .halfAwayFromZero:
            guard remainder.magnitude * 2 >= UInt64(denominator) else { return quotient }
            return quotient + (numerator < 0 ? -1 : 1)
        }
    }
}
