import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState

/// A till's signing session: its key, its principal and its next sequence number. It
/// builds the exact transactions the state machine accepts (the same ``SaleCalculator``),
/// signs them through the chain's ``EnvelopeSigner`` (as the node signs its own), and
/// keeps every signed transaction so a retry resends the same bytes (same idempotency id:
/// never a second sale).
public struct TillSession: Sendable {
    public let genesis: Genesis
    public let principal: String
    private var signer: EnvelopeSigner

    public var outlet: OutletID { signer.outlet }
    public var key: SigningKey { signer.key }
    public var nextSequence: UInt64 { signer.nextSequence }

    public init(genesis: Genesis, outlet: OutletID, key: SigningKey, principal: String, lastSequence: UInt64) {
        self.genesis = genesis
        self.principal = principal
        signer = EnvelopeSigner(chainID: genesis.chainID, outlet: outlet, key: key, lastSequence: lastSequence)
    }

    /// A session that continues after the key's last accepted sequence in `state`.
    public static func resume(genesis: Genesis, outlet: OutletID, key: SigningKey, state: some StateReader) throws -> TillSession {
        let record = try EnvelopeSigner.registration(of: key.publicKey, outlet: outlet, state: state)
        return TillSession(genesis: genesis, outlet: outlet, key: key, principal: record.principal,
                           lastSequence: record.lastSequence)
    }

    /// Signs `body` with the next sequence number.
    public mutating func sign(_ body: POSBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        signChain(body.transactionBody, atMs: atMs, idempotency: idempotency)
    }

    /// Signs any transaction body with the next sequence number.
    public mutating func signChain(_ body: TransactionBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        signer.sign(body, atMs: atMs, idempotency: idempotency)
    }

    /// The builder of this till's sales, refunds and closings.
    public var builder: SaleBuilder { SaleBuilder(genesis: genesis, outlet: outlet, principal: principal) }

    public func quote(_ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, codes: [String] = [], atMs: Int64,
                      state: some StateReader) throws -> SaleCalculator.PricedBasket {
        try builder.quote(lines, memberID: memberID, redeemPoints: redeemPoints, codes: codes, atMs: atMs, state: state)
    }

    public func buildSale(
        _ lines: [StockLine], memberID: String = "", redeemPoints: Int64 = 0, codes: [String] = [], payment: Payment,
        training: Bool = false, lots: [LotEntry] = [], atMs: Int64, state: some StateReader
    ) throws -> Sale {
        try builder.buildSale(lines, memberID: memberID, redeemPoints: redeemPoints, codes: codes, payment: payment, training: training,
                              lots: lots, atMs: atMs, state: state)
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
