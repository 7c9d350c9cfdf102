import SGPOSChain

// The state tables the POS state machine and the network state own (docs/FORMAT.md
// §9.4, §13.3). Their bytes are stable codes: never renumber or reuse one.
extension StateTable {
    // Tables of the POS state machine (docs/FORMAT.md §13.3).
    /// u32 outlet ‖ SKU → price-list entry.
    public static let prices = StateTable(declaring: 0x10, name: "prices")
    /// u32 outlet ‖ SKU → stock on hand.
    public static let stock = StateTable(declaring: 0x11, name: "stock")
    /// member id → loyalty account.
    public static let members = StateTable(declaring: 0x12, name: "members")
    /// u32 outlet ‖ till principal → shift.
    public static let shifts = StateTable(declaring: 0x13, name: "shifts")
    /// u32 outlet → the outlet's books (numbering, period and perpetual totals).
    public static let books = StateTable(declaring: 0x14, name: "books")
    /// 32-byte sale transaction id → what refunds and voids need of the sale.
    public static let sales = StateTable(declaring: 0x15, name: "sales")
    /// 16-byte transfer id ‖ u8 direction → transfer record.
    public static let transfers = StateTable(declaring: 0x16, name: "transfers")
    /// voucher id → the transaction id that redeemed it.
    public static let vouchers = StateTable(declaring: 0x17, name: "vouchers")
    /// (empty) → retail settings.
    public static let settings = StateTable(declaring: 0x18, name: "settings")
    /// rule id → deployed rule; (empty) → the active rule ids.
    public static let contracts = StateTable(declaring: 0x19, name: "contracts")
    /// rule id ‖ 0x00 ‖ counter ‖ 0x00 ‖ member id (empty for budgets) → counter value.
    public static let ruleCounters = StateTable(declaring: 0x1A, name: "ruleCounters")
    /// category → points rate in basis points (the operator's "oracle" table).
    public static let pointRates = StateTable(declaring: 0x1B, name: "pointRates")
    /// member id → personal points multiplier in basis points.
    public static let memberMultipliers = StateTable(declaring: 0x1C, name: "memberMultipliers")
    /// 16-byte claim id → a points claim this outlet made on another's points (docs/CONSENSUS.md §10).
    public static let pointsClaims = StateTable(declaring: 0x1D, name: "pointsClaims")
    /// (empty) → this outlet's allowance: what its last claim said of the checkpoints, and its claims since.
    public static let allowance = StateTable(declaring: 0x1E, name: "allowance")
    /// 16-byte claim id → this outlet's settlement of another outlet's claim on its points.
    public static let pointsSettlements = StateTable(declaring: 0x1F, name: "pointsSettlements")
    /// SHA-256 of the list → the rules active at a sale (id, source hash).
    public static let ruleSets = StateTable(declaring: 0x20, name: "ruleSets")
    /// source hash → a rule's source, kept for re-pricing returns after the rule changed.
    public static let ruleSources = StateTable(declaring: 0x21, name: "ruleSources")
    /// 32-byte sale transaction id → the sale's pricing inputs, for re-priced returns.
    public static let salePricing = StateTable(declaring: 0x22, name: "salePricing")
    /// SHA-256 of a coupon code → the coupon (campaign, member, validity, issuer, user).
    public static let coupons = StateTable(declaring: 0x23, name: "coupons")
    /// 32-byte sale transaction id → the coupon codes the sale used.
    public static let saleCoupons = StateTable(declaring: 0x24, name: "saleCoupons")
    /// SHA-256 of a gift card's code → its holder and balance (stored value; a liability).
    public static let giftCards = StateTable(declaring: 0x25, name: "giftCards")
    /// GTIN (14 bytes) ‖ lot → the lot's SKU, expiry and movements at this outlet.
    public static let lots = StateTable(declaring: 0x26, name: "lots")
    /// GTIN ‖ u8 lot length ‖ lot ‖ 32-byte sale id → who bought how many of the lot.
    public static let lotSales = StateTable(declaring: 0x27, name: "lotSales")
    /// 32-byte sale transaction id → the sale's lot entries (for a void).
    public static let saleLots = StateTable(declaring: 0x28, name: "saleLots")
    /// GTIN ‖ lot → the recall this outlet applied: its tills refuse the lot.
    public static let recalls = StateTable(declaring: 0x29, name: "recalls")
    // Tables of the network state (NetworkLedger; docs/FORMAT.md §9.4): derived from
    // checkpointed outlet blocks, never written by an outlet chain.
    /// u8 length ‖ member id ‖ u32 outlet → the member's account at that outlet as of the checkpoint.
    public static let networkMemberAccounts = StateTable(declaring: 0x40, name: "networkMemberAccounts")
    /// member id → the member's totals over every outlet as of the checkpoint.
    public static let networkMemberTotals = StateTable(declaring: 0x41, name: "networkMemberTotals")
    /// 16-byte transfer id → both halves as the checkpointed chains recorded them.
    public static let networkTransfers = StateTable(declaring: 0x42, name: "networkTransfers")
    /// 32-byte evidence id → checkpoint height u64 ‖ kind u8 ‖ who u32 ‖ height u64.
    public static let networkEvidence = StateTable(declaring: 0x43, name: "networkEvidence")
    /// 32-byte validator update id → checkpoint height u64 ‖ first height of the new set u64.
    public static let networkValidatorUpdates = StateTable(declaring: 0x44, name: "networkValidatorUpdates")
    /// 16-byte claim id → both halves of a points claim (the claim and its settlement).
    public static let networkClaims = StateTable(declaring: 0x45, name: "networkClaims")
    /// u32 outlet → the outlet's allowance: granted, outstanding claims, losses.
    public static let networkAllowances = StateTable(declaring: 0x46, name: "networkAllowances")
    /// 32-byte allowance grant id → checkpoint height u64.
    public static let networkAllowanceGrants = StateTable(declaring: 0x47, name: "networkAllowanceGrants")
    /// 32-byte recall id → checkpoint height u64 ‖ the product recall's bytes.
    public static let networkRecalls = StateTable(declaring: 0x48, name: "networkRecalls")

    /// The POS state machine's tables, in byte order.
    public static let posTables: [StateTable] = [.prices, .stock, .members, .shifts, .books, .sales, .transfers, .vouchers, .settings, .contracts, .ruleCounters, .pointRates, .memberMultipliers, .pointsClaims, .allowance, .pointsSettlements, .ruleSets, .ruleSources, .salePricing, .coupons, .saleCoupons, .giftCards, .lots, .lotSales, .saleLots, .recalls]
    /// The network state's tables, in byte order.
    public static let networkTables: [StateTable] = [.networkMemberAccounts, .networkMemberTotals, .networkTransfers, .networkEvidence, .networkValidatorUpdates, .networkClaims, .networkAllowances, .networkAllowanceGrants, .networkRecalls]
    /// Every declared table: the chain's, the POS state machine's and the network state's.
    public static var declaredTables: [StateTable] { chainTables + posTables + networkTables }
    /// The outlet tables the network state (checkpoint order) is derived from.
    public static let networkSources: Set<StateTable> = [.members, .transfers, .pointsClaims, .pointsSettlements]
}
