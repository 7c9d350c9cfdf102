import SGPOSCodec
import SGPOSCrypto

/// What a signer signs: chain, outlet, signer, replay protection, idempotency, time, body.
public struct TransactionEnvelope: Hashable, Sendable {
    /// Current envelope version byte.
    public static let version: UInt8 = 1

    public var chainID: ChainID
    public var outletID: OutletID
    public var signer: PublicKey
    /// Strictly increasing per signer key: a replayed or reordered transaction is refused.
    public var sequence: UInt64
    public var idempotencyID: IdempotencyID
    /// The signer's clock when it signed (informational; blocks carry the ledger time).
    public var timestampMs: TimestampMs
    public var body: TransactionBody

    public init(
        chainID: ChainID, outletID: OutletID, signer: PublicKey, sequence: UInt64,
        idempotencyID: IdempotencyID, timestampMs: TimestampMs, body: TransactionBody
    ) {
        self.chainID = chainID
        self.outletID = outletID
        self.signer = signer
        self.sequence = sequence
        self.idempotencyID = idempotencyID
        self.timestampMs = timestampMs
        self.body = body
    }

    /// Canonical bytes of the unsigned envelope.
    public var unsignedBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 192)
        encodeUnsigned(to: &encoder)
        return encoder.bytes
    }

    func encodeUnsigned(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(TransactionEnvelope.version)
        chainID.encode(to: &encoder)
        encoder.writeU32(outletID)
        signer.encode(to: &encoder)
        encoder.writeU64(sequence)
        encoder.writeFixed(idempotencyID.bytes, count: IdempotencyID.byteCount)
        encoder.writeU64(timestampMs)
        encoder.writeU16(body.typeCode)
        encoder.writeBytes(body.payloadBytes, limit: Limits.bodyBytesMax)
    }

    /// Signs the envelope. `key` must be the envelope's signer.
    public func signed(by key: SigningKey) -> SignedTransaction {
        precondition(key.publicKey == signer, "signing key does not match the envelope's signer")
        let unsigned = unsignedBytes
        let signature = key.sign(DomainTag.transactionSignature.prefix + unsigned)
        return SignedTransaction(envelope: self, signature: signature)
    }
}

/// A transaction with its signature, its canonical bytes and its id.
public struct SignedTransaction: Hashable, Sendable {
    public let envelope: TransactionEnvelope
    public let signature: Signature
    /// Canonical bytes of the signed transaction (what blocks store).
    public let encoded: [UInt8]
    /// Transaction id: SHA-256("SGPOS/tx-id/v1" 0x00 ‖ encoded).
    public let id: Hash256
    /// Length of the unsigned prefix of `encoded`.
    private let unsignedCount: Int

    public init(envelope: TransactionEnvelope, signature: Signature) {
        var encoder = CanonicalEncoder(capacity: 256)
        envelope.encodeUnsigned(to: &encoder)
        let unsignedCount = encoder.bytes.count
        signature.encode(to: &encoder)
        self.envelope = envelope
        self.signature = signature
        self.encoded = encoder.bytes
        self.unsignedCount = unsignedCount
        self.id = Hash256.tagged(.transactionID, encoder.bytes)
    }

    /// Decodes and checks canonical form; the signature is not checked here.
    public init(encoded bytes: [UInt8]) throws(CodecError) {
        guard bytes.count <= Limits.transactionBytesMax else {
            throw .lengthExceedsLimit(
                "transaction is \(bytes.count) bytes, limit \(Limits.transactionBytesMax)", at: 0)
        }
        var decoder = CanonicalDecoder(bytes)
        let version = try decoder.readU8("transaction version")
        guard version == TransactionEnvelope.version else {
            throw .unknownVersion("transaction version \(version); this node reads version 1", at: 0)
        }
        let chainID = try ChainID(from: &decoder)
        let outletID = try decoder.readU32("outlet id")
        let signer = try PublicKey(from: &decoder)
        let sequence = try decoder.readU64("sequence")
        let idempotency = try decoder.readFixed("idempotency id", count: IdempotencyID.byteCount)
        let timestamp = try decoder.readU64("timestamp")
        let bodyType = try decoder.readU16("body type")
        let payloadOffset = decoder.offset
        let payload = try decoder.readBytes("body", limit: Limits.bodyBytesMax)
        let unsignedCount = decoder.offset
        let signature = try Signature(from: &decoder)
        try decoder.finish("transaction")
        let body: TransactionBody
        do {
            body = try TransactionBody.decode(type: bodyType, payload: payload)
        } catch {
            throw .invalidValue("body at byte \(payloadOffset + 4): \(error.detail)", at: payloadOffset)
        }
        self.envelope = TransactionEnvelope(
            chainID: chainID, outletID: outletID, signer: signer, sequence: sequence,
            idempotencyID: IdempotencyID(bytes: idempotency)!, timestampMs: timestamp, body: body)
        self.signature = signature
        self.encoded = bytes
        self.unsignedCount = unsignedCount
        self.id = Hash256.tagged(.transactionID, bytes)
        assert(envelope.unsignedBytes == Array(bytes[0..<unsignedCount]), "decode/encode disagree")
    }

    /// True when the signature verifies under the envelope's signer key.
    public var hasValidSignature: Bool {
        let message = DomainTag.transactionSignature.prefix + encoded[0..<unsignedCount]
        return envelope.signer.isValidSignature(signature, for: message)
    }

    public static func == (lhs: SignedTransaction, rhs: SignedTransaction) -> Bool {
        lhs.encoded == rhs.encoded
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
