import SGPOSRetail

/// Integer cents as the API writes money: a decimal string with two decimals (`12.30`,
/// `-0.05`; ``Money/decimal(cents:)``). Reports never use floating point.
public enum ReportMoney {
    public static func text(_ cents: Int64) -> String { Money.decimal(cents: cents) }

    /// `S$12.30`, `-S$0.05`: money as receipts and Z-reports print it.
    public static func dollars(_ cents: Int64) -> String {
        let text = Money.decimal(cents: cents)
        return cents < 0 ? "-S$" + text.dropFirst() : "S$" + text
    }

    /// `total / count` rounded half away from zero; 0 when `count` is 0.
    public static func average(_ total: Int64, over count: Int64) -> Int64 {
        guard count > 0 else { return 0 }
        let quotient = total / count
        let remainder = total % count
        guard remainder.magnitude * 2 >= UInt64(count) else { return quotient }
        return quotient + (total < 0 ? -1 : 1)
    }
}
