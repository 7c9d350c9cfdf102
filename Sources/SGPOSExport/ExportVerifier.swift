import Logging
import PostgresNIO
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSConsensus
import SGPOSCodec
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// `sgpos export verify` (docs/EXPORT.md): compares the mirror with the chain — the
/// watermarks with the heads, per outlet and business date the sales report's counts and
/// totals with the `sales_by_day` view, per outlet the GST (box 6) with the mirror's
/// sales, refunds and voids and boxes 5 and 7 with its stock receipts, per outlet and SKU the stock with the sum of
/// `stock_movements`, and per outlet and lot the units on hand with the sum of `lot_movements` — and names every difference it finds (none: the mirror agrees).
public struct ExportVerifier: Sendable {
    public let store: LedgerStore
    public let client: PostgresClient
    public let logger: Logger

    public init(store: LedgerStore, client: PostgresClient, logger: Logger) {
        self.store = store
        self.client = client
        self.logger = logger
    }

    public func differences() async throws -> [String] {
        let mirror = PostgresMirror(store: store, client: client, logger: logger)
        let reports = Reports(store: store)
        let all = ReportRange(from: .init(year: 1970, month: 1, day: 1), to: .init(year: 9_999, month: 12, day: 31))
        var found: [String] = []
        for outlet in store.genesis.outlets.map(\.id) {
            let head = try store.environment.read { try store.head(outlet, $0) }
            let mark = try await mirror.watermark(outlet)
            guard mark.height == head.height, mark.blockID == (head.height == 0 ? "" : head.blockID.hex) else {
                found.append("outlet \(outlet): the mirror is at height \(mark.height), the chain at \(head.height); export first")
                continue
            }
            var range = all
            range.outlets = [outlet]
            let sales = try reports.sales(range)
            var mirrored: [String: [Int64]] = [:]
            try await mirror.database("reading sales_by_day") {
                let rows = try await client.query("""
                    SELECT business_date::text, sales_count, sales_total, refunds_count, refunds_total, voids_count, voids_total
                    FROM sales_by_day WHERE outlet_id = \(Int64(outlet))
                    """, logger: logger)
                for try await (day, a, b, c, d, e, f) in rows.decode((String, Int64, Int64, Int64, Int64, Int64, Int64).self) {
                    mirrored[day] = [a, b, c, d, e, f]
                }
            }
            for day in Set(sales.byDay.keys).union(mirrored.keys).sorted() {
                let figures = sales.byDay[day]
                let chain: [Int64] = figures.map { [$0.salesCount, $0.salesTotal, $0.refundsCount, $0.refundsTotal, $0.voidsCount, $0.voidsTotal] }
                    ?? [0, 0, 0, 0, 0, 0]
                let copy = mirrored[day] ?? [0, 0, 0, 0, 0, 0]
                if chain != copy {
                    found.append("outlet \(outlet) \(day): the chain has sales, refunds, voids (count, cents) \(chain), the mirror \(copy)")
                }
            }
            let gstReturn = try reports.gst(range)
            let gst = gstReturn.box6
            // Boxes 5 and 7: costed stock receipts (the supplier's invoice).
            let purchases = [gstReturn.purchaseValue, gstReturn.inputTax]
            let mirroredPurchases = [
                try await one("SELECT COALESCE(sum(cost), 0)::bigint FROM stock_receipts WHERE outlet_id = \(Int64(outlet))"),
                try await one("SELECT COALESCE(sum(input_gst), 0)::bigint FROM stock_receipts WHERE outlet_id = \(Int64(outlet))"),
            ]
            if purchases != mirroredPurchases {
                found.append("outlet \(outlet): purchases and input GST (boxes 5, 7) are \(purchases) cents on the chain, \(mirroredPurchases) in the mirror")
            }
            let mirroredGST = try await one("""
                SELECT (COALESCE((SELECT sum(gst) FROM sales WHERE outlet_id = \(Int64(outlet)) AND NOT training), 0)
                      - COALESCE((SELECT sum(gst) FROM refunds WHERE outlet_id = \(Int64(outlet))), 0)
                      - COALESCE((SELECT sum(s.gst) FROM voids v JOIN sales s ON s.tx_id = v.original_tx_id WHERE v.outlet_id = \(Int64(outlet))), 0))::bigint
                """)
            if gst != mirroredGST { found.append("outlet \(outlet): output GST is \(gst) cents on the chain, \(mirroredGST) in the mirror") }
            // Points as the points report counts them (docs/REPORTS.md, "points").
            let points = try reports.points(range).byOutlet[outlet]
            let o = Int64(outlet)
            let chainPoints = points.map {
                [$0.earned, $0.redeemed, $0.reversedByRefunds, $0.reversedByVoids, $0.returnedByVoids, $0.adjustedUp, $0.adjustedDown,
                 $0.claimedPoints, $0.settledPoints]
            } ?? Array(repeating: 0, count: 9)
            var mirroredPoints: [Int64] = []
            for sql: PostgresQuery in [
                "SELECT COALESCE(sum(points_earned), 0)::bigint FROM sales WHERE outlet_id = \(o) AND member_id <> '' AND NOT training",
                "SELECT COALESCE(sum(points_redeemed + rule_reward_points), 0)::bigint FROM sales WHERE outlet_id = \(o) AND member_id <> '' AND NOT training",
                "SELECT COALESCE(sum(points_reversed), 0)::bigint FROM refunds WHERE outlet_id = \(o)",
                "SELECT COALESCE(sum(s.points_earned), 0)::bigint FROM voids v JOIN sales s ON s.tx_id = v.original_tx_id WHERE v.outlet_id = \(o) AND s.member_id <> ''",
                "SELECT COALESCE(sum(s.points_redeemed), 0)::bigint FROM voids v JOIN sales s ON s.tx_id = v.original_tx_id WHERE v.outlet_id = \(o) AND s.member_id <> ''",
                "SELECT COALESCE(sum(points) FILTER (WHERE points > 0), 0)::bigint FROM loyalty_events WHERE outlet_id = \(o) AND kind = 'adjust'",
                "SELECT COALESCE(-sum(points) FILTER (WHERE points < 0), 0)::bigint FROM loyalty_events WHERE outlet_id = \(o) AND kind = 'adjust'",
                "SELECT COALESCE(sum(points), 0)::bigint FROM loyalty_events WHERE outlet_id = \(o) AND kind = 'claim'",
                "SELECT COALESCE(-sum(points), 0)::bigint FROM loyalty_events WHERE outlet_id = \(o) AND kind = 'settle'",
            ] {
                mirroredPoints.append(try await one(sql))
            }
            if chainPoints != mirroredPoints {
                found.append("outlet \(outlet): points (earned, redeemed, reversed by refunds, by voids, returned by voids, adjusted up, down, claimed, settled) are \(chainPoints) on the chain, \(mirroredPoints) in the mirror")
            }
            let stock = try store.environment.read { transaction -> [String: Int64] in
                var onHand: [String: Int64] = [:]
                var prefix = CanonicalEncoder(capacity: 4)
                prefix.writeU32(outlet)
                try store.stateReader(outlet, transaction).scan(.stock, prefix: prefix.bytes) { key, value in
                    onHand[String(decoding: key.key.dropFirst(4), as: UTF8.self)] = try StockRecord(canonicalBytes: value).onHand
                    return true
                }
                return onHand
            }
            var moved: [String: Int64] = [:]
            try await mirror.database("reading stock_movements") {
                let rows = try await client.query(
                    "SELECT sku, sum(change)::bigint FROM stock_movements WHERE outlet_id = \(Int64(outlet)) GROUP BY sku", logger: logger)
                for try await (sku, total) in rows.decode((String, Int64).self) { moved[sku] = total }
            }
            for sku in Set(stock.keys).union(moved.keys).sorted() where stock[sku, default: 0] != moved[sku, default: 0] {
                found.append("outlet \(outlet) \(sku): \(stock[sku, default: 0]) on hand on the chain, \(moved[sku, default: 0]) in the mirror's movements")
            }
            // Each lot's units on hand (FORMAT.md §13.6) against the mirror's lot movements.
            let lots = try store.environment.read { transaction -> [String: Int64] in
                var onHand: [String: Int64] = [:]
                try store.stateReader(outlet, transaction).scan(.lots) { key, value in
                    let gtin = String(decoding: key.key.prefix(ProductRecall.gtinBytes), as: UTF8.self)
                    let lot = String(decoding: key.key.dropFirst(ProductRecall.gtinBytes), as: UTF8.self)
                    onHand[gtin + " " + lot] = try LotRecord(canonicalBytes: value).onHand
                    return true
                }
                return onHand
            }
            var lotMoves: [String: Int64] = [:]
            try await mirror.database("reading lot_movements") {
                let rows = try await client.query(
                    "SELECT gtin, lot, sum(change)::bigint FROM lot_movements WHERE outlet_id = \(Int64(outlet)) GROUP BY gtin, lot", logger: logger)
                for try await (gtin, lot, total) in rows.decode((String, String, Int64).self) { lotMoves[gtin + " " + lot] = total }
            }
            for lot in Set(lots.keys).union(lotMoves.keys).sorted() where lots[lot, default: 0] != lotMoves[lot, default: 0] {
                found.append("outlet \(outlet) lot \(lot): \(lots[lot, default: 0]) on hand on the chain, \(lotMoves[lot, default: 0]) in the mirror's lot movements")
            }
        }
        found += try await checkpointDifferences(mirror)
        return found
    }

    /// The mirror's checkpoints are the store's, 1 through the last whose every head the
    /// chains here hold, with the same value ids and heads.
    func checkpointDifferences(_ mirror: PostgresMirror) async throws -> [String] {
        let consensus = try store.environment.read { _ in try ConsensusStorage(environment: store.environment) }
        let heads = try store.environment.read { transaction in
            Dictionary(uniqueKeysWithValues: try store.genesis.outlets.map { ($0.id, try store.head($0.id, transaction).height) })
        }
        var expected: [(Int64, String, Int64)] = []
        var height: UInt64 = 1
        while let certificate = try consensus.certificate(height: height) {
            let rows = try CheckpointRows(certificate)
            guard rows.headHeights.allSatisfy({ (heads[$0.key] ?? 0) >= $0.value }) else { break }
            expected.append((Int64(height), certificate.valueID.hex, Int64(rows.heads.count)))
            height += 1
        }
        var mirrored: [(Int64, String, Int64)] = []
        try await mirror.database("reading checkpoints") {
            let rows = try await client.query("""
                SELECT c.height, c.value_id, (SELECT count(*) FROM checkpoint_heads h WHERE h.height = c.height)
                FROM checkpoints c ORDER BY c.height
                """, logger: logger)
            for try await (height, id, heads) in rows.decode((Int64, String, Int64).self) { mirrored.append((height, id, heads)) }
        }
        guard expected.count == mirrored.count else {
            return ["checkpoints: the chains here have \(expected.count) final checkpoint(s) to mirror, the mirror \(mirrored.count); export first"]
        }
        for (chain, copy) in zip(expected, mirrored) where chain != copy {
            return ["checkpoint \(chain.0): the node holds value \(chain.1) with \(chain.2) heads, the mirror \(copy.1) with \(copy.2) at height \(copy.0)"]
        }
        return []
    }

    private func one(_ sql: PostgresQuery) async throws -> Int64 {
        try await PostgresMirror(store: store, client: client, logger: logger).database("summing") {
            var value: Int64 = 0
            for try await (number) in try await client.query(sql, logger: logger).decode(Int64.self) { value = number }
            return value
        }
    }
}
