import SGPOSChain
import SGPOSCheckpointStore
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The reports of a store (docs/REPORTS.md): one home for every figure the CLI
/// (`sgpos report`), the HTTP API (`GET /v1/reports/{name}`) and the back office show.
/// Reads one consistent LMDB snapshot; each report says which heads it covers.
public struct Reports: Sendable {
    public let store: LedgerStore
    /// The sales and GST figures kept per day, when the data directory has them: the sales
    /// and GST reports then read those and fold only the blocks after them.
    public let aggregates: ReportAggregates?
    /// The checkpoint chain of the store's environment (nil when it cannot be opened):
    /// what tells which blocks were covered late.
    let consensus: ConsensusStorage?

    public init(store: LedgerStore, aggregates: ReportAggregates? = nil) {
        self.store = store
        self.aggregates = aggregates
        consensus = store.genesis.hasCheckpointChain ? try? ConsensusStorage(environment: store.environment) : nil
    }

    /// The report names, as the CLI and the API spell them.
    public static let names = ["sales", "gst", "z", "x", "stock", "loyalty", "exceptions", "promotions", "movements", "points", "lot"]

    /// Sales, refunds and voids of `range` (docs/REPORTS.md, "sales").
    public func sales(_ range: ReportRange) throws -> SalesSummary {
        try aggregated(range, { SalesSummary(range: range, outlets: $0, heads: $1) }) { report, outlet, date, bucket in
            report.merge(bucket.sales, day: date.description, outlet: String(outlet))
        }
    }

    /// GST F5 boxes of `range` (docs/REPORTS.md, "gst").
    public func gst(_ range: ReportRange) throws -> GSTReturn {
        var report = try aggregated(range, { GSTReturn(range: range, outlets: $0, heads: $1) }) { report, _, _, bucket in
            report.figures.merge(bucket.gst)
        }
        report.coveredLate = try coveredLate(report.outlets, heads: report.heads, range: range)
        return report
    }

    /// The sales, refunds and voids of `range` in blocks up to `heads` that were covered
    /// late (docs/REPORTS.md, "Covered late"), optionally only those between two positions
    /// of one chain (a Z-report's period).
    func coveredLate(_ outlets: [OutletID], heads: [ChainHead], range: ReportRange,
                     after: (height: UInt64, index: Int)? = nil, through: (height: UInt64, index: Int)? = nil) throws -> CoveredLate {
        guard let consensus else { return CoveredLate() }
        return try read { transaction in
            let limits = Dictionary(uniqueKeysWithValues: zip(outlets, heads.map(\.height)))
            let late = try LateCoverage(store: store, consensus: consensus, outlets: outlets, through: limits, transaction)
            var found = CoveredLate()
            guard !late.spans.isEmpty else { return found }
            try LedgerWalk(store: store).walk(outlets, range: range, transaction: transaction,
                                              only: late.spans.mapValues { $0.map { $0.firstHeight...$0.lastHeight } }) { event in
                if let after, (event.height, event.index) <= after { return }
                if let through, (event.height, event.index) > through { return }
                if let span = late.span(event.outlet, height: event.height) { found.add(event, span: span) }
            }
            return found
        }
    }

    /// Voids, refunds by till, no-sale openings, large discounts, cash variances, points
    /// adjustments and busy members of `range` (docs/REPORTS.md, "exceptions").
    public func exceptions(_ range: ReportRange, thresholds: ExceptionsReport.Thresholds = .init()) throws -> ExceptionsReport {
        try walked(range, { ExceptionsReport(range: range, thresholds: thresholds, outlets: $0, heads: $1) }) { $0.add($1) }
    }

    /// Loyalty points that moved in `range` (docs/REPORTS.md, "points").
    public func points(_ range: ReportRange) throws -> PointsActivityReport {
        try walked(range, { PointsActivityReport(range: range, outlets: $0, heads: $1) }) { $0.add($1) }
    }

    /// Discounts given per rule in `range` (docs/REPORTS.md, "promotions").
    public func promotions(_ range: ReportRange) throws -> PromotionsReport {
        try walked(range, { PromotionsReport(range: range, outlets: $0, heads: $1) }) { $0.add($1) }
    }

    /// The stock card of `sku` at `outlet`: every change in `range`, with the balance
    /// before it and after each (docs/REPORTS.md, "movements").
    public func movements(sku: String, outlet: OutletID, range: ReportRange) throws -> MovementsReport {
        let through = ReportRange(from: CivilTime.Date(year: 1970, month: 1, day: 1), to: range.to, outlets: [outlet])
        return try read { transaction in
            let (outlets, heads) = try scope(through, transaction)
            var report = MovementsReport(sku: sku, outlet: outlet, range: range, heads: heads)
            try LedgerWalk(store: store).walk(outlets, range: through, transaction: transaction, visit: { report.add($0) })
            return report
        }
    }

    /// The Z-report number `number` of `outlet` as it was closed, the block holding it, and
    /// which of the sales, refunds and voids it closed were covered late.
    public func zReport(outlet: OutletID, number: UInt64) throws -> (close: DayClose, height: UInt64, coveredLate: CoveredLate) {
        let (close, position, previous, head) = try read { transaction in
            guard store.genesis.outlet(outlet) != nil else { throw ReportError(.unknownOutlet, "outlet \(outlet) is not in the genesis") }
            let head = try store.head(outlet, transaction)
            var previous: (height: UInt64, index: Int) = (0, 0)
            var height: UInt64 = 1
            while height <= head.height, let block = try store.block(outlet, height: height, transaction) {
                for (index, signed) in block.transactions.enumerated() {
                    if case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.dayClose,
                       case .dayClose(let close) = try POSBody.decode(type: type, payload: payload) {
                        if close.zNumber == number { return (close, (height: height, index: index), previous, head) }
                        previous = (height, index)
                    }
                }
                height += 1
            }
            throw ReportError(.notFound, "outlet \(outlet) has no Z-report \(number) (its last is \(try store.stateReader(outlet, transaction).outletBooks(outlet).lastZNumber))")
        }
        let always = ReportRange(from: CivilTime.Date(year: 1, month: 1, day: 1), to: CivilTime.Date(year: 9999, month: 12, day: 31), outlets: [outlet])
        let late = try coveredLate([outlet], heads: [head], range: always, after: previous, through: position)
        return (close, position.height, late)
    }

    /// The open period of `outlet` so far (an X-report) and the number its Z-report will have.
    public func xReport(outlet: OutletID) throws -> (totals: PeriodTotals, nextZ: UInt64) {
        try read { transaction in
            guard store.genesis.outlet(outlet) != nil else { throw ReportError(.unknownOutlet, "outlet \(outlet) is not in the genesis") }
            let books = try store.stateReader(outlet, transaction).outletBooks(outlet)
            return (books.period, books.lastZNumber + 1)
        }
    }

    /// Stock on hand, negative stock and transfers in transit, as the chains hold it now.
    public func stock(outlets only: [OutletID]? = nil) throws -> StockReport {
        try read { transaction in
            let (outlets, heads) = try scope(ReportRange(from: .init(year: 1970, month: 1, day: 1), to: .init(year: 1970, month: 1, day: 1),
                                                         outlets: only), transaction)
            return try StockReport.read(store: store, outlets: outlets, heads: heads, transaction)
        }
    }

    /// Where one lot is across the outlets (docs/REPORTS.md, "lot").
    public func lot(gtin: String, lot: String) throws -> LotReport {
        try read { transaction in
            let outlets = store.genesis.outlets.map(\.id).sorted()
            return try LotReport.read(store: store, gtin: gtin, lot: lot, heads: try outlets.map { try store.head($0, transaction) }, transaction)
        }
    }

    /// Points outstanding on `on`, their liability, and those expiring within `withinDays` days.
    public func loyalty(on date: CivilTime.Date, withinDays: Int64, outlets only: [OutletID]? = nil) throws -> LoyaltyReport {
        guard (1...3_660).contains(withinDays) else { throw ReportError(.badRange, "within must be 1...3660 days") }
        return try read { transaction in
            let (outlets, heads) = try scope(ReportRange(from: date, to: date, outlets: only), transaction)
            return try LoyaltyReport.read(store: store, on: date, withinDays: withinDays, outlets: outlets, heads: heads, transaction)
        }
    }

    /// A report made by walking the chains of `range`: `make` starts it for the outlets and
    /// heads in scope, `add` counts each event of the range into it.
    private func walked<Report>(_ range: ReportRange, _ make: ([OutletID], [ChainHead]) -> Report,
                                add: (inout Report, ReportEvent) -> Void) throws -> Report {
        try read { transaction in
            let (outlets, heads) = try scope(range, transaction)
            var report = make(outlets, heads)
            try LedgerWalk(store: store).walk(outlets, range: range, transaction: transaction, visit: { add(&report, $0) })
            return report
        }
    }

    /// A report made from buckets (docs/REPORTS.md, "Aggregates"): the stored ones whose
    /// business date is in `range`, and the blocks after the stored watermark folded here.
    /// The aggregates' snapshot is taken before the ledger's, so the ledger is never
    /// behind them.
    private func aggregated<Report>(_ range: ReportRange, _ make: ([OutletID], [ChainHead]) -> Report,
                                    add: (inout Report, OutletID, CivilTime.Date, ReportBucket) -> Void) throws -> Report {
        func build(_ kept: LMDBTransaction?) throws -> Report {
            try read { transaction in
                let (outlets, heads) = try scope(range, transaction)
                var report = make(outlets, heads)
                for (outlet, head) in zip(outlets, heads) {
                    var fold = try kept.map { try aggregates!.stored(outlet, $0, store: store, transaction) } ?? .empty
                    let storedThrough = fold.height
                    try LedgerWalk(store: store).fold(outlet, into: &fold, through: head.height, transaction)
                    if let kept, storedThrough > 0 {
                        try aggregates!.forEachBucket(outlet, in: range, closedLater: fold.zDates, kept) { add(&report, outlet, $0, $1) }
                    }
                    for (key, bucket) in fold.buckets.sorted(by: { $0.key < $1.key }) {
                        let date = fold.zDates[key.period] ?? CivilTime.date(fromDays: key.day)
                        if range.contains(date) { add(&report, outlet, date, bucket) }
                    }
                }
                return report
            }
        }
        guard let aggregates else { return try build(nil) }
        do {
            return try aggregates.environment.read { try build($0) }
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.store, "the report aggregates could not be read: \(error)")
        }
    }

    private func scope(_ range: ReportRange, _ transaction: LMDBTransaction) throws -> ([OutletID], [ChainHead]) {
        let known = store.genesis.outlets.map(\.id)
        let outlets = range.outlets ?? known
        for outlet in outlets where !known.contains(outlet) {
            throw ReportError(.unknownOutlet, "outlet \(outlet) is not in the genesis")
        }
        return (outlets, try outlets.map { try store.head($0, transaction) })
    }

    private func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        do {
            return try store.environment.read(body)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.store, "the store could not be read: \(error)")
        }
    }
}
