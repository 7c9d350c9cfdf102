import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// Loss prevention (docs/REPORTS.md, "exceptions"): what a manager reviews each day, as
/// retailers' exception reports list it — post-voids, refunds by till, no-sale drawer
/// openings, large discounts, cash variances at shift close, manual points changes, and
/// members whose sales in one day exceed a threshold. The thresholds are the operator's.
public struct ExceptionsReport: Sendable {
    /// What counts as an exception (query parameters of the API, options of the CLI).
    public struct Thresholds: Sendable, Equatable {
        /// A sale whose discount is at least this share of its subtotal, in basis points.
        public var discountBasisPoints: Int64 = 2_000
        /// A member with more sales than this in one business date.
        public var memberSalesPerDay: Int64 = 10
        /// A shift whose counted cash differs from the expected by at least this (cents).
        public var cashVarianceCents: Int64 = 1

        public init(discountBasisPoints: Int64 = 2_000, memberSalesPerDay: Int64 = 10, cashVarianceCents: Int64 = 1) {
            self.discountBasisPoints = discountBasisPoints
            self.memberSalesPerDay = memberSalesPerDay
            self.cashVarianceCents = cashVarianceCents
        }
    }

    /// One exception: what, where, who, when, how much, and why (as the signer gave it).
    public struct Item: Sendable, Equatable {
        public var kind: String
        public var outlet: OutletID
        public var till: String
        public var businessDate: String
        public var blockTimeMs: Int64
        public var transactionID: Hash256
        /// Money involved (cents), nil when none (a no-sale opening, points, a member's pace).
        public var amount: Int64?
        public var detail: String
    }

    /// Refunds of one till.
    public struct TillRefunds: Sendable, Equatable {
        public var count: Int64 = 0
        public var total: Int64 = 0
    }

    public let range: ReportRange
    public let thresholds: Thresholds
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    /// In chain order per outlet.
    public var items: [Item] = []
    public var refundsByTill: [String: TillRefunds] = [:]
    private var memberSales: [String: (outlet: OutletID, count: Int64, last: ReportEvent)] = [:]

    init(range: ReportRange, thresholds: Thresholds, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.thresholds = thresholds
        self.outlets = outlets
        self.heads = heads
    }

    mutating func add(_ event: ReportEvent) {
        func item(_ kind: String, _ amount: Int64?, _ detail: String) {
            items.append(Item(kind: kind, outlet: event.outlet, till: event.principal, businessDate: event.businessDate.description,
                              blockTimeMs: event.blockTimeMs, transactionID: event.transactionID, amount: amount, detail: detail))
        }
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { return }
            if sale.subtotal > 0, sale.discount * 10_000 >= thresholds.discountBasisPoints * sale.subtotal, sale.discount > 0 {
                item("large-discount", sale.discount, "receipt \(sale.receiptNumber): discount \(ReportMoney.dollars(sale.discount)) of \(ReportMoney.dollars(sale.subtotal))")
            }
            if !sale.memberID.isEmpty {
                let key = "\(event.businessDate)|\(sale.memberID)"
                let count = (memberSales[key]?.count ?? 0) + 1
                memberSales[key] = (event.outlet, count, event)
                if count == thresholds.memberSalesPerDay + 1 {
                    item("member-velocity", nil, "member \(sale.memberID): more than \(thresholds.memberSalesPerDay) sales on \(event.businessDate)")
                }
            }
        case .refund(let refund, _):
            refundsByTill["\(event.outlet)/\(event.principal)", default: TillRefunds()].count += 1
            refundsByTill["\(event.outlet)/\(event.principal)", default: TillRefunds()].total += refund.amount
            item("refund", refund.amount, "credit note \(refund.creditNoteNumber) for sale \(refund.originalSale.hex.prefix(16))…: \(refund.reason)")
        case .void(let void, let original):
            item("void", original.total, "receipt \(original.receiptNumber): \(void.reason)")
        case .drawerOpen(let open):
            item("no-sale", nil, open.reason)
        case .shiftClose(let close):
            if close.variance.magnitude >= UInt64(max(thresholds.cashVarianceCents, 0)), close.variance != 0 {
                item("cash-variance", close.variance, "counted \(ReportMoney.dollars(close.counted)), expected \(ReportMoney.dollars(close.expected))")
            }
        case .loyaltyAdjust(let adjust):
            item("points-adjustment", nil, "member \(adjust.memberID): \(adjust.delta) points, \(adjust.reason)")
        case .cash, .stockReceive, .stockAdjust, .stockCount, .transfer, .pointsClaim, .pointsSettle: return
        }
    }
}

/// What promotions cost (docs/REPORTS.md, "promotions"): per rule, the sales and lines it
/// discounted and the discount given, less what voids took back.
public struct PromotionsReport: Sendable {
    public struct Rule: Sendable, Equatable {
        public var sales: Int64 = 0
        public var lines: Int64 = 0
        public var discount: Int64 = 0
    }

    public let range: ReportRange
    public let outlets: [OutletID]
    public let heads: [ChainHead]
    public var rules: [String: Rule] = [:]
    /// Sales per (rule, reason) a promotion did not apply to, with its skip reason.
    public var notApplied: [NotApplied: Int64] = [:]

    /// A promotion that did not apply, and why.
    public struct NotApplied: Hashable, Sendable {
        public var rule: String
        public var reason: String
    }

    init(range: ReportRange, outlets: [OutletID], heads: [ChainHead]) {
        self.range = range
        self.outlets = outlets
        self.heads = heads
    }

    mutating func add(_ event: ReportEvent) {
        let (sale, sign): (Sale, Int64)
        switch event.kind {
        case .sale(let recorded) where !recorded.training: (sale, sign) = (recorded, 1)
        case .void(_, let original): (sale, sign) = (original, -1)
        default: return
        }
        var seen: Set<String> = []
        for line in sale.lines {
            for discount in line.discounts {
                rules[discount.rule, default: Rule()].lines += sign
                rules[discount.rule, default: Rule()].discount += sign * discount.amount
                if seen.insert(discount.rule).inserted { rules[discount.rule, default: Rule()].sales += sign }
            }
        }
        for skipped in Set(sale.skipped.map { NotApplied(rule: $0.rule, reason: $0.reason) }) { notApplied[skipped, default: 0] += sign }
    }
}
