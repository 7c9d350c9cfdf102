import SGPOSCodec
import SGPOSRetail

/// Enrols a loyalty member (Bronze, no points). The id is what the member card or app
/// shows; no personal data goes on chain.
public struct LoyaltyEnrol: Hashable, Sendable {
    public var memberID: String
    public init(memberID: String) { self.memberID = memberID }
}

/// A manual points correction by an operator, with the reason.
public struct LoyaltyAdjust: Hashable, Sendable {
    public var memberID: String
    /// Signed, non-zero. Added points expire like earned ones.
    public var delta: Int64
    public var reason: String

    public init(memberID: String, delta: Int64, reason: String) {
        self.memberID = memberID
        self.delta = delta
        self.reason = reason
    }
}

/// Opens the signing till's shift with a cash float.
public struct ShiftOpen: Hashable, Sendable {
    public var float: Int64
    public init(float: Int64) { self.float = float }
}

/// Cash put into (cash-in) or taken out of (cash-out, e.g. to the safe) the drawer.
public struct CashMovement: Hashable, Sendable {
    public var amount: Int64
    public var reason: String

    public init(amount: Int64, reason: String) {
        self.amount = amount
        self.reason = reason
    }
}

/// The cash drawer was opened without a sale (change for a customer, a float check):
/// every kick of the drawer is a cash event of the shift. (A sale with a cash tender is
/// itself the event for the kick that follows it.)
public struct DrawerOpen: Hashable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

extension DrawerOpen {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "drawer-open")
        reason = try decoder.readString("reason", limit: POSLimits.reasonBytesMax)
    }
}

/// Closes the signing till's shift: counted cash against expected cash.
public struct ShiftClose: Hashable, Sendable {
    public var counted: Int64
    /// float + cash sales − cash refunds + cash in − cash out (must match the state).
    public var expected: Int64
    /// counted − expected.
    public var variance: Int64

    public init(counted: Int64, expected: Int64, variance: Int64) {
        self.counted = counted
        self.expected = expected
        self.variance = variance
    }
}

/// The day's Z-report: totals since the previous day-close, and the perpetual totals
/// that only ever grow (France NF525's grand total). Every figure must equal what the
/// state machine accumulated; the report is therefore on chain, signed and checkable.
public struct DayClose: Hashable, Sendable {
    /// Gap-free per outlet.
    public var zNumber: UInt64
    /// Business date being closed (YYYY-MM-DD, Singapore).
    public var businessDate: String
    public var totals: PeriodTotals

    public init(zNumber: UInt64, businessDate: String, totals: PeriodTotals) {
        self.zNumber = zNumber
        self.businessDate = businessDate
        self.totals = totals
    }
}

/// Totals an outlet accumulates between day-closes, plus perpetual totals.
public struct PeriodTotals: Hashable, Sendable {
    /// By GST rate: the amount customers paid (incl. GST) and the GST in it.
    public struct RateTotal: Hashable, Sendable {
        public var basisPoints: UInt32
        public var amount: Int64
        public var gst: Int64

        public init(basisPoints: UInt32, amount: Int64, gst: Int64) {
            self.basisPoints = basisPoints
            self.amount = amount
            self.gst = gst
        }
    }

    /// Supplies that bear no GST, by tax category (zero-rated, exempt, out-of-scope):
    /// what customers paid for them.
    public struct CategoryTotal: Hashable, Sendable {
        public var category: TaxCategory
        public var amount: Int64

        public init(category: TaxCategory, amount: Int64) {
            self.category = category
            self.amount = amount
        }
    }

    /// Money in by tender kind (sales) minus money out (refunds).
    public struct TenderTotal: Hashable, Sendable {
        public var kind: Tender.Kind
        public var amount: Int64

        public init(kind: Tender.Kind, amount: Int64) {
            self.kind = kind
            self.amount = amount
        }
    }

    public var salesCount: Int64 = 0
    /// Sum of sale totals (incl. GST, before cash rounding).
    public var salesTotal: Int64 = 0
    public var discountTotal: Int64 = 0
    public var roundingTotal: Int64 = 0
    public var refundsCount: Int64 = 0
    public var refundsTotal: Int64 = 0
    public var voidsCount: Int64 = 0
    public var voidsTotal: Int64 = 0
    public var trainingCount: Int64 = 0
    /// Standard-rated supplies, sorted by rate; sales add, refunds and voids subtract.
    public var gstByRate: [RateTotal] = []
    /// Every other supply, sorted by category (never standard-rated); sales add, refunds
    /// and voids subtract. Non-empty only in a period with such a supply, and only then
    /// is the enclosing record or body written as version 2.
    public var otherSupplies: [CategoryTotal] = []
    /// Sorted by kind.
    public var tenders: [TenderTotal] = []
    /// Perpetual: every sale total ever, never reduced (refunds are counted apart).
    public var grandTotalSales: Int64 = 0
    public var grandTotalRefunds: Int64 = 0
    public var grandTotalVoids: Int64 = 0

    public init() {}

    /// Adds (or, negative, takes back) an amount and its GST at a rate, keeping rates
    /// sorted. Public so that the GST return (SGPOSReports) sums rates as the books do.
    public mutating func add(rate: UInt32, amount: Int64, gst: Int64) {
        if let index = gstByRate.firstIndex(where: { $0.basisPoints == rate }) {
            gstByRate[index].amount += amount
            gstByRate[index].gst += gst
        } else {
            gstByRate.append(RateTotal(basisPoints: rate, amount: amount, gst: gst))
            gstByRate.sort { $0.basisPoints < $1.basisPoints }
        }
    }

    /// Adds (or, negative, takes back) an amount of a supply that bears no GST, keeping
    /// categories sorted.
    public mutating func add(category: TaxCategory, amount: Int64) {
        precondition(category != .standardRated, "standard-rated supplies are totalled by rate")
        if let index = otherSupplies.firstIndex(where: { $0.category == category }) {
            otherSupplies[index].amount += amount
        } else {
            otherSupplies.append(CategoryTotal(category: category, amount: amount))
            otherSupplies.sort { $0.category < $1.category }
        }
    }

    /// Adds a document's lines (amount paid and GST in it, by tax category) to the
    /// totals, or takes them back (`sign` −1): standard-rated lines at `rate` when there
    /// is one, each other category present on its own (FORMAT.md §13.5).
    public mutating func add(lines: [(category: TaxCategory, amount: Int64, gst: Int64)], rate: UInt32, sign: Int64) {
        let standard = lines.filter { $0.category == .standardRated }
        if !standard.isEmpty {
            add(rate: rate, amount: sign * standard.reduce(0) { $0 + $1.amount }, gst: sign * standard.reduce(0) { $0 + $1.gst })
        }
        for category in TaxCategory.allCases where category != .standardRated {
            let of = lines.filter { $0.category == category }
            if !of.isEmpty { add(category: category, amount: sign * of.reduce(0) { $0 + $1.amount }) }
        }
    }

    /// 2 when the totals hold a supply that is not standard-rated, else 1.
    var encodingVersion: UInt8 { otherSupplies.isEmpty ? 1 : 2 }

    /// Adds money in (positive) or out (negative) for a tender kind, keeping kinds sorted.
    mutating func add(tender kind: Tender.Kind, amount: Int64) {
        if let index = tenders.firstIndex(where: { $0.kind == kind }) {
            tenders[index].amount += amount
        } else {
            tenders.append(TenderTotal(kind: kind, amount: amount))
            tenders.sort { $0.kind < $1.kind }
        }
    }

    /// The totals a new period starts from: zero, except the perpetual ones.
    var nextPeriod: PeriodTotals {
        var next = PeriodTotals()
        next.grandTotalSales = grandTotalSales
        next.grandTotalRefunds = grandTotalRefunds
        next.grandTotalVoids = grandTotalVoids
        return next
    }

    /// Net sales of the period: sales − refunds − voids.
    public var netSales: Int64 { salesTotal - refundsTotal - voidsTotal }
}

extension LoyaltyEnrol {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "loyalty-enrol")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
    }
}

extension LoyaltyAdjust {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(delta)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "loyalty-adjust")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        delta = try decoder.readI64("points delta")
        reason = try decoder.readString("reason", limit: POSLimits.reasonBytesMax)
    }
}

extension ShiftOpen {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(float)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "shift-open")
        float = try decoder.readI64("float")
    }
}

extension CashMovement {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(amount)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "cash movement")
        amount = try decoder.readI64("amount")
        reason = try decoder.readString("reason", limit: POSLimits.reasonBytesMax)
    }
}

extension ShiftClose {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(counted)
        encoder.writeI64(expected)
        encoder.writeI64(variance)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "shift-close")
        counted = try decoder.readI64("counted cash")
        expected = try decoder.readI64("expected cash")
        variance = try decoder.readI64("variance")
    }
}

extension DayClose {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(totals.encodingVersion)
        encoder.writeU64(zNumber)
        encoder.writeString(businessDate, limit: 10)
        totals.encode(to: &encoder)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "day-close", upTo: 2)
        zNumber = try decoder.readU64("Z number")
        businessDate = try decoder.readString("business date", limit: 10)
        totals = try PeriodTotals(from: &decoder, version: version)
    }
}

extension PeriodTotals {
    /// The fields of version 1, then (version 2) the other supplies.
    func encode(to encoder: inout CanonicalEncoder) {
        for value in [salesCount, salesTotal, discountTotal, roundingTotal, refundsCount, refundsTotal, voidsCount,
                      voidsTotal, trainingCount] {
            encoder.writeI64(value)
        }
        encoder.writeCount(gstByRate.count, limit: POSLimits.totalsEntriesMax)
        for rate in gstByRate {
            encoder.writeU32(rate.basisPoints)
            encoder.writeI64(rate.amount)
            encoder.writeI64(rate.gst)
        }
        encoder.writeCount(tenders.count, limit: POSLimits.totalsEntriesMax)
        for tender in tenders {
            encoder.writeU8(tender.kind.rawValue)
            encoder.writeI64(tender.amount)
        }
        encoder.writeI64(grandTotalSales)
        encoder.writeI64(grandTotalRefunds)
        encoder.writeI64(grandTotalVoids)
        guard encodingVersion == 2 else { return }
        encoder.writeCount(otherSupplies.count, limit: PeriodTotals.otherSuppliesMax)
        for supply in otherSupplies {
            encoder.writeU8(supply.category.rawValue)
            encoder.writeI64(supply.amount)
        }
    }

    /// Zero-rated, exempt, out-of-scope.
    static let otherSuppliesMax = 3

    /// Reads the totals of a version-`version` record or body: version 2 has a non-empty
    /// list of other supplies, categories 2...4 strictly ascending.
    init(from decoder: inout CanonicalDecoder, version: UInt8) throws(CodecError) {
        try self.init(from: &decoder)
        guard version == 2 else { return }
        let at = decoder.offset
        let count = try decoder.readCount("other supplies", limit: PeriodTotals.otherSuppliesMax)
        guard count > 0 else { throw .nonCanonical("version-2 totals need a supply that is not standard-rated", at: at) }
        for _ in 0..<count {
            let entryAt = decoder.offset
            let category = try readTaxCategory(&decoder)
            guard category != .standardRated, otherSupplies.last.map({ $0.category < category }) ?? true else {
                throw .invalidValue("other supplies: category \(category.rawValue) is standard-rated or not above the one before", at: entryAt)
            }
            otherSupplies.append(CategoryTotal(category: category, amount: try decoder.readI64("supply amount")))
        }
    }

    private init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        salesCount = try decoder.readI64("sales count")
        salesTotal = try decoder.readI64("sales total")
        discountTotal = try decoder.readI64("discount total")
        roundingTotal = try decoder.readI64("rounding total")
        refundsCount = try decoder.readI64("refunds count")
        refundsTotal = try decoder.readI64("refunds total")
        voidsCount = try decoder.readI64("voids count")
        voidsTotal = try decoder.readI64("voids total")
        trainingCount = try decoder.readI64("training count")
        let rateCount = try decoder.readCount("GST rates", limit: POSLimits.totalsEntriesMax)
        for _ in 0..<rateCount {
            gstByRate.append(RateTotal(basisPoints: try decoder.readU32("rate"), amount: try decoder.readI64("amount"),
                                       gst: try decoder.readI64("GST")))
        }
        let tenderCount = try decoder.readCount("tender totals", limit: POSLimits.totalsEntriesMax)
        for _ in 0..<tenderCount {
            let at = decoder.offset
            guard let kind = Tender.Kind(rawValue: try decoder.readU8("tender kind")) else {
                throw .unknownTag("tender kind", at: at)
            }
            tenders.append(TenderTotal(kind: kind, amount: try decoder.readI64("tender total")))
        }
        grandTotalSales = try decoder.readI64("grand total sales")
        grandTotalRefunds = try decoder.readI64("grand total refunds")
        grandTotalVoids = try decoder.readI64("grand total voids")
    }
}
