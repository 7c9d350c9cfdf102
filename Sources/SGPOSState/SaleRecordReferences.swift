import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// A sale's record (table `sales`) rebuilt from the sale transaction and a reference of
/// the two figures the transaction does not hold: the till's shift number ‖ the till
/// principal (docs/FORMAT.md §9.1). A store keeps the reference in the sale's `tx-index`
/// entry while the record is as the sale wrote it; a refund or void changes the record,
/// and the store then keeps the record itself.
public struct SaleRecordReferences: RecordReferences {
    public init() {}

    public var table: StateTable { .sales }

    public func reference(to record: [UInt8], writtenBy transaction: SignedTransaction) -> [UInt8]? {
        guard let written = try? SaleRecord(canonicalBytes: record) else { return nil }
        var encoder = CanonicalEncoder(capacity: 16 + written.till.utf8.count)
        encoder.writeU64(written.shiftNumber)
        encoder.writeString(written.till, limit: Limits.principalBytesMax)
        let reference = encoder.bytes
        return self.record(referencedBy: reference, writtenBy: transaction) == record ? reference : nil
    }

    public func record(referencedBy reference: [UInt8], writtenBy transaction: SignedTransaction) -> [UInt8]? {
        guard case .application(let type, let payload) = transaction.envelope.body, type == POSBodyType.sale,
              case .sale(let sale)? = try? POSBody.decode(type: type, payload: payload), !sale.training else { return nil }
        var decoder = CanonicalDecoder(reference)
        guard let shiftNumber = try? decoder.readU64("shift number"),
              let till = try? decoder.readString("till", limit: Limits.principalBytesMax),
              (try? decoder.finish("sale record reference")) != nil else { return nil }
        return Self.record(of: sale, till: till, shiftNumber: shiftNumber).canonicalBytes
    }

    /// The record a sale writes (FORMAT.md §13.5, sale): its figures, lines at what was
    /// paid, tenders; nothing refunded, voided or reversed; eligible is what was paid other
    /// than in points.
    static func record(of sale: Sale, till: String, shiftNumber: UInt64) -> SaleRecord {
        let inPoints = sale.tenders.reduce(Int64(0)) { $0 + ($1.kind == .points ? $1.amount : 0) }
        return SaleRecord(
            till: till, shiftNumber: shiftNumber, memberID: sale.memberID, gstBasisPoints: sale.gstBasisPoints,
            total: sale.total, discount: sale.discount, rounding: sale.rounding, pointsEarned: sale.pointsEarned,
            pointsRedeemed: sale.pointsRedeemed, eligible: sale.amountPayable - inPoints,
            lines: sale.lines.map { SaleRecord.Line(sku: $0.sku, taxCategory: $0.taxCategory, quantity: $0.quantity, amount: $0.paid, gst: $0.gst) },
            tenders: sale.tenders)
    }
}
