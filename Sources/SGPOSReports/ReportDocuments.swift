import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSRetail
import SGPOSState

/// The JSON documents of the reports (docs/openapi.json `SalesReport`, `GSTReport`): money
/// as decimal strings, every list sorted by key. The CLI's `--format json` prints these.
public enum ReportDocument {
    public struct Head: Codable, Sendable, Equatable {
        public var outletId: UInt32
        public var height: UInt64
        public var blockId: String
    }

    public struct Covers: Codable, Sendable, Equatable {
        public var heads: [Head]
    }

    public struct Figures: Codable, Sendable, Equatable {
        public var key: String
        public var salesCount: Int64
        public var salesTotal: String
        public var refundsTotal: String
        public var voidsTotal: String
        public var netSales: String
    }

    public struct Goods: Codable, Sendable, Equatable {
        public var key: String
        public var quantity: Int64
        public var amount: String
        public var gst: String
    }

    public struct Amount: Codable, Sendable, Equatable {
        public var key: String
        public var amount: String
    }

    public struct SalesTotals: Codable, Sendable, Equatable {
        public var salesCount: Int64
        public var salesTotal: String
        public var discountTotal: String
        public var roundingTotal: String
        public var refundsCount: Int64
        public var refundsTotal: String
        public var voidsCount: Int64
        public var voidsTotal: String
        public var trainingCount: Int64
        public var netSales: String
        public var averageBasket: String
    }

    public struct Sales: Codable, Sendable, Equatable {
        public var report = "sales"
        public var from: String
        public var to: String
        public var outlets: [UInt32]
        public var covers: Covers
        public var totals: SalesTotals
        public var byDay: [Figures]
        public var byHour: [Figures]
        public var byOutlet: [Figures]
        public var byTill: [Figures]
        public var bySku: [Goods]
        public var byCategory: [Goods]
        /// By GST tax category code (ES, OS, SR, ZR).
        public var byTaxCategory: [Goods]
        public var byTender: [Amount]
        public var discountsByRule: [Amount]
    }

    public struct Rate: Codable, Sendable, Equatable {
        public var basisPoints: UInt32
        public var supplies: String
        public var gst: String
    }

    public struct GST: Codable, Sendable, Equatable {
        public var report = "gst"
        public var from: String
        public var to: String
        public var outlets: [UInt32]
        public var covers: Covers
        /// F5 boxes "1"…"7"; 5 and 7 null when the range records no purchase.
        public var boxes: Boxes
        public var byRate: [Rate]
        /// Supplies without GST by tax category code (ES, OS, ZR).
        public var otherSupplies: [Amount]
        public var purchases: Purchases
        /// The sales, refunds and voids counted here whose blocks were covered late.
        public var coveredLate: CoveredLate
    }

    /// Stock receipts that carry a supplier invoice: how many, their value excluding
    /// GST (box 5) and the input tax (box 7).
    public struct Purchases: Codable, Sendable, Equatable {
        public var receipts: Int64
        public var value: String
        public var inputGST: String
    }

    /// GST F5 boxes 1–7 (keys "1"…"7"); a box the ledger has no data for is null.
    public struct Boxes: Codable, Sendable, Equatable {
        public var values: [String?]

        public init(_ values: [String?]) {
            precondition(values.count == 7, "seven boxes")
            self.values = values
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (index, value) in values.enumerated() {
                let key = Key(stringValue: String(index + 1))
                if let value { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            values = try (1...7).map { try container.decodeIfPresent(String.self, forKey: Key(stringValue: String($0))) }
        }
    }

    static func covers(_ heads: [ChainHead]) -> Covers {
        Covers(heads: heads.map { Head(outletId: $0.outletID, height: $0.height, blockId: $0.blockID.hex) })
    }

    public static func sales(_ summary: SalesSummary) -> Sales {
        let money = ReportMoney.text
        func figures(_ groups: [String: SalesSummary.Figures]) -> [Figures] {
            groups.sorted { $0.key < $1.key }.map {
                Figures(key: $0.key, salesCount: $0.value.salesCount, salesTotal: money($0.value.salesTotal),
                        refundsTotal: money($0.value.refundsTotal), voidsTotal: money($0.value.voidsTotal), netSales: money($0.value.netSales))
            }
        }
        func goods(_ groups: [String: SalesSummary.Goods]) -> [Goods] {
            groups.sorted { $0.key < $1.key }.map { Goods(key: $0.key, quantity: $0.value.quantity, amount: money($0.value.amount), gst: money($0.value.gst)) }
        }
        func amounts(_ groups: [String: Int64]) -> [Amount] {
            groups.sorted { $0.key < $1.key }.map { Amount(key: $0.key, amount: money($0.value)) }
        }
        let totals = summary.totals
        return Sales(
            from: summary.range.from.description, to: summary.range.to.description, outlets: summary.outlets,
            covers: covers(summary.heads),
            totals: SalesTotals(salesCount: totals.salesCount, salesTotal: money(totals.salesTotal), discountTotal: money(summary.discountTotal),
                                roundingTotal: money(summary.roundingTotal), refundsCount: totals.refundsCount, refundsTotal: money(totals.refundsTotal),
                                voidsCount: totals.voidsCount, voidsTotal: money(totals.voidsTotal), trainingCount: summary.trainingCount,
                                netSales: money(totals.netSales), averageBasket: money(summary.averageBasket)),
            byDay: figures(summary.byDay), byHour: figures(summary.byHour), byOutlet: figures(summary.byOutlet), byTill: figures(summary.byTill),
            bySku: goods(summary.bySKU), byCategory: goods(summary.byCategory), byTaxCategory: goods(summary.byTaxCategory),
            byTender: amounts(summary.byTender),
            discountsByRule: amounts(summary.discountsByRule))
    }

    public static func gst(_ gst: GSTReturn) -> GST {
        let money = ReportMoney.text
        return GST(from: gst.range.from.description, to: gst.range.to.description, outlets: gst.outlets, covers: covers(gst.heads),
                   boxes: Boxes([money(gst.box1), money(gst.box2), money(gst.box3), money(gst.box4), gst.box5.map(money),
                                 money(gst.box6), gst.box7.map(money)]),
                   byRate: gst.rates.map { Rate(basisPoints: $0.basisPoints, supplies: money($0.supplies), gst: money($0.gst)) },
                   otherSupplies: gst.otherSupplies.map { Amount(key: $0.category.code, amount: money($0.amount)) }
                       .sorted { $0.key < $1.key },
                   purchases: Purchases(receipts: gst.purchaseReceipts, value: money(gst.purchaseValue), inputGST: money(gst.inputTax)),
                   coveredLate: late(gst.coveredLate))
    }
}

extension ReportDocument {
    /// The sales, refunds and voids of a report whose blocks were covered late
    /// (docs/REPORTS.md, "Covered late"): how many, what they add to the takings and to
    /// the output tax, and the late blocks that hold them.
    public struct CoveredLate: Codable, Sendable, Equatable {
        public var transactions: Int64
        public var amount: String
        public var gst: String
        public var blocks: [LateBlocks]
    }

    /// Consecutive blocks of one outlet covered late, and the largest lag among them.
    public struct LateBlocks: Codable, Sendable, Equatable {
        public var outletId: UInt32
        public var fromHeight: UInt64
        public var toHeight: UInt64
        public var largestLagMs: UInt64
    }

    public static func late(_ late: SGPOSReports.CoveredLate) -> CoveredLate {
        CoveredLate(transactions: late.transactions, amount: ReportMoney.text(late.amount), gst: ReportMoney.text(late.gst),
                    blocks: late.spans.map { LateBlocks(outletId: $0.outlet, fromHeight: $0.firstHeight, toHeight: $0.lastHeight, largestLagMs: $0.largestLagMs) })
    }

    /// One line saying what of a report was covered late ("" when nothing was).
    public static func lateLine(_ late: CoveredLate) -> String {
        guard late.transactions > 0 else { return "" }
        let blocks = late.blocks.map { "o\($0.outletId)@\($0.fromHeight)\($0.toHeight > $0.fromHeight ? "-\($0.toHeight)" : "")" }
        let hours = (late.blocks.map(\.largestLagMs).max() ?? 0) / 60_000
        return "covered late: \(late.transactions) sale(s), refund(s) or void(s), amount \(late.amount), GST \(late.gst), in blocks "
            + blocks.joined(separator: " ") + " (up to \(hours / 60) h \(hours % 60) min after their time)"
    }
}
