import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// Where one lot of one product is (docs/REPORTS.md, "lot"): for a recall, what each
/// outlet received, moved and sold of it and has on hand, what is in transit between
/// outlets, and every sale of it — receipt, till and member — so the shop can call the
/// customers. Reads the outlets' `lots`, `lot sales`, `recalls` and `transfers` tables
/// (FORMAT.md §13.6) of one snapshot: a prefix read per outlet, whatever the chain length.
public struct LotReport: Codable, Sendable, Equatable {
    public struct Recall: Codable, Sendable, Equatable {
        public var recallId: String
        /// The checkpoint that carried it.
        public var checkpoint: UInt64
        public var reason: String
    }

    public struct OutletLot: Codable, Sendable, Equatable {
        public var outletId: UInt32
        public var sku: String
        /// ISO date; nil when no receipt or scan stated one.
        public var expiry: String?
        public var received: Int64
        public var transferredIn: Int64
        public var transferredOut: Int64
        public var sold: Int64
        public var onHand: Int64
        /// The recall as this outlet recorded it; nil while the outlet has not (yet).
        public var recall: Recall?
    }

    public struct Transit: Codable, Sendable, Equatable {
        public var transferId: String
        public var from: UInt32
        public var to: UInt32
        public var quantity: Int64
    }

    public struct Sold: Codable, Sendable, Equatable {
        public var outletId: UInt32
        public var transactionId: String
        public var till: String
        public var receiptNumber: UInt64
        /// Empty for a guest.
        public var memberId: String
        public var quantity: Int64
        /// The sale's time, Singapore (UTC+08:00): "YYYY-MM-DD hh:mm:ss".
        public var time: String
    }

    public struct Totals: Codable, Sendable, Equatable {
        public var received: Int64
        public var sold: Int64
        public var onHand: Int64
        public var inTransit: Int64
        public var sales: Int64
        public var members: Int64
    }

    /// "lot", as every report document names itself.
    public var report = "lot"
    public var gtin: String
    public var lot: String
    public var covers: ReportDocument.Covers
    /// Outlets that know the lot (received, moved or sold it, or recorded its recall), by id.
    public var outlets: [OutletLot]
    public var inTransit: [Transit]
    /// By outlet, then time.
    public var sold: [Sold]
    public var totals: Totals

    /// The most sales one report lists (a lot larger than this is listed up to it; the
    /// totals count them all).
    public static let salesListedMax = 100_000

    static func read(store: LedgerStore, gtin: String, lot: String, heads: [ChainHead], _ transaction: LMDBTransaction) throws -> LotReport {
        guard ProductRecall.isValidGTIN(gtin) else { throw ReportError(.badParameter, "gtin must be 14 digits with a valid GS1 check digit") }
        guard ProductRecall.isValidLot(lot) else { throw ReportError(.badParameter, "lot must be 1-20 bytes of 0x21-0x7E") }
        var report = LotReport(gtin: gtin, lot: lot, covers: ReportDocument.covers(heads), outlets: [], inTransit: [], sold: [],
                               totals: Totals(received: 0, sold: 0, onHand: 0, inTransit: 0, sales: 0, members: 0))
        var members = Set<String>()
        var sales: [(outlet: UInt32, atMs: Int64, id: String, sale: LotSaleRecord)] = []
        for outlet in heads.map(\.outletID) {
            let state = store.stateReader(outlet, transaction)
            let record = try state.lotRecord(gtin: gtin, lot: lot)
            let recall = try state.recallRecord(gtin: gtin, lot: lot).map {
                Recall(recallId: $0.recallID.hex, checkpoint: $0.checkpoint, reason: $0.reason)
            }
            if record != nil || recall != nil {
                report.outlets.append(OutletLot(
                    outletId: outlet, sku: record?.sku ?? "", expiry: record.flatMap { $0.expiryDay == 0 ? nil : CivilTime.date(fromDays: $0.expiryDay).description },
                    received: record?.received ?? 0, transferredIn: record?.transferredIn ?? 0, transferredOut: record?.transferredOut ?? 0,
                    sold: record?.sold ?? 0, onHand: record?.onHand ?? 0, recall: recall))
            }
            let prefix = StateKey.lotSalesPrefix(gtin: gtin, lot: lot)
            try state.scan(.lotSales, prefix: prefix.key) { key, value in
                let sale = try LotSaleRecord(canonicalBytes: value)
                if !sale.memberID.isEmpty { members.insert(sale.memberID) }
                sales.append((outlet, sale.atMs, Hex.encode(key.key.suffix(32)), sale))
                return true
            }
            // Outgoing halves with this lot whose destination holds no incoming half yet.
            try state.scan(.transfers) { key, value in
                guard key.key.count == TransferID.byteCount + 1, key.key.last == 1 else { return true }
                let sent = try TransferRecord(canonicalBytes: value)
                let quantity = sent.lots.filter { $0.gtin == gtin && $0.lot == lot }.reduce(0) { $0 + $1.quantity }
                guard quantity > 0 else { return true }
                let id = TransferID(uncheckedBytes: Array(key.key.prefix(TransferID.byteCount)))
                let destination = store.genesis.outlet(sent.counterpart) == nil ? nil : store.stateReader(sent.counterpart, transaction)
                let arrived = try destination?.read(.transfer(id, outgoing: false)) != nil
                if !arrived {
                    report.inTransit.append(Transit(transferId: Hex.encode(id.bytes), from: sent.outlet, to: sent.counterpart, quantity: quantity))
                }
                return true
            }
        }
        // By outlet, then the sale's time (ms), then transaction id; the first 100,000 listed.
        sales.sort { ($0.outlet, $0.atMs, $0.id) < ($1.outlet, $1.atMs, $1.id) }
        report.totals.sales = Int64(sales.count)
        report.sold = sales.prefix(Self.salesListedMax).map {
            Sold(outletId: $0.outlet, transactionId: $0.id, till: $0.sale.till, receiptNumber: $0.sale.receiptNumber,
                 memberId: $0.sale.memberID, quantity: $0.sale.quantity, time: CivilTime.singaporeDateTime(epochMs: $0.atMs))
        }
        report.inTransit.sort { ($0.transferId, $0.from, $0.to) < ($1.transferId, $1.from, $1.to) }
        report.totals.received = report.outlets.reduce(0) { $0 + $1.received }
        report.totals.sold = report.outlets.reduce(0) { $0 + $1.sold }
        report.totals.onHand = report.outlets.reduce(0) { $0 + $1.onHand }
        report.totals.inTransit = report.inTransit.reduce(0) { $0 + $1.quantity }
        report.totals.members = Int64(members.count)
        return report
    }
}
