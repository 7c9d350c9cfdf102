import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Lots and recalls (FORMAT.md §13.6): which lot each received, moved and sold unit came
/// from, and the recalls that stop a lot's sale.
extension POSTransition {
    /// *Lots checked*: each entry names a line, a valid GTIN and lot, an expiry and a
    /// quantity within bounds; a line's entries cover at most its quantity; a lot belongs
    /// to one SKU (the one it was first recorded with, here or earlier in this body).
    func checkLots(_ lots: [LotEntry], lines: [StockLine], _ state: some StateReader) throws {
        var covered: [UInt32: Int64] = [:]
        var skus: [String: String] = [:]
        for (index, entry) in lots.enumerated() {
            var label: String { "lot entry \(index + 1)" }  // built only for a message
            guard Int(entry.lineIndex) < lines.count else {
                throw reject(.invalidField, "\(label) names line \(entry.lineIndex); the body has \(lines.count) lines")
            }
            guard ProductRecall.isValidGTIN(entry.gtin) else {
                throw reject(.invalidField, "\(label): GTIN \(entry.gtin) must be 14 digits with a valid GS1 check digit")
            }
            guard ProductRecall.isValidLot(entry.lot) else {
                throw reject(.invalidField, "\(label): lot \"\(entry.lot)\" must be 1-20 bytes of 0x21-0x7E")
            }
            guard (0...LotEntry.expiryDayMax).contains(entry.expiryDay) else {
                throw reject(.invalidField, "\(label): expiry day \(entry.expiryDay) must be 0 (not known) to \(LotEntry.expiryDayMax)")
            }
            guard (1...POSLimits.stockQuantityMax).contains(entry.quantity) else {
                throw reject(.invalidField, "\(label): quantity \(entry.quantity) must be 1...\(POSLimits.stockQuantityMax)")
            }
            let line = lines[Int(entry.lineIndex)]
            let sum = covered[entry.lineIndex, default: 0] + entry.quantity
            guard sum <= line.quantity else {
                throw reject(.invalidField, "\(label): the lots of line \(entry.lineIndex + 1) (\(line.sku)) add up to \(sum), more than its \(line.quantity)")
            }
            covered[entry.lineIndex] = sum
            let lotKey = entry.gtin + "\u{0}" + entry.lot
            let known = try skus[lotKey] ?? state.lotRecord(gtin: entry.gtin, lot: entry.lot)?.sku
            guard known == nil || known == line.sku else {
                throw reject(.invalidField, "\(label): lot \(entry.lot) of GTIN \(entry.gtin) is SKU \(known!), not \(line.sku)")
            }
            skus[lotKey] = line.sku
        }
    }

    /// A sale may not sell a lot this outlet has recorded a recall of.
    func refuseRecalled(_ lots: [LotEntry], _ state: some StateReader) throws {
        for entry in lots {
            if let recall = try state.recallRecord(gtin: entry.gtin, lot: entry.lot) {
                throw reject(.lotRecalled, "lot \(entry.lot) of GTIN \(entry.gtin) is recalled (checkpoint \(recall.checkpoint)): \(recall.reason)")
            }
        }
    }

    /// *A lot moves*: the record (or a new one with this SKU and the entry's expiry) gets
    /// the deltas; an unknown expiry is learnt; every total stays within 0 … 10¹².
    /// `oneExpiry`: a stock receipt may not give a lot a second, different expiry.
    mutating func moveLot(_ entry: LotEntry, sku: String, received: Int64 = 0, transferredIn: Int64 = 0, transferredOut: Int64 = 0,
                          sold: Int64 = 0, oneExpiry: Bool = false, _ state: inout StateOverlay) throws {
        let existing = try state.lotRecord(gtin: entry.gtin, lot: entry.lot)
        var record = existing ?? LotRecord(sku: sku, expiryDay: entry.expiryDay)
        if oneExpiry, existing != nil, record.expiryDay != 0, entry.expiryDay != 0, entry.expiryDay != record.expiryDay {
            throw reject(.invalidField, "lot \(entry.lot) of GTIN \(entry.gtin) expires on day \(record.expiryDay), not \(entry.expiryDay): a lot has one expiry")
        }
        if record.expiryDay == 0 { record.expiryDay = entry.expiryDay }
        record.received += received
        record.transferredIn += transferredIn
        record.transferredOut += transferredOut
        record.sold += sold
        for total in [record.received, record.transferredIn, record.transferredOut, record.sold] {
            guard (0...LotRecord.totalMax).contains(total) else {
                throw reject(.invalidField, "lot \(entry.lot) of GTIN \(entry.gtin): a movement total would leave 0...\(LotRecord.totalMax)")
            }
        }
        state.store(record, at: .lot(gtin: entry.gtin, lot: entry.lot))
    }

    /// After a sale's other effects: its lots are sold, who bought them is kept per lot,
    /// and the entries are kept for a void. A training sale moves no lot.
    mutating func sellLots(_ sale: Sale, _ state: inout StateOverlay) throws {
        guard !sale.lots.isEmpty, !sale.training else { return }
        var bought: [String: (gtin: String, lot: String, quantity: Int64)] = [:]
        for entry in sale.lots {
            try moveLot(entry, sku: sale.lines[Int(entry.lineIndex)].sku, sold: entry.quantity, &state)
            bought[entry.gtin + "\u{0}" + entry.lot, default: (entry.gtin, entry.lot, 0)].quantity += entry.quantity
        }
        for (_, lot) in bought.sorted(by: { $0.key < $1.key }) {
            state.store(LotSaleRecord(till: signer.principal, receiptNumber: sale.receiptNumber, memberID: sale.memberID,
                                      quantity: lot.quantity, atMs: atMs),
                        at: .lotSale(gtin: lot.gtin, lot: lot.lot, sale: transactionID))
        }
        var encoder = CanonicalEncoder(capacity: 64 * sale.lots.count)
        writeLots(sale.lots, to: &encoder)
        state.put(.saleLots(transactionID), encoder.bytes)
    }

    /// A void gives the sale's lots back and forgets who bought them.
    mutating func voidLots(_ original: Hash256, _ state: inout StateOverlay) throws {
        guard let lots = try state.saleLots(original) else { return }
        for entry in lots {
            let sku = try state.lotRecord(gtin: entry.gtin, lot: entry.lot)?.sku ?? ""
            try moveLot(entry, sku: sku, sold: -entry.quantity, &state)
        }
        for entry in lots { state.put(.lotSale(gtin: entry.gtin, lot: entry.lot, sale: original), nil) }
        state.put(.saleLots(original), nil)
    }

    /// Records a recall a checkpoint carried: from here on this outlet's sales refuse the lot.
    mutating func applyRecall(_ body: ApplyRecall, _ state: inout StateOverlay) throws {
        try require([.node, .operator], "a recall")
        if let problem = body.recall.problem(genesis: genesis) { throw reject(.invalidField, "recall \(body.recall.id): \(problem)") }
        let recall = body.recall
        if let applied = try state.recallRecord(gtin: recall.gtin, lot: recall.lot) {
            throw reject(.lotAlreadyRecalled, "lot \(recall.lot) of GTIN \(recall.gtin) is already recalled here (recall \(applied.recallID), checkpoint \(applied.checkpoint))")
        }
        state.store(RecallRecord(recallID: recall.id, checkpoint: body.checkpoint, reason: recall.reason), at: .recall(gtin: recall.gtin, lot: recall.lot))
    }
}
