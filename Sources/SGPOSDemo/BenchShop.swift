import SGPOSChain
import SGPOSCrypto
import SGPOSCodec
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill

/// One outlet of a benchmark's generated chain (`sgpos bench --only reports`, `sgpos export
/// bench`): its writer (real signing and validation, durable appends), a till and a
/// manager, trading business days: shift open, five-line card sales in blocks, shift
/// close, day-close.
public struct BenchShop: Sendable {
    public let store: LedgerStore
    let writer: OutletChainWriter
    public let outlet: UInt32
    var till: TillSession
    var manager: TillSession
    /// Lot-tracked trading (`sgpos bench lots`): each day's delivery is a new lot of every
    /// SKU ("D<day>", GTIN ``gtin(_:)``) and each sale's first line is scanned with its lot;
    /// every tenth sale also sells a unit of SKU-0's lot ``hotLot``.
    public var lotted = false

    public static let dayMs: Int64 = 86_400_000
    /// 2025-01-01 10:00 Singapore.
    public static let startMs: Int64 = 1_735_696_800_000

    static let prices: [PriceEntry] = (0..<200).map { (index: Int) -> PriceEntry in
        let tax: TaxCategory = index % 40 == 0 ? .exempt : (index % 40 == 1 ? .zeroRated : .standardRated)
        return PriceEntry(sku: "SKU-\(index)", category: "cat-\(index % 12)", unitPrice: 99 + Int64(index) * 37, taxCategory: tax)
    }
    /// The GTIN of `SKU-<index>`: 0 95560 and the index in 7 digits, then the GS1 check digit.
    public static func gtin(_ index: Int) -> String {
        let body = "095560" + String(String(index + 10_000_000).dropFirst())
        let sum = body.enumerated().reduce(0) { $0 + ($1.element.wholeNumberValue ?? 0) * ($1.offset % 2 == 0 ? 3 : 1) }
        return body + String((10 - sum % 10) % 10)
    }

    static func lotName(day: Int) -> String { "D\(day)" }
    /// The lot of SKU-0 on every tenth sale of a lot-tracked set (never delivered: it only sells).
    public static let hotLot = "HOT"

    static let card = Payment.card(terminalID: "T1", approvalCode: "A1", rrn: "R1", maskedPAN: "411111******1111", scheme: "visa")

    /// A network of `outlets` outlets (chain id `chainID`) in a new store under `directory`.
    public static func network(outlets: Int, directory: String, chainID: String) throws -> (LedgerStore, [BenchShop]) {
        let admin = SigningKey.generate()
        let nodeKeys = (1...outlets).map { _ in SigningKey.generate() }
        let genesis = try Genesis(
            chainID: ChainID(chainID)!, genesisTimeMs: 0, blockTransactionsMax: 8_190, keyRotationOverlapMsMax: 0,
            gstPricesIncludeTax: true, gstMethod: .perInvoice, gstRates: [.init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "admin", publicKey: admin.publicKey)],
            outlets: (1...outlets).map { .init(id: UInt32($0), name: "outlet \($0)", nodeKey: nodeKeys[$0 - 1].publicKey) },
            validators: [])
        let store = try LedgerStore.create(dataDirectory: directory, genesis: genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        let shops = try (1...outlets).map {
            try BenchShop(store: store, genesis: genesis, admin: admin, nodeKey: nodeKeys[$0 - 1], outlet: UInt32($0))
        }
        return (store, shops)
    }

    public init(store: LedgerStore, genesis: Genesis, admin: SigningKey, nodeKey: SigningKey, outlet: UInt32) throws {
        self.store = store
        self.outlet = outlet
        writer = try OutletChainWriter(store: store, nodeKey: nodeKey, rules: POSRules.chainRules)
        let tillKey = SigningKey.generate()
        let managerKey = SigningKey.generate()
        var adminSession = TillSession(genesis: genesis, outlet: outlet, key: admin, principal: "admin", lastSequence: 0)
        let at = Self.startMs - Self.dayMs
        till = TillSession(genesis: genesis, outlet: outlet, key: tillKey, principal: "till-1", lastSequence: 0)
        manager = TillSession(genesis: genesis, outlet: outlet, key: managerKey, principal: "manager", lastSequence: 0)
        try append([
            adminSession.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "till-1")), atMs: at),
            adminSession.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "manager")), atMs: at),
        ], at: at)
        try append([manager.sign(.setPrices(SetPrices(entries: Self.prices)), atMs: at)], at: at)
    }

    /// One business day: shift open, `sales` sales in blocks of `blockSize`, shift close,
    /// day-close. Returns the transactions appended.
    @discardableResult
    public mutating func trade(day: Int, sales: Int, blockSize: Int = 1_000) throws -> Int {
        var at = Self.startMs + Int64(day) * Self.dayMs
        try openShift(at: at)
        var made = 0
        while made < sales {
            at += 1_000
            let batch = min(blockSize, sales - made)
            try sell(batch, day: day, at: at)
            made += batch
        }
        try closeDay(at: at + 1_000)
        return sales + 3
    }

    public mutating func openShift(at: Int64) throws {
        try append([till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: at)], at: at)
    }

    /// `count` five-line card sales in one block sealed at `at`; with `members` enrolled
    /// (the mixed day of the scale set), every third sale goes to one of them and every
    /// fourth is paid in cash. Returns their ids.
    @discardableResult
    public mutating func sell(_ count: Int, day: Int, at: Int64, members: Int = 0) throws -> [Hash256] {
        let signed = try store.environment.read { transaction -> [SignedTransaction] in
            let state = store.stateReader(outlet, transaction)
            // Sales of one block are priced against the state before it: numbered here.
            let last = try state.shift(outlet: outlet, till: "till-1")?.lastReceiptNumber ?? 0
            var signed: [SignedTransaction] = []
            signed.reserveCapacity(count)
            for index in 0..<count {
                let seed = Int(last) + index
                var lines = (0..<5).map { (position: Int) -> StockLine in
                    StockLine(sku: "SKU-\((seed * 5 + position * 13 + day) % 200)", quantity: 1 + Int64(position % 3))
                }
                let member = members > 0 && seed % 3 == 0 ? Self.memberID(outlet: outlet, seed / 3 % members) : ""
                var lots: [LotEntry] = []
                if lotted {
                    let first: Int = (seed * 5 + day) % 200
                    lots = [LotEntry(lineIndex: 0, gtin: Self.gtin(first), lot: Self.lotName(day: day), quantity: lines[0].quantity)]
                    if seed % 10 == 0 {
                        // One best-seller lot on every tenth sale, all year: the recall with the most customers.
                        lines.append(StockLine(sku: "SKU-0", quantity: 1))
                        lots.append(LotEntry(lineIndex: 5, gtin: Self.gtin(0), lot: Self.hotLot, quantity: 1))
                    }
                }
                var sale = try till.buildSale(lines, memberID: member, payment: members > 0 && seed % 4 == 1 ? .cash(tendered: nil) : Self.card,
                                              lots: lots, atMs: at, state: state)
                sale.receiptNumber = last + 1 + UInt64(index)
                signed.append(till.sign(.sale(sale), atMs: at))
            }
            return signed
        }
        try append(signed, at: at)
        return signed.map(\.id)
    }

    static func memberID(outlet: UInt32, _ index: Int) -> String { "M\(outlet)-\(index)" }

    /// Enrols `count` members (blocks of 1,000), for ``tradeMixed(day:sales:members:blockSize:)``.
    public mutating func enrol(members count: Int, at: Int64) throws {
        var next = 0
        while next < count {
            let batch = (next..<min(count, next + 1_000)).map {
                till.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: Self.memberID(outlet: outlet, $0))), atMs: at)
            }
            try append(batch, at: at)
            next += batch.count
        }
    }

    /// A business day with a shop's mix of bodies (the scale set of `sgpos bench scale`):
    /// shift open, a delivery of every SKU, `sales` five-line sales in blocks of
    /// `blockSize` (a third to members, a quarter in cash), and with each block after the
    /// first 2 % of the previous block's sales refunded (one unit of their first line, to
    /// card, restocked) and 0.5 % voided; shift close, day-close. Returns the sales made.
    @discardableResult
    public mutating func tradeMixed(day: Int, sales: Int, members: Int, blockSize: Int = 1_000) throws -> Int {
        var at = Self.startMs + Int64(day) * Self.dayMs
        try openShift(at: at)
        let expiry = CivilTime.days(from: CivilTime.singaporeDate(epochMs: at)) + 30
        let receive = try StockBuilder(outlet: outlet).buildReceive(
            reference: "DO-\(day)", lines: Self.prices.map { StockLine(sku: $0.sku, quantity: 100) },
            lots: lotted ? Self.prices.indices.map {
                LotEntry(lineIndex: UInt32($0), gtin: Self.gtin($0), lot: Self.lotName(day: day), expiryDay: expiry, quantity: 100)
            } : [])
        try append([manager.sign(.stockReceive(receive), atMs: at)], at: at)
        var made = 0
        var previous: [Hash256] = []
        while made < sales {
            at += 1_000
            let batch = min(blockSize, sales - made)
            // Refunds and voids of the previous block's sales, in a block of their own (a
            // refund prices from the sale's record, so the sale must be committed): of the
            // day's sales, numbers 1, 51, 101, … are refunded and 7, 207, … voided, whatever
            // the block size.
            let first = made - previous.count
            let refunded = previous.indices.filter { (first + $0) % 50 == 1 }
            let voided = previous.indices.filter { (first + $0) % 200 == 7 }
            if !refunded.isEmpty || !voided.isEmpty {
                let refunds = try store.environment.read { transaction -> [SignedTransaction] in
                    let state = store.stateReader(outlet, transaction)
                    // Numbered here, like the sales of a block (priced against the state before it).
                    let last = try state.shift(outlet: outlet, till: "till-1")?.lastCreditNoteNumber ?? 0
                    return try refunded.enumerated().map { number, index in
                        var refund = try till.buildRefund(of: previous[index], units: [(line: 0, quantity: 1)], reason: "customer return",
                                                          restock: true, refundTender: Self.card, state: state)
                        refund.creditNoteNumber = last + 1 + UInt64(number)
                        return till.sign(.refund(refund), atMs: at)
                    }
                }
                let voids = voided.map {
                    till.sign(.void(SaleVoid(originalSale: previous[$0], reason: "rung up twice")), atMs: at)
                }
                try append(refunds + voids, at: at)
            }
            previous = try sell(batch, day: day, at: at, members: members)
            made += batch
        }
        try closeDay(at: at + 1_000)
        return made
    }

    /// Shift close and the day-close (Z) of the open period.
    public mutating func closeDay(at: Int64) throws {
        // The drawer counted as expected (float plus cash sales less cash refunds).
        let close = try store.environment.read { transaction -> ShiftClose in
            let state = store.stateReader(outlet, transaction)
            let expected = try state.shift(outlet: outlet, till: "till-1")?.expectedCash ?? 10_000
            return try till.buildShiftClose(counted: expected, state: state)
        }
        try append([till.sign(.shiftClose(close), atMs: at)], at: at)
        let period = try store.environment.read { try store.stateReader(outlet, $0).outletBooks(outlet) }
        let date = CivilTime.singaporeDate(epochMs: at).description
        try append([manager.sign(.dayClose(DayClose(zNumber: period.lastZNumber + 1, businessDate: date, totals: period.period)), atMs: at)],
                   at: at)
    }

    private func append(_ transactions: [SignedTransaction], at: Int64) throws {
        for outcome in try writer.append(transactions, timestampMs: TimestampMs(at)) {
            guard case .committed = outcome else { throw BenchError("bench: a transaction was not committed: \(outcome)") }
        }
    }
}
