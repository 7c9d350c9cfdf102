import SGPOSCodec
import SGPOSCrypto

/// The signed summary of one outlet block (docs/FORMAT.md §5).
public struct BlockHeader: Hashable, Sendable {
    /// Current header version byte.
    public static let version: UInt8 = 1

    public var chainID: ChainID
    public var outletID: OutletID
    /// 1 for the first block of an outlet chain.
    public var height: UInt64
    /// Id of block `height - 1`; the genesis id for height 1.
    public var previousHash: Hash256
    /// Producer's clock at sealing, never earlier than the previous block's.
    public var timestampMs: TimestampMs
    public var transactionCount: UInt32
    /// RFC 9162 Merkle root over the transaction ids, in block order.
    public var transactionRoot: Hash256
    /// RFC 9162 Merkle root over the ids of blocks 1...height-1 of this chain.
    public var historyRoot: Hash256
    /// State commitment after applying this block (docs/FORMAT.md §7).
    public var stateRoot: Hash256
    /// The outlet's node key that signs this header.
    public var producer: PublicKey

    public init(
        chainID: ChainID, outletID: OutletID, height: UInt64, previousHash: Hash256,
        timestampMs: TimestampMs, transactionCount: UInt32, transactionRoot: Hash256,
        historyRoot: Hash256, stateRoot: Hash256, producer: PublicKey
    ) {
        self.chainID = chainID
        self.outletID = outletID
        self.height = height
        self.previousHash = previousHash
        self.timestampMs = timestampMs
        self.transactionCount = transactionCount
        self.transactionRoot = transactionRoot
        self.historyRoot = historyRoot
        self.stateRoot = stateRoot
        self.producer = producer
    }

    /// Block id: SHA-256("SGPOS/block-id/v1" 0x00 ‖ header bytes).
    public var id: Hash256 { Hash256.tagged(.blockID, canonicalBytes) }

    /// The message the producer signs.
    public var signingMessage: [UInt8] { DomainTag.blockSignature.prefix + canonicalBytes }
}

extension BlockHeader: CanonicalEncodable, CanonicalDecodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(BlockHeader.version)
        chainID.encode(to: &encoder)
        encoder.writeU32(outletID)
        encoder.writeU64(height)
        previousHash.encode(to: &encoder)
        encoder.writeU64(timestampMs)
        encoder.writeU32(transactionCount)
        transactionRoot.encode(to: &encoder)
        historyRoot.encode(to: &encoder)
        stateRoot.encode(to: &encoder)
        producer.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        let version = try decoder.readU8("block header version")
        guard version == BlockHeader.version else {
            throw .unknownVersion("block header version \(version); this node reads version 1", at: at)
        }
        self.chainID = try ChainID(from: &decoder)
        self.outletID = try decoder.readU32("outlet id")
        self.height = try decoder.readU64("height")
        self.previousHash = try Hash256(from: &decoder)
        self.timestampMs = try decoder.readU64("timestamp")
        self.transactionCount = try decoder.readU32("transaction count")
        self.transactionRoot = try Hash256(from: &decoder)
        self.historyRoot = try Hash256(from: &decoder)
        self.stateRoot = try Hash256(from: &decoder)
        self.producer = try PublicKey(from: &decoder)
    }
}

/// A signed header with its transactions, as stored and replicated.
public struct Block: Hashable, Sendable {
    public let header: BlockHeader
    public let signature: Signature
    public let transactions: [SignedTransaction]
    /// Block id (hash of the header).
    public let id: Hash256

    public init(header: BlockHeader, signature: Signature, transactions: [SignedTransaction]) {
        self.header = header
        self.signature = signature
        self.transactions = transactions
        self.id = header.id
    }

    /// Seals a block: computes nothing, signs the given header.
    public static func seal(header: BlockHeader, transactions: [SignedTransaction], key: SigningKey) -> Block {
        precondition(key.publicKey == header.producer, "sealing key is not the header's producer")
        precondition(Int(header.transactionCount) == transactions.count, "header count disagrees")
        return Block(header: header, signature: key.sign(header.signingMessage), transactions: transactions)
    }

    public var hasValidSignature: Bool {
        header.producer.isValidSignature(signature, for: header.signingMessage)
    }

    /// Transaction ids in block order: the leaves of the transaction tree.
    public var transactionIDs: [Hash256] { transactions.map(\.id) }

    /// Canonical block bytes: header, signature, u32 count, each transaction
    /// length-prefixed.
    public var encoded: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 320 + transactions.count * 260)
        header.encode(to: &encoder)
        signature.encode(to: &encoder)
        encoder.writeCount(transactions.count, limit: Limits.blockTransactionsMax)
        for transaction in transactions {
            encoder.writeBytes(transaction.encoded, limit: Limits.transactionBytesMax)
        }
        return encoder.bytes
    }

    /// Decodes a block; checks canonical form, not signatures or rules.
    public init(encoded bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        let header = try BlockHeader(from: &decoder)
        let signature = try Signature(from: &decoder)
        let countOffset = decoder.offset
        let count = try decoder.readCount("transactions", limit: Limits.blockTransactionsMax)
        guard count == Int(header.transactionCount) else {
            throw .invalidValue(
                "block lists \(count) transactions, header says \(header.transactionCount)", at: countOffset)
        }
        var transactions: [SignedTransaction] = []
        transactions.reserveCapacity(count)
        for _ in 0..<count {
            let at = decoder.offset
            let raw = try decoder.readBytes("transaction", limit: Limits.transactionBytesMax)
            do {
                transactions.append(try SignedTransaction(encoded: raw))
            } catch {
                throw .invalidValue("transaction \(transactions.count) at byte \(at): \(error)", at: at)
            }
        }
        try decoder.finish("block")
        self.init(header: header, signature: signature, transactions: transactions)
    }
}
