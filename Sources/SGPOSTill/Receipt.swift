import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// Who issues receipts: the particulars IRAS requires on every tax invoice.
public struct Merchant: Hashable, Sendable, Codable {
    public var legalName: String
    public var addressLines: [String]
    /// GST registration number, e.g. `M9-0312345-A` or `201912345K`.
    public var gstRegistrationNumber: String

    public init(legalName: String, addressLines: [String], gstRegistrationNumber: String) {
        self.legalName = legalName
        self.addressLines = addressLines
        self.gstRegistrationNumber = gstRegistrationNumber
    }

    /// The particulars printed when none are configured: the outlet's name as the genesis
    /// has it and a registration number saying it is not set (never another business's).
    public static func unconfigured(outletName: String) -> Merchant {
        Merchant(legalName: outletName, addressLines: [], gstRegistrationNumber: "not set")
    }
}

/// The buyer's particulars for a full tax invoice (IRAS: to GST-registered customers).
public struct Customer: Hashable, Sendable, Codable {
    public var name: String
    public var addressLines: [String]

    public init(name: String, addressLines: [String]) {
        self.name = name
        self.addressLines = addressLines
    }
}

/// What a customer's receipt QR code holds: enough to find the transaction in any
/// node's data and check it against the genesis alone (`sgpos audit check-receipt`).
///
/// Text form: `sgpos:1/<chain id>/<outlet>/<height>/<transaction id hex>/<signature hex>`.
public struct ReceiptQRPayload: Hashable, Sendable, CustomStringConvertible {
    public var chainID: ChainID
    public var outlet: OutletID
    public var height: UInt64
    public var transactionID: Hash256
    public var signature: Signature

    public init(chainID: ChainID, outlet: OutletID, height: UInt64, transactionID: Hash256, signature: Signature) {
        self.chainID = chainID
        self.outlet = outlet
        self.height = height
        self.transactionID = transactionID
        self.signature = signature
    }

    public var description: String {
        "sgpos:1/\(chainID)/\(outlet)/\(height)/\(transactionID.hex)/\(signature.hex)"
    }

    /// Parses the text form; nil if anything is off.
    public init?(text: String) {
        guard text.hasPrefix("sgpos:1/") else { return nil }
        let parts = text.dropFirst(8).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, let chain = ChainID(parts[0]), let outlet = OutletID(parts[1]),
            let height = UInt64(parts[2]), let id = Hash256(hex: parts[3]), let signature = Signature(hex: parts[4])
        else { return nil }
        self.init(chainID: chain, outlet: outlet, height: height, transactionID: id, signature: signature)
    }
}

/// A receipt as data: rendered as text (42 or 48 columns) here, as ESC/POS by devices.
public struct ReceiptDocument: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// IRAS Reg 13: total payable ≤ S$1,000.
        case simplifiedTaxInvoice
        case taxInvoice
        /// A refund's credit note (IRAS: reason and the original invoice number).
        case creditNote
    }

    public struct Line: Hashable, Sendable {
        public var description: String
        public var quantity: Int64
        public var unitPrice: Int64
        public var amount: Int64
        /// Amount excluding GST (full tax invoices show it per line).
        public var amountExcludingGST: Int64
        public var discounts: [(rule: String, amount: Int64)]
        /// GST treatment; a receipt with any line not standard-rated prints every line's code.
        public var taxCategory: TaxCategory = .standardRated
        /// The lots the line's units came from ("L2611B x2"), as scanned (FORMAT.md §13.6):
        /// what a customer matches against a recall notice.
        public var lots: [String] = []

        public static func == (lhs: Line, rhs: Line) -> Bool {
            lhs.description == rhs.description && lhs.quantity == rhs.quantity && lhs.unitPrice == rhs.unitPrice
                && lhs.amount == rhs.amount && lhs.amountExcludingGST == rhs.amountExcludingGST && lhs.taxCategory == rhs.taxCategory
                && lhs.discounts.map(\.rule) == rhs.discounts.map(\.rule) && lhs.discounts.map(\.amount) == rhs.discounts.map(\.amount)
                && lhs.lots == rhs.lots
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(description)
            hasher.combine(amount)
        }
    }

    public var kind: Kind
    public var merchant: Merchant
    public var customer: Customer?
    public var outletName: String
    public var till: String
    /// `<outlet>-<till>-<number>` (receipts) or `CN<outlet>-<till>-<number>` (credit
    /// notes): numbers are gap-free per till.
    public var number: String
    /// Credit notes: the original invoice's number and the reason.
    public var originalNumber: String?
    public var reason: String?
    /// Singapore local time, `YYYY-MM-DD HH:MM:SS`.
    public var issuedAt: String
    public var training: Bool
    public var lines: [Line]
    public var subtotal: Int64
    public var discount: Int64
    public var total: Int64
    public var rounding: Int64
    public var gstBasisPoints: UInt32
    public var gst: Int64
    public var tenders: [Tender]
    public var memberID: String
    public var pointsEarned: Int64
    public var pointsRedeemed: Int64
    /// Points a reward rule took for a reward in the basket (the sale's rule record).
    public var rewardPoints: Int64 = 0
    /// Credit notes of a re-priced return: what re-pricing the kept items took from the
    /// refund (positive) or added to it (negative), per kept line.
    public var keptRepriced: [KeptLine] = []
    /// Sales: the promotions that did not apply and why (the sale's skip reasons).
    public var notApplied: [SkippedRule] = []
    /// Sales: the promotion codes keyed in.
    public var codes: [String] = []
    /// Sales: the coupons it used, and the next-order coupons it issued (code, campaign,
    /// last valid day), read from the ledger's state after the commit.
    public var couponsUsed: [String] = []
    public var couponsIssued: [IssuedCoupon] = []

    /// A coupon a sale issued, as the receipt prints it.
    public struct IssuedCoupon: Hashable, Sendable {
        public var code: String
        public var campaign: String
        /// `YYYY-MM-DD` (Singapore).
        public var validUntil: String
    }

    /// The coupons sale `id` used and issued, from a state that holds the sale.
    public mutating func addCoupons(ofSale id: Hash256, state: some StateReader) throws {
        couponsUsed = try state.couponsUsed(by: id)
        couponsIssued = try state.couponsIssued(by: id).map {
            IssuedCoupon(code: $0.code, campaign: $0.record.campaign, validUntil: CivilTime.date(fromDays: $0.record.validUntil).description)
        }
    }
    public var qr: ReceiptQRPayload

    /// A kept line of a re-priced return and what its re-pricing changed.
    public struct KeptLine: Hashable, Sendable {
        public var description: String
        /// Added to the kept line's price: taken from the refund when positive.
        public var amount: Int64
    }

    /// The receipt of a committed sale.
    public static func sale(
        _ sale: Sale, transaction: SignedTransaction, height: UInt64, merchant: Merchant, outletName: String, till: String,
        customer: Customer? = nil
    ) -> ReceiptDocument {
        let envelope = transaction.envelope
        let lines = sale.lines.enumerated().map { index, line in
            var printed = Line(description: line.sku, quantity: line.quantity, unitPrice: line.unitPrice, amount: line.paid,
                               amountExcludingGST: line.paid - line.gst, discounts: line.discounts.map { ($0.rule, $0.amount) },
                               taxCategory: line.taxCategory)
            printed.lots = sale.lots.filter { Int($0.lineIndex) == index }.map { "\($0.lot) x\($0.quantity)" }
            return printed
        }
        let full = customer != nil || sale.total > 100_000
        return ReceiptDocument(
            kind: full ? .taxInvoice : .simplifiedTaxInvoice, merchant: merchant, customer: customer,
            outletName: outletName, till: till, number: "\(envelope.outletID)-\(till)-\(sale.receiptNumber)", originalNumber: nil,
            reason: nil, issuedAt: CivilTime.singaporeDateTime(epochMs: Int64(envelope.timestampMs)), training: sale.training,
            lines: lines, subtotal: sale.subtotal, discount: sale.discount, total: sale.total, rounding: sale.rounding,
            gstBasisPoints: sale.gstBasisPoints, gst: sale.gst, tenders: sale.tenders, memberID: sale.memberID,
            pointsEarned: sale.pointsEarned, pointsRedeemed: sale.pointsRedeemed,
            rewardPoints: sale.training ? 0 : sale.ruleRecord?.rewardPoints ?? 0, notApplied: sale.skipped, codes: sale.codes,
            qr: ReceiptQRPayload(chainID: envelope.chainID, outlet: envelope.outletID, height: height,
                                 transactionID: transaction.id, signature: transaction.signature))
    }

    /// The credit note of a committed refund.
    public static func refund(
        _ refund: Refund, originalReceiptNumber: UInt64, originalTill: String, originalLines: [SaleRecord.Line],
        transaction: SignedTransaction,
        height: UInt64, merchant: Merchant, outletName: String, till: String
    ) -> ReceiptDocument {
        let envelope = transaction.envelope
        let kept = refund.adjustments.map {
            KeptLine(description: originalLines[Int($0.lineIndex)].sku, amount: $0.amount)
        }
        let lines = refund.lines.map { line in
            Line(description: originalLines[Int(line.lineIndex)].sku, quantity: line.quantity,
                 unitPrice: Rounding.towardZero.divide(line.amount, by: max(1, line.quantity)), amount: line.amount,
                 amountExcludingGST: line.amount - line.gst, discounts: [],
                 taxCategory: originalLines[Int(line.lineIndex)].taxCategory)
        }
        return ReceiptDocument(
            kind: .creditNote, merchant: merchant, customer: nil, outletName: outletName, till: till,
            number: "CN\(envelope.outletID)-\(till)-\(refund.creditNoteNumber)",
            originalNumber: "\(envelope.outletID)-\(originalTill)-\(originalReceiptNumber)", reason: refund.reason,
            issuedAt: CivilTime.singaporeDateTime(epochMs: Int64(envelope.timestampMs)), training: false, lines: lines,
            subtotal: refund.amount, discount: 0, total: refund.amount, rounding: 0, gstBasisPoints: refund.gstBasisPoints,
            gst: refund.gst, tenders: refund.tenders, memberID: "", pointsEarned: 0, pointsRedeemed: 0, keptRepriced: kept,
            qr: ReceiptQRPayload(chainID: envelope.chainID, outlet: envelope.outletID, height: height,
                                 transactionID: transaction.id, signature: transaction.signature))
    }
}
