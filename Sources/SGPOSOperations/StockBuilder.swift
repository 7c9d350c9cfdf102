import SGPOSChain
import SGPOSState

/// Builds the stock-move bodies of one outlet: goods received, an adjustment, a stocktake,
/// and the two halves of an inter-outlet transfer. Inputs are checked against
/// ``RequestLimits`` where they enter; a stocktake's book quantities and variances come
/// from the state, as the state machine will check them. The rules themselves (who may
/// sign, listed SKUs, quantities, matching halves) stay with the state machine, which
/// refuses with their codes. `sgpos till stock-receive` and the demo call it.
public struct StockBuilder: Sendable {
    public let outlet: OutletID

    public init(outlet: OutletID) { self.outlet = outlet }

    /// Goods received from a supplier under a delivery order or invoice `reference`, with
    /// the supplier's tax invoice (unit costs excluding GST, one per line, and its GST)
    /// when it is known.
    public func buildReceive(reference: String, lines: [StockLine], invoice: SupplierInvoice? = nil, lots: [LotEntry] = []) throws(RequestError) -> StockReceive {
        guard lots.count <= LotEntry.perBodyMax else { throw RequestError("a stock receipt carries at most \(LotEntry.perBodyMax) lot entries") }
        try RequestLimits.check(reference, "reference", limit: POSLimits.referenceBytesMax)
        try RequestLimits.stockLines(lines.map(\.sku))
        if let invoice {
            try RequestLimits.check(invoice.supplier, "supplier", limit: POSLimits.supplierBytesMax)
            guard invoice.unitCosts.count == lines.count else {
                throw RequestError("a supplier invoice gives one unit cost per line: \(lines.count) lines, \(invoice.unitCosts.count) costs")
            }
        }
        return StockReceive(reference: reference, lines: lines, invoice: invoice, lots: LotEntry.canonical(lots))
    }

    /// A correction of `sku`'s stock by `delta` units outside sales and receipts.
    public func buildAdjust(sku: String, delta: Int64, reason: AdjustmentReason, note: String = "") throws(RequestError) -> StockAdjust {
        try RequestLimits.check(sku, "sku", limit: POSLimits.skuBytesMax)
        try RequestLimits.reason(note, field: "note")
        return StockAdjust(sku: sku, delta: delta, reason: reason, note: note)
    }

    /// A stocktake of the `counted` quantities: each line records the book quantity in
    /// `state` and the variance from it. A counted quantity outside 0...``POSLimits/stockQuantityMax``
    /// is refused as the state machine would refuse it.
    public func buildCount(_ counted: [(sku: String, counted: Int64)], state: some StateReader) throws -> StockCount {
        try RequestLimits.stockLines(counted.map(\.sku))
        var lines: [StockCount.Line] = []
        for (index, entry) in counted.enumerated() {
            guard (0...POSLimits.stockQuantityMax).contains(entry.counted) else {
                throw LedgerRejection(.invalidField, "count line \(index + 1) (\(entry.sku)): counted \(entry.counted) must be 0...\(POSLimits.stockQuantityMax)")
            }
            let book = try state.stockOnHand(outlet: outlet, sku: entry.sku)
            lines.append(.init(sku: entry.sku, counted: entry.counted, expected: book, variance: entry.counted - book))
        }
        return StockCount(lines: lines)
    }

    /// Goods leaving for outlet `destination` under transfer `id`.
    public func buildTransferOut(_ id: TransferID, to destination: OutletID, lines: [StockLine], lots: [LotEntry] = []) throws(RequestError) -> StockTransfer {
        try RequestLimits.stockLines(lines.map(\.sku))
        guard lots.count <= LotEntry.perBodyMax else { throw RequestError("a transfer carries at most \(LotEntry.perBodyMax) lot entries") }
        return StockTransfer(transferID: id, counterpart: destination, lines: lines, lots: LotEntry.canonical(lots))
    }

    /// Goods arriving from outlet `source` under transfer `id` (the lines its transfer-out carries).
    public func buildTransferIn(_ id: TransferID, from source: OutletID, lines: [StockLine], lots: [LotEntry] = []) throws(RequestError) -> StockTransfer {
        try RequestLimits.stockLines(lines.map(\.sku))
        guard lots.count <= LotEntry.perBodyMax else { throw RequestError("a transfer carries at most \(LotEntry.perBodyMax) lot entries") }
        return StockTransfer(transferID: id, counterpart: source, lines: lines, lots: LotEntry.canonical(lots))
    }
}
