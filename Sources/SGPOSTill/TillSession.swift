import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState

/// A till's signing session: its key, its principal and its next sequence number. It
/// builds the exact transactions the state machine accepts (the same ``SaleCalculator``),
/// signs them, and keeps every signed transaction so a retry resends the same bytes
/// (same idempotency id: never a second sale).
public struct TillSession: Sendable {
    public let genesis: Genesis
    public let outlet: OutletID
    public let key: SigningKey
    public let principal: String
    public private(set) var nextSequence: UInt64

    public init(genesis: Genesis, outlet: OutletID, key: SigningKey, principal: String, lastSequence: UInt64) {
        self.genesis = genesis
        self.outlet = outlet
        self.key = key
        self.principal = principal
        self.nextSequence = lastSequence + 1
    }

    /// A session that continues after the key's last accepted sequence in `state`.
    public static func resume(genesis: Genesis, outlet: OutletID, key: SigningKey, state: some StateReader) throws -> TillSession {
        guard let bytes = try state.read(.key(key.publicKey)) else {
            throw LedgerRejection(.unknownSigner, "key \(key.publicKey) is not registered on outlet \(outlet)")
        }
        let record = try KeyRecord(canonicalBytes: bytes)
        return TillSession(genesis: genesis, outlet: outlet, key: key, principal: record.principal,
                           lastSequence: record.lastSequence)
    }

    /// Signs `body` with the next sequence number.
    public mutating func sign(_ body: POSBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        signChain(body.transactionBody, atMs: atMs, idempotency: idempotency)
    }

    /// Signs any transaction body with the next sequence number.
    public mutating func signChain(_ body: TransactionBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        defer { nextSequence += 1 }
        return TransactionEnvelope(
            chainID: genesis.chainID, outletID: outlet, signer: key.publicKey, sequence: nextSequence,
            idempotencyID: idempotency ?? IdempotencyID(bytes: secureRandomBytes(IdempotencyID.byteCount))!,
            timestampMs: TimestampMs(atMs), body: body
        ).signed(by: key)
    }

    /// The builder of this till's sales, refunds and closings.
    public var builder: SaleBuilder { SaleBuilder(genesis: genesis, outlet: outlet, principal: principal) }

    public func quote(_ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, atMs: Int64,
                      state: some StateReader) throws -> SaleCalculator.PricedBasket {
        try builder.quote(lines, memberID: memberID, redeemPoints: redeemPoints, atMs: atMs, state: state)
    }

    public func buildSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, payment: Payment, training: Bool = false,
        atMs: Int64, state: some StateReader
    ) throws -> Sale {
        try builder.buildSale(lines, memberID: memberID, redeemPoints: redeemPoints, payment: payment, training: training,
                              atMs: atMs, state: state)
    }

    public func buildRefund(
        of saleID: Hash256, units: [(line: UInt32, quantity: Int64)], reason: String, restock: Bool, refundTender: Payment,
        state: some StateReader
    ) throws -> Refund {
        try builder.buildRefund(of: saleID, units: units, reason: reason, restock: restock, refundTender: refundTender, state: state)
    }

    public func buildShiftClose(counted: Int64, state: some StateReader) throws -> ShiftClose {
        try builder.buildShiftClose(counted: counted, state: state)
    }
}
