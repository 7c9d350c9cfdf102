/// Singapore GST rates by date (IRAS): the rate in force is the last entry whose
/// effective date is on or before the supply's Singapore date.
public struct GSTRateTable: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let effectiveFrom: CivilTime.Date
        /// 900 = 9 %.
        public let basisPoints: Int64

        public init(effectiveFrom: CivilTime.Date, basisPoints: Int64) {
            self.effectiveFrom = effectiveFrom
            self.basisPoints = basisPoints
        }
    }

    public let entries: [Entry]

    /// Entries must be ascending by date with rates 0...10000 basis points.
    public init(entries: [Entry]) throws(RetailError) {
        for (index, entry) in entries.enumerated() {
            guard (0...10_000).contains(entry.basisPoints) else {
                throw .invalidBasket("GST rate \(entry.basisPoints) basis points is outside 0...10000")
            }
            guard index == 0 || entries[index - 1].effectiveFrom < entry.effectiveFrom else {
                throw .invalidBasket("GST rates must be in ascending date order")
            }
        }
        self.entries = entries
    }

    /// The rate in basis points on a Singapore date.
    public func basisPoints(on date: CivilTime.Date) throws(RetailError) -> Int64 {
        guard let entry = entries.last(where: { $0.effectiveFrom <= date }) else {
            throw .noTaxRate("no GST rate is defined for \(date) (the table starts \(entries.first.map { "\($0.effectiveFrom)" } ?? "nowhere"))")
        }
        return entry.basisPoints
    }

    /// IRAS's published history: 3 % from 1994-04-01, 4 % 2003, 5 % 2004, 7 % 2007-07-01,
    /// 8 % 2023-01-01, 9 % 2024-01-01.
    public static let singapore = try! GSTRateTable(entries: [
        ("1994-04-01", 300), ("2003-01-01", 400), ("2004-01-01", 500), ("2007-07-01", 700),
        ("2023-01-01", 800), ("2024-01-01", 900),
    ].map { Entry(effectiveFrom: CivilTime.Date(iso: $0.0)!, basisPoints: $0.1) })
}

/// How GST is computed over an invoice; a chain parameter, applied consistently.
public enum GSTMethod: String, Sendable, CaseIterable {
    /// GST per line, summed.
    case perLine = "per-line"
    /// GST once on the invoice's taxable total, then allocated to lines.
    case perInvoice = "per-invoice"
}

/// GST arithmetic on integer cents.
public enum GSTCalculator {
    /// GST contained in a GST-inclusive amount: amount × rate / (10000 + rate), e.g.
    /// 9/109 at 9 %, rounded half away from zero.
    public static func taxIncluded(in amount: Money, basisPoints: Int64) throws(RetailError) -> Money {
        try Money(cents: Rounding.halfAwayFromZero.divide(amount.cents * basisPoints, by: 10_000 + basisPoints))
    }

    /// GST added to a GST-exclusive amount: amount × rate / 10000, rounded half away from zero.
    public static func taxOnTop(of amount: Money, basisPoints: Int64) throws(RetailError) -> Money {
        try Money(cents: Rounding.halfAwayFromZero.divide(amount.cents * basisPoints, by: 10_000))
    }

    /// Splits `total` over `weights` in proportion (largest remainder; ties go to the
    /// earlier line), so the parts always add up to the total exactly.
    public static func allocate(_ total: Money, over weights: [Int64]) throws(RetailError) -> [Money] {
        let weightSum = weights.reduce(0, +)
        guard weightSum != 0 else { return weights.map { _ in Money.zero } }
        precondition(weights.allSatisfy { $0.signum() == weightSum.signum() || $0 == 0 }, "weights of mixed sign")
        var parts: [Int64] = []
        var remainders: [(index: Int, remainder: Int64)] = []
        for (index, weight) in weights.enumerated() {
            // 128-bit product: total × weight can exceed Int64; the quotient never does
            // (it is at most |total|), and the remainder is below |weightSum|.
            let (quotient, remainder) = weightSum.dividingFullWidth(total.cents.multipliedFullWidth(by: weight))
            parts.append(quotient)
            remainders.append((index, Int64(remainder.magnitude)))
        }
        var left = total.cents - parts.reduce(0, +)
        let step: Int64 = left < 0 ? -1 : 1
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index })
        where left != 0 {
            parts[entry.index] += step
            left -= step
        }
        assert(left == 0 && parts.reduce(0, +) == total.cents, "allocation must add up")
        var result: [Money] = []
        for part in parts { result.append(try Money(cents: part)) }
        return result
    }
}
