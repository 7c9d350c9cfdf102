import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The sales and GST figures of the transactions of one outlet in one period (the Z
/// number that closes it, or will) on one calendar day (the Singapore date of their
/// blocks). A transaction's business date is its period's Z date once that day-close is
/// on chain, else its calendar day (docs/REPORTS.md, "Business dates"), so buckets never
/// change when a day closes: only the date they count on is resolved when a report reads them.
public struct ReportBucket: Sendable, Equatable {
    public var sales = SalesFigures()
    public var gst = GSTFigures()

    public init() {}

    mutating func add(_ event: ReportEvent) {
        sales.add(event)
        gst.add(event)
    }

    mutating func merge(_ other: ReportBucket) {
        sales.merge(other.sales)
        gst.merge(other.gst)
    }
}

/// Where a bucket belongs: period (Z number) and calendar day (days since 1970-01-01).
struct BucketKey: Hashable, Comparable, Sendable {
    var period: UInt64
    var day: Int64

    static func < (lhs: BucketKey, rhs: BucketKey) -> Bool { (lhs.period, lhs.day) < (rhs.period, rhs.day) }
}

/// One outlet chain's blocks folded into buckets: what ``ReportAggregates`` stores, and
/// what a report adds for the blocks the store has not aggregated yet.
struct OutletFold: Sendable {
    /// The period the next transaction falls in (1 + the day-closes folded so far, counting
    /// from the chain's start).
    var period: UInt64
    /// The last height folded and its block id (nil before height 1).
    var height: UInt64
    var blockID: Hash256?
    var buckets: [BucketKey: ReportBucket] = [:]
    /// Business dates of the periods closed in the folded blocks.
    var zDates: [UInt64: CivilTime.Date] = [:]

    static let empty = OutletFold(period: 1, height: 0, blockID: nil)
}

extension LedgerWalk {
    /// Folds `outlet`'s blocks after `fold.height` through `last` (at most `maxBlocks` of
    /// them) into `fold`.
    func fold(_ outlet: OutletID, into fold: inout OutletFold, through last: UInt64, maxBlocks: UInt64 = .max,
              _ transaction: LMDBTransaction, visit: ((ReportEvent) -> Void)? = nil) throws {
        let state = store.stateReader(outlet, transaction)
        var principals: [PublicKey: String] = [:]
        let end = min(last, fold.height + min(maxBlocks, last))
        while fold.height < end, let block = try store.block(outlet, height: fold.height + 1, transaction) {
            let height = fold.height + 1
            let blockTime = Int64(block.header.timestampMs)
            let date = CivilTime.singaporeDate(epochMs: blockTime)
            let day = CivilTime.days(from: date)
            for (index, signed) in block.transactions.enumerated() {
                guard case .application(let type, let payload) = signed.envelope.body, Self.types.contains(type) else { continue }
                let body = try POSBody.decode(type: type, payload: payload)
                if case .dayClose(let close) = body {
                    fold.zDates[fold.period] = CivilTime.Date(iso: close.businessDate) ?? date
                    fold.period += 1
                    continue
                }
                guard let event = try event(signed, body, outlet: outlet, height: height, index: index, blockTimeMs: blockTime, date: date,
                                            state: state, principals: &principals, transaction) else { continue }
                fold.buckets[BucketKey(period: fold.period, day: day), default: ReportBucket()].add(event)
                visit?(event)
            }
            fold.height = height
            fold.blockID = block.header.id
        }
    }
}

extension ReportBucket {
    /// `u8` version 1 ‖ sales figures ‖ GST figures; maps as lists sorted by key. Node-local
    /// derived data (docs/REPORTS.md, "Aggregates"), not part of the ledger format.
    var bytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 1_024)
        encoder.writeU8(1)
        func figures(_ value: SalesSummary.Figures) {
            for field in [value.salesCount, value.salesTotal, value.refundsCount, value.refundsTotal, value.voidsCount, value.voidsTotal] {
                encoder.writeI64(field)
            }
        }
        func map<V>(_ values: [String: V], _ write: (V) -> Void) {
            encoder.writeCount(values.count, limit: ReportBucket.entriesMax)
            for key in values.keys.sorted() {
                encoder.writeString(key, limit: ReportBucket.keyBytesMax)
                write(values[key]!)
            }
        }
        func goods(_ value: SalesSummary.Goods) {
            encoder.writeI64(value.quantity)
            encoder.writeI64(value.amount)
            encoder.writeI64(value.gst)
        }
        figures(sales.totals)
        for field in [sales.discountTotal, sales.roundingTotal, sales.trainingCount] { encoder.writeI64(field) }
        encoder.writeBool(sales.touchesGroups)
        map(sales.byHour, figures)
        map(sales.byTill, figures)
        map(sales.bySKU, goods)
        map(sales.byCategory, goods)
        map(sales.byTaxCategory, goods)
        map(sales.byTender) { encoder.writeI64($0) }
        map(sales.discountsByRule) { encoder.writeI64($0) }
        encoder.writeCount(gst.totals.gstByRate.count, limit: ReportBucket.entriesMax)
        for rate in gst.totals.gstByRate {
            encoder.writeU32(rate.basisPoints)
            encoder.writeI64(rate.amount)
            encoder.writeI64(rate.gst)
        }
        encoder.writeCount(gst.totals.otherSupplies.count, limit: ReportBucket.entriesMax)
        for supply in gst.totals.otherSupplies {
            encoder.writeU8(supply.category.rawValue)
            encoder.writeI64(supply.amount)
        }
        for field in [gst.purchaseReceipts, gst.purchaseValue, gst.inputTax] { encoder.writeI64(field) }
        return encoder.bytes
    }

    init(bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        let at = decoder.offset
        guard try decoder.readU8("bucket version") == 1 else { throw .unknownVersion("bucket version", at: at) }
        func figures() throws(CodecError) -> SalesSummary.Figures {
            var value = SalesSummary.Figures()
            value.salesCount = try decoder.readI64("sales count")
            value.salesTotal = try decoder.readI64("sales total")
            value.refundsCount = try decoder.readI64("refunds count")
            value.refundsTotal = try decoder.readI64("refunds total")
            value.voidsCount = try decoder.readI64("voids count")
            value.voidsTotal = try decoder.readI64("voids total")
            return value
        }
        func goods() throws(CodecError) -> SalesSummary.Goods {
            var value = SalesSummary.Goods()
            value.quantity = try decoder.readI64("quantity")
            value.amount = try decoder.readI64("amount")
            value.gst = try decoder.readI64("GST")
            return value
        }
        func map<V>(_ read: () throws(CodecError) -> V) throws(CodecError) -> [String: V] {
            var values: [String: V] = [:]
            for _ in 0..<(try decoder.readCount("entries", limit: ReportBucket.entriesMax)) {
                let key = try decoder.readString("key", limit: ReportBucket.keyBytesMax)
                values[key] = try read()
            }
            return values
        }
        var sales = SalesFigures()
        sales.totals = try figures()
        sales.discountTotal = try decoder.readI64("discount total")
        sales.roundingTotal = try decoder.readI64("rounding total")
        sales.trainingCount = try decoder.readI64("training count")
        sales.touchesGroups = try decoder.readBool("touches groups")
        sales.byHour = try map(figures)
        sales.byTill = try map(figures)
        sales.bySKU = try map(goods)
        sales.byCategory = try map(goods)
        sales.byTaxCategory = try map(goods)
        sales.byTender = try map { () throws(CodecError) in try decoder.readI64("amount") }
        sales.discountsByRule = try map { () throws(CodecError) in try decoder.readI64("amount") }
        var gst = GSTFigures()
        for _ in 0..<(try decoder.readCount("rates", limit: ReportBucket.entriesMax)) {
            gst.totals.add(rate: try decoder.readU32("rate"), amount: try decoder.readI64("amount"), gst: try decoder.readI64("GST"))
        }
        for _ in 0..<(try decoder.readCount("other supplies", limit: ReportBucket.entriesMax)) {
            let at = decoder.offset
            guard let category = TaxCategory(rawValue: try decoder.readU8("tax category")), category != .standardRated else {
                throw .invalidValue("tax category", at: at)
            }
            gst.totals.add(category: category, amount: try decoder.readI64("amount"))
        }
        gst.purchaseReceipts = try decoder.readI64("purchase receipts")
        gst.purchaseValue = try decoder.readI64("purchase value")
        gst.inputTax = try decoder.readI64("input tax")
        try decoder.finish("bucket")
        self.sales = sales
        self.gst = gst
    }

    /// Bounds of the derived encoding: more SKUs, tills or rules than any day can have.
    static let entriesMax = 1_000_000
    static let keyBytesMax = 4_096
}

extension BucketKey {
    /// outlet `u32` ‖ period `u64` ‖ day `i64`: byte order is period then day order.
    func bytes(outlet: OutletID) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 20)
        encoder.writeU32(outlet)
        encoder.writeU64(period)
        encoder.writeU64(UInt64(bitPattern: day) ^ (1 << 63))  // sign-flipped: negative days sort first
        return encoder.bytes
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        var decoder = CanonicalDecoder(Array(bytes[4...]))
        guard let period = try? decoder.readU64("period"), let day = try? decoder.readU64("day") else { return nil }
        self.init(period: period, day: Int64(bitPattern: day ^ (1 << 63)))
    }
}
