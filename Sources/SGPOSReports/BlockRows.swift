import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// One column value of the mirror: integers (cents, counts, ids), text, booleans, or NULL.
public enum ExportValue: Hashable, Sendable {
    case int(Int64)
    case text(String)
    case bool(Bool)
    case null
}

/// The rows one block adds to the mirror, by table, in the tables' column order
/// (docs/EXPORT.md). Pure: the same block and period always give the same rows.
public struct BlockRows: Sendable {
    public static let columns: [String: [String]] = [
        "blocks": ["outlet_id", "height", "block_id", "time_ms", "transactions"],
        "transactions": ["tx_id", "outlet_id", "height", "index_in_block", "body_type", "kind", "signer", "principal", "time_ms", "period"],
        "sales": ["tx_id", "outlet_id", "receipt_number", "training", "member_id", "gst_basis_points", "subtotal", "discount", "gst",
                  "total", "rounding", "points_redeemed", "points_earned", "rule_reward_points", "rule_tier"],
        "rule_counter_moves": ["tx_id", "seq", "rule", "counter", "member_id", "by"],
        "rule_skips": ["tx_id", "seq", "rule", "reason"],
        "sale_lines": ["tx_id", "line_no", "sku", "category", "tax_category", "quantity", "unit_price", "price_includes_gst", "discount",
                       "discount_rules", "net", "gst", "paid"],
        "tenders": ["tx_id", "seq", "kind", "amount", "reference"],
        "refunds": ["tx_id", "outlet_id", "original_tx_id", "credit_note_number", "reason", "restock", "gst_basis_points", "amount",
                    "gst", "points_reversed"],
        "refund_lines": ["tx_id", "seq", "line_no", "quantity", "amount", "gst"],
        "refund_adjustments": ["tx_id", "line_no", "amount", "gst"],
        "voids": ["tx_id", "outlet_id", "original_tx_id", "reason"],
        "z_reports": ["tx_id", "outlet_id", "z_number", "business_date", "sales_count", "sales_total", "refunds_count", "refunds_total",
                      "voids_count", "voids_total", "gst"],
        "stock_movements": ["tx_id", "seq", "outlet_id", "sku", "kind", "change", "unit_cost", "reference"],
        "stock_receipts": ["tx_id", "outlet_id", "reference", "supplier", "cost", "input_gst"],
        "loyalty_events": ["tx_id", "outlet_id", "member_id", "kind", "points", "reason"],
        "gift_card_loads": ["tx_id", "outlet_id", "card_hash", "member_id", "amount"],
        "lot_movements": ["tx_id", "seq", "outlet_id", "gtin", "lot", "sku", "kind", "change", "expiry_day"],
        "recalls": ["tx_id", "outlet_id", "recall_id", "checkpoint", "gtin", "lot", "reason"],
        "shift_events": ["tx_id", "outlet_id", "principal", "kind", "amount", "expected", "reason"],
    ]
    /// Insertion order (every table the rows may fill).
    public static let tables = ["blocks", "transactions", "sales", "rule_counter_moves", "rule_skips", "sale_lines", "tenders", "refunds", "refund_lines", "refund_adjustments", "voids",
                                "z_reports", "stock_movements", "stock_receipts", "lot_movements", "loyalty_events", "gift_card_loads", "recalls",
                                "shift_events"]

    public private(set) var rows: [String: [[ExportValue]]] = [:]
    /// The period (Z number) the block's next transaction falls in, after the block.
    public private(set) var period: UInt64

    /// The rows of `block` of `outlet`, whose first transaction falls in `period`;
    /// `principal` names a signing key (the registry's principal, or the key in hex) and
    /// `sale` finds the sale a refund or void refers to (for the stock it puts back).
    public init(block: Block, outlet: OutletID, period: UInt64, principal: (PublicKey) throws -> String,
                sale: (Hash256) throws -> Sale) throws {
        self.period = period
        let height = Int64(block.header.height)
        let time = Int64(block.header.timestampMs)
        add("blocks", [.int(Int64(outlet)), .int(height), .text(block.header.id.hex), .int(time), .int(Int64(block.transactions.count))])
        for (index, signed) in block.transactions.enumerated() {
            let id = signed.id.hex
            let signer = signed.envelope.signer
            let who = try principal(signer)
            var type: UInt16 = 0
            var kind = "registry"
            var body: POSBody?
            if case .application(let code, let payload) = signed.envelope.body {
                type = code
                kind = POSBodyType.name(code)
                body = try POSBody.decode(type: code, payload: payload)
            }
            add("transactions", [.text(id), .int(Int64(outlet)), .int(height), .int(Int64(index)), .int(Int64(type)), .text(kind),
                                 .text(signer.hex), .text(who), .int(Int64(signed.envelope.timestampMs)), .int(Int64(self.period))])
            guard let body else { continue }
            try add(body, id: id, outlet: Int64(outlet), principal: who, sale: sale)
        }
    }

    private mutating func add(_ table: String, _ row: [ExportValue]) {
        assert(row.count == BlockRows.columns[table]?.count, "\(table): one value per column")
        rows[table, default: []].append(row)
    }

    private mutating func add(_ body: POSBody, id: String, outlet: Int64, principal: String, sale original: (Hash256) throws -> Sale) throws {
        switch body {
        case .sale(let sale):
            add("sales", [.text(id), .int(outlet), .int(Int64(sale.receiptNumber)), .bool(sale.training), .text(sale.memberID),
                          .int(Int64(sale.gstBasisPoints)), .int(sale.subtotal), .int(sale.discount), .int(sale.gst), .int(sale.total),
                          .int(sale.rounding), .int(sale.pointsRedeemed), .int(sale.pointsEarned),
                          .int(sale.ruleRecord?.rewardPoints ?? 0), .int(Int64(sale.ruleRecord?.tier ?? 0))])
            for (seq, move) in (sale.ruleRecord?.counters ?? []).enumerated() {
                add("rule_counter_moves", [.text(id), .int(Int64(seq + 1)), .text(move.rule), .text(move.counter), .text(move.member),
                                           .int(move.by)])
            }
            for (seq, skipped) in sale.skipped.enumerated() {
                add("rule_skips", [.text(id), .int(Int64(seq + 1)), .text(skipped.rule), .text(skipped.reason)])
            }
            for (number, line) in sale.lines.enumerated() {
                let discount = line.discounts.reduce(0) { $0 + $1.amount }
                add("sale_lines", [.text(id), .int(Int64(number + 1)), .text(line.sku), .text(line.category), .text(line.taxCategory.code),
                                   .int(line.quantity), .int(line.unitPrice), .bool(line.priceIncludesGST), .int(discount),
                                   .text(line.discounts.map { "\($0.rule)=\($0.amount)" }.joined(separator: ";")), .int(line.net),
                                   .int(line.gst), .int(line.paid)])
            }
            tenders(sale.tenders, id: id, sign: 1)
            if !sale.training {
                for (seq, line) in sale.lines.enumerated() { movement(id, seq, outlet, line.sku, "sale", -line.quantity, nil, "") }
                lotMovements(sale.lots, lines: sale.lines.map(\.sku), id: id, outlet: outlet, kind: "sale", sign: -1)
            }
        case .refund(let refund):
            add("refunds", [.text(id), .int(outlet), .text(refund.originalSale.hex), .int(Int64(refund.creditNoteNumber)), .text(refund.reason),
                            .bool(refund.restock), .int(Int64(refund.gstBasisPoints)), .int(refund.amount), .int(refund.gst),
                            .int(refund.pointsReversed)])
            for (seq, line) in refund.lines.enumerated() {
                add("refund_lines", [.text(id), .int(Int64(seq + 1)), .int(Int64(line.lineIndex) + 1), .int(line.quantity), .int(line.amount),
                                     .int(line.gst)])
            }
            for adjustment in refund.adjustments {
                add("refund_adjustments", [.text(id), .int(Int64(adjustment.lineIndex) + 1), .int(adjustment.amount), .int(adjustment.gst)])
            }
            tenders(refund.tenders, id: id, sign: -1)
            if refund.restock {
                let sold = try original(refund.originalSale)
                for (seq, line) in refund.lines.enumerated() where Int(line.lineIndex) < sold.lines.count {
                    movement(id, seq, outlet, sold.lines[Int(line.lineIndex)].sku, "refund", line.quantity, nil, "")
                }
            }
        case .void(let void):
            add("voids", [.text(id), .int(outlet), .text(void.originalSale.hex), .text(void.reason)])
            let sold = try original(void.originalSale)
            for (seq, line) in sold.lines.enumerated() {
                movement(id, seq, outlet, line.sku, "void", line.quantity, nil, "")
            }
            lotMovements(sold.lots, lines: sold.lines.map(\.sku), id: id, outlet: outlet, kind: "void", sign: 1)
        case .dayClose(let close):
            let totals = close.totals
            add("z_reports", [.text(id), .int(outlet), .int(Int64(close.zNumber)), .text(close.businessDate), .int(totals.salesCount),
                              .int(totals.salesTotal), .int(totals.refundsCount), .int(totals.refundsTotal), .int(totals.voidsCount),
                              .int(totals.voidsTotal), .int(totals.gstByRate.reduce(0) { $0 + $1.gst })])
            period += 1
        case .stockReceive(let receive):
            let cost = receive.invoice.map { invoice in zip(receive.lines, invoice.unitCosts).reduce(0) { $0 + $1.0.quantity * $1.1 } }
            add("stock_receipts", [.text(id), .int(outlet), .text(receive.reference), .text(receive.invoice?.supplier ?? ""),
                                   cost.map { .int($0) } ?? .null, receive.invoice.map { .int($0.inputGST) } ?? .null])
            for (seq, line) in receive.lines.enumerated() {
                let cost = receive.invoice.map { ExportValue.int($0.unitCosts[seq]) } ?? .null
                movement(id, seq, outlet, line.sku, "receipt", line.quantity, cost, receive.reference)
            }
            lotMovements(receive.lots, lines: receive.lines.map(\.sku), id: id, outlet: outlet, kind: "receipt", sign: 1)
        case .stockAdjust(let adjust):
            movement(id, 0, outlet, adjust.sku, "adjustment", adjust.delta, nil, adjust.note)
        case .stockCount(let count):
            for (seq, line) in count.lines.enumerated() { movement(id, seq, outlet, line.sku, "count", line.variance, nil, "") }
        case .transferOut(let transfer):
            for (seq, line) in transfer.lines.enumerated() {
                movement(id, seq, outlet, line.sku, "transfer-out", -line.quantity, nil, Hex.encode(transfer.transferID.bytes))
            }
            lotMovements(transfer.lots, lines: transfer.lines.map(\.sku), id: id, outlet: outlet, kind: "transfer-out", sign: -1)
        case .transferIn(let transfer):
            for (seq, line) in transfer.lines.enumerated() {
                movement(id, seq, outlet, line.sku, "transfer-in", line.quantity, nil, Hex.encode(transfer.transferID.bytes))
            }
            lotMovements(transfer.lots, lines: transfer.lines.map(\.sku), id: id, outlet: outlet, kind: "transfer-in", sign: 1)
        case .loyaltyEnrol(let enrol):
            add("loyalty_events", [.text(id), .int(outlet), .text(enrol.memberID), .text("enrol"), .int(0), .text("")])
        case .loyaltyAdjust(let adjust):
            add("loyalty_events", [.text(id), .int(outlet), .text(adjust.memberID), .text("adjust"), .int(adjust.delta), .text(adjust.reason)])
        case .pointsClaim(let claim):
            add("loyalty_events", [.text(id), .int(outlet), .text(claim.memberID), .text("claim"), .int(claim.points),
                                   .text("from outlet \(claim.source)")])
        case .pointsSettle(let settle):
            add("loyalty_events", [.text(id), .int(outlet), .text(settle.memberID), .text("settle"), .int(-settle.debited),
                                   .text("claim of outlet \(settle.claimant)")])
        case .shiftOpen(let open):
            add("shift_events", [.text(id), .int(outlet), .text(principal), .text("open"), .int(open.float), .null, .text("")])
        case .cashIn(let movement):
            add("shift_events", [.text(id), .int(outlet), .text(principal), .text("cash-in"), .int(movement.amount), .null, .text(movement.reason)])
        case .cashOut(let movement):
            add("shift_events", [.text(id), .int(outlet), .text(principal), .text("cash-out"), .int(movement.amount), .null, .text(movement.reason)])
        case .shiftClose(let close):
            add("shift_events", [.text(id), .int(outlet), .text(principal), .text("close"), .int(close.counted), .int(close.expected), .text("")])
        case .drawerOpen(let open):
            add("shift_events", [.text(id), .int(outlet), .text(principal), .text("drawer-open"), .null, .null, .text(open.reason)])
        case .giftCardLoad(let load):
            add("gift_card_loads", [.text(id), .int(outlet), .text(load.cardHash.hex), .text(load.memberID), .int(load.amount)])
        case .applyRecall(let apply):
            let recall = apply.recall
            add("recalls", [.text(id), .int(outlet), .text(recall.id.hex), .int(Int64(apply.checkpoint)), .text(recall.gtin), .text(recall.lot),
                            .text(recall.reason)])
        case .setPrices, .configure, .deployRule, .setPointRates, .setMemberMultiplier, .issueCoupons:
            return  // settings: the transaction row records them
        }
    }

    private mutating func tenders(_ tenders: [Tender], id: String, sign: Int64) {
        for (seq, tender) in tenders.enumerated() {
            var reference = ""
            switch tender {
            case .nets(let card), .card(let card): reference = "\(card.scheme) \(card.maskedPAN) \(card.approvalCode)"
            case .payNow(_, _, let bill, _): reference = bill
            case .voucher(let voucher, _): reference = voucher
            case .points(let points, _): reference = "\(points) points"
            case .cash: reference = ""
            }
            add("tenders", [.text(id), .int(Int64(seq + 1)), .text(tender.kind.name), .int(sign * tender.amount), .text(reference)])
        }
    }

    /// One row per lot entry (FORMAT.md §13.6): units of a lot received, moved, sold or given back.
    private mutating func lotMovements(_ lots: [LotEntry], lines skus: [String], id: String, outlet: Int64, kind: String, sign: Int64) {
        for (seq, entry) in lots.enumerated() where Int(entry.lineIndex) < skus.count {
            add("lot_movements", [.text(id), .int(Int64(seq + 1)), .int(outlet), .text(entry.gtin), .text(entry.lot), .text(skus[Int(entry.lineIndex)]),
                                  .text(kind), .int(sign * entry.quantity), entry.expiryDay == 0 ? .null : .int(entry.expiryDay)])
        }
    }

    private mutating func movement(_ id: String, _ seq: Int, _ outlet: Int64, _ sku: String, _ kind: String, _ change: Int64,
                                   _ cost: ExportValue?, _ reference: String) {
        add("stock_movements", [.text(id), .int(Int64(seq + 1)), .int(outlet), .text(sku), .text(kind), .int(change), cost ?? .null,
                                .text(reference)])
    }
}
