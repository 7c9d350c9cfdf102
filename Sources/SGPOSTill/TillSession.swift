import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// How the customer pays for a sale; the session fills in the amounts.
public enum Payment: Hashable, Sendable {
    /// Cash; `tendered` nil means exact money.
    case cash(tendered: Int64?)
    /// A card approved by a terminal (the terminal's reply, no full PAN).
    case card(terminalID: String, approvalCode: String, rrn: String, maskedPAN: String, scheme: String)
    case nets(terminalID: String, approvalCode: String, rrn: String, maskedPAN: String)
    /// PayNow / SGQR: the hash of the QR payload shown and the bank's confirmation.
    case payNow(payloadHash: Hash256, billReference: String, confirmationSource: String)
    case voucher(id: String)
}

extension Payment {
    var isCash: Bool {
        if case .cash = self { return true }
        return false
    }

    /// The tender paying `amount` this way (cash: with change from what was handed over).
    func tender(amount: Int64) throws -> Tender {
        switch self {
        case .cash(let tendered):
            let given = tendered ?? amount
            guard given >= amount else {
                throw LedgerRejection(.tendersMismatch, "cash tendered \(Money.format(given)) is less than the \(Money.format(amount)) due")
            }
            return .cash(tendered: given, change: given - amount)
        case .card(let terminal, let approval, let rrn, let pan, let scheme):
            return .card(CardPayment(amount: amount, terminalID: terminal, approvalCode: approval, rrn: rrn, maskedPAN: pan, scheme: scheme))
        case .nets(let terminal, let approval, let rrn, let pan):
            return .nets(CardPayment(amount: amount, terminalID: terminal, approvalCode: approval, rrn: rrn, maskedPAN: pan, scheme: "nets"))
        case .payNow(let hash, let reference, let source):
            return .payNow(amount: amount, payloadHash: hash, billReference: reference, confirmationSource: source)
        case .voucher(let id):
            return .voucher(id: id, amount: amount)
        }
    }
}

/// A till's signing session: its key, its principal and its next sequence number. It
/// builds the exact transactions the state machine accepts (the same ``SaleCalculator``),
/// signs them, and keeps every signed transaction so a retry resends the same bytes
/// (same idempotency id: never a second sale).
public struct TillSession: Sendable {
    public let genesis: Genesis
    public let outlet: OutletID
    public let key: SigningKey
    public let principal: String
    public private(set) var nextSequence: UInt64

    public init(genesis: Genesis, outlet: OutletID, key: SigningKey, principal: String, lastSequence: UInt64) {
        self.genesis = genesis
        self.outlet = outlet
        self.key = key
        self.principal = principal
        self.nextSequence = lastSequence + 1
    }

    /// A session that continues after the key's last accepted sequence in `state`.
    public static func resume(genesis: Genesis, outlet: OutletID, key: SigningKey, state: some StateReader) throws -> TillSession {
        guard let bytes = try state.read(.key(key.publicKey)) else {
            throw LedgerRejection(.unknownSigner, "key \(key.publicKey) is not registered on outlet \(outlet)")
        }
        let record = try KeyRecord(canonicalBytes: bytes)
        return TillSession(genesis: genesis, outlet: outlet, key: key, principal: record.principal,
                           lastSequence: record.lastSequence)
    }

    /// Signs `body` with the next sequence number.
    public mutating func sign(_ body: POSBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        signChain(body.transactionBody, atMs: atMs, idempotency: idempotency)
    }

    /// Signs any transaction body with the next sequence number.
    public mutating func signChain(_ body: TransactionBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        defer { nextSequence += 1 }
        return TransactionEnvelope(
            chainID: genesis.chainID, outletID: outlet, signer: key.publicKey, sequence: nextSequence,
            idempotencyID: idempotency ?? IdempotencyID(bytes: secureRandomBytes(IdempotencyID.byteCount))!,
            timestampMs: TimestampMs(atMs), body: body
        ).signed(by: key)
    }

    /// The builder of this till's sales, refunds and closings.
    public var builder: SaleBuilder { SaleBuilder(genesis: genesis, outlet: outlet, principal: principal) }

    public func quote(_ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, atMs: Int64,
                      state: some StateReader) throws -> SaleCalculator.PricedBasket {
        try builder.quote(lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state)
    }

    public func buildSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, payment: Payment, training: Bool = false,
        atMs: Int64, state: some StateReader
    ) throws -> Sale {
        try builder.buildSale(lines, memberID: memberID, redeemPoints: redeemPoints, payment: payment, training: training,
                              atMs: atMs, state: state)
    }

    public func buildRefund(
        of saleID: Hash256, units: [(line: UInt32, quantity: Int64)], reason: String, restock: Bool, refundTender: Payment,
        state: some StateReader
    ) throws -> Refund {
        try builder.buildRefund(of: saleID, units: units, reason: reason, restock: restock, refundTender: refundTender, state: state)
    }

    public func buildShiftClose(counted: Int64, state: some StateReader) throws -> ShiftClose {
        try builder.buildShiftClose(counted: counted, state: state)
    }
}

/// Builds the exact bodies the state machine accepts for one till, from a state: the
/// till session uses it locally, the node's prepare endpoint for remote tills.
public struct SaleBuilder: Sendable {
    public let genesis: Genesis
    public let outlet: OutletID
    public let principal: String

    public init(genesis: Genesis, outlet: OutletID, principal: String) {
        self.genesis = genesis
        self.outlet = outlet
        self.principal = principal
    }

    /// Prices `lines` for the customer (the quote a till shows).
    public func quote(_ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, atMs: Int64,
                      state: some StateReader) throws -> SaleCalculator.PricedBasket {
        let calculator = try SaleCalculator(genesis: genesis, outlet: outlet, settings: try state.retailSettings())
        return try calculator.price(lines: lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state)
    }

    /// The sale for a basket paid with `payment`: numbered after `state`'s last receipt,
    /// priced, rounded and tendered exactly as the state machine will check it.
    public func buildSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, payment: Payment, training: Bool = false,
        atMs: Int64, state: some StateReader
    ) throws -> Sale {
        let calculator = try SaleCalculator(genesis: genesis, outlet: outlet, settings: try state.retailSettings())
        let priced = try calculator.price(lines: lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state)
        let receipt = (try state.shift(outlet: outlet, till: principal)?.lastReceiptNumber ?? 0) + 1
        var tenders: [Tender] = []
        let pointsTender = priced.quote.pointsTender.cents
        if pointsTender > 0 { tenders.append(.points(points: redeemPoints, amount: pointsTender)) }
        // Cash rounding depends on a cash tender being present: price with the kind first.
        let draft = try calculator.sale(priced, receiptNumber: receipt, training: training,
                                        tenders: tenders + (payment.isCash ? [.cash(tendered: 1, change: 0)] : []))
        let due = draft.amountPayable - pointsTender
        if due > 0 {
            tenders.append(try payment.tender(amount: due))
        }
        return try calculator.sale(priced, receiptNumber: receipt, training: training, tenders: tenders)
    }

    /// The refund of `units` (line index, quantity) of a sale, with every figure the
    /// state machine will expect, paid back in cash or to the original card.
    public func buildRefund(
        of saleID: Hash256, units: [(line: UInt32, quantity: Int64)], reason: String, restock: Bool, refundTender: Payment,
        state: some StateReader
    ) throws -> Refund {
        guard var record = try state.saleRecord(saleID) else {
            throw LedgerRejection(.unknownOriginal, "sale \(saleID) is not a sale of outlet \(outlet)")
        }
        var lines: [RefundLine] = []
        var amount: Int64 = 0
        var gst: Int64 = 0
        for unit in units {
            guard Int(unit.line) < record.lines.count else {
                throw LedgerRejection(.refundExceedsSale, "the sale has no line \(unit.line)")
            }
            var sold = record.lines[Int(unit.line)]
            let left = sold.quantity - sold.refundedQuantity
            guard unit.quantity > 0, unit.quantity <= left else {
                throw LedgerRejection(.refundExceedsSale, "line \(unit.line + 1) (\(sold.sku)): \(unit.quantity) units asked, \(left) of \(sold.quantity) not yet refunded")
            }
            guard !record.voided else { throw LedgerRejection(.unknownOriginal, "sale \(saleID) was voided") }
            let (lineAmount, lineGST) = sold.credit(units: unit.quantity)
            sold.refund(units: unit.quantity, credit: (lineAmount, lineGST))
            record.lines[Int(unit.line)] = sold
            lines.append(RefundLine(lineIndex: unit.line, quantity: unit.quantity, amount: lineAmount, gst: lineGST))
            amount += lineAmount
            gst += lineGST
        }
        let reversed = record.pointsToReverse(amount: amount)
        // Money goes back without change: cash is handed over exactly.
        let tender = try (refundTender.isCash ? Payment.cash(tendered: nil) : refundTender).tender(amount: amount)
        let number = (try state.shift(outlet: outlet, till: principal)?.lastCreditNoteNumber ?? 0) + 1
        return Refund(originalSale: saleID, creditNoteNumber: number, reason: reason, restock: restock, lines: lines,
                      gstBasisPoints: record.gstBasisPoints, amount: amount, gst: gst, pointsReversed: reversed,
                      tenders: amount > 0 ? [tender] : [])
    }

    /// The shift-close for counted cash against the state's expected cash.
    public func buildShiftClose(counted: Int64, state: some StateReader) throws -> ShiftClose {
        guard let shift = try state.shift(outlet: outlet, till: principal), shift.open else {
            throw LedgerRejection(.shiftNotOpen, "till \(principal) has no open shift")
        }
        return ShiftClose(counted: counted, expected: shift.expectedCash, variance: counted - shift.expectedCash)
    }
}

extension Money {
    /// `12.30` for cents that may be outside the money range (messages only).
    static func format(_ cents: Int64) -> String {
        (try? Money(cents: cents))?.decimal ?? "\(cents) cents"
    }
}
