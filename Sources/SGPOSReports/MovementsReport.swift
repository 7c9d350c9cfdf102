import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// The movement ledger of one SKU at one outlet (docs/REPORTS.md, "movements"): every
/// transaction that changed its stock, in chain order, with the change and the balance
/// after it — the stock card a manager reads when a count does not match. The balance
/// starts at zero at the chain's first block; `opening` is the balance before the range,
/// `closing` after it.
public struct MovementsReport: Sendable {
    public struct Movement: Sendable, Equatable {
        /// receipt, sale, refund, void, adjustment, count, transfer-out, transfer-in.
        public var kind: String
        public var businessDate: String
        public var blockTimeMs: Int64
        public var transactionID: Hash256
        public var principal: String
        public var change: Int64
        public var balance: Int64
        public var detail: String
    }

    public let sku: String
    public let outlet: OutletID
    public let range: ReportRange
    public let heads: [ChainHead]
    public var opening: Int64 = 0
    public var movements: [Movement] = []
    public var closing: Int64 { movements.last?.balance ?? opening }

    init(sku: String, outlet: OutletID, range: ReportRange, heads: [ChainHead]) {
        self.sku = sku
        self.outlet = outlet
        self.range = range
        self.heads = heads
    }

    /// Counts `event` (any business date up to the range's end): before the range into
    /// `opening`, within it as a movement.
    mutating func add(_ event: ReportEvent) {
        guard let (kind, change, detail) = change(of: event) else { return }
        guard event.businessDate >= range.from else {
            opening += change
            return
        }
        movements.append(Movement(kind: kind, businessDate: event.businessDate.description, blockTimeMs: event.blockTimeMs,
                                  transactionID: event.transactionID, principal: event.principal, change: change,
                                  balance: closing + change, detail: detail))
    }

    /// What `event` did to this SKU's stock, as the ledger's rules do it (FORMAT.md §13).
    private func change(of event: ReportEvent) -> (String, Int64, String)? {
        func units(_ lines: [StockLine]) -> Int64 { lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.quantity } }
        switch event.kind {
        case .sale(let sale):
            let sold = sale.lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.quantity }
            return sale.training || sold == 0 ? nil : ("sale", -sold, "receipt \(sale.receiptNumber)")
        case .refund(let refund, let original):
            guard refund.restock else { return nil }
            let back = refund.lines.filter { Int($0.lineIndex) < original.lines.count && original.lines[Int($0.lineIndex)].sku == sku }
                .reduce(0) { $0 + $1.quantity }
            return back == 0 ? nil : ("refund", back, "credit note \(refund.creditNoteNumber), restocked: \(refund.reason)")
        case .void(let void, let original):
            let back = original.lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.quantity }
            return back == 0 ? nil : ("void", back, "receipt \(original.receiptNumber) voided: \(void.reason)")
        case .stockReceive(let receive):
            let received = units(receive.lines)
            return received == 0 ? nil : ("receipt", received, "delivery \(receive.reference)")
        case .stockAdjust(let adjust):
            return adjust.sku == sku ? ("adjustment", adjust.delta, "\(adjust.reason): \(adjust.note)") : nil
        case .stockCount(let count):
            guard let line = count.lines.first(where: { $0.sku == sku }) else { return nil }
            return ("count", line.variance, "counted \(line.counted), book \(line.expected)")
        case .transfer(let transfer, let outgoing):
            let moved = units(transfer.lines)
            guard moved != 0 else { return nil }
            return outgoing ? ("transfer-out", -moved, "to outlet \(transfer.counterpart)")
                            : ("transfer-in", moved, "from outlet \(transfer.counterpart)")
        case .drawerOpen, .shiftClose, .loyaltyAdjust, .cash, .pointsClaim, .pointsSettle: return nil
        }
    }
}
