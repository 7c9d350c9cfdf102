import SGPOSChain
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// What a till asks to have built for it to sign (the node's prepare endpoint, the local
/// till): every figure comes from the state, so the body is what the state machine accepts.
public enum PrepareRequest: Sendable {
    /// `scans`: GS1 element strings, one per unit, added to the lines with their lots.
    case sale(lines: [StockLine], memberID: String, redeemPoints: Int64, codes: [String] = [], payment: Payment, training: Bool,
              scans: [String] = [])
    /// `units`: 0-based line of the original sale and the quantity returned.
    case refund(sale: Hash256, units: [RefundUnit], reason: String, restock: Bool, payment: Payment)
    case shiftClose(counted: Int64)
    case dayClose
    /// A till's shift opened with `float` cents in the drawer.
    case shiftOpen(float: Int64)
    /// A sale of this till's open shift cancelled whole (a post-void).
    case void(sale: Hash256, reason: String)
    /// Goods received under a delivery-order `reference` (an operator or a till).
    case stockReceive(reference: String, lines: [StockLine])
    /// A correction of one SKU's stock (an operator).
    case stockAdjust(sku: String, delta: Int64, reason: AdjustmentReason, note: String)
    /// Goods leaving for another outlet under transfer `id` (an operator).
    case transferOut(id: TransferID, to: OutletID, lines: [StockLine])
    /// Goods arriving under transfer `id`, as its outgoing half lists them (an operator).
    case transferIn(id: TransferID, from: OutletID, lines: [StockLine])
    /// A promotion or loyalty rule deployed (an admin).
    case deployRule(DeployRule)
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
    /// A sale, refund, void or shift close is refused here, as the submit would refuse it,
    /// when ``principal`` is not a registered till of the outlet or has no open shift; a
    /// shift close also when the counted cash is out of range; a shift open when the till
    /// is not registered, its shift is open already or the float is out of range; a void
    /// when the sale is not this till's, of its open shift, unvoided and unrefunded.
    public func prepare(_ request: PrepareRequest, atMs: Int64, state: some StateReader) throws -> PreparedBody {
        switch request {
        case .sale, .refund, .shiftClose, .void: try requireOpenShift(state)
        case .dayClose, .shiftOpen, .stockReceive, .stockAdjust, .transferOut, .transferIn, .deployRule: break
        }
        switch request {
        case .sale(let typed, let memberID, let redeemPoints, let codes, let payment, let training, let scans):
            let units = try scans.map { try LotScan.resolve($0, outlet: outlet, atMs: atMs, state: state) }
            let (lines, lots) = LotScan.basket(lines: typed, scans: units)
            let sale = try buildSale(lines, memberID: memberID, redeemPoints: redeemPoints, codes: codes, payment: payment,
                                     training: training, lots: lots, atMs: atMs, state: state)
            return PreparedBody(body: .sale(sale), number: sale.receiptNumber, amount: sale.amountPayable)
        case .refund(let saleID, let units, let reason, let restock, let payment):
            let refund = try buildRefund(of: saleID, units: units.map { (line: $0.line, quantity: $0.quantity) }, reason: reason,
                                         restock: restock, refundTender: payment, state: state)
            return PreparedBody(body: .refund(refund), number: refund.creditNoteNumber, amount: refund.amount)
        case .shiftClose(let counted):
            guard (0...POSLimits.countedCashCentsMax).contains(counted) else {
                throw LedgerRejection(.invalidField, "counted cash \(counted) cents must be 0...\(POSLimits.countedCashCentsMax)")
            }
            let close = try buildShiftClose(counted: counted, state: state)
            return PreparedBody(body: .shiftClose(close), number: 0, amount: close.counted)
        case .dayClose:
            let close = try buildDayClose(atMs: atMs, state: state)
            return PreparedBody(body: .dayClose(close), number: close.zNumber, amount: close.totals.netSales)
        case .shiftOpen(let float):
            try requireRegisteredTill(state)
            guard (0...POSLimits.floatCentsMax).contains(float) else {
                throw LedgerRejection(.invalidField, "float \(float) cents must be 0...\(POSLimits.floatCentsMax)")
            }
            let previous = try state.shift(outlet: outlet, till: principal)
            if let previous, previous.open {
                throw LedgerRejection(.shiftAlreadyOpen, "till \(principal) already has shift \(previous.number) open")
            }
            return PreparedBody(body: .shiftOpen(ShiftOpen(float: float)), number: (previous?.number ?? 0) + 1, amount: float)
        case .void(let saleID, let reason):
            guard let original = try state.saleRecord(saleID) else {
                throw LedgerRejection(.unknownOriginal, "sale \(saleID) is not a (non-training) sale of outlet \(outlet)")
            }
            let shift = try state.shift(outlet: outlet, till: principal)
            guard !original.voided, !original.hasRefunds, original.till == principal, original.shiftNumber == shift?.number else {
                throw LedgerRejection(.voidNotAllowed, "sale \(saleID) can be voided only once, without refunds, by its till (\(original.till)) in its shift (\(original.shiftNumber)); refund it instead")
            }
            return PreparedBody(body: .void(SaleVoid(originalSale: saleID, reason: reason)), number: 0, amount: original.total)
        case .stockReceive(let reference, let lines):
            return PreparedBody(body: .stockReceive(try StockBuilder(outlet: outlet).buildReceive(reference: reference, lines: lines)),
                                number: 0, amount: 0)
        case .stockAdjust(let sku, let delta, let reason, let note):
            return PreparedBody(body: .stockAdjust(try StockBuilder(outlet: outlet).buildAdjust(sku: sku, delta: delta, reason: reason, note: note)),
                                number: 0, amount: 0)
        case .transferOut(let id, let destination, let lines):
            return PreparedBody(body: .transferOut(try StockBuilder(outlet: outlet).buildTransferOut(id, to: destination, lines: lines)),
                                number: 0, amount: 0)
        case .transferIn(let id, let source, let lines):
            return PreparedBody(body: .transferIn(try StockBuilder(outlet: outlet).buildTransferIn(id, from: source, lines: lines)),
                                number: 0, amount: 0)
        case .deployRule(let deployment):
            return PreparedBody(body: .deployRule(deployment), number: 0, amount: 0)
        }
    }

    /// Refuses a ``principal`` that is not a registered till of the outlet, or whose shift
    /// is not open (rules 10 and 304, as the state machine would).
    public func requireOpenShift(_ state: some StateReader) throws {
        try requireRegisteredTill(state)
        guard let shift = try state.shift(outlet: outlet, till: principal), shift.open else {
            throw LedgerRejection(.shiftNotOpen, "till \(principal) has no open shift; open one first")
        }
    }

    /// Refuses a ``principal`` that is not a registered till of the outlet (rule 10).
    public func requireRegisteredTill(_ state: some StateReader) throws {
        try RequestLimits.principal(principal)
        guard try state.read(.principal(outlet: outlet, role: .till, name: principal)) != nil else {
            throw LedgerRejection(.notAuthorized, "\"\(principal)\" is not a registered till of outlet \(outlet)")
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
