import SGPOSChain
import SGPOSCodec
import SGPOSState
import SGPOSStore

/// Stock as the chains hold it now (docs/REPORTS.md, "stock"): units on hand per SKU per
/// outlet, valued at the outlet's list price and, where a supplier invoice recorded one,
/// at the last unit cost received; the SKUs below zero (sold beyond the book quantity; a
/// stocktake corrects them), and transfers sent and not yet received.
public struct StockReport: Sendable {
    public struct Item: Sendable, Equatable {
        public var outlet: OutletID
        public var sku: String
        /// From the price list; empty when the SKU has no price at the outlet.
        public var category: String
        public var onHand: Int64
        public var unitPrice: Int64
        /// The unit cost on the outlet's latest stock receipt with a supplier invoice
        /// that listed the SKU (excluding GST), if any.
        public var unitCost: Int64?
        /// On hand (when positive) × list price.
        public var value: Int64 { max(onHand, 0) * unitPrice }
        /// On hand (when positive) × last unit cost, when a cost is known.
        public var costValue: Int64? { unitCost.map { max(onHand, 0) * $0 } }
    }

    /// A transfer-out whose transfer-in is not on the destination's chain yet.
    public struct InTransit: Sendable, Equatable {
        public var transferID: TransferID
        public var from: OutletID
        public var to: OutletID
        public var lines: [StockLine]
    }

    public let outlets: [OutletID]
    public let heads: [ChainHead]
    /// By outlet, then SKU.
    public var items: [Item] = []
    public var inTransit: [InTransit] = []

    public var units: Int64 { items.reduce(0) { $0 + $1.onHand } }
    public var value: Int64 { items.reduce(0) { $0 + $1.value } }
    /// Σ of the items' cost values that are known.
    public var costValue: Int64 { items.reduce(0) { $0 + ($1.costValue ?? 0) } }
    public var negative: [Item] { items.filter { $0.onHand < 0 } }

    /// Reads the stock, price and transfer tables of `outlets` (every outlet's chain is
    /// read for transfers arriving from or going to them).
    static func read(store: LedgerStore, outlets: [OutletID], heads: [ChainHead], _ transaction: LMDBTransaction) throws -> StockReport {
        var report = StockReport(outlets: outlets, heads: heads)
        for outlet in outlets {
            let state = store.stateReader(outlet, transaction)
            let costs = try lastUnitCosts(store: store, outlet: outlet, transaction)
            var prefix = CanonicalEncoder(capacity: 4)
            prefix.writeU32(outlet)
            try state.scan(.stock, prefix: prefix.bytes) { key, value in
                let sku = String(decoding: key.key.dropFirst(4), as: UTF8.self)
                let price = try state.priceRecord(outlet: outlet, sku: sku)
                report.items.append(Item(outlet: outlet, sku: sku, category: price?.category ?? "",
                                         onHand: try StockRecord(canonicalBytes: value).onHand, unitPrice: price?.unitPrice ?? 0,
                                         unitCost: costs[sku]))
                return true
            }
        }
        // Outgoing halves on every chain; in transit unless the destination holds the incoming half.
        for outlet in store.genesis.outlets.map(\.id) {
            let state = store.stateReader(outlet, transaction)
            try state.scan(.transfers) { key, value in
                guard key.key.count == TransferID.byteCount + 1, key.key.last == 1,
                      case let id = TransferID(uncheckedBytes: Array(key.key.prefix(TransferID.byteCount))) else { return true }
                let sent = try TransferRecord(canonicalBytes: value)
                guard outlets.contains(sent.outlet) || outlets.contains(sent.counterpart) else { return true }
                let destination = store.stateReader(sent.counterpart, transaction)
                let incoming = store.genesis.outlet(sent.counterpart) == nil ? nil : try destination.read(.transfer(id, outgoing: false))
                let received = incoming != nil
                if !received {
                    report.inTransit.append(InTransit(transferID: id, from: sent.outlet, to: sent.counterpart, lines: sent.lines))
                }
                return true
            }
        }
        return report
    }

    /// The unit cost of each SKU on the latest costed stock receipt of `outlet` that lists
    /// it (chain order). Reads every block of the chain: only stock-receive bodies are decoded.
    static func lastUnitCosts(store: LedgerStore, outlet: OutletID, _ transaction: LMDBTransaction) throws -> [String: Int64] {
        var costs: [String: Int64] = [:]
        let head = try store.head(outlet, transaction)
        var height: UInt64 = 1
        while height <= head.height, let block = try store.block(outlet, height: height, transaction) {
            for signed in block.transactions {
                guard case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.stockReceive,
                      case .stockReceive(let receive) = try POSBody.decode(type: type, payload: payload),
                      let invoice = receive.invoice else { continue }
                for (line, cost) in zip(receive.lines, invoice.unitCosts) { costs[line.sku] = cost }
            }
            height += 1
        }
        return costs
    }
}
