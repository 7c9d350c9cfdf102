import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill

/// The retail day of one demo outlet: price list, stock, members, shifts, sales with
/// every tender kind, refunds, a void, shift closes and the Z-report, all signed by the
/// outlet's tills and manager and appended through the real writer.
struct DemoShop {
    let outlet: DemoOutlet
    var tills: [TillSession]
    var manager: TillSession
    var random: SplitMix
    /// Committed sales: (transaction, sale, till index).
    var sales: [(SignedTransaction, Sale, Int)] = []
    var refunds = 0
    var voids = 0

    static let catalogue: [PriceEntry] = [
        PriceEntry(sku: "MILK-1L", category: "dairy", unitPrice: 365),
        PriceEntry(sku: "BREAD-WHITE", category: "bakery", unitPrice: 289),
        PriceEntry(sku: "EGGS-10", category: "dairy", unitPrice: 395),
        PriceEntry(sku: "RICE-5KG", category: "staples", unitPrice: 1_390),
        PriceEntry(sku: "KAYA-JAR", category: "spreads", unitPrice: 545),
        PriceEntry(sku: "KOPI-O-PACK", category: "beverages", unitPrice: 725),
        PriceEntry(sku: "MILO-1KG", category: "beverages", unitPrice: 1_295),
        PriceEntry(sku: "CHIPS-150G", category: "snacks", unitPrice: 105),
        PriceEntry(sku: "TISSUE-10", category: "household", unitPrice: 899),
        PriceEntry(sku: "DETERGENT-3L", category: "household", unitPrice: 1_650),
        PriceEntry(sku: "PEN-BLUE", category: "stationery", unitPrice: 99),
        PriceEntry(sku: "UMBRELLA", category: "accessories", unitPrice: 1_990),
        PriceEntry(sku: "RICE-COOKER", category: "appliances", unitPrice: 8_900),
        PriceEntry(sku: "AIR-FRYER", category: "appliances", unitPrice: 15_900),
        PriceEntry(sku: "TV-55-4K", category: "electronics", unitPrice: 129_900),
        PriceEntry(sku: "HEADPHONES", category: "electronics", unitPrice: 24_900),
    ]

    static let merchant = Merchant(legalName: "SGPOS Demo Retail Pte Ltd",
                                   addressLines: ["1 Demo Street #01-01", "Singapore 000001"],
                                   gstRegistrationNumber: "M9-0000001-D")

    init(outlet: DemoOutlet, tillKeys: [SigningKey]) throws {
        self.outlet = outlet
        let (tills, manager) = try outlet.store.environment.read { transaction in
            let state = outlet.store.stateReader(outlet.outletID, transaction)
            let tills = try tillKeys.map {
                try TillSession.resume(genesis: outlet.network.genesis, outlet: outlet.outletID, key: $0, state: state)
            }
            let manager = try TillSession.resume(genesis: outlet.network.genesis, outlet: outlet.outletID,
                                                 key: outlet.manager, state: state)
            return (tills, manager)
        }
        self.tills = tills
        self.manager = manager
        random = SplitMix(seed: UInt64(outlet.outletID))
    }

    /// Builds transactions against the provisional state and appends them as one block.
    mutating func block(_ build: (inout DemoShop, StateOverlay<StoredState>) throws -> SignedTransaction?,
                        count: Int) throws -> [(SignedTransaction, AppendOutcome)] {
        let committed = try buildAndAppend(store: outlet.store, writer: outlet.writer, count: count) { state in
            try build(&self, state)
        }
        for (transaction, outcome) in committed {
            guard case .committed = outcome else {
                throw CLIError("outlet \(outlet.outletID): transaction \(transaction.id) was not committed: \(render(outcome))")
            }
        }
        return committed
    }

    /// Price list, opening stock, members and open shifts.
    mutating func open(members: Int) throws {
        let now = Int64(wallClockMs())
        var setup: [POSBody] = [.setPrices(SetPrices(entries: DemoShop.catalogue))]
        setup.append(.stockReceive(StockReceive(reference: "DO-OPENING", lines: DemoShop.catalogue.map {
            StockLine(sku: $0.sku, quantity: $0.unitPrice > 10_000 ? 20 : 500)
        })))
        var queue = setup.map { manager.sign($0, atMs: now) }
        for index in 0..<members {
            queue.append(tills[index % tills.count].sign(.loyaltyEnrol(LoyaltyEnrol(memberID: memberID(index))), atMs: now))
        }
        queue.append(manager.sign(.loyaltyAdjust(LoyaltyAdjust(memberID: memberID(0), delta: 2_000, reason: "welcome bonus")), atMs: now))
        for index in tills.indices { queue.append(tills[index].sign(.shiftOpen(ShiftOpen(float: 20_000)), atMs: now)) }
        var pending = queue[...]
        _ = try block({ _, _ in pending.popFirst() }, count: queue.count)
    }

    func memberID(_ index: Int) -> String { String(format: "M%02d-%04d", outlet.outletID, index + 1) }

    /// One block of mixed activity: mostly sales, some refunds; returns the block's transactions.
    mutating func trade(count: Int, members: Int) throws -> Int {
        let committed = try block({ shop, state in try shop.nextActivity(state, members: members) }, count: count)
        for (transaction, _) in committed {
            guard case .application(let type, let payload) = transaction.envelope.body, type == POSBodyType.sale,
                case .sale(let sale) = try POSBody.decode(type: type, payload: payload)
            else { continue }
            let till = tills.firstIndex { $0.key.publicKey == transaction.envelope.signer } ?? 0
            sales.append((transaction, sale, till))
        }
        return committed.count
    }

    private mutating func nextActivity(_ state: StateOverlay<StoredState>, members: Int) throws -> SignedTransaction {
        let now = Int64(wallClockMs())
        let till = Int(random.next() % UInt64(tills.count))
        let roll = random.next() % 100
        if roll < 4, let (original, sale, _) = sales.randomElement(using: &random),
            let record = try state.saleRecord(original.id), !record.voided {
            let line = Int(random.next() % UInt64(sale.lines.count))
            let left = record.lines[line].quantity - record.lines[line].refundedQuantity
            if left > 0 {
                let refundTender: Payment = sale.tenders.contains { $0.kind == .cash } ? .cash(tendered: nil) : DemoShop.cardReply
                let refund = try tills[till].buildRefund(
                    of: original.id, units: [(UInt32(line), 1)], reason: "customer return", restock: true,
                    refundTender: refundTender, state: state)
                if refund.tenders.allSatisfy({ $0.kind != .cash || $0.amount <= (try? state.shift(outlet: outlet.outletID, till: tills[till].principal)?.expectedCash) ?? 0 }) {
                    refunds += 1
                    return tills[till].sign(.refund(refund), atMs: now)
                }
            }
        }
        let lineCount = 1 + Int(random.next() % 5)
        var lines: [StockLine] = []
        for _ in 0..<lineCount {
            let item = DemoShop.catalogue[Int(random.next() % UInt64(DemoShop.catalogue.count - (random.next() % 20 == 0 ? 0 : 4)))]
            if lines.contains(where: { $0.sku == item.sku }) { continue }
            lines.append(StockLine(sku: item.sku, quantity: 1 + Int64(random.next() % 3)))
        }
        let isMember = random.next() % 2 == 0
        let member = isMember ? memberID(Int(random.next() % UInt64(members))) : ""
        var redeem: Int64 = 0
        if isMember, random.next() % 5 == 0, let account = try state.memberAccount(member), account.balance >= 100 {
            // Points worth at most what there is to pay (a point is worth a cent by default).
            let total = try tills[till].quote(lines, memberID: member, atMs: now, state: state).quote.total.cents
            redeem = min(account.balance, 100 * Int64(1 + random.next() % 5), total / max(1, try state.retailSettings().pointValueCents))
        }
        let payments: [Payment] = [.cash(tendered: nil), .cash(tendered: 5_000), DemoShop.cardReply,
                                   .nets(terminalID: "NETS0001", approvalCode: "004217", rrn: "000000004217", maskedPAN: "************5678"),
                                   .payNow(payloadHash: Hash256.sha256(Array("paynow".utf8)), billReference: "B\(now % 1_000_000)",
                                           confirmationSource: "dbs-notification")]
        var payment = payments[Int(random.next() % UInt64(payments.count))]
        let quote = try tills[till].quote(lines, memberID: member, redeemPoints: redeem, atMs: now, state: state)
        if case .cash(let tendered?) = payment, tendered < quote.quote.amountDue.cents + 2 { payment = .cash(tendered: nil) }
        let sale = try tills[till].buildSale(lines, memberID: member, redeemPoints: redeem, payment: payment, atMs: now, state: state)
        return tills[till].sign(.sale(sale), atMs: now)
    }

    static let cardReply = Payment.card(terminalID: "VISA0001", approvalCode: "A1B2C3", rrn: "431512345678",
                                        maskedPAN: "411111******1111", scheme: "visa")

    /// Voids the last sale of till 0 (a cashier's mistake caught at once).
    mutating func voidLastSale() throws {
        guard let index = sales.lastIndex(where: { $0.2 == 0 }) else { return }
        let original = sales[index].0
        let now = Int64(wallClockMs())
        var queue = [tills[0].sign(.void(SaleVoid(originalSale: original.id, reason: "rang up the wrong items")), atMs: now)]
        _ = try block({ _, _ in queue.popLast() }, count: 1)
        voids += 1
    }

    /// Closes every shift (one till is 10 cents short) and the day; returns the Z-report.
    mutating func close() throws -> PeriodTotals {
        let now = Int64(wallClockMs())
        var queue: [SignedTransaction] = []
        try outlet.store.environment.read { transaction in
            let state = outlet.store.stateReader(outlet.outletID, transaction)
            for index in tills.indices {
                let expected = try state.shift(outlet: outlet.outletID, till: tills[index].principal)!.expectedCash
                let close = try tills[index].buildShiftClose(counted: expected - (index == 0 ? 10 : 0), state: state)
                queue.append(tills[index].sign(.shiftClose(close), atMs: now))
            }
        }
        var pending = queue[...]
        _ = try block({ _, _ in pending.popFirst() }, count: queue.count)
        let (books, date) = try outlet.store.environment.read { transaction in
            (try outlet.store.stateReader(outlet.outletID, transaction).outletBooks(outlet.outletID),
             CivilTime.singaporeDate(epochMs: now).description)
        }
        var z = [manager.sign(.dayClose(DayClose(zNumber: books.lastZNumber + 1, businessDate: date, totals: books.period)), atMs: now)]
        _ = try block({ _, _ in z.popLast() }, count: 1)
        return books.period
    }
}

/// Builds up to `count` transactions one by one against the state as it will be once
/// the earlier ones apply (the till's provisional view), then appends them as one block.
func buildAndAppend(
    store: LedgerStore, writer: OutletChainWriter, count: Int,
    _ build: (StateOverlay<StoredState>) throws -> SignedTransaction?
) throws -> [(SignedTransaction, AppendOutcome)] {
    let outletID = writer.outletID
    var built: [SignedTransaction] = []
    try store.environment.read { transaction in
        let head = try store.head(outletID, transaction)
        var overlay = StateOverlay(base: store.stateReader(outletID, transaction))
        let context = BlockContext(genesis: store.genesis, outletID: outletID, height: head.height + 1, timestampMs: wallClockMs())
        for _ in 0..<count {
            guard let next = try build(overlay) else { continue }
            try POSRules.chainRules.apply(next, context: context, state: &overlay)
            built.append(next)
        }
    }
    guard !built.isEmpty else { return [] }
    return Array(zip(built, try writer.append(built, timestampMs: wallClockMs())))
}

/// SplitMix64: the demo's reproducible choices (which items, which tender).
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
