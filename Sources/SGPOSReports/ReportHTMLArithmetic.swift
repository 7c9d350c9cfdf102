import SGPOSRetail

/// The integer arithmetic of the report pages: money texts to cents, shares in basis
/// points, chart geometry (no floating point).
extension ReportHTML {
    // MARK: - Integer arithmetic

    /// Integer cents of a money text as the documents write it (`12.30`, `-0.05`; one or
    /// two decimals); nil for anything else.
    public static func cents(_ text: String) -> Int64? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }),
              let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let value = Int64(parts[1]) else { return nil }
            fraction = parts[1].count == 1 ? value * 10 : value
        }
        let (hundreds, overflow) = whole.multipliedReportingOverflow(by: 100)
        guard !overflow, hundreds <= Int64.max - fraction else { return nil }
        return negative ? -(hundreds + fraction) : hundreds + fraction
    }

    /// `part` of `whole` in basis points (1/100 %), rounded half away from zero; nil when
    /// `whole` is not positive or the share does not fit.
    public static func basisPoints(_ part: Int64, of whole: Int64) -> Int64? {
        guard whole > 0 else { return nil }
        let divisor = UInt64(whole)
        let (high, low) = UInt64(10_000).multipliedFullWidth(by: part.magnitude)
        guard high < divisor else { return nil }
        let (quotient, remainder) = divisor.dividingFullWidth((high, low))
        let rounded = quotient + (remainder >= divisor - remainder ? 1 : 0)
        guard rounded <= UInt64(Int64.max) else { return nil }
        return part < 0 ? -Int64(rounded) : Int64(rounded)
    }

    /// Basis points as a percentage: `1234` → `12.34 %`.
    static func percent(_ basisPoints: Int64) -> String {
        let magnitude = basisPoints.magnitude
        let fraction = magnitude % 100
        return (basisPoints < 0 ? "-" : "") + "\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction) %"
    }

    /// `magnitude` of `span` as a part of `length` (rounded down); 0 when `span` is 0.
    /// `magnitude` ≤ `span`, so the quotient is at most `length`.
    static func scaled(_ magnitude: UInt64, of span: UInt64, _ length: Int64) -> Int64 {
        guard span > 0, length > 0 else { return 0 }
        let (high, low) = UInt64(length).multipliedFullWidth(by: min(magnitude, span))
        return Int64(span.dividingFullWidth((high, low)).quotient)
    }

    /// The largest value above zero and the largest magnitude below it (0 when none), and
    /// their sum: the span a chart's axis covers.
    static func extent(_ values: [Int64]) -> (up: UInt64, down: UInt64, span: UInt64) {
        let up = values.filter { $0 > 0 }.max().map { UInt64($0) } ?? 0
        let down = values.filter { $0 < 0 }.map(\.magnitude).max() ?? 0
        let (span, overflow) = up.addingReportingOverflow(down)
        return (up, down, overflow ? UInt64.max : span)
    }

    /// Cents of a money text; a text that is not money counts as 0 and is noted in `unreadable`.
    static func cents(_ text: String, _ key: String, _ unreadable: inout [String]) -> Int64 {
        guard let value = cents(text) else {
            unreadable.append("\(key): \(text)")
            return 0
        }
        return value
    }
}
