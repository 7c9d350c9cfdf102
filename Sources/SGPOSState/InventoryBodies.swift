import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

/// A price-list entry set by an operator (or admin) for this outlet. Sales must use it.
public struct PriceEntry: Hashable, Sendable {
    public var sku: String
    public var category: String
    /// Unit price in cents.
    public var unitPrice: Int64
    /// Retail prices include GST (IRAS R9); B2B lists may not.
    public var priceIncludesGST: Bool
    /// How GST treats the item (standard-rated unless the list says otherwise).
    public var taxCategory: TaxCategory
    /// False withdraws the SKU from sale.
    public var active: Bool

    public init(sku: String, category: String, unitPrice: Int64, priceIncludesGST: Bool = true,
                taxCategory: TaxCategory = .standardRated, active: Bool = true) {
        self.sku = sku
        self.category = category
        self.unitPrice = unitPrice
        self.priceIncludesGST = priceIncludesGST
        self.taxCategory = taxCategory
        self.active = active
    }
}

/// Sets price-list entries.
public struct SetPrices: Hashable, Sendable {
    public var entries: [PriceEntry]
    public init(entries: [PriceEntry]) { self.entries = entries }

    /// Version 2 only when an entry is not standard-rated (FORMAT.md §13.1).
    var encodingVersion: UInt8 { entries.allSatisfy { $0.taxCategory == .standardRated } ? 1 : 2 }
}

/// Retail parameters of the chain, set by an admin (defaults until then).
public struct RetailSettings: Hashable, Sendable {
    /// Value of one loyalty point in cents.
    public var pointValueCents: Int64
    /// Base points per whole dollar paid (before the tier multiplier).
    public var pointsPerDollar: Int64
    /// Points expire this many months after they were earned, rounded by `pointsExpiry`.
    public var pointsExpiryMonths: Int64
    /// How the expiry date is rounded (FORMAT.md §13.3 "Expiry day").
    public var pointsExpiry: ExpiryRounding
    /// Points redeemed as a tender (GST on the full price) or as a discount (retail.md R18).
    public var redemptionIsTender: Bool
    /// Round cash bills to 5 cents (IRAS R6).
    public var cashRounding: Bool
    /// Where members' points come from (FORMAT.md §13.4 step 9).
    public var earning: EarningMode
    /// What a return credits when the sale had promotions (FORMAT.md §13.5, refund).
    public var returns: ReturnsPolicy
    /// Tiers reviewed every this many months (1–36; 0: no review, tiers follow lifetime
    /// spend; FORMAT.md §13.3 "Tier review").
    public var tierReviewMonths: Int64

    /// What a return credits: each returned unit's paid share, or what was paid less the
    /// kept units re-priced under the sale's own rules and rule state (a claw-back of a
    /// promotion the kept units no longer earn).
    public enum ReturnsPolicy: String, Hashable, Sendable, CaseIterable {
        /// Versions 1–3 of the settings: each returned unit's share of what its line paid.
        case proportional
        /// The kept units re-priced under the original sale's rules (sales with rules
        /// applied after this setting keep their pricing inputs for it).
        case reprice = "re-price"
    }

    /// Where members' points come from: the built-in rule (points per dollar × the tier's
    /// multiplier), the deployed rules' `award_points`, or both.
    public enum EarningMode: String, Hashable, Sendable, CaseIterable {
        /// The built-in rule, replaced by the rules' points whenever any rule is active
        /// (version 1 of the settings: what a chain configured before this choice gets).
        case automatic
        /// The built-in rule's points plus the rules' points.
        case builtInPlusRules = "built-in-plus-rules"
        /// Only the rules' points (none while no rule is active).
        case rulesOnly = "rules-only"
    }

    /// How points' expiry day is rounded, from the day `pointsExpiryMonths` months after
    /// the day they were earned (Singapore dates): that day itself, or the last day of its
    /// month, its calendar quarter or its year.
    public enum ExpiryRounding: UInt8, Hashable, Sendable, CaseIterable {
        case day = 1
        /// Versions 1 and 2 of the settings: what a chain configured before this choice gets.
        case endOfMonth = 2
        case endOfQuarter = 3
        case endOfYear = 4

        /// The name the CLI and reports use: day, month, quarter, year.
        public var name: String {
            switch self {
            case .day: "day"
            case .endOfMonth: "month"
            case .endOfQuarter: "quarter"
            case .endOfYear: "year"
            }
        }

        public init?(name: String) {
            guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = match
        }
    }

    public init(pointValueCents: Int64 = 1, pointsPerDollar: Int64 = 1, pointsExpiryMonths: Int64 = 12,
                redemptionIsTender: Bool = false, cashRounding: Bool = true, earning: EarningMode = .automatic,
                pointsExpiry: ExpiryRounding = .endOfMonth, returns: ReturnsPolicy = .proportional, tierReviewMonths: Int64 = 0) {
        self.returns = returns
        self.tierReviewMonths = tierReviewMonths
        self.pointsExpiry = pointsExpiry
        self.pointValueCents = pointValueCents
        self.pointsPerDollar = pointsPerDollar
        self.pointsExpiryMonths = pointsExpiryMonths
        self.redemptionIsTender = redemptionIsTender
        self.cashRounding = cashRounding
        self.earning = earning
    }

    public static let defaults = RetailSettings()
}

/// One SKU and a quantity (stock receipts and transfers).
public struct StockLine: Hashable, Sendable {
    public var sku: String
    public var quantity: Int64

    public init(sku: String, quantity: Int64) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// Goods received from a supplier.
public struct StockReceive: Hashable, Sendable {
    /// Delivery order or invoice number.
    public var reference: String
    public var lines: [StockLine]
    /// The supplier's tax invoice, when the receipt records it: what the goods cost and
    /// the GST charged on them (input tax, GST F5 boxes 5 and 7).
    public var invoice: SupplierInvoice?
    /// The lots received (versions 3 and 4; FORMAT.md §13.6), in canonical order.
    public var lots: [LotEntry]

    public init(reference: String, lines: [StockLine], invoice: SupplierInvoice? = nil, lots: [LotEntry] = []) {
        self.lots = lots
        self.reference = reference
        self.lines = lines
        self.invoice = invoice
    }
}

/// A supplier's tax invoice for a stock receipt: unit cost of each received line
/// (excluding GST) and the input tax on the invoice.
public struct SupplierInvoice: Hashable, Sendable {
    /// The supplier's name or GST registration number.
    public var supplier: String
    /// Cents per unit excluding GST, one per stock line, in the lines' order.
    public var unitCosts: [Int64]
    /// GST the supplier charged (cents), as printed on its invoice.
    public var inputGST: Int64

    public init(supplier: String, unitCosts: [Int64], inputGST: Int64) {
        self.supplier = supplier
        self.unitCosts = unitCosts
        self.inputGST = inputGST
    }
}

/// Why stock was adjusted. Stable codes.
public enum AdjustmentReason: UInt8, Hashable, Sendable, CaseIterable {
    case damaged = 1
    case theft = 2
    case expired = 3
    case correction = 4
    case sample = 5
    case found = 6
}

/// A stock correction outside sales and receipts.
public struct StockAdjust: Hashable, Sendable {
    public var sku: String
    /// Signed, non-zero.
    public var delta: Int64
    public var reason: AdjustmentReason
    public var note: String

    public init(sku: String, delta: Int64, reason: AdjustmentReason, note: String = "") {
        self.sku = sku
        self.delta = delta
        self.reason = reason
        self.note = note
    }
}

/// A stocktake: counted quantities replace the book quantities; the variance is recorded.
public struct StockCount: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public var sku: String
        public var counted: Int64
        /// Book quantity before the count (must match the state).
        public var expected: Int64
        /// counted − expected.
        public var variance: Int64

        public init(sku: String, counted: Int64, expected: Int64, variance: Int64) {
            self.sku = sku
            self.counted = counted
            self.expected = expected
            self.variance = variance
        }
    }

    public var lines: [Line]
    public init(lines: [Line]) { self.lines = lines }
}

/// Goods leaving for, or arriving from, another outlet. The two halves carry the same
/// transfer id and lines.
public struct StockTransfer: Hashable, Sendable {
    public var transferID: TransferID
    /// The other outlet: destination of a transfer-out, source of a transfer-in.
    public var counterpart: UInt32
    public var lines: [StockLine]
    /// The lots moved (version 2; FORMAT.md §13.6), in canonical order.
    public var lots: [LotEntry]

    public init(transferID: TransferID, counterpart: UInt32, lines: [StockLine], lots: [LotEntry] = []) {
        self.lots = lots
        self.transferID = transferID
        self.counterpart = counterpart
        self.lines = lines
    }
}

extension SetPrices {
    func encode(to encoder: inout CanonicalEncoder) {
        let version = encodingVersion
        encoder.writeU8(version)
        encoder.writeCount(entries.count, limit: POSLimits.priceEntriesMax)
        for entry in entries { entry.encode(to: &encoder, version: version) }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let start = decoder.offset
        let version = try readVersion(&decoder, "set-prices", upTo: 2)
        let count = try decoder.readCount("price entries", limit: POSLimits.priceEntriesMax)
        var entries: [PriceEntry] = []
        for _ in 0..<count { entries.append(try PriceEntry(from: &decoder, version: version)) }
        self.entries = entries
        guard version == encodingVersion else {
            throw .nonCanonical("a version-2 price list needs an entry that is not standard-rated", at: start)
        }
    }
}

extension PriceEntry {
    func encode(to encoder: inout CanonicalEncoder, version: UInt8) {
        encoder.writeString(sku, limit: POSLimits.skuBytesMax)
        encoder.writeString(category, limit: POSLimits.categoryBytesMax)
        encoder.writeI64(unitPrice)
        encoder.writeBool(priceIncludesGST)
        if version == 2 { encoder.writeU8(taxCategory.rawValue) }
        encoder.writeBool(active)
    }

    init(from decoder: inout CanonicalDecoder, version: UInt8) throws(CodecError) {
        sku = try decoder.readString("sku", limit: POSLimits.skuBytesMax)
        category = try decoder.readString("category", limit: POSLimits.categoryBytesMax)
        unitPrice = try decoder.readI64("unit price")
        priceIncludesGST = try decoder.readBool("price includes GST")
        taxCategory = version == 2 ? try readTaxCategory(&decoder) : .standardRated
        active = try decoder.readBool("active")
    }
}

extension RetailSettings: CanonicalEncodable, CanonicalDecodable {
    /// Version 1 for `automatic` earning; version 2 adds "built-in earning" (true: built-in
    /// plus rules, false: rules only); both expire points at the end of the month. Version 3,
    /// used exactly when the expiry is rounded otherwise, has the earning mode as a `u8`
    /// (1 automatic, 2 built-in plus rules, 3 rules only) and the expiry rounding `u8`.
    /// Version 4, used exactly when returns are re-priced, adds the returns policy `u8` (2).
    public func encode(to encoder: inout CanonicalEncoder) {
        let version: UInt8 = tierReviewMonths != 0 ? 5 : returns == .reprice ? 4 : pointsExpiry != .endOfMonth ? 3 : earning == .automatic ? 1 : 2
        encoder.writeU8(version)
        encoder.writeI64(pointValueCents)
        encoder.writeI64(pointsPerDollar)
        encoder.writeI64(pointsExpiryMonths)
        encoder.writeBool(redemptionIsTender)
        encoder.writeBool(cashRounding)
        switch version {
        case 2: encoder.writeBool(earning == .builtInPlusRules)
        case 3, 4, 5:
            encoder.writeU8(earning == .automatic ? 1 : earning == .builtInPlusRules ? 2 : 3)
            encoder.writeU8(pointsExpiry.rawValue)
            if version == 4 { encoder.writeU8(2) }
            if version == 5 {
                encoder.writeU8(returns == .reprice ? 2 : 1)
                encoder.writeU8(UInt8(clamping: tierReviewMonths))
            }
        default: break
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "settings", upTo: 5)
        pointValueCents = try decoder.readI64("point value")
        pointsPerDollar = try decoder.readI64("points per dollar")
        pointsExpiryMonths = try decoder.readI64("points expiry months")
        redemptionIsTender = try decoder.readBool("redemption is tender")
        cashRounding = try decoder.readBool("cash rounding")
        pointsExpiry = .endOfMonth
        returns = .proportional
        tierReviewMonths = 0
        switch version {
        case 1: earning = .automatic
        case 2: earning = try decoder.readBool("built-in earning") ? .builtInPlusRules : .rulesOnly
        default:
            switch try decoder.readU8("earning") {
            case 1: earning = .automatic
            case 2: earning = .builtInPlusRules
            case 3: earning = .rulesOnly
            default: throw CodecError.invalidValue("earning must be 1, 2 or 3", at: decoder.offset - 1)
            }
            // One encoding per value: end-of-month expiry is written as version 1 or 2,
            // unless returns are re-priced (version 4).
            guard let rounding = ExpiryRounding(rawValue: try decoder.readU8("points expiry rounding")), rounding != .endOfMonth || version >= 4 else {
                throw CodecError.invalidValue("points expiry rounding must be 1 (day), 3 (quarter) or 4 (year) in a version-3 configure body", at: decoder.offset - 1)
            }
            pointsExpiry = rounding
            if version == 4 {
                guard try decoder.readU8("returns") == 2 else {
                    throw CodecError.invalidValue("returns must be 2 (re-priced) in a version-4 configure body", at: decoder.offset - 1)
                }
                returns = .reprice
            }
            if version == 5 {
                switch try decoder.readU8("returns") {
                case 1: returns = .proportional
                case 2: returns = .reprice
                default: throw CodecError.invalidValue("returns must be 1 or 2", at: decoder.offset - 1)
                }
                let months = try decoder.readU8("tier review months")
                guard (1...36).contains(months) else {
                    throw CodecError.invalidValue("tier review months must be 1...36 in a version-5 configure body", at: decoder.offset - 1)
                }
                tierReviewMonths = Int64(months)
            }
        }
    }
}

func writeStockLines(_ lines: [StockLine], to encoder: inout CanonicalEncoder) {
    encoder.writeCount(lines.count, limit: POSLimits.stockLinesMax)
    for line in lines {
        encoder.writeString(line.sku, limit: POSLimits.skuBytesMax)
        encoder.writeI64(line.quantity)
    }
}

func readStockLines(_ decoder: inout CanonicalDecoder) throws(CodecError) -> [StockLine] {
    let count = try decoder.readCount("stock lines", limit: POSLimits.stockLinesMax)
    var lines: [StockLine] = []
    for _ in 0..<count {
        lines.append(StockLine(sku: try decoder.readString("sku", limit: POSLimits.skuBytesMax),
                               quantity: try decoder.readI64("quantity")))
    }
    return lines
}

extension StockReceive {
    func encode(to encoder: inout CanonicalEncoder) {
        guard let invoice else {
            encoder.writeU8(lots.isEmpty ? 1 : 3)
            encoder.writeString(reference, limit: POSLimits.referenceBytesMax)
            writeStockLines(lines, to: &encoder)
            if !lots.isEmpty { writeLots(lots, to: &encoder) }
            return
        }
        precondition(invoice.unitCosts.count == lines.count, "one unit cost per stock line")
        encoder.writeU8(lots.isEmpty ? 2 : 4)
        encoder.writeString(reference, limit: POSLimits.referenceBytesMax)
        encoder.writeCount(lines.count, limit: POSLimits.stockLinesMax)
        for (line, cost) in zip(lines, invoice.unitCosts) {
            encoder.writeString(line.sku, limit: POSLimits.skuBytesMax)
            encoder.writeI64(line.quantity)
            encoder.writeI64(cost)
        }
        encoder.writeString(invoice.supplier, limit: POSLimits.supplierBytesMax)
        encoder.writeI64(invoice.inputGST)
        if !lots.isEmpty { writeLots(lots, to: &encoder) }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "stock-receive", upTo: 4)
        reference = try decoder.readString("reference", limit: POSLimits.referenceBytesMax)
        guard version == 2 || version == 4 else {
            lines = try readStockLines(&decoder)
            invoice = nil
            lots = version == 3 ? try readLots(&decoder, nonEmpty: true) : []
            return
        }
        let count = try decoder.readCount("costed stock lines", limit: POSLimits.stockLinesMax)
        var lines: [StockLine] = []
        var costs: [Int64] = []
        for _ in 0..<count {
            lines.append(StockLine(sku: try decoder.readString("sku", limit: POSLimits.skuBytesMax),
                                   quantity: try decoder.readI64("quantity")))
            costs.append(try decoder.readI64("unit cost"))
        }
        self.lines = lines
        invoice = SupplierInvoice(supplier: try decoder.readString("supplier", limit: POSLimits.supplierBytesMax),
                                  unitCosts: costs, inputGST: try decoder.readI64("input GST"))
        lots = version == 4 ? try readLots(&decoder, nonEmpty: true) : []
    }
}

extension StockAdjust {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(sku, limit: POSLimits.skuBytesMax)
        encoder.writeI64(delta)
        encoder.writeU8(reason.rawValue)
        encoder.writeString(note, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "stock-adjust")
        sku = try decoder.readString("sku", limit: POSLimits.skuBytesMax)
        delta = try decoder.readI64("delta")
        let at = decoder.offset
        guard let reason = AdjustmentReason(rawValue: try decoder.readU8("adjustment reason")) else {
            throw .unknownTag("adjustment reason", at: at)
        }
        self.reason = reason
        note = try decoder.readString("note", limit: POSLimits.reasonBytesMax)
    }
}

extension StockCount {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeCount(lines.count, limit: POSLimits.stockLinesMax)
        for line in lines {
            encoder.writeString(line.sku, limit: POSLimits.skuBytesMax)
            encoder.writeI64(line.counted)
            encoder.writeI64(line.expected)
            encoder.writeI64(line.variance)
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "stock-count")
        let count = try decoder.readCount("count lines", limit: POSLimits.stockLinesMax)
        var lines: [Line] = []
        for _ in 0..<count {
            lines.append(Line(sku: try decoder.readString("sku", limit: POSLimits.skuBytesMax),
                              counted: try decoder.readI64("counted"), expected: try decoder.readI64("expected"),
                              variance: try decoder.readI64("variance")))
        }
        self.lines = lines
    }
}

/// A 128-bit id naming one inter-outlet transfer; both halves carry it.
public struct TransferID: FixedSizeBytes {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == TransferID.byteCount, "a transfer id is 16 bytes")
        bytes = uncheckedBytes
    }
}

extension StockTransfer {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(lots.isEmpty ? 1 : 2)
        transferID.encode(to: &encoder)
        encoder.writeU32(counterpart)
        writeStockLines(lines, to: &encoder)
        if !lots.isEmpty { writeLots(lots, to: &encoder) }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "transfer", upTo: 2)
        transferID = try TransferID(from: &decoder)
        counterpart = try decoder.readU32("counterpart outlet")
        lines = try readStockLines(&decoder)
        lots = version == 2 ? try readLots(&decoder, nonEmpty: true) : []
    }
}
