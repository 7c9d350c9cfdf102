import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

/// A completed sale as the till signed it: what was sold at which price, the discounts
/// and the rules behind them, GST, tenders, loyalty. The state machine re-prices it
/// from the price list and refuses it unless every recorded figure matches.
public struct Sale: Hashable, Sendable {
    /// Gap-free per outlet: the previous receipt number + 1.
    public var receiptNumber: UInt64
    /// Training sales are numbered but change no stock, points or totals.
    public var training: Bool
    /// Loyalty member, or empty.
    public var memberID: String
    public var lines: [SaleLine]
    /// GST rate applied (basis points).
    public var gstBasisPoints: UInt32
    /// Sum of line gross amounts.
    public var subtotal: Int64
    /// Sum of all discounts (including points redeemed as a discount).
    public var discount: Int64
    public var gst: Int64
    /// Total of the goods (incl. GST).
    public var total: Int64
    /// 5-cent cash rounding adjustment (its own receipt line), signed.
    public var rounding: Int64
    public var pointsRedeemed: Int64
    public var pointsEarned: Int64
    public var tenders: [Tender]
    /// What the deployed rules did besides line discounts and points earned (version 3
    /// of the encoding, present exactly when not empty: FORMAT.md §13.2).
    public var ruleRecord: SaleRuleRecord?
    /// Promotions that did not apply and said why (`skip("…")`), in the order the rules
    /// ran (version 4, present exactly when not empty: FORMAT.md §13.4 step 4).
    public var skipped: [SkippedRule]
    /// Promotion codes keyed in at the till, in the order keyed (version 5; FORMAT.md
    /// §13.4 step 4): inputs of the pricing, read by the rules' `has_code`.
    public var codes: [String]
    /// Which lots the lines' units came from, as scanned (version 6; FORMAT.md §13.6), in
    /// the canonical order (``LotEntry/canonical(_:)``).
    public var lots: [LotEntry] = []

    /// The most promotion codes one sale carries.
    public static let codesMax = 8

    public init(receiptNumber: UInt64, training: Bool, memberID: String, lines: [SaleLine], gstBasisPoints: UInt32,
                subtotal: Int64, discount: Int64, gst: Int64, total: Int64, rounding: Int64, pointsRedeemed: Int64,
                pointsEarned: Int64, tenders: [Tender], ruleRecord: SaleRuleRecord? = nil, skipped: [SkippedRule] = [],
                codes: [String] = []) {
        self.ruleRecord = ruleRecord.flatMap { $0.isEmpty ? nil : $0 }
        self.skipped = skipped
        self.codes = codes
        self.receiptNumber = receiptNumber
        self.training = training
        self.memberID = memberID
        self.lines = lines
        self.gstBasisPoints = gstBasisPoints
        self.subtotal = subtotal
        self.discount = discount
        self.gst = gst
        self.total = total
        self.rounding = rounding
        self.pointsRedeemed = pointsRedeemed
        self.pointsEarned = pointsEarned
        self.tenders = tenders
    }

    /// What the customer pays in tenders: total + rounding.
    public var amountPayable: Int64 { total + rounding }

    /// Version 4 exactly for sales with a skip reason; else version 3 exactly for sales
    /// with a rule record; otherwise version 2 exists only for sales with a line that is
    /// not standard-rated (FORMAT.md §13.1), and every other sale is written as version 1.
    var encodingVersion: UInt8 {
        !lots.isEmpty ? 6 : !codes.isEmpty ? 5 : !skipped.isEmpty ? 4 : ruleRecord != nil ? 3 : lines.allSatisfy { $0.taxCategory == .standardRated } ? 1 : 2
    }
}

/// One sold line.
public struct SaleLine: Hashable, Sendable {
    public var sku: String
    public var category: String
    public var quantity: Int64
    public var unitPrice: Int64
    public var priceIncludesGST: Bool
    /// From the price list; only standard-rated lines bear GST.
    public var taxCategory: TaxCategory
    public var discounts: [LineDiscount]
    /// Taxable value after discounts.
    public var net: Int64
    public var gst: Int64

    public init(sku: String, category: String, quantity: Int64, unitPrice: Int64, priceIncludesGST: Bool,
                taxCategory: TaxCategory = .standardRated, discounts: [LineDiscount], net: Int64, gst: Int64) {
        self.sku = sku
        self.category = category
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.priceIncludesGST = priceIncludesGST
        self.taxCategory = taxCategory
        self.discounts = discounts
        self.net = net
        self.gst = gst
    }

    /// What the customer paid for the line: net, plus GST when prices exclude it.
    public var paid: Int64 { priceIncludesGST ? net : net + gst }
}

/// A discount on a line and the rule that produced it.
public struct LineDiscount: Hashable, Sendable {
    public var rule: String
    public var amount: Int64

    public init(rule: String, amount: Int64) {
        self.rule = rule
        self.amount = amount
    }
}

/// Goods returned against an earlier sale of this outlet: a credit note. GST is
/// credited at the rate the sale charged (IRAS R12), in proportion to the units.
public struct Refund: Hashable, Sendable {
    public var originalSale: Hash256
    /// Gap-free per outlet, its own sequence.
    public var creditNoteNumber: UInt64
    public var reason: String
    /// Whether the goods go back on the shelf.
    public var restock: Bool
    public var lines: [RefundLine]
    /// Rate of the original sale.
    public var gstBasisPoints: UInt32
    /// Total credited incl. GST, and the GST in it.
    public var amount: Int64
    public var gst: Int64
    /// Points taken back from the member for the refunded part.
    public var pointsReversed: Int64
    /// How the money went back.
    public var tenders: [Tender]
    /// What re-pricing the kept units adds to each kept line (version 2; FORMAT.md §13.5):
    /// a promotion the kept units no longer earn, taken from the refund.
    public var adjustments: [RefundAdjustment]

    public init(originalSale: Hash256, creditNoteNumber: UInt64, reason: String, restock: Bool, lines: [RefundLine],
                gstBasisPoints: UInt32, amount: Int64, gst: Int64, pointsReversed: Int64, tenders: [Tender],
                adjustments: [RefundAdjustment] = []) {
        self.adjustments = adjustments
        self.originalSale = originalSale
        self.creditNoteNumber = creditNoteNumber
        self.reason = reason
        self.restock = restock
        self.lines = lines
        self.gstBasisPoints = gstBasisPoints
        self.amount = amount
        self.gst = gst
        self.pointsReversed = pointsReversed
        self.tenders = tenders
    }
}

/// Units of one original line being refunded, and the amounts credited for them.
public struct RefundLine: Hashable, Sendable {
    /// 0-based index into the original sale's lines.
    public var lineIndex: UInt32
    public var quantity: Int64
    /// Credited incl. GST.
    public var amount: Int64
    public var gst: Int64

    public init(lineIndex: UInt32, quantity: Int64, amount: Int64, gst: Int64) {
        self.lineIndex = lineIndex
        self.quantity = quantity
        self.amount = amount
        self.gst = gst
    }
}

/// What re-pricing the kept units of a sale adds to one kept line's amount and GST (a
/// claw-back when positive).
public struct RefundAdjustment: Hashable, Sendable {
    /// 0-based index into the original sale's lines.
    public var lineIndex: UInt32
    public var amount: Int64
    public var gst: Int64

    public init(lineIndex: UInt32, amount: Int64, gst: Int64) {
        self.lineIndex = lineIndex
        self.amount = amount
        self.gst = gst
    }
}

/// Cancels a whole sale of the same till while its shift is still open (a post-void:
/// wrong basket, customer walked away after paying). Everything the sale did is undone;
/// the Z-report lists it.
public struct SaleVoid: Hashable, Sendable {
    public var originalSale: Hash256
    public var reason: String

    public init(originalSale: Hash256, reason: String) {
        self.originalSale = originalSale
        self.reason = reason
    }
}

extension Sale {
    func encode(to encoder: inout CanonicalEncoder) {
        let version = encodingVersion
        encoder.writeU8(version)
        encoder.writeU64(receiptNumber)
        encoder.writeBool(training)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeCount(lines.count, limit: POSLimits.linesMax)
        for line in lines {
            encoder.writeString(line.sku, limit: POSLimits.skuBytesMax)
            encoder.writeString(line.category, limit: POSLimits.categoryBytesMax)
            encoder.writeI64(line.quantity)
            encoder.writeI64(line.unitPrice)
            encoder.writeBool(line.priceIncludesGST)
            if version >= 2 { encoder.writeU8(line.taxCategory.rawValue) }
            encoder.writeCount(line.discounts.count, limit: 8)
            for discount in line.discounts {
                encoder.writeString(discount.rule, limit: POSLimits.ruleBytesMax)
                encoder.writeI64(discount.amount)
            }
            encoder.writeI64(line.net)
            encoder.writeI64(line.gst)
        }
        encoder.writeU32(gstBasisPoints)
        for value in [subtotal, discount, gst, total, rounding, pointsRedeemed, pointsEarned] { encoder.writeI64(value) }
        writeTenders(tenders, to: &encoder)
        if version >= 3 { (ruleRecord ?? SaleRuleRecord(rewardPoints: 0, tier: 0, counters: [])).encode(to: &encoder) }
        if version >= 4 {
            encoder.writeCount(skipped.count, limit: SkippedRule.perSaleMax)
            for skip in skipped {
                encoder.writeString(skip.rule, limit: POSLimits.ruleBytesMax)
                encoder.writeString(skip.reason, limit: SkippedRule.reasonBytesMax)
            }
        }
        if version >= 5 { writeCodes(codes, to: &encoder) }
        if version == 6 { writeLots(lots, to: &encoder) }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let start = decoder.offset
        let version = try readVersion(&decoder, "sale", upTo: 6)
        receiptNumber = try decoder.readU64("receipt number")
        training = try decoder.readBool("training")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        let count = try decoder.readCount("sale lines", limit: POSLimits.linesMax)
        var lines: [SaleLine] = []
        lines.reserveCapacity(count)
        for _ in 0..<count {
            let sku = try decoder.readString("sku", limit: POSLimits.skuBytesMax)
            let category = try decoder.readString("category", limit: POSLimits.categoryBytesMax)
            let quantity = try decoder.readI64("quantity")
            let unitPrice = try decoder.readI64("unit price")
            let inclusive = try decoder.readBool("price includes GST")
            let taxCategory = version >= 2 ? try readTaxCategory(&decoder) : .standardRated
            let discountCount = try decoder.readCount("line discounts", limit: 8)
            var discounts: [LineDiscount] = []
            for _ in 0..<discountCount {
                discounts.append(LineDiscount(rule: try decoder.readString("discount rule", limit: POSLimits.ruleBytesMax),
                                              amount: try decoder.readI64("discount amount")))
            }
            lines.append(SaleLine(sku: sku, category: category, quantity: quantity, unitPrice: unitPrice,
                                  priceIncludesGST: inclusive, taxCategory: taxCategory, discounts: discounts,
                                  net: try decoder.readI64("line net"), gst: try decoder.readI64("line GST")))
        }
        self.lines = lines
        gstBasisPoints = try decoder.readU32("GST basis points")
        subtotal = try decoder.readI64("subtotal")
        discount = try decoder.readI64("discount")
        gst = try decoder.readI64("GST")
        total = try decoder.readI64("total")
        rounding = try decoder.readI64("rounding")
        pointsRedeemed = try decoder.readI64("points redeemed")
        pointsEarned = try decoder.readI64("points earned")
        tenders = try readTenders(&decoder)
        ruleRecord = nil
        skipped = []
        codes = []
        if version >= 3 {
            let record = try SaleRuleRecord(from: &decoder)
            guard !record.isEmpty || version >= 4 else { throw .nonCanonical("a version-3 sale needs a rule record that is not empty", at: start) }
            ruleRecord = record.isEmpty ? nil : record
        }
        if version >= 4 {
            let at = decoder.offset
            let entries = try decoder.readCount("skip reasons", limit: SkippedRule.perSaleMax)
            guard entries > 0 || version >= 5 else { throw .nonCanonical("a version-4 sale needs at least one skip reason", at: at) }
            for _ in 0..<entries {
                skipped.append(SkippedRule(rule: try decoder.readString("skipped rule", limit: POSLimits.ruleBytesMax),
                                           reason: try decoder.readString("skip reason", limit: SkippedRule.reasonBytesMax)))
            }
        }
        if version >= 5 {
            let at = decoder.offset
            codes = try readCodes(&decoder)
            guard !codes.isEmpty || version == 6 else { throw .nonCanonical("a version-5 sale needs at least one promotion code", at: at) }
        }
        lots = version == 6 ? try readLots(&decoder, nonEmpty: true) : []
        guard version == encodingVersion else {
            throw .nonCanonical("a version-2 sale needs a line that is not standard-rated and no rule record", at: start)
        }
    }
}

extension Refund {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(adjustments.isEmpty ? 1 : 2)
        originalSale.encode(to: &encoder)
        encoder.writeU64(creditNoteNumber)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
        encoder.writeBool(restock)
        encoder.writeCount(lines.count, limit: POSLimits.linesMax)
        for line in lines {
            encoder.writeU32(line.lineIndex)
            encoder.writeI64(line.quantity)
            encoder.writeI64(line.amount)
            encoder.writeI64(line.gst)
        }
        encoder.writeU32(gstBasisPoints)
        encoder.writeI64(amount)
        encoder.writeI64(gst)
        encoder.writeI64(pointsReversed)
        writeTenders(tenders, to: &encoder)
        if !adjustments.isEmpty {
            encoder.writeCount(adjustments.count, limit: POSLimits.linesMax)
            for adjustment in adjustments {
                encoder.writeU32(adjustment.lineIndex)
                encoder.writeI64(adjustment.amount)
                encoder.writeI64(adjustment.gst)
            }
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "refund", upTo: 2)
        originalSale = try Hash256(from: &decoder)
        creditNoteNumber = try decoder.readU64("credit note number")
        reason = try decoder.readString("refund reason", limit: POSLimits.reasonBytesMax)
        restock = try decoder.readBool("restock")
        let count = try decoder.readCount("refund lines", limit: POSLimits.linesMax)
        var lines: [RefundLine] = []
        for _ in 0..<count {
            lines.append(RefundLine(lineIndex: try decoder.readU32("line index"), quantity: try decoder.readI64("quantity"),
                                    amount: try decoder.readI64("amount"), gst: try decoder.readI64("GST")))
        }
        self.lines = lines
        gstBasisPoints = try decoder.readU32("GST basis points")
        amount = try decoder.readI64("refund amount")
        gst = try decoder.readI64("refund GST")
        pointsReversed = try decoder.readI64("points reversed")
        tenders = try readTenders(&decoder)
        adjustments = []
        guard version == 2 else { return }
        let at = decoder.offset
        let entries = try decoder.readCount("refund adjustments", limit: POSLimits.linesMax)
        guard entries > 0 else { throw .nonCanonical("a version-2 refund needs at least one adjustment", at: at) }
        for _ in 0..<entries {
            let entry = decoder.offset
            let adjustment = RefundAdjustment(lineIndex: try decoder.readU32("line index"), amount: try decoder.readI64("amount"),
                                              gst: try decoder.readI64("GST"))
            guard adjustment.amount != 0 || adjustment.gst != 0 else {
                throw .nonCanonical("a refund adjustment changes its line's amount or GST", at: entry)
            }
            if let last = adjustments.last, last.lineIndex >= adjustment.lineIndex {
                throw .nonCanonical("refund adjustments are in strictly ascending line order", at: entry)
            }
            adjustments.append(adjustment)
        }
    }
}

extension SaleVoid {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        originalSale.encode(to: &encoder)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "void")
        originalSale = try Hash256(from: &decoder)
        reason = try decoder.readString("void reason", limit: POSLimits.reasonBytesMax)
    }
}

func writeTenders(_ tenders: [Tender], to encoder: inout CanonicalEncoder) {
    encoder.writeCount(tenders.count, limit: POSLimits.tendersMax)
    for tender in tenders { tender.encode(to: &encoder) }
}

func readTenders(_ decoder: inout CanonicalDecoder) throws(CodecError) -> [Tender] {
    let count = try decoder.readCount("tenders", limit: POSLimits.tendersMax)
    var tenders: [Tender] = []
    for _ in 0..<count { tenders.append(try Tender(from: &decoder)) }
    return tenders
}

/// Reads the u8 version that starts every POS body and record; only 1 exists.
func readVersion(_ decoder: inout CanonicalDecoder, _ what: String) throws(CodecError) {
    _ = try readVersion(&decoder, what, upTo: 1)
}

/// Reads the u8 version of a body or record that has versions 1...`latest`.
func readVersion(_ decoder: inout CanonicalDecoder, _ what: String, upTo latest: UInt8) throws(CodecError) -> UInt8 {
    let at = decoder.offset
    // The field's name is only built for the error (a record is decoded per state read).
    let version = decoder.remaining > 0 ? try decoder.readU8("version") : try decoder.readU8("\(what) version")
    guard (1...latest).contains(version) else { throw .unknownVersion("\(what) version", at: at) }
    return version
}

/// Reads a `u8` tax category (1 SR, 2 ZR, 3 ES, 4 OS).
func readTaxCategory(_ decoder: inout CanonicalDecoder) throws(CodecError) -> TaxCategory {
    let at = decoder.offset
    let raw = try decoder.readU8("tax category")
    guard let category = TaxCategory(rawValue: raw) else { throw .invalidValue("tax category \(raw) is not 1...4", at: at) }
    return category
}

/// Promotion codes: `list(8)` of `string(32)` (FORMAT.md §13.2, sale version 5).
func writeCodes(_ codes: [String], to encoder: inout CanonicalEncoder) {
    encoder.writeCount(codes.count, limit: Sale.codesMax)
    for code in codes { encoder.writeString(code, limit: 32) }
}

func readCodes(_ decoder: inout CanonicalDecoder) throws(CodecError) -> [String] {
    let count = try decoder.readCount("promotion codes", limit: Sale.codesMax)
    var codes: [String] = []
    for _ in 0..<count { codes.append(try decoder.readString("promotion code", limit: 32)) }
    return codes
}
