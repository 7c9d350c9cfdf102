import SGPOSCodec
import SGPOSCrypto

/// An encoded block read without decoding its transactions: the header, the producer's
/// signature and where each transaction's bytes lie. What a proof needs from a block
/// (every transaction id, one transaction) at a fraction of a full decode. The framing
/// is checked as ``Block/init(encoded:)`` checks it; the transactions are not decoded,
/// so a transaction that would not decode is found only by ``transaction(_:)``.
public struct BlockOutline: Sendable {
    public let header: BlockHeader
    public let signature: Signature
    /// The encoded block.
    public let bytes: [UInt8]
    /// Each transaction's encoding within ``bytes``, in block order.
    public let transactionRanges: [Range<Int>]

    public init(encoded bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        header = try BlockHeader(from: &decoder)
        signature = try Signature(from: &decoder)
        let countOffset = decoder.offset
        let count = try decoder.readCount("transactions", limit: Limits.blockTransactionsMax)
        guard count == Int(header.transactionCount) else {
            throw .invalidValue("block lists \(count) transactions, header says \(header.transactionCount)", at: countOffset)
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        for _ in 0..<count { ranges.append(try decoder.skipBytes("transaction", limit: Limits.transactionBytesMax)) }
        try decoder.finish("block")
        self.bytes = bytes
        transactionRanges = ranges
    }

    /// Block id (hash of the header).
    public var id: Hash256 { header.id }

    /// Transaction ids in block order (each the tagged hash of its encoding, as
    /// ``SignedTransaction/id``): the leaves of the transaction tree.
    public var transactionIDs: [Hash256] {
        transactionRanges.map { Hash256.tagged(.transactionID, bytes[$0]) }
    }

    /// The id of transaction `index` alone.
    public func transactionID(_ index: Int) -> Hash256 { Hash256.tagged(.transactionID, bytes[transactionRanges[index]]) }

    /// The encoding of transaction `index`.
    public func transactionBytes(_ index: Int) -> ArraySlice<UInt8> { bytes[transactionRanges[index]] }

    /// Transaction `index`, decoded.
    public func transaction(_ index: Int) throws(CodecError) -> SignedTransaction {
        try SignedTransaction(encoded: Array(bytes[transactionRanges[index]]))
    }
}
