import Dispatch
import Foundation
import SGPOSChain
import SGPOSOperations
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill
import Synchronization

/// `sgpos bench --only reports` (issue 14, item 4): a network of outlets trading for
/// `days` business days — shift, card sales in blocks of 1,000, shift close and day-close
/// each day, every transaction signed and applied by the real writer — then
/// - the append rate of more such blocks with the report aggregation folding beside it,
///   against the same appends without it (goal: at most 10 % slower);
/// - one outlet-day's sales report and a quarter's network GST return through the
///   aggregates (goals ≤ 50 ms and ≤ 1 s), and the same without them (every block folded).
struct ReportsBench {
    let outlets: Int
    let days: Int
    let salesPerDay: Int
    let directory: String

    static let dayMs: Int64 = 86_400_000
    /// 2025-01-01 10:00 Singapore.
    static let startMs: Int64 = 1_735_696_800_000

    func run() throws {
        let admin = SigningKey.generate()
        let nodeKeys = (1...outlets).map { _ in SigningKey.generate() }
        let genesis = try Genesis(
            chainID: ChainID("sgpos-bench-reports")!, genesisTimeMs: 0, blockTransactionsMax: 8_190, keyRotationOverlapMsMax: 0,
            gstPricesIncludeTax: true, gstMethod: .perInvoice, gstRates: [.init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "admin", publicKey: admin.publicKey)],
            outlets: (1...outlets).map { .init(id: UInt32($0), name: "outlet \($0)", nodeKey: nodeKeys[$0 - 1].publicKey) },
            validators: [])
        let store = try LedgerStore.create(dataDirectory: directory + "/data", genesis: genesis)
        var shops: [BenchShop] = []
        for outlet in 1...outlets {
            shops.append(try BenchShop(store: store, genesis: genesis, admin: admin, nodeKey: nodeKeys[outlet - 1], outlet: UInt32(outlet)))
        }
        print("reports bench: \(outlets) outlets × \(days) days × \(salesPerDay) five-line card sales = \(outlets * days * salesPerDay) sales, building (untimed)…")
        let built = DispatchTime.now()
        for day in 0..<days {
            for index in shops.indices { try shops[index].trade(day: day, sales: salesPerDay) }
        }
        let heights = try store.environment.read { transaction in try (1...outlets).map { try store.head(UInt32($0), transaction).height } }
        print(String(format: "  built in %.0f s; chain heights %@", seconds(since: built), heights.map(String.init).joined(separator: ", ")))

        // The node's aggregation from nothing: every block folded once.
        let aggregates = try ReportAggregates.open(dataDirectory: directory + "/data", create: true)!
        let folding = DispatchTime.now()
        let folded = try aggregates.catchUp(store)
        let foldSeconds = seconds(since: folding)
        print(String(format: "  aggregates built: %d blocks in %.1f s (%.0f sales/s folded)", folded, foldSeconds,
                     Double(outlets * days * salesPerDay) / foldSeconds))

        // Append with and without the aggregation running beside it, alternating.
        var plainRates: [Double] = []
        var foldingRates: [Double] = []
        for round in 0..<6 {
            let withAggregation = round % 2 == 1
            let stop = Mutex(false)
            let done = DispatchSemaphore(value: 0)
            if withAggregation {
                DispatchQueue.global().async {
                    // As the node runs it (ReportAggregationService): a pass about once a second.
                    while !stop.withLock({ $0 }) {
                        _ = try? aggregates.catchUp(store)
                        for _ in 0..<100 where !stop.withLock({ $0 }) { usleep(10_000) }
                    }
                    done.signal()
                }
            }
            let started = DispatchTime.now()
            var appended = 0
            for index in shops.indices { appended += try shops[index].trade(day: days + round, sales: salesPerDay / 4) }
            let rate = Double(appended) / seconds(since: started)
            if withAggregation {
                stop.withLock { $0 = true }
                done.wait()
                foldingRates.append(rate)
            } else {
                plainRates.append(rate)
            }
        }
        _ = try aggregates.catchUp(store)
        let plain = plainRates.reduce(0, +) / Double(plainRates.count)
        let withFolding = foldingRates.reduce(0, +) / Double(foldingRates.count)
        print(String(format: "  append: %.0f tx/s alone, %.0f tx/s with the aggregation folding beside it: %.1f %% slower (limit 10 %%)",
                     plain, withFolding, (1 - withFolding / plain) * 100))

        // Reports through the aggregates.
        let reports = Reports(store: store, aggregates: aggregates)
        let plainReports = Reports(store: store)
        var dayTimes: [Double] = []
        for sample in 0..<21 {
            let date = CivilTime.singaporeDate(epochMs: Self.startMs + Int64((sample * 7) % days) * Self.dayMs).description
            let range = try ReportRange(from: date, to: date, outlet: UInt32(1 + sample % outlets))
            let started = DispatchTime.now()
            let summary = try reports.sales(range)
            dayTimes.append(seconds(since: started) * 1_000)
            precondition(summary.totals.salesCount == Int64(salesPerDay), "an outlet-day holds its sales")
        }
        dayTimes.sort()
        print(String(format: "  one outlet-day's sales report: median %.1f ms, worst %.1f ms of %d (limit 50 ms)",
                     dayTimes[dayTimes.count / 2], dayTimes.last!, dayTimes.count))
        let quarterEnd = CivilTime.singaporeDate(epochMs: Self.startMs + Int64(min(days, 90) - 1) * Self.dayMs).description
        let quarter = try ReportRange(from: CivilTime.singaporeDate(epochMs: Self.startMs).description, to: quarterEnd)
        var quarterTimes: [Double] = []
        for _ in 0..<5 {
            let started = DispatchTime.now()
            _ = try reports.gst(quarter)
            quarterTimes.append(seconds(since: started) * 1_000)
        }
        quarterTimes.sort()
        print(String(format: "  the network's GST return for %@: median %.0f ms of 5 (limit 1000 ms)", "\(quarter.from)..\(quarter.to)",
                     quarterTimes[2]))
        let started = DispatchTime.now()
        let walked = try plainReports.gst(quarter)
        let walkedMs = seconds(since: started) * 1_000
        let aggregated = try reports.gst(quarter)
        precondition(ReportDocument.gst(walked) == ReportDocument.gst(aggregated), "aggregated and walked GST returns agree")
        print(String(format: "  the same return folded from every block (no aggregates): %.0f ms; both give box 6 S$%@", walkedMs,
                     ReportDocument.gst(aggregated).boxes.values[5] ?? "-"))
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// One outlet of the reports bench: its writer, a till and a manager.
private struct BenchShop {
    let store: LedgerStore
    let writer: OutletChainWriter
    let outlet: UInt32
    var till: TillSession
    var manager: TillSession
    var time: Int64 = ReportsBench.startMs

    static let prices: [PriceEntry] = (0..<200).map { (index: Int) -> PriceEntry in
        let tax: TaxCategory = index % 40 == 0 ? .exempt : (index % 40 == 1 ? .zeroRated : .standardRated)
        let price: Int64 = 99 + Int64(index) * 37
        return PriceEntry(sku: "SKU-\(index)", category: "cat-\(index % 12)", unitPrice: price, taxCategory: tax)
    }
    static let card = Payment.card(terminalID: "T1", approvalCode: "A1", rrn: "R1", maskedPAN: "411111******1111", scheme: "visa")

    init(store: LedgerStore, genesis: Genesis, admin: SigningKey, nodeKey: SigningKey, outlet: UInt32) throws {
        self.store = store
        self.outlet = outlet
        writer = try OutletChainWriter(store: store, nodeKey: nodeKey, rules: POSRules.chainRules)
        let tillKey = SigningKey.generate()
        let managerKey = SigningKey.generate()
        var adminSession = TillSession(genesis: genesis, outlet: outlet, key: admin, principal: "admin", lastSequence: 0)
        let at = ReportsBench.startMs - ReportsBench.dayMs
        till = TillSession(genesis: genesis, outlet: outlet, key: tillKey, principal: "till-1", lastSequence: 0)
        manager = TillSession(genesis: genesis, outlet: outlet, key: managerKey, principal: "manager", lastSequence: 0)
        try append([
            adminSession.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "till-1")), atMs: at),
            adminSession.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "manager")), atMs: at),
        ], at: at)
        try append([manager.sign(.setPrices(SetPrices(entries: BenchShop.prices)), atMs: at)], at: at)
    }

    /// One business day: shift open, `sales` card sales (blocks of 1,000), shift close,
    /// day-close. Returns the transactions appended.
    @discardableResult
    mutating func trade(day: Int, sales: Int) throws -> Int {
        var at = ReportsBench.startMs + Int64(day) * ReportsBench.dayMs
        try append([till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: at)], at: at)
        var count = 2
        var made = 0
        while made < sales {
            let batch = min(1_000, sales - made)
            at += 1_000
            let signed = try store.environment.read { transaction -> [SignedTransaction] in
                let state = store.stateReader(outlet, transaction)
                // Sales of one block are priced against the state before it: numbered here.
                let last = try state.shift(outlet: outlet, till: "till-1")?.lastReceiptNumber ?? 0
                var signed: [SignedTransaction] = []
                for index in made..<(made + batch) {
                    let lines = (0..<5).map { StockLine(sku: "SKU-\((index * 5 + $0 * 13 + day) % 200)", quantity: 1 + Int64($0 % 3)) }
                    var sale = try till.buildSale(lines, payment: BenchShop.card, atMs: at, state: state)
                    sale.receiptNumber = last + 1 + UInt64(index - made)
                    signed.append(till.sign(.sale(sale), atMs: at))
                }
                return signed
            }
            try append(signed, at: at)
            made += batch
            count += batch
        }
        at += 1_000
        try append([till.sign(.shiftClose(ShiftClose(counted: 10_000, expected: 10_000, variance: 0)), atMs: at)], at: at)
        let period = try store.environment.read { try store.stateReader(outlet, $0).outletBooks(outlet) }
        let date = CivilTime.singaporeDate(epochMs: at).description
        try append([manager.sign(.dayClose(DayClose(zNumber: period.lastZNumber + 1, businessDate: date, totals: period.period)), atMs: at)],
                   at: at)
        return count + 2
    }

    private func append(_ transactions: [SignedTransaction], at: Int64) throws {
        let outcomes = try writer.append(transactions, timestampMs: TimestampMs(at))
        for outcome in outcomes {
            guard case .committed = outcome else { throw BenchError("reports bench: a transaction was not committed: \(outcome)") }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
