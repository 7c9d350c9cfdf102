/// Body type codes of the POS state machine (docs/FORMAT.md §13.1). Stable; never reused.
public enum POSBodyType {
    public static let sale: UInt16 = 0x0100
    public static let refund: UInt16 = 0x0101
    public static let void: UInt16 = 0x0102
    public static let setPrices: UInt16 = 0x0110
    public static let configure: UInt16 = 0x0111
    public static let deployRule: UInt16 = 0x0112
    public static let setPointRates: UInt16 = 0x0113
    public static let issueCoupons: UInt16 = 0x0114
    public static let stockReceive: UInt16 = 0x0120
    public static let stockAdjust: UInt16 = 0x0121
    public static let stockCount: UInt16 = 0x0122
    public static let transferOut: UInt16 = 0x0123
    public static let transferIn: UInt16 = 0x0124
    public static let applyRecall: UInt16 = 0x0125
    public static let loyaltyEnrol: UInt16 = 0x0130
    public static let loyaltyAdjust: UInt16 = 0x0131
    public static let setMemberMultiplier: UInt16 = 0x0132
    public static let pointsClaim: UInt16 = 0x0133
    public static let pointsSettle: UInt16 = 0x0134
    public static let giftCardLoad: UInt16 = 0x0135
    public static let shiftOpen: UInt16 = 0x0140
    public static let cashIn: UInt16 = 0x0141
    public static let cashOut: UInt16 = 0x0142
    public static let shiftClose: UInt16 = 0x0143
    public static let dayClose: UInt16 = 0x0144
    public static let drawerOpen: UInt16 = 0x0145

    /// Human names, for errors and the CLI.
    public static func name(_ type: UInt16) -> String {
        switch type {
        case sale: "sale"
        case refund: "refund"
        case void: "void"
        case setPrices: "set-prices"
        case configure: "configure"
        case deployRule: "deploy-rule"
        case setPointRates: "set-point-rates"
        case issueCoupons: "issue-coupons"
        case stockReceive: "stock-receive"
        case stockAdjust: "stock-adjust"
        case stockCount: "stock-count"
        case transferOut: "transfer-out"
        case transferIn: "transfer-in"
        case applyRecall: "apply-recall"
        case loyaltyEnrol: "loyalty-enrol"
        case loyaltyAdjust: "loyalty-adjust"
        case setMemberMultiplier: "set-member-multiplier"
        case pointsClaim: "points-claim"
        case pointsSettle: "points-settle"
        case giftCardLoad: "gift-card-load"
        case shiftOpen: "shift-open"
        case cashIn: "cash-in"
        case cashOut: "cash-out"
        case shiftClose: "shift-close"
        case dayClose: "day-close"
        case drawerOpen: "drawer-open"
        default: "0x" + String(type, radix: 16)
        }
    }
}

/// Field limits of POS bodies (TigerStyle: everything bounded).
public enum POSLimits {
    public static let skuBytesMax = 64
    public static let categoryBytesMax = 64
    public static let memberIDBytesMax = 32
    public static let reasonBytesMax = 128
    public static let referenceBytesMax = 64
    /// A supplier's name or GST registration number on a costed stock receipt.
    public static let supplierBytesMax = 128
    /// Unit cost on a supplier invoice: at most S$1,000,000.00, as a unit price.
    public static let unitCostMax: Int64 = 100_000_000
    public static let ruleBytesMax = 64
    /// Card and NETS tender fields, and a PayNow bill reference (docs/FORMAT.md §13.2).
    public static let terminalIDBytesMax = 16
    public static let approvalCodeBytesMax = 12
    public static let rrnBytesMax = 24
    public static let maskedPANBytesMax = 19
    public static let cardSchemeBytesMax = 16
    public static let billReferenceBytesMax = 25
    public static let linesMax = 500
    /// Cash counted at a shift close: S$0.00 … S$1,000,000.00.
    public static let countedCashCentsMax: Int64 = 100_000_000
    /// A shift's opening float: S$0.00 … S$100,000.00.
    public static let floatCentsMax: Int64 = 10_000_000
    public static let tendersMax = 16
    public static let stockLinesMax = 1_000
    public static let priceEntriesMax = 1_000
    /// Categories in one points-rate update.
    public static let pointRateEntriesMax = 256
    /// Points rates and personal multipliers: 0…10× in basis points.
    public static let pointRateBasisPointsMax: Int64 = 100_000
    public static let quantityMax: Int64 = 100_000
    /// Stock movements per line (receipts of whole pallets).
    public static let stockQuantityMax: Int64 = 10_000_000
    /// Loyalty lots per member: one per expiry month.
    public static let lotsMax = 120
    /// Tender kinds and GST rates in one closing.
    public static let totalsEntriesMax = 64
    /// A transaction's time may be this far behind its block's time (24 h)…
    public static let transactionAgeMsMax: UInt64 = 86_400_000
    /// …and this far ahead (clock skew between till and node, 5 min).
    public static let transactionLeadMsMax: UInt64 = 300_000
}
