import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

/// Units on hand of one SKU at one outlet (may go negative: a sale is never refused for
/// a book quantity; the stocktake corrects it).
public struct StockRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var onHand: Int64

    public init(onHand: Int64) { self.onHand = onHand }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(onHand)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "stock record")
        onHand = try decoder.readI64("on hand")
    }
}

/// A price-list entry in the state (the SKU is in the key).
public struct PriceRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var category: String
    public var unitPrice: Int64
    public var priceIncludesGST: Bool
    public var taxCategory: TaxCategory
    public var active: Bool

    public init(category: String, unitPrice: Int64, priceIncludesGST: Bool, taxCategory: TaxCategory = .standardRated,
                active: Bool) {
        self.category = category
        self.unitPrice = unitPrice
        self.priceIncludesGST = priceIncludesGST
        self.taxCategory = taxCategory
        self.active = active
    }

    /// Version 2 only for an item that is not standard-rated (FORMAT.md §13.3).
    public func encode(to encoder: inout CanonicalEncoder) {
        let version: UInt8 = taxCategory == .standardRated ? 1 : 2
        encoder.writeU8(version)
        encoder.writeString(category, limit: POSLimits.categoryBytesMax)
        encoder.writeI64(unitPrice)
        encoder.writeBool(priceIncludesGST)
        if version == 2 { encoder.writeU8(taxCategory.rawValue) }
        encoder.writeBool(active)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let start = decoder.offset
        let version = try readVersion(&decoder, "price record", upTo: 2)
        category = try decoder.readString("category", limit: POSLimits.categoryBytesMax)
        unitPrice = try decoder.readI64("unit price")
        priceIncludesGST = try decoder.readBool("price includes GST")
        taxCategory = version == 2 ? try readTaxCategory(&decoder) : .standardRated
        active = try decoder.readBool("active")
        guard (version == 2) == (taxCategory != .standardRated) else {
            throw .nonCanonical("a version-2 price record is for an item that is not standard-rated", at: start)
        }
    }
}

/// A loyalty account: tier, lifetime spend and points in lots by expiry date.
public struct MemberAccount: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// Points valid through `expiresOn` (days since 1970-01-01, Singapore date), inclusive.
    public struct Lot: Hashable, Sendable {
        public var expiresOn: Int64
        public var points: Int64

        public init(expiresOn: Int64, points: Int64) {
            self.expiresOn = expiresOn
            self.points = points
        }
    }

    public var tier: UInt8
    public var lifetimeSpend: Int64
    /// Ascending by expiry, one lot per date, every lot > 0 points.
    public var lots: [Lot]
    public var pointsEarnedTotal: Int64
    public var pointsRedeemedTotal: Int64
    public var pointsExpiredTotal: Int64
    /// The tier review period (FORMAT.md §13.3 "Tier review"; version 2 of the record).
    public var period: Period?

    /// A review period: its first day, the spend in it, the tier it started with.
    public struct Period: Hashable, Sendable {
        public var start: Int64
        public var spend: Int64
        public var tier: UInt8

        public init(start: Int64, spend: Int64, tier: UInt8) {
            self.start = start
            self.spend = spend
            self.tier = tier
        }
    }

    public init(tier: UInt8, lifetimeSpend: Int64 = 0, lots: [Lot] = [], pointsEarnedTotal: Int64 = 0,
                pointsRedeemedTotal: Int64 = 0, pointsExpiredTotal: Int64 = 0) {
        self.tier = tier
        self.lifetimeSpend = lifetimeSpend
        self.lots = lots
        self.pointsEarnedTotal = pointsEarnedTotal
        self.pointsRedeemedTotal = pointsRedeemedTotal
        self.pointsExpiredTotal = pointsExpiredTotal
    }

    /// Points spendable (expired lots are dropped before any use).
    public var balance: Int64 { lots.reduce(0) { $0 + $1.points } }

    /// Points spendable on `day` (lots expiring before it do not count).
    public func balance(onDay day: Int64) -> Int64 { lots.filter { $0.expiresOn >= day }.reduce(0) { $0 + $1.points } }

    /// Brings the account to `day` before any use: drops expired lots, then (with a tier
    /// review every `reviewMonths` months) reviews the tier (FORMAT.md §13.3).
    mutating func bringUpToDate(day: Int64, reviewMonths: Int64) {
        expire(before: day)
        review(day: day, months: reviewMonths)
    }

    /// The tier review: a member without a period starts one today; after each whole
    /// period the tier drops one when the period's spend did not reach it (periods with no
    /// spend drop one each), and a new period starts.
    mutating func review(day: Int64, months: Int64) {
        guard months > 0 else { return }
        guard let current = period else {
            period = Period(start: day, spend: 0, tier: tier)
            return
        }
        guard SaleCalculator.addMonths(day: current.start, months: months) <= day else { return }
        var elapsed: Int64 = 1
        while elapsed < 1_200, SaleCalculator.addMonths(day: current.start, months: (elapsed + 1) * months) <= day { elapsed += 1 }
        var reviewed = Int64(tier)
        if Int64(LoyaltyTier.forSpend(current.spend).rawValue) < reviewed { reviewed = max(1, reviewed - 1) }
        reviewed = max(1, reviewed - (elapsed - 1))
        tier = UInt8(reviewed)
        period = Period(start: SaleCalculator.addMonths(day: current.start, months: elapsed * months), spend: 0, tier: tier)
    }

    /// Drops lots that expired before `day`.
    mutating func expire(before day: Int64) {
        while let first = lots.first, first.expiresOn < day {
            pointsExpiredTotal += first.points
            lots.removeFirst()
        }
    }

    /// Adds points to the lot expiring on `day`.
    mutating func credit(_ points: Int64, expiresOn day: Int64) {
        precondition(points > 0, "credit is positive")
        if let index = lots.firstIndex(where: { $0.expiresOn == day }) {
            lots[index].points += points
        } else {
            lots.append(Lot(expiresOn: day, points: points))
            lots.sort { $0.expiresOn < $1.expiresOn }
        }
    }

    /// Takes points from the lots that expire first. The caller checked the balance.
    mutating func debit(_ points: Int64) {
        precondition(points >= 0 && points <= balance, "debit within balance")
        var left = points
        while left > 0 {
            let take = min(left, lots[0].points)
            lots[0].points -= take
            left -= take
            if lots[0].points == 0 { lots.removeFirst() }
        }
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(period == nil ? 1 : 2)
        encoder.writeU8(tier)
        encoder.writeI64(lifetimeSpend)
        encoder.writeCount(lots.count, limit: POSLimits.lotsMax)
        for lot in lots {
            encoder.writeI64(lot.expiresOn)
            encoder.writeI64(lot.points)
        }
        encoder.writeI64(pointsEarnedTotal)
        encoder.writeI64(pointsRedeemedTotal)
        encoder.writeI64(pointsExpiredTotal)
        if let period {
            encoder.writeI64(period.start)
            encoder.writeI64(period.spend)
            encoder.writeU8(period.tier)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "member account", upTo: 2)
        tier = try decoder.readU8("tier")
        lifetimeSpend = try decoder.readI64("lifetime spend")
        let count = try decoder.readCount("lots", limit: POSLimits.lotsMax)
        var lots: [Lot] = []
        for _ in 0..<count { lots.append(Lot(expiresOn: try decoder.readI64("expires on"), points: try decoder.readI64("points"))) }
        self.lots = lots
        pointsEarnedTotal = try decoder.readI64("points earned total")
        pointsRedeemedTotal = try decoder.readI64("points redeemed total")
        pointsExpiredTotal = try decoder.readI64("points expired total")
        period = nil
        if version == 2 {
            let start = try decoder.readI64("period start")
            let spend = try decoder.readI64("period spend")
            let at = decoder.offset
            let tier = try decoder.readU8("period tier")
            guard (1...5).contains(tier) else { throw .invalidValue("a period tier is 1...5", at: at) }
            period = Period(start: start, spend: spend, tier: tier)
        }
    }
}

/// A till's shift: the float and the cash that moved since it opened, and the till's
/// document numbering (receipts and credit notes are numbered gap-free per till, as
/// cash registers are in RKSV and DSFinV-K: tills sell concurrently, so one series per
/// outlet could not be gap-free without coordinating them).
public struct ShiftRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// 1 for the till's first shift, then +1 per shift-open.
    public var number: UInt64
    /// The till's last receipt and credit note numbers (carried across shifts).
    public var lastReceiptNumber: UInt64 = 0
    public var lastCreditNoteNumber: UInt64 = 0
    public var open: Bool
    public var float: Int64
    public var cashSales: Int64
    public var cashRefunds: Int64
    public var cashIn: Int64
    public var cashOut: Int64
    public var salesCount: Int64
    /// Drawer opens without a sale in this shift.
    public var drawerOpens: Int64 = 0

    public init(number: UInt64, open: Bool, float: Int64, cashSales: Int64 = 0, cashRefunds: Int64 = 0,
                cashIn: Int64 = 0, cashOut: Int64 = 0, salesCount: Int64 = 0) {
        self.number = number
        self.open = open
        self.float = float
        self.cashSales = cashSales
        self.cashRefunds = cashRefunds
        self.cashIn = cashIn
        self.cashOut = cashOut
        self.salesCount = salesCount
    }

    /// Cash that should be in the drawer.
    public var expectedCash: Int64 { float + cashSales - cashRefunds + cashIn - cashOut }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeU64(number)
        encoder.writeU64(lastReceiptNumber)
        encoder.writeU64(lastCreditNoteNumber)
        encoder.writeBool(open)
        for value in [float, cashSales, cashRefunds, cashIn, cashOut, salesCount, drawerOpens] { encoder.writeI64(value) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "shift record")
        number = try decoder.readU64("shift number")
        lastReceiptNumber = try decoder.readU64("last receipt number")
        lastCreditNoteNumber = try decoder.readU64("last credit note number")
        open = try decoder.readBool("open")
        float = try decoder.readI64("float")
        cashSales = try decoder.readI64("cash sales")
        cashRefunds = try decoder.readI64("cash refunds")
        cashIn = try decoder.readI64("cash in")
        cashOut = try decoder.readI64("cash out")
        salesCount = try decoder.readI64("sales count")
        drawerOpens = try decoder.readI64("drawer opens")
    }
}

/// An outlet's books: Z numbering, open shifts, and the running totals.
public struct OutletBooks: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var lastZNumber: UInt64 = 0
    public var openShifts: UInt32 = 0
    public var period = PeriodTotals()

    public init() {}

    /// Version 2 only while the period holds a supply that is not standard-rated.
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(period.encodingVersion)
        encoder.writeU64(lastZNumber)
        encoder.writeU32(openShifts)
        period.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "outlet books", upTo: 2)
        lastZNumber = try decoder.readU64("last Z number")
        openShifts = try decoder.readU32("open shifts")
        period = try PeriodTotals(from: &decoder, version: version)
    }
}

/// What refunds and voids need to know of a sale.
public struct SaleRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public struct Line: Hashable, Sendable {
        public var sku: String
        public var taxCategory: TaxCategory
        public var quantity: Int64
        /// Paid incl. GST, and the GST in it.
        public var amount: Int64
        public var gst: Int64
        public var refundedQuantity: Int64 = 0
        public var refundedAmount: Int64 = 0
        public var refundedGST: Int64 = 0

        public init(sku: String, taxCategory: TaxCategory = .standardRated, quantity: Int64, amount: Int64, gst: Int64) {
            self.sku = sku
            self.taxCategory = taxCategory
            self.quantity = quantity
            self.amount = amount
            self.gst = gst
        }

        /// What refunding `units` credits (incl. GST, and the GST in it): in proportion,
        /// half up, the last units taking exactly what is left.
        public func credit(units: Int64) -> (amount: Int64, gst: Int64) {
            guard units != quantity - refundedQuantity else { return (amount - refundedAmount, gst - refundedGST) }
            return (Rounding.halfAwayFromZero.divide(amount * units, by: quantity),
                    Rounding.halfAwayFromZero.divide(gst * units, by: quantity))
        }

        /// Records a refund of `units` that credited `credit`.
        public mutating func refund(units: Int64, credit: (amount: Int64, gst: Int64)) {
            refundedQuantity += units
            refundedAmount += credit.amount
            refundedGST += credit.gst
        }
    }

    public var till: String
    public var shiftNumber: UInt64
    public var memberID: String
    public var gstBasisPoints: UInt32
    public var voided: Bool
    public var total: Int64
    public var discount: Int64
    public var rounding: Int64
    public var pointsEarned: Int64
    public var pointsRedeemed: Int64
    public var pointsReversed: Int64
    /// What the points earning was computed on (amount paid other than in points).
    public var eligible: Int64
    public var lines: [Line]
    public var tenders: [Tender]

    public init(till: String, shiftNumber: UInt64, memberID: String, gstBasisPoints: UInt32, total: Int64,
                discount: Int64, rounding: Int64, pointsEarned: Int64, pointsRedeemed: Int64, eligible: Int64,
                lines: [Line], tenders: [Tender]) {
        self.till = till
        self.shiftNumber = shiftNumber
        self.memberID = memberID
        self.gstBasisPoints = gstBasisPoints
        self.voided = false
        self.total = total
        self.discount = discount
        self.rounding = rounding
        self.pointsEarned = pointsEarned
        self.pointsRedeemed = pointsRedeemed
        self.pointsReversed = 0
        self.eligible = eligible
        self.lines = lines
        self.tenders = tenders
    }

    public var hasRefunds: Bool { lines.contains { $0.refundedQuantity > 0 } }

    /// Points a refund of `amount` takes back (FORMAT.md §13.5): what is left when the
    /// sale is now fully refunded, else the share of `amount` in the total, rounded down.
    public func pointsToReverse(amount: Int64) -> Int64 {
        let left = pointsEarned - pointsReversed
        guard !lines.allSatisfy({ $0.refundedQuantity == $0.quantity }) else { return left }
        return min(left, total == 0 ? 0 : Rounding.towardZero.divide(pointsEarned * amount, by: total))
    }

    /// Version 2 only for a sale with a line that is not standard-rated.
    var encodingVersion: UInt8 { lines.allSatisfy { $0.taxCategory == .standardRated } ? 1 : 2 }

    public func encode(to encoder: inout CanonicalEncoder) {
        let version = encodingVersion
        encoder.writeU8(version)
        encoder.writeString(till, limit: Limits.principalBytesMax)
        encoder.writeU64(shiftNumber)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeU32(gstBasisPoints)
        encoder.writeBool(voided)
        for value in [total, discount, rounding, pointsEarned, pointsRedeemed, pointsReversed, eligible] {
            encoder.writeI64(value)
        }
        encoder.writeCount(lines.count, limit: POSLimits.linesMax)
        for line in lines {
            encoder.writeString(line.sku, limit: POSLimits.skuBytesMax)
            if version == 2 { encoder.writeU8(line.taxCategory.rawValue) }
            for value in [line.quantity, line.amount, line.gst, line.refundedQuantity, line.refundedAmount, line.refundedGST] {
                encoder.writeI64(value)
            }
        }
        writeTenders(tenders, to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let start = decoder.offset
        let version = try readVersion(&decoder, "sale record", upTo: 2)
        till = try decoder.readString("till", limit: Limits.principalBytesMax)
        shiftNumber = try decoder.readU64("shift number")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        gstBasisPoints = try decoder.readU32("GST basis points")
        voided = try decoder.readBool("voided")
        total = try decoder.readI64("total")
        discount = try decoder.readI64("discount")
        rounding = try decoder.readI64("rounding")
        pointsEarned = try decoder.readI64("points earned")
        pointsRedeemed = try decoder.readI64("points redeemed")
        pointsReversed = try decoder.readI64("points reversed")
        eligible = try decoder.readI64("eligible")
        let count = try decoder.readCount("sale record lines", limit: POSLimits.linesMax)
        var lines: [Line] = []
        for _ in 0..<count {
            var line = Line(sku: try decoder.readString("sku", limit: POSLimits.skuBytesMax),
                            taxCategory: version == 2 ? try readTaxCategory(&decoder) : .standardRated,
                            quantity: try decoder.readI64("quantity"), amount: try decoder.readI64("amount"),
                            gst: try decoder.readI64("GST"))
            line.refundedQuantity = try decoder.readI64("refunded quantity")
            line.refundedAmount = try decoder.readI64("refunded amount")
            line.refundedGST = try decoder.readI64("refunded GST")
            lines.append(line)
        }
        self.lines = lines
        tenders = try readTenders(&decoder)
        guard version == encodingVersion else {
            throw .nonCanonical("a version-2 sale record needs a line that is not standard-rated", at: start)
        }
    }
}

/// One half of an inter-outlet transfer as this state has seen it.
public struct TransferRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// The outlet that recorded this half, and the other outlet.
    public var outlet: UInt32
    public var counterpart: UInt32
    public var lines: [StockLine]
    /// The lots moved (version 2 of the record).
    public var lots: [LotEntry]

    public init(outlet: UInt32, counterpart: UInt32, lines: [StockLine], lots: [LotEntry] = []) {
        self.outlet = outlet
        self.counterpart = counterpart
        self.lines = lines
        self.lots = lots
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(lots.isEmpty ? 1 : 2)
        encoder.writeU32(outlet)
        encoder.writeU32(counterpart)
        writeStockLines(lines, to: &encoder)
        if !lots.isEmpty { writeLots(lots, to: &encoder) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "transfer record", upTo: 2)
        outlet = try decoder.readU32("outlet")
        counterpart = try decoder.readU32("counterpart")
        lines = try readStockLines(&decoder)
        lots = version == 2 ? try readLots(&decoder, nonEmpty: true) : []
    }
}


