import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSRetail

extension ReportDocument {
    public struct ExceptionItem: Codable, Sendable, Equatable {
        public var kind: String
        public var outletId: UInt32
        public var till: String
        public var businessDate: String
        public var time: String
        public var transactionId: String
        /// Money involved; null for a no-sale opening, a points adjustment, a member's pace.
        public var amount: String?
        public var detail: String

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(outletId, forKey: .outletId)
            try container.encode(till, forKey: .till)
            try container.encode(businessDate, forKey: .businessDate)
            try container.encode(time, forKey: .time)
            try container.encode(transactionId, forKey: .transactionId)
            try container.encode(amount, forKey: .amount)
            try container.encode(detail, forKey: .detail)
        }
    }

    public struct RefundsOfTill: Codable, Sendable, Equatable {
        public var key: String
        public var count: Int64
        public var total: String
    }

    public struct ExceptionThresholds: Codable, Sendable, Equatable {
        public var discountPercent: String
        public var memberSalesPerDay: Int64
        public var cashVariance: String
    }

    /// `GET /v1/reports/exceptions`: every exception in chain order per outlet, counts by kind.
    public struct Exceptions: Codable, Sendable, Equatable {
        public var report = "exceptions"
        public var from: String
        public var to: String
        public var outlets: [UInt32]
        public var covers: Covers
        public var thresholds: ExceptionThresholds
        public var counts: [String: Int64]
        public var items: [ExceptionItem]
        public var refundsByTill: [RefundsOfTill]
    }

    public struct PromotionRule: Codable, Sendable, Equatable {
        public var rule: String
        public var sales: Int64
        public var lines: Int64
        public var discount: String
    }

    /// `GET /v1/reports/promotions`: per rule, sorted by rule name.
    public struct Promotions: Codable, Sendable, Equatable {
        public var report = "promotions"
        public var from: String
        public var to: String
        public var outlets: [UInt32]
        public var covers: Covers
        public var totalDiscount: String
        public var rules: [PromotionRule]
        /// Per (rule, reason): the sales it did not apply to and why, sorted by rule, then reason.
        public var notApplied: [NotApplied]
    }

    public struct NotApplied: Codable, Sendable, Equatable {
        public var rule: String
        public var reason: String
        public var sales: Int64
    }

    public static func exceptions(_ report: ExceptionsReport) -> Exceptions {
        let money = ReportMoney.text
        let percent = report.thresholds.discountBasisPoints
        return Exceptions(
            from: report.range.from.description, to: report.range.to.description, outlets: report.outlets, covers: covers(report.heads),
            thresholds: ExceptionThresholds(discountPercent: "\(percent / 100).\(percent % 100 < 10 ? "0" : "")\(percent % 100)",
                                            memberSalesPerDay: report.thresholds.memberSalesPerDay,
                                            cashVariance: money(report.thresholds.cashVarianceCents)),
            counts: Dictionary(grouping: report.items, by: \.kind).mapValues { Int64($0.count) },
            items: report.items.map {
                ExceptionItem(kind: $0.kind, outletId: $0.outlet, till: $0.till, businessDate: $0.businessDate,
                              time: CivilTime.singaporeDateTime(epochMs: $0.blockTimeMs), transactionId: $0.transactionID.hex,
                              amount: $0.amount.map(money), detail: $0.detail)
            },
            refundsByTill: report.refundsByTill.sorted { $0.key < $1.key }.map { RefundsOfTill(key: $0.key, count: $0.value.count, total: money($0.value.total)) })
    }

    public static func promotions(_ report: PromotionsReport) -> Promotions {
        Promotions(from: report.range.from.description, to: report.range.to.description, outlets: report.outlets, covers: covers(report.heads),
                   totalDiscount: ReportMoney.text(report.rules.values.reduce(0) { $0 + $1.discount }),
                   rules: report.rules.sorted { $0.key < $1.key }.map {
                       PromotionRule(rule: $0.key, sales: $0.value.sales, lines: $0.value.lines, discount: ReportMoney.text($0.value.discount))
                   },
                   notApplied: report.notApplied.sorted {
                       $0.key.rule != $1.key.rule ? Array($0.key.rule.utf8).lexicographicallyPrecedes(Array($1.key.rule.utf8))
                           : Array($0.key.reason.utf8).lexicographicallyPrecedes(Array($1.key.reason.utf8))
                   }.map { NotApplied(rule: $0.key.rule, reason: $0.key.reason, sales: $0.value) })
    }
}

extension ReportFormat {
    public static func exceptions(_ report: ExceptionsReport, format: String) throws -> String {
        let document = ReportDocument.exceptions(report)
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.exceptions(document)
        case "csv": return ReportCSV.exceptions(document)
        default:
            var lines = ["Exceptions \(document.from) to \(document.to), outlets \(document.outlets.map(String.init).joined(separator: ", "))",
                         "  thresholds: discount ≥ \(document.thresholds.discountPercent) % of the subtotal, more than \(document.thresholds.memberSalesPerDay) sales a day per member, cash variance ≥ \(document.thresholds.cashVariance)",
                         "  " + (document.counts.isEmpty ? "none" : document.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), ""]
            for item in document.items {
                lines.append("  \(item.time)  \(item.kind.padding(toLength: 17, withPad: " ", startingAt: 0)) o\(item.outletId) \(item.till.padding(toLength: 10, withPad: " ", startingAt: 0)) \(pad(item.amount ?? "", 10))  \(item.detail)")
            }
            if !document.refundsByTill.isEmpty {
                lines.append("")
                lines.append("  refunds by till: " + document.refundsByTill.map { "\($0.key) \($0.count) (\($0.total))" }.joined(separator: ", "))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    public static func promotions(_ report: PromotionsReport, format: String) throws -> String {
        let document = ReportDocument.promotions(report)
        switch format {
        case "json": return try json(document) + "\n"
        case "html": return ReportHTML.promotions(document)
        case "csv": return ReportCSV.promotions(document)
        default:
            var lines = ["Promotions \(document.from) to \(document.to): discount given \(document.totalDiscount)", "",
                         "  rule                            sales    lines      discount"]
            for rule in document.rules {
                lines.append("  \(rule.rule.padding(toLength: 30, withPad: " ", startingAt: 0)) \(pad(rule.sales, 6)) \(pad(rule.lines, 8)) \(pad(rule.discount, 13))")
            }
            if !document.notApplied.isEmpty {
                lines += ["", "  not applied (the rule's reason)                    sales"]
                for entry in document.notApplied {
                    lines.append("  \("\(entry.rule): \(entry.reason)".padding(toLength: 50, withPad: " ", startingAt: 0)) \(pad(entry.sales, 6))")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
