import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState

extension ReportDocument {
    public struct StockItem: Codable, Sendable, Equatable {
        public var outletId: UInt32
        public var sku: String
        public var category: String
        public var onHand: Int64
        public var unitPrice: String
        public var value: String
        /// Last unit cost received on a supplier invoice, and on hand × it; null when unknown.
        public var unitCost: String?
        public var costValue: String?

        enum CodingKeys: String, CodingKey { case outletId, sku, category, onHand, unitPrice, value, unitCost, costValue }

        /// Writes `unitCost` and `costValue` as null when unknown (the schema requires them).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(outletId, forKey: .outletId)
            try container.encode(sku, forKey: .sku)
            try container.encode(category, forKey: .category)
            try container.encode(onHand, forKey: .onHand)
            try container.encode(unitPrice, forKey: .unitPrice)
            try container.encode(value, forKey: .value)
            try container.encode(unitCost, forKey: .unitCost)
            try container.encode(costValue, forKey: .costValue)
        }
    }

    public struct StockLineDocument: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int64
    }

    public struct Transfer: Codable, Sendable, Equatable {
        public var transferId: String
        public var from: UInt32
        public var to: UInt32
        public var lines: [StockLineDocument]
    }

    public struct StockTotals: Codable, Sendable, Equatable {
        public var skus: Int64
        public var units: Int64
        public var value: String
        /// Σ of the items' known cost values.
        public var costValue: String
        public var negativeSkus: Int64
        public var transfersInTransit: Int64
    }

    /// `GET /v1/reports/stock`: items sorted by outlet then SKU; `negative` the items below zero.
    public struct Stock: Codable, Sendable, Equatable {
        public var report = "stock"
        public var outlets: [UInt32]
        public var covers: Covers
        public var totals: StockTotals
        public var items: [StockItem]
        public var negative: [StockItem]
        public var inTransit: [Transfer]
    }

    public struct LoyaltyFigures: Codable, Sendable, Equatable {
        public var key: String
        public var members: Int64
        public var outstandingPoints: Int64
        public var liability: String
        public var expiringPoints: Int64
        public var expiringLiability: String
        public var earnedTotal: Int64
        public var redeemedTotal: Int64
        public var expiredTotal: Int64
        public var pointValueCents: Int64
        /// The outlet's allowance for points claims on credit, and the points on credit now.
        public var allowance: Int64
        public var onCredit: Int64
    }

    /// `GET /v1/reports/loyalty`: per outlet (sorted) and for all of them (`totals`, key "all",
    /// pointValueCents 0: the liabilities are summed, each at its outlet's value).
    public struct Loyalty: Codable, Sendable, Equatable {
        public var report = "loyalty"
        public var on: String
        public var withinDays: Int64
        public var outlets: [UInt32]
        public var covers: Covers
        public var totals: LoyaltyFigures
        public var byOutlet: [LoyaltyFigures]
    }

    public static func stock(_ report: StockReport) -> Stock {
        let money = ReportMoney.text
        func item(_ item: StockReport.Item) -> StockItem {
            StockItem(outletId: item.outlet, sku: item.sku, category: item.category, onHand: item.onHand,
                      unitPrice: money(item.unitPrice), value: money(item.value), unitCost: item.unitCost.map(money),
                      costValue: item.costValue.map(money))
        }
        let items = report.items.sorted { ($0.outlet, $0.sku) < ($1.outlet, $1.sku) }
        return Stock(outlets: report.outlets, covers: covers(report.heads),
                     totals: StockTotals(skus: Int64(items.count), units: report.units, value: money(report.value),
                                         costValue: money(report.costValue), negativeSkus: Int64(report.negative.count), transfersInTransit: Int64(report.inTransit.count)),
                     items: items.map(item), negative: items.filter { $0.onHand < 0 }.map(item),
                     inTransit: report.inTransit.sorted { $0.transferID.bytes.lexicographicallyPrecedes($1.transferID.bytes) }.map {
                         Transfer(transferId: Hex.encode($0.transferID.bytes), from: $0.from, to: $0.to,
                                  lines: $0.lines.map { StockLineDocument(sku: $0.sku, quantity: $0.quantity) })
                     })
    }

    public static func loyalty(_ report: LoyaltyReport) -> Loyalty {
        func figures(_ key: String, _ value: LoyaltyReport.Figures) -> LoyaltyFigures {
            LoyaltyFigures(key: key, members: value.members, outstandingPoints: value.outstandingPoints, liability: ReportMoney.text(value.liability),
                           expiringPoints: value.expiringPoints, expiringLiability: ReportMoney.text(value.expiringLiability),
                           earnedTotal: value.earnedTotal, redeemedTotal: value.redeemedTotal, expiredTotal: value.expiredTotal,
                           pointValueCents: value.pointValueCents, allowance: value.allowance, onCredit: value.onCredit)
        }
        return Loyalty(on: report.on.description, withinDays: report.withinDays, outlets: report.outlets, covers: covers(report.heads),
                       totals: figures("all", report.totals),
                       byOutlet: report.byOutlet.sorted { $0.key < $1.key }.map { figures(String($0.key), $0.value) })
    }
}

extension ReportFormat {
    public static func stock(_ report: StockReport, format: String) throws -> String {
        let document = ReportDocument.stock(report)
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.stock(document)
        case "csv": return ReportCSV.stock(document)
        default:
            let totals = document.totals
            var lines = ["Stock on hand, outlets \(document.outlets.map(String.init).joined(separator: ", ")) (valued at list price, and at the last supplier cost where one is recorded)",
                         "  covers " + document.covers.heads.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " "), "",
                         "  outlet  SKU                   category          on hand    unit price         value     unit cost    cost value"]
            for item in document.items {
                lines.append("  \(pad(item.outletId, 6))  \(item.sku.padding(toLength: 20, withPad: " ", startingAt: 0))  \(item.category.padding(toLength: 14, withPad: " ", startingAt: 0)) \(pad(item.onHand, 10)) \(pad(item.unitPrice, 13)) \(pad(item.value, 13)) \(pad(item.unitCost ?? "-", 13)) \(pad(item.costValue ?? "-", 13))")
            }
            lines.append("  \(totals.skus) SKUs, \(totals.units) units, value \(totals.value) (at cost where known \(totals.costValue)); \(totals.negativeSkus) below zero; \(totals.transfersInTransit) transfers in transit")
            for transfer in document.inTransit {
                lines.append("  in transit \(transfer.transferId): outlet \(transfer.from) -> \(transfer.to): "
                    + transfer.lines.map { "\($0.sku) x\($0.quantity)" }.joined(separator: ", "))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    public static func loyalty(_ report: LoyaltyReport, format: String) throws -> String {
        let document = ReportDocument.loyalty(report)
        let rows = document.byOutlet + [document.totals]
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.loyalty(document)
        case "csv": return ReportCSV.loyalty(document)
        default:
            var lines = ["Loyalty points on \(document.on) (expiring: within \(document.withinDays) days)",
                         "  covers " + document.covers.heads.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " "), "",
                         "  outlet  members   outstanding     liability   expiring   expiring S$     earned   redeemed    expired"]
            for row in rows {
                lines.append("  \(pad(row.key, 6))  \(pad(row.members, 7)) \(pad(row.outstandingPoints, 13)) \(pad(row.liability, 13)) \(pad(row.expiringPoints, 10)) \(pad(row.expiringLiability, 13)) \(pad(row.earnedTotal, 10)) \(pad(row.redeemedTotal, 10)) \(pad(row.expiredTotal, 10))")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}

extension ReportDocument {
    public struct MovementLine: Codable, Sendable, Equatable {
        public var kind: String
        public var businessDate: String
        public var time: String
        public var transactionId: String
        public var by: String
        public var change: Int64
        public var balance: Int64
        public var detail: String
    }

    /// `GET /v1/reports/movements`: one SKU's stock card at one outlet.
    public struct Movements: Codable, Sendable, Equatable {
        public var report = "movements"
        public var sku: String
        public var outletId: UInt32
        public var from: String
        public var to: String
        public var covers: Covers
        public var opening: Int64
        public var closing: Int64
        public var movements: [MovementLine]
    }

    public static func movements(_ report: MovementsReport) -> Movements {
        Movements(sku: report.sku, outletId: report.outlet, from: report.range.from.description, to: report.range.to.description,
                  covers: covers(report.heads), opening: report.opening, closing: report.closing,
                  movements: report.movements.map {
                      MovementLine(kind: $0.kind, businessDate: $0.businessDate, time: CivilTime.singaporeDateTime(epochMs: $0.blockTimeMs),
                                   transactionId: $0.transactionID.hex, by: $0.principal, change: $0.change, balance: $0.balance, detail: $0.detail)
                  })
    }
}

extension ReportFormat {
    public static func movements(_ report: MovementsReport, format: String) throws -> String {
        let document = ReportDocument.movements(report)
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.movements(document)
        case "csv": return ReportCSV.movements(document)
        default:
            var lines = ["Stock card of \(document.sku) at outlet \(document.outletId), \(document.from) to \(document.to)",
                         "  opening balance \(document.opening)", ""]
            for line in document.movements {
                lines.append("  \(line.time)  \(line.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(pad(line.change, 8)) \(pad(line.balance, 9))  \(line.by.padding(toLength: 10, withPad: " ", startingAt: 0)) \(line.detail)")
            }
            lines.append("")
            lines.append("  closing balance \(document.closing)")
            return lines.joined(separator: "\n") + "\n"
        }
    }
}

extension ReportDocument {
    public struct PointsFigures: Codable, Sendable, Equatable {
        public var key: String
        public var earned: Int64
        public var redeemed: Int64
        public var reversedByRefunds: Int64
        public var reversedByVoids: Int64
        public var returnedByVoids: Int64
        public var adjustedUp: Int64
        public var adjustedDown: Int64
        public var claimsCount: Int64
        public var claimedPoints: Int64
        public var settlementsCount: Int64
        public var settledPoints: Int64
    }

    /// `GET /v1/reports/points`: points that moved in the range, per outlet and in all.
    public struct Points: Codable, Sendable, Equatable {
        public var report = "points"
        public var from: String
        public var to: String
        public var outlets: [UInt32]
        public var covers: Covers
        public var totals: PointsFigures
        public var byOutlet: [PointsFigures]
    }

    public static func points(_ report: PointsActivityReport) -> Points {
        func figures(_ key: String, _ value: PointsActivityReport.Figures) -> PointsFigures {
            PointsFigures(key: key, earned: value.earned, redeemed: value.redeemed, reversedByRefunds: value.reversedByRefunds,
                          reversedByVoids: value.reversedByVoids, returnedByVoids: value.returnedByVoids, adjustedUp: value.adjustedUp, adjustedDown: value.adjustedDown,
                          claimsCount: value.claimsCount, claimedPoints: value.claimedPoints, settlementsCount: value.settlementsCount,
                          settledPoints: value.settledPoints)
        }
        return Points(from: report.range.from.description, to: report.range.to.description, outlets: report.outlets,
                      covers: covers(report.heads), totals: figures("all", report.totals),
                      byOutlet: report.byOutlet.sorted { $0.key < $1.key }.map { figures(String($0.key), $0.value) })
    }
}

extension ReportFormat {
    public static func points(_ report: PointsActivityReport, format: String) throws -> String {
        let document = ReportDocument.points(report)
        let rows = document.byOutlet + [document.totals]
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.points(document)
        case "csv": return ReportCSV.points(document)
        default:
            var lines = ["Loyalty points moved \(document.from) to \(document.to)", "",
                         "  outlet    earned  redeemed  refunds  voids-back  voids-return  added  removed  claims (points)  settled (points)"]
            for row in rows {
                lines.append("  \(pad(row.key, 6)) \(pad(row.earned, 9)) \(pad(row.redeemed, 9)) \(pad(row.reversedByRefunds, 8)) \(pad(row.reversedByVoids, 11)) \(pad(row.returnedByVoids, 13)) \(pad(row.adjustedUp, 6)) \(pad(row.adjustedDown, 8)) \(pad(row.claimsCount, 7)) \(pad("(\(row.claimedPoints))", 8)) \(pad(row.settlementsCount, 8)) \(pad("(\(row.settledPoints))", 9))")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
