import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Units of one line that came from (or went into) one lot of a product (FORMAT.md
/// §13.6): the GTIN and batch a GS1 barcode names, the expiry it printed, how many.
public struct LotEntry: Hashable, Sendable {
    /// The most entries one body carries.
    public static let perBodyMax = 1_000
    /// 9999-12-31 as days since 1970-01-01: the last expiry a lot entry may state.
    public static let expiryDayMax: Int64 = 2_932_896

    /// Index of the sale line, stock line or costed line.
    public var lineIndex: UInt32
    public var gtin: String
    public var lot: String
    /// Days since 1970-01-01 of the expiry or best-before date; 0 when not known.
    public var expiryDay: Int64
    public var quantity: Int64

    public init(lineIndex: UInt32, gtin: String, lot: String, expiryDay: Int64 = 0, quantity: Int64) {
        self.lineIndex = lineIndex
        self.gtin = gtin
        self.lot = lot
        self.expiryDay = expiryDay
        self.quantity = quantity
    }

    /// The canonical order: line index, then GTIN bytes, then lot bytes.
    static func precedes(_ a: LotEntry, _ b: LotEntry) -> Bool {
        if a.lineIndex != b.lineIndex { return a.lineIndex < b.lineIndex }
        if a.gtin != b.gtin { return Array(a.gtin.utf8).lexicographicallyPrecedes(Array(b.gtin.utf8)) }
        return Array(a.lot.utf8).lexicographicallyPrecedes(Array(b.lot.utf8))
    }

    /// Sorts entries into their canonical order (builders call this; decoding requires it).
    public static func canonical(_ entries: [LotEntry]) -> [LotEntry] { entries.sorted(by: precedes) }
}

/// The lot list encoding (FORMAT.md §13.6): `list(1000)` strictly ascending.
func writeLots(_ lots: [LotEntry], to encoder: inout CanonicalEncoder) {
    encoder.writeCount(lots.count, limit: LotEntry.perBodyMax)
    for entry in lots {
        encoder.writeU32(entry.lineIndex)
        encoder.writeString(entry.gtin, limit: ProductRecall.gtinBytes)
        encoder.writeString(entry.lot, limit: ProductRecall.lotBytesMax)
        encoder.writeI64(entry.expiryDay)
        encoder.writeI64(entry.quantity)
    }
}

func readLots(_ decoder: inout CanonicalDecoder, nonEmpty: Bool) throws(CodecError) -> [LotEntry] {
    let countAt = decoder.offset
    let count = try decoder.readCount("lots", limit: LotEntry.perBodyMax)
    guard count > 0 || !nonEmpty else { throw .nonCanonical("this version carries at least one lot entry", at: countAt) }
    var lots: [LotEntry] = []
    lots.reserveCapacity(count)
    for _ in 0..<count {
        let at = decoder.offset
        let entry = LotEntry(lineIndex: try decoder.readU32("lot line index"), gtin: try decoder.readString("GTIN", limit: ProductRecall.gtinBytes),
                             lot: try decoder.readString("lot", limit: ProductRecall.lotBytesMax), expiryDay: try decoder.readI64("lot expiry"),
                             quantity: try decoder.readI64("lot quantity"))
        if let previous = lots.last, !LotEntry.precedes(previous, entry) {
            throw .nonCanonical("lot entries must ascend by line index, GTIN and lot, each once", at: at)
        }
        lots.append(entry)
    }
    return lots
}

/// Records a checkpoint's product recall on this outlet's chain (FORMAT.md §13.6): from
/// this transaction on, the outlet's sales refuse the lot. Signed by the outlet's node
/// key as soon as it holds the checkpoint, or by an operator.
public struct ApplyRecall: Hashable, Sendable {
    /// The checkpoint that carried the recall (a statement the audit checks).
    public var checkpoint: UInt64
    public var recall: ProductRecall

    public init(checkpoint: UInt64, recall: ProductRecall) {
        self.checkpoint = checkpoint
        self.recall = recall
    }

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeU64(checkpoint)
        recall.encode(to: &encoder)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "apply-recall")
        checkpoint = try decoder.readU64("checkpoint")
        recall = try ProductRecall(from: &decoder)
    }
}

/// One lot at one outlet (FORMAT.md §13.3 `lots`): its product and movements.
public struct LotRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// Movement totals stay within 0 … this.
    public static let totalMax: Int64 = 1_000_000_000_000
    public var sku: String
    /// Days since 1970-01-01; 0 when not known.
    public var expiryDay: Int64
    public var received: Int64 = 0
    public var transferredIn: Int64 = 0
    public var transferredOut: Int64 = 0
    public var sold: Int64 = 0

    public init(sku: String, expiryDay: Int64) {
        self.sku = sku
        self.expiryDay = expiryDay
    }

    /// Received + transferred in − transferred out − sold (may be negative, as stock may).
    public var onHand: Int64 { received + transferredIn - transferredOut - sold }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(sku, limit: POSLimits.skuBytesMax)
        encoder.writeI64(expiryDay)
        for value in [received, transferredIn, transferredOut, sold] { encoder.writeI64(value) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "lot record")
        sku = try decoder.readString("sku", limit: POSLimits.skuBytesMax)
        expiryDay = try decoder.readI64("expiry")
        received = try decoder.readI64("received")
        transferredIn = try decoder.readI64("transferred in")
        transferredOut = try decoder.readI64("transferred out")
        sold = try decoder.readI64("sold")
    }
}

/// Who bought units of a lot (FORMAT.md §13.3 `lot sales`): the receipt a recall notice
/// goes out by, and the member to call.
public struct LotSaleRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var till: String
    public var receiptNumber: UInt64
    public var memberID: String
    public var quantity: Int64
    /// The sale's time (ms).
    public var atMs: Int64

    public init(till: String, receiptNumber: UInt64, memberID: String, quantity: Int64, atMs: Int64) {
        self.till = till
        self.receiptNumber = receiptNumber
        self.memberID = memberID
        self.quantity = quantity
        self.atMs = atMs
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(till, limit: 64)
        encoder.writeU64(receiptNumber)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(quantity)
        encoder.writeI64(atMs)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "lot sale record")
        till = try decoder.readString("till", limit: 64)
        receiptNumber = try decoder.readU64("receipt number")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        quantity = try decoder.readI64("quantity")
        atMs = try decoder.readI64("time")
    }
}

/// A recall this outlet applied (FORMAT.md §13.3 `recalls`).
public struct RecallRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var recallID: Hash256
    public var checkpoint: UInt64
    public var reason: String

    public init(recallID: Hash256, checkpoint: UInt64, reason: String) {
        self.recallID = recallID
        self.checkpoint = checkpoint
        self.reason = reason
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        recallID.encode(to: &encoder)
        encoder.writeU64(checkpoint)
        encoder.writeString(reason, limit: ProductRecall.reasonBytesMax)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "recall record")
        recallID = try Hash256(from: &decoder)
        checkpoint = try decoder.readU64("checkpoint")
        reason = try decoder.readString("recall reason", limit: ProductRecall.reasonBytesMax)
    }
}

extension StateKey {
    /// GTIN ‖ lot.
    public static func lot(gtin: String, lot: String) -> StateKey { StateKey(.lots, Array(gtin.utf8) + Array(lot.utf8)) }
    /// GTIN ‖ u8 len(lot) ‖ lot: the prefix of a lot's `lot sales` keys.
    public static func lotSalesPrefix(gtin: String, lot: String) -> StateKey {
        StateKey(.lotSales, Array(gtin.utf8) + [UInt8(lot.utf8.count)] + Array(lot.utf8))
    }
    public static func lotSale(gtin: String, lot: String, sale: Hash256) -> StateKey {
        let prefix = lotSalesPrefix(gtin: gtin, lot: lot)
        return StateKey(.lotSales, prefix.key + sale.bytes)
    }
    public static func saleLots(_ sale: Hash256) -> StateKey { StateKey(.saleLots, sale.bytes) }
    public static func recall(gtin: String, lot: String) -> StateKey { StateKey(.recalls, Array(gtin.utf8) + Array(lot.utf8)) }
}

extension StateReader {
    public func lotRecord(gtin: String, lot: String) throws -> LotRecord? { try record(LotRecord.self, .lot(gtin: gtin, lot: lot)) }
    public func recallRecord(gtin: String, lot: String) throws -> RecallRecord? { try record(RecallRecord.self, .recall(gtin: gtin, lot: lot)) }
    /// The lot entries a sale recorded, if it had any.
    public func saleLots(_ sale: Hash256) throws -> [LotEntry]? {
        guard let bytes = try read(.saleLots(sale)) else { return nil }
        var decoder = CanonicalDecoder(bytes)
        let lots = try readLots(&decoder, nonEmpty: true)
        try decoder.finish("sale lots")
        return lots
    }
}
