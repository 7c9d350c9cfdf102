import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

/// The POS state machine: applies sales, refunds, voids, stock, loyalty, shifts and
/// closings to the state, as a pure function of the state, the transaction and the
/// block context (no clock, no randomness, no dictionary order). Plugged into
/// ``ChainRules`` for application bodies (docs/FORMAT.md §13).
public struct POSRules: ApplicationRules {
    public init() {}

    /// Chain rules that run this state machine for application bodies.
    public static var chainRules: ChainRules { ChainRules(application: POSRules()) }

    /// The node settles other outlets' points claims on its own (docs/CONSENSUS.md §10) and
    /// records the recalls checkpoints carry (FORMAT.md §13.6).
    public func nodeMaySign(type: UInt16) -> Bool { type == POSBodyType.pointsSettle || type == POSBodyType.applyRecall }
    public var networkSourceTables: Set<StateTable> { StateTable.networkSources }
    /// A sale's record is kept in its `tx-index` entry while it is as the sale wrote it.
    public var recordReferences: (any RecordReferences)? { Self.recordReferences }
    /// The references a node's store keeps (docs/FORMAT.md §9.1).
    public static var recordReferences: any RecordReferences { SaleRecordReferences() }

    public func apply(
        type: UInt16, payload: [UInt8], transaction: SignedTransaction, signer: KeyRecord,
        context: BlockContext, state: inout StateOverlay
    ) throws {
        let body: POSBody
        do {
            body = try POSBody.decode(type: type, payload: payload)
        } catch {
            throw reject(.malformed, "\(POSBodyType.name(type)) body: \(error)")
        }
        let envelope = transaction.envelope
        let time = envelope.timestampMs
        guard time <= context.timestampMs + POSLimits.transactionLeadMsMax,
            time + POSLimits.transactionAgeMsMax >= context.timestampMs
        else {
            throw reject(.timestampOutOfWindow, "transaction time \(time) ms is not within 24 h before / 5 min after its block's \(context.timestampMs) ms")
        }
        var run = POSTransition(
            outlet: context.outletID, signer: signer, transactionID: transaction.id, atMs: Int64(time),
            genesis: context.genesis)
        switch body {
        case .sale(let sale): try run.sale(sale, &state)
        case .refund(let refund): try run.refund(refund, &state)
        case .void(let void): try run.void(void, &state)
        case .setPrices(let body): try run.setPrices(body, &state)
        case .configure(let settings): try run.configure(settings, &state)
        case .deployRule(let body): try run.deployRule(body, &state)
        case .setPointRates(let body): try run.setPointRates(body, &state)
        case .issueCoupons(let body): try run.issueCoupons(body, &state)
        case .giftCardLoad(let body): try run.loadGiftCard(body, &state)
        case .setMemberMultiplier(let body): try run.setMemberMultiplier(body, &state)
        case .stockReceive(let body): try run.stockReceive(body, &state)
        case .stockAdjust(let body): try run.stockAdjust(body, &state)
        case .stockCount(let body): try run.stockCount(body, &state)
        case .transferOut(let body): try run.transfer(body, outgoing: true, &state)
        case .transferIn(let body): try run.transfer(body, outgoing: false, &state)
        case .applyRecall(let body): try run.applyRecall(body, &state)
        case .loyaltyEnrol(let body): try run.enrol(body, &state)
        case .loyaltyAdjust(let body): try run.adjustPoints(body, &state)
        case .pointsClaim(let body): try run.claim(body, height: context.height, &state)
        case .pointsSettle(let body): try run.settle(body, height: context.height, &state)
        case .shiftOpen(let body): try run.shiftOpen(body, &state)
        case .cashIn(let body): try run.cashMovement(body, incoming: true, &state)
        case .cashOut(let body): try run.cashMovement(body, incoming: false, &state)
        case .shiftClose(let body): try run.shiftClose(body, &state)
        case .dayClose(let body): try run.dayClose(body, &state)
        case .drawerOpen(let body): try run.drawerOpen(body, &state)
        }
    }
}

/// One POS transaction being applied: who signed it, where, when.
struct POSTransition {
    let outlet: UInt32
    let signer: KeyRecord
    let transactionID: Hash256
    let atMs: Int64
    let genesis: Genesis

    /// Refuses signers whose role may not submit this body.
    func require(_ roles: Set<KeyRole>, _ what: String) throws {
        guard roles.contains(signer.role) else {
            let names = roles.map(\.description).sorted().joined(separator: " or ")
            throw reject(.notAuthorized, "\(what) must be signed by \(names) key; \(signer.principal) signed with \(article(signer.role)) \(signer.role) key")
        }
    }

    /// The signing till's open shift.
    func openShift(_ state: some StateReader) throws -> ShiftRecord {
        guard let shift = try state.shift(outlet: outlet, till: signer.principal), shift.open else {
            throw reject(.shiftNotOpen, "till \(signer.principal) has no open shift; open one first")
        }
        return shift
    }

    func requirePositive(_ value: Int64, _ field: @autoclosure () -> String, max: Int64 = Money.limitCents) throws {
        guard value > 0, value <= max else {
            throw reject(.invalidField, "\(field()) must be above 0 and at most \(max), got \(value)")
        }
    }

    func requireText(_ text: String, _ field: @autoclosure () -> String, max: Int, allowEmpty: Bool = false) throws {
        let count = text.utf8.count
        guard (allowEmpty || count > 0), count <= max, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw reject(.invalidField, "\(field()) must be \(allowEmpty ? 0 : 1)...\(max) bytes without control characters")
        }
    }

    /// The member's account with expired lots dropped as of this transaction's day.
    func member(_ id: String, _ state: some StateReader) throws -> MemberAccount {
        guard var account = try state.memberAccount(id) else {
            throw reject(.unknownMember, "member \"\(id)\" is not enrolled")
        }
        account.bringUpToDate(day: SaleCalculator.day(atMs), reviewMonths: try settings(state).tierReviewMonths)
        return account
    }

    func settings(_ state: some StateReader) throws -> RetailSettings { try state.retailSettings() }

    func calculator(_ state: some StateReader) throws -> SaleCalculator {
        try SaleCalculator(genesis: genesis, outlet: outlet, settings: try settings(state))
    }

    mutating func changeStock(_ sku: String, by delta: Int64, _ state: inout StateOverlay) throws {
        let onHand = try state.stockOnHand(outlet: outlet, sku: sku)
        let (sum, overflow) = onHand.addingReportingOverflow(delta)
        guard !overflow, sum.magnitude <= UInt64(POSLimits.stockQuantityMax) * 1_000 else {
            throw reject(.invalidField, "stock of \(sku) would leave the range ±\(POSLimits.stockQuantityMax * 1_000)")
        }
        state.store(StockRecord(onHand: sum), at: .stock(outlet: outlet, sku: sku))
    }

    func requireListed(_ sku: String, _ state: some StateReader) throws {
        guard try state.priceRecord(outlet: outlet, sku: sku) != nil else {
            throw reject(.unknownSKU, "SKU \"\(sku)\" is not on outlet \(outlet)'s price list")
        }
    }
}


/// "an" before roles that start with a vowel sound, "a" otherwise.
func article(_ role: KeyRole) -> String { role == .admin || role == .operator || role == .auditor ? "an" : "a" }
