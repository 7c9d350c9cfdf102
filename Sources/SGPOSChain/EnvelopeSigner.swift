import SGPOSCodec
import SGPOSCrypto

/// A registered key signing on one outlet chain: builds each transaction envelope with
/// the key's next sequence number (strictly increasing, ``ChainRules``) and signs it.
/// The one signing primitive behind a till's session (`TillSession`, SGPOSTill) and the
/// node's own transactions (points settlements), so the node needs no till SDK to sign.
/// After sequence 2^64 − 1 comes 0, which the chain refuses (`sequenceNotIncreasing`): a
/// key that has signed the last sequence is spent, and its holder registers a new one.
public struct EnvelopeSigner: Sendable {
    public let chainID: ChainID
    public let outlet: OutletID
    public let key: SigningKey
    public private(set) var nextSequence: UInt64

    public init(chainID: ChainID, outlet: OutletID, key: SigningKey, lastSequence: UInt64) {
        self.chainID = chainID
        self.outlet = outlet
        self.key = key
        nextSequence = lastSequence &+ 1
    }

    /// The registry record of `key` in `state` (its principal and last accepted sequence);
    /// ``LedgerRejection/Reason/unknownSigner`` when the key is not registered there.
    public static func registration(of key: PublicKey, outlet: OutletID, state: some StateReader) throws -> KeyRecord {
        guard let bytes = try state.read(.key(key)) else {
            throw LedgerRejection(.unknownSigner, "key \(key) is not registered on outlet \(outlet)")
        }
        return try KeyRecord(canonicalBytes: bytes)
    }

    /// A signer that continues after the key's last accepted sequence in `state`.
    public static func resume(chainID: ChainID, outlet: OutletID, key: SigningKey, state: some StateReader) throws -> EnvelopeSigner {
        let record = try registration(of: key.publicKey, outlet: outlet, state: state)
        return EnvelopeSigner(chainID: chainID, outlet: outlet, key: key, lastSequence: record.lastSequence)
    }

    /// Signs `body` with the next sequence number; a fresh random idempotency id unless
    /// one is given (a retry names the first one).
    public mutating func sign(_ body: TransactionBody, atMs: Int64, idempotency: IdempotencyID? = nil) -> SignedTransaction {
        defer { nextSequence &+= 1 }
        return TransactionEnvelope(
            chainID: chainID, outletID: outlet, signer: key.publicKey, sequence: nextSequence,
            idempotencyID: idempotency ?? IdempotencyID(bytes: secureRandomBytes(IdempotencyID.byteCount))!,
            timestampMs: TimestampMs(atMs), body: body
        ).signed(by: key)
    }
}
