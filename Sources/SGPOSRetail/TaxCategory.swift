/// How GST treats a supply (IRAS's terms). Only standard-rated supplies bear GST; the
/// others are reported in their own boxes of the GST return (F5 box 2 zero-rated, box 3
/// exempt) or, out of scope, not at all. The raw value is the chain's `u8` code
/// (docs/FORMAT.md §13.2).
public enum TaxCategory: UInt8, Hashable, Sendable, CaseIterable, Comparable {
    /// GST at the rate in force (F5 box 1).
    case standardRated = 1
    /// Taxable at 0 %: exports and international services (F5 box 2).
    case zeroRated = 2
    /// Exempt supplies: financial services, investment precious metals, residential
    /// property (F5 box 3).
    case exempt = 3
    /// Outside the scope of GST: not a supply (donations, face-value vouchers sold) or
    /// made outside Singapore; in no box of the return.
    case outOfScope = 4

    /// The code a tax invoice prints next to the line and the API uses: SR, ZR, ES, OS.
    public var code: String {
        switch self {
        case .standardRated: "SR"
        case .zeroRated: "ZR"
        case .exempt: "ES"
        case .outOfScope: "OS"
        }
    }

    /// The category a code names (`SR`, `ZR`, `ES`, `OS`), or nil.
    public init?(code: String) {
        guard let match = TaxCategory.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    /// Words for a receipt's legend or a report.
    public var label: String {
        switch self {
        case .standardRated: "standard-rated"
        case .zeroRated: "zero-rated"
        case .exempt: "exempt"
        case .outOfScope: "out-of-scope"
        }
    }

    public static func < (lhs: TaxCategory, rhs: TaxCategory) -> Bool { lhs.rawValue < rhs.rawValue }
}
