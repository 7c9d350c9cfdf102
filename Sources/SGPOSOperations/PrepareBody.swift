import SGPOSChain
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// What a till asks to have built for it to sign (the node's prepare endpoint, the local
/// till): every figure comes from the state, so the body is what the state machine accepts.
public enum PrepareRequest: Sendable {
    case sale(lines: [StockLine], memberID: String, redeemPoints: Int64, payment: Payment, training: Bool)
    /// `units`: 0-based line of the original sale and the quantity returned.
    case refund(sale: Hash256, units: [RefundUnit], reason: String, restock: Bool, payment: Payment)
    case shiftClose(counted: Int64)
    case dayClose
}

/// Units of one line of a sale that come back.
public struct RefundUnit: Sendable, Hashable {
    /// 0-based line of the original sale.
    public var line: UInt32
    public var quantity: Int64

    public init(line: UInt32, quantity: Int64) {
        self.line = line
        self.quantity = quantity
    }
}

/// A body ready to sign, with its document number (receipt, credit note or Z) and its
/// amount for display.
public struct PreparedBody: Sendable {
    public let body: POSBody
    public let number: UInt64
    public let amount: Int64
}

extension SaleBuilder {
    /// Builds the body `request` asks for at ledger time `atMs` from `state`.
    public func prepare(_ request: PrepareRequest, atMs: Int64, state: some StateReader) throws -> PreparedBody {
        switch request {
        case .sale(let lines, let memberID, let redeemPoints, let payment, let training):
            let sale = try buildSale(lines, memberID: memberID, redeemPoints: redeemPoints, payment: payment,
                                     training: training, atMs: atMs, state: state)
            return PreparedBody(body: .sale(sale), number: sale.receiptNumber, amount: sale.amountPayable)
        case .refund(let saleID, let units, let reason, let restock, let payment):
            let refund = try buildRefund(of: saleID, units: units.map { (line: $0.line, quantity: $0.quantity) }, reason: reason,
                                         restock: restock, refundTender: payment, state: state)
            return PreparedBody(body: .refund(refund), number: refund.creditNoteNumber, amount: refund.amount)
        case .shiftClose(let counted):
            let close = try buildShiftClose(counted: counted, state: state)
            return PreparedBody(body: .shiftClose(close), number: 0, amount: close.counted)
        case .dayClose:
            let close = try buildDayClose(atMs: atMs, state: state)
            return PreparedBody(body: .dayClose(close), number: close.zNumber, amount: close.totals.netSales)
        }
    }

    /// The Z report closing the outlet's business day of `atMs` (Singapore date) with the
    /// period totals in `state`.
    public func buildDayClose(atMs: Int64, state: some StateReader) throws -> DayClose {
        let books = try state.outletBooks(outlet)
        let date = CivilTime.singaporeDate(epochMs: atMs).description
        return DayClose(zNumber: books.lastZNumber + 1, businessDate: date, totals: books.period)
    }
}
