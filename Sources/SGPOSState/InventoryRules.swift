import SGPOSChain
import SGPOSCodec
import SGPOSRetail

extension POSTransition {
    mutating func setPrices(_ body: SetPrices, _ state: inout StateOverlay) throws {
        try require([.operator, .admin], "a price-list update")
        guard !body.entries.isEmpty else { throw reject(.invalidField, "a price-list update needs at least one entry") }
        var seen = Set<String>()
        for (index, entry) in body.entries.enumerated() {
            var label: String { "price entry \(index + 1)" }  // built only for a message
            try requireText(entry.sku, "\(label) sku", max: POSLimits.skuBytesMax)
            try requireText(entry.category, "\(label) (\(entry.sku)) category", max: POSLimits.categoryBytesMax, allowEmpty: true)
            guard seen.insert(entry.sku).inserted else { throw reject(.invalidField, "\(label): SKU \(entry.sku) appears twice") }
            guard (0...100_000_000).contains(entry.unitPrice) else {
                throw reject(.invalidField, "\(label) (\(entry.sku)): unit price \(entry.unitPrice) cents must be 0...100000000")
            }
            state.store(PriceRecord(category: entry.category, unitPrice: entry.unitPrice,
                                    priceIncludesGST: entry.priceIncludesGST, taxCategory: entry.taxCategory,
                                    active: entry.active),
                        at: .price(outlet: outlet, sku: entry.sku))
        }
    }

    mutating func configure(_ settings: RetailSettings, _ state: inout StateOverlay) throws {
        try require([.admin], "retail settings")
        try requirePositive(settings.pointValueCents, "point value (cents)", max: 10_000)
        guard (0...1_000).contains(settings.pointsPerDollar) else {
            throw reject(.invalidField, "points per dollar must be 0...1000")
        }
        try requirePositive(settings.pointsExpiryMonths, "points expiry (months)", max: 60)
        state.store(settings, at: .retailSettings)
    }

    mutating func stockReceive(_ body: StockReceive, _ state: inout StateOverlay) throws {
        try require([.operator, .till], "a stock receipt")
        try requireText(body.reference, "delivery reference", max: POSLimits.referenceBytesMax)
        try checkStockLines(body.lines, state)
        if let invoice = body.invoice {
            try requireText(invoice.supplier, "supplier", max: POSLimits.supplierBytesMax)
            var value: Int64 = 0
            for (line, cost) in zip(body.lines, invoice.unitCosts) {
                guard (0...POSLimits.unitCostMax).contains(cost) else {
                    throw reject(.invalidField, "\(line.sku): unit cost \(cost) cents must be 0...\(POSLimits.unitCostMax)")
                }
                value += cost * line.quantity  // ≤ 10⁸ × 10⁷ × 1000 lines: no overflow
            }
            guard value <= Money.limitCents, (0...Money.limitCents).contains(invoice.inputGST) else {
                throw reject(.invalidField, "the invoice value \(value) and input GST \(invoice.inputGST) cents must be 0...\(Money.limitCents)")
            }
        }
        try checkLots(body.lots, lines: body.lines, state)
        for line in body.lines { try changeStock(line.sku, by: line.quantity, &state) }
        for entry in body.lots {
            try moveLot(entry, sku: body.lines[Int(entry.lineIndex)].sku, received: entry.quantity, oneExpiry: true, &state)
        }
    }

    mutating func stockAdjust(_ body: StockAdjust, _ state: inout StateOverlay) throws {
        try require([.operator], "a stock adjustment")
        try requireListed(body.sku, state)
        guard body.delta != 0, body.delta.magnitude <= UInt64(POSLimits.stockQuantityMax) else {
            throw reject(.invalidField, "adjustment of \(body.sku) must be non-zero and within ±\(POSLimits.stockQuantityMax)")
        }
        try requireText(body.note, "adjustment note", max: POSLimits.reasonBytesMax, allowEmpty: true)
        try changeStock(body.sku, by: body.delta, &state)
    }

    mutating func stockCount(_ body: StockCount, _ state: inout StateOverlay) throws {
        try require([.operator], "a stocktake")
        guard !body.lines.isEmpty else { throw reject(.invalidField, "a stocktake needs at least one line") }
        var seen = Set<String>()
        for (index, line) in body.lines.enumerated() {
            var label: String { "count line \(index + 1) (\(line.sku))" }  // built only for a message
            try requireListed(line.sku, state)
            guard seen.insert(line.sku).inserted else { throw reject(.invalidField, "\(label): SKU counted twice") }
            guard (0...POSLimits.stockQuantityMax).contains(line.counted) else {
                throw reject(.invalidField, "\(label): counted \(line.counted) must be 0...\(POSLimits.stockQuantityMax)")
            }
            let book = try state.stockOnHand(outlet: outlet, sku: line.sku)
            guard line.expected == book, line.variance == line.counted - book else {
                throw reject(.stockCountMismatch, "\(label): recorded book \(line.expected) variance \(line.variance); the books say \(book), so the variance is \(line.counted - book)")
            }
            state.store(StockRecord(onHand: line.counted), at: .stock(outlet: outlet, sku: line.sku))
        }
    }

    /// One half of an inter-outlet transfer. Where the state holds the other half (the
    /// global state, issue 5) the two must name each other and carry the same lines.
    mutating func transfer(_ body: StockTransfer, outgoing: Bool, _ state: inout StateOverlay) throws {
        try require([.operator], outgoing ? "a transfer-out" : "a transfer-in")
        guard body.counterpart != outlet, body.counterpart != 0 else {
            throw reject(.invalidField, "a transfer names another outlet, not \(body.counterpart)")
        }
        try checkStockLines(body.lines, state)
        guard try state.read(.transfer(body.transferID, outgoing: outgoing)) == nil else {
            throw reject(.transferMismatch, "transfer \(body.transferID) already has its \(outgoing ? "out" : "in") half")
        }
        if let other = try state.record(TransferRecord.self, .transfer(body.transferID, outgoing: !outgoing)) {
            guard other.outlet == body.counterpart, other.counterpart == outlet, other.lines == body.lines, other.lots == body.lots else {
                throw reject(.transferMismatch, "transfer \(body.transferID): the other half (outlet \(other.outlet) → \(other.counterpart)) carries different outlets or lines")
            }
        }
        try checkLots(body.lots, lines: body.lines, state)
        for line in body.lines { try changeStock(line.sku, by: outgoing ? -line.quantity : line.quantity, &state) }
        for entry in body.lots {
            let sku = body.lines[Int(entry.lineIndex)].sku
            try moveLot(entry, sku: sku, transferredIn: outgoing ? 0 : entry.quantity, transferredOut: outgoing ? entry.quantity : 0, &state)
        }
        state.store(TransferRecord(outlet: outlet, counterpart: body.counterpart, lines: body.lines, lots: body.lots),
                    at: .transfer(body.transferID, outgoing: outgoing))
    }

    private func checkStockLines(_ lines: [StockLine], _ state: some StateReader) throws {
        guard !lines.isEmpty else { throw reject(.invalidField, "at least one stock line is needed") }
        var seen = Set<String>()
        for (index, line) in lines.enumerated() {
            try requireListed(line.sku, state)
            guard seen.insert(line.sku).inserted else {
                throw reject(.invalidField, "stock line \(index + 1): SKU \(line.sku) appears twice")
            }
            guard (1...POSLimits.stockQuantityMax).contains(line.quantity) else {
                throw reject(.invalidField, "stock line \(index + 1) (\(line.sku)): quantity \(line.quantity) must be 1...\(POSLimits.stockQuantityMax)")
            }
        }
    }
}
