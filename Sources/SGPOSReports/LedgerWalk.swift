import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// One transaction a report counts, with where and when it happened.
public struct ReportEvent: Sendable {
    public enum Kind: Sendable {
        case sale(Sale)
        /// A credit note, with the sale it refunds.
        case refund(Refund, original: Sale)
        /// A post-void, with the sale it cancels.
        case void(SaleVoid, original: Sale)
        /// A no-sale drawer opening.
        case drawerOpen(DrawerOpen)
        /// A shift's close with its counted cash.
        case shiftClose(ShiftClose)
        /// A manual change of a member's points.
        case loyaltyAdjust(LoyaltyAdjust)
        /// Cash put into (`isIn`) or taken out of the drawer.
        case cash(CashMovement, isIn: Bool)
        /// Goods received from a supplier.
        case stockReceive(StockReceive)
        /// A stock adjustment (damage, theft, …).
        case stockAdjust(StockAdjust)
        /// A stocktake.
        case stockCount(StockCount)
        /// One half of an inter-outlet transfer.
        case transfer(StockTransfer, outgoing: Bool)
        /// A member redeeming here points held at another outlet.
        case pointsClaim(PointsClaim)
        /// This outlet paying another outlet's claim from the member's account here.
        case pointsSettle(PointsSettle)
    }

    /// The transaction's id.
    public let transactionID: Hash256

    public let kind: Kind
    public let outlet: OutletID
    public let height: UInt64
    /// Its position in the block.
    public let index: Int
    public let blockTimeMs: Int64
    /// The signer's principal in the registry (the till).
    public let principal: String
    /// The business date the transaction counts on (docs/REPORTS.md, "Business dates").
    public var businessDate: CivilTime.Date
}

/// Walks outlet chains in order and gives each sale, refund and void its business date:
/// the date of the day-close (Z-report) that closes it, or, after an outlet's last
/// day-close, the Singapore calendar date of its block. So a report over one business
/// date of one outlet equals that date's Z-report.
///
/// Two passes per chain, so that memory stays bounded whatever the chain: the first
/// (``BusinessCalendar``) notes where each day-close is and the date it names (one entry
/// per closed day), the second visits the transactions in order, each dated by the next
/// day-close after it. (Holding the open day's transactions until their day-close arrived grew without bound
/// for an outlet that never closed its day.)
struct LedgerWalk {
    let store: LedgerStore

    /// The body types reports read.
    static let types: Set<UInt16> = [POSBodyType.sale, POSBodyType.refund, POSBodyType.void, POSBodyType.dayClose, POSBodyType.drawerOpen,
                                     POSBodyType.shiftClose, POSBodyType.loyaltyAdjust, POSBodyType.cashIn, POSBodyType.cashOut,
                                     POSBodyType.stockReceive, POSBodyType.stockAdjust, POSBodyType.stockCount, POSBodyType.transferOut,
                                     POSBodyType.transferIn, POSBodyType.pointsClaim, POSBodyType.pointsSettle]

    /// Calls `visit` with every counted event of `outlets` whose business date is in
    /// `range`, chain by chain in height order; `dayClose` with every Z-report met. With
    /// `only`, just the blocks of each outlet's height ranges (ascending) are read.
    func walk(_ outlets: [OutletID], range: ReportRange, transaction: LMDBTransaction, only: [OutletID: [ClosedRange<UInt64>]]? = nil,
              visit: (ReportEvent) throws -> Void, dayClose: (OutletID, UInt64, DayClose) throws -> Void = { _, _, _ in }) throws {
        for outlet in outlets {
            let state = store.stateReader(outlet, transaction)
            var principals: [PublicKey: String] = [:]
            let head = try store.head(outlet, transaction)
            guard head.height > 0 else { continue }
            var dates = try BusinessCalendar(store: store, outlet: outlet, through: head.height, transaction).cursor
            for heights in only.map({ $0[outlet] ?? [] }) ?? [1...head.height] where heights.lowerBound <= head.height {
                for height in heights.lowerBound...min(heights.upperBound, head.height) {
                    guard let block = try store.block(outlet, height: height, transaction) else { break }
                    for (index, signed) in block.transactions.enumerated() {
                        guard case .application(let type, let payload) = signed.envelope.body, Self.types.contains(type) else { continue }
                        let blockTime = Int64(block.header.timestampMs)
                        let date = dates.date(height: height, index: index, blockTimeMs: blockTime)
                        let body = try POSBody.decode(type: type, payload: payload)
                        if case .dayClose(let close) = body {
                            try dayClose(outlet, height, close)
                            continue
                        }
                        guard range.contains(date) else { continue }
                        guard let event = try event(signed, body, outlet: outlet, height: height, index: index, blockTimeMs: blockTime, date: date,
                                                    state: state, principals: &principals, transaction) else { continue }
                        try visit(event)
                    }
                }
            }
        }
    }

    /// The report event of a decoded body (nil for bodies no report counts): the signer's
    /// principal from the registry (cached in `principals`), and for a refund or a void
    /// the sale it refers to.
    func event(_ signed: SignedTransaction, _ body: POSBody, outlet: OutletID, height: UInt64, index: Int, blockTimeMs: Int64,
               date: CivilTime.Date, state: some StateReader, principals: inout [PublicKey: String],
               _ transaction: LMDBTransaction) throws -> ReportEvent? {
        let signer = signed.envelope.signer
        if principals[signer] == nil {
            let record = try state.read(.key(signer)).map { try KeyRecord(canonicalBytes: $0) }
            principals[signer] = record?.principal ?? signer.hex
        }
        let kind: ReportEvent.Kind
        switch body {
        case .sale(let sale): kind = .sale(sale)
        case .refund(let refund): kind = .refund(refund, original: try originalSale(refund.originalSale, transaction))
        case .void(let void): kind = .void(void, original: try originalSale(void.originalSale, transaction))
        case .drawerOpen(let open): kind = .drawerOpen(open)
        case .shiftClose(let close): kind = .shiftClose(close)
        case .loyaltyAdjust(let adjust): kind = .loyaltyAdjust(adjust)
        case .cashIn(let movement): kind = .cash(movement, isIn: true)
        case .cashOut(let movement): kind = .cash(movement, isIn: false)
        case .stockReceive(let receive): kind = .stockReceive(receive)
        case .stockAdjust(let adjust): kind = .stockAdjust(adjust)
        case .stockCount(let count): kind = .stockCount(count)
        case .transferOut(let transfer): kind = .transfer(transfer, outgoing: true)
        case .transferIn(let transfer): kind = .transfer(transfer, outgoing: false)
        case .pointsClaim(let claim): kind = .pointsClaim(claim)
        case .pointsSettle(let settle): kind = .pointsSettle(settle)
        default: return nil
        }
        return ReportEvent(transactionID: signed.id, kind: kind, outlet: outlet, height: height, index: index, blockTimeMs: blockTimeMs,
                           principal: principals[signer] ?? signer.hex, businessDate: date)
    }

    func originalSale(_ id: Hash256, _ transaction: LMDBTransaction) throws -> Sale {
        try OriginalSale.find(id, store: store, transaction)
    }
}
