import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Stored value sold onto a gift card, or a member's e-wallet (FORMAT.md §13.2
/// "gift-card-load"): the till takes the money, the card's balance grows; the card is then
/// a voucher tender, redeemed in part or in full until its balance is spent. Only the
/// code's SHA-256 is on chain until the card pays for something.
public struct GiftCardLoad: Hashable, Sendable {
    /// The most one load adds: S$1,000,000.00.
    public static let amountMax: Int64 = 100_000_000
    /// The most a card holds: S$100,000,000.00.
    public static let balanceMax: Int64 = 10_000_000_000
    /// SHA-256 of the card code's bytes.
    public var cardHash: Hash256
    /// The member whose e-wallet this is; empty: a bearer gift card.
    public var memberID: String
    public var amount: Int64
    /// How the customer paid for it.
    public var tenders: [Tender]

    public init(cardHash: Hash256, memberID: String, amount: Int64, tenders: [Tender]) {
        self.cardHash = cardHash
        self.memberID = memberID
        self.amount = amount
        self.tenders = tenders
    }
}

extension GiftCardLoad {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        cardHash.encode(to: &encoder)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(amount)
        writeTenders(tenders, to: &encoder)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "gift-card-load")
        cardHash = try Hash256(from: &decoder)
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        amount = try decoder.readI64("amount")
        tenders = try readTenders(&decoder)
    }
}

/// A gift card or e-wallet in the state (FORMAT.md §13.3 `gift cards`).
public struct GiftCardRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var memberID: String
    public var balance: Int64
    public var loadedTotal: Int64
    public var redeemedTotal: Int64

    public init(memberID: String, balance: Int64 = 0, loadedTotal: Int64 = 0, redeemedTotal: Int64 = 0) {
        self.memberID = memberID
        self.balance = balance
        self.loadedTotal = loadedTotal
        self.redeemedTotal = redeemedTotal
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(balance)
        encoder.writeI64(loadedTotal)
        encoder.writeI64(redeemedTotal)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "gift card record")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        balance = try decoder.readI64("balance")
        loadedTotal = try decoder.readI64("loaded total")
        redeemedTotal = try decoder.readI64("redeemed total")
    }
}

extension StateKey {
    public static func giftCard(_ hash: Hash256) -> StateKey { StateKey(.giftCards, hash.bytes) }
    /// The card whose code is `code` (keyed by the code's SHA-256, as coupons are).
    public static func giftCard(code: String) -> StateKey { giftCard(CouponCode.hash(code)) }
}

extension StateReader {
    /// The gift card whose code is `code` (a voucher tender's id), if there is one.
    public func giftCard(code: String) throws -> GiftCardRecord? {
        try record(GiftCardRecord.self, .giftCard(code: code))
    }
}

extension POSTransition {
    mutating func loadGiftCard(_ load: GiftCardLoad, _ state: inout StateOverlay) throws {
        try require([.till], "a gift card load")
        var shift = try openShift(state)
        guard (1...GiftCardLoad.amountMax).contains(load.amount) else {
            throw reject(.invalidField, "a gift card load is S$0.01 to S$1,000,000.00, got \(cents(load.amount))")
        }
        if !load.memberID.isEmpty { _ = try member(load.memberID, state) }
        var card = try state.record(GiftCardRecord.self, .giftCard(load.cardHash)) ?? GiftCardRecord(memberID: load.memberID)
        guard card.memberID == load.memberID else {
            throw reject(.invalidField, card.memberID.isEmpty ? "this card is a bearer gift card, not member \(load.memberID)'s e-wallet"
                                                              : "this card is member \(card.memberID)'s e-wallet")
        }
        guard card.balance <= GiftCardLoad.balanceMax - load.amount else {
            throw reject(.invalidField, "a card holds at most \(cents(GiftCardLoad.balanceMax)); this one holds \(cents(card.balance))")
        }
        guard !load.tenders.isEmpty, !load.tenders.contains(where: { $0.kind == .voucher || $0.kind == .points }) else {
            throw reject(.invalidTender, "a gift card load is paid in cash, by card, NETS or PayNow, not with a voucher or points")
        }
        try checkTenders(load.tenders, payable: load.amount, pointsRedeemed: 0, pointsTender: 0, settings: try settings(state),
                         memberID: load.memberID, state)
        card.balance += load.amount
        card.loadedTotal += load.amount
        state.store(card, at: .giftCard(load.cardHash))
        for tender in load.tenders where tender.kind == .cash { shift.cashIn += tender.amount }
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
    }

    /// A voucher tender that is a gift card moves its balance by `-amount` (a sale) or
    /// `+amount` (a refund or a void); returns false for an ordinary voucher.
    func moveGiftCard(_ tender: Tender, paying: Bool, _ state: inout StateOverlay) throws -> Bool {
        guard case .voucher(let id, let amount) = tender else { return false }
        let key = StateKey.giftCard(code: id)
        guard var card = try state.record(GiftCardRecord.self, key) else { return false }
        card.balance += paying ? -amount : amount
        card.redeemedTotal += paying ? amount : -amount
        state.store(card, at: key)
        return true
    }
}
