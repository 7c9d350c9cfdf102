import SGPOSCodec

/// Signed transactions uploaded together, in order (a till's offline backlog):
/// the body of `POST /v1/transactions/batch` (docs/API.md).
///
/// Encoding: u32 count (1...``Limits/batchTransactionsMax``), then per transaction a u32
/// length (at most ``Limits/transactionBytesMax``) and its canonical bytes (FORMAT.md §3).
/// The batch is a transport container: it is neither hashed nor signed, and each
/// transaction keeps its own signature and id. Decoding rejects an empty or over-long
/// list, any transaction that is not canonical, and trailing bytes; errors name the
/// transaction's position and the byte offset in the whole batch.
public struct TransactionBatch: Hashable, Sendable {
    public let transactions: [SignedTransaction]

    public init(_ transactions: [SignedTransaction]) {
        precondition((1...Limits.batchTransactionsMax).contains(transactions.count),
                     "a batch holds 1...\(Limits.batchTransactionsMax) transactions, got \(transactions.count)")
        self.transactions = transactions
    }

    /// The batch's bytes.
    public var encoded: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 4 + transactions.reduce(0) { $0 + 4 + $1.encoded.count })
        encoder.writeCount(transactions.count, limit: Limits.batchTransactionsMax)
        for transaction in transactions {
            encoder.writeBytes(transaction.encoded, limit: Limits.transactionBytesMax)
        }
        return encoder.bytes
    }

    /// Decodes a whole batch; signatures are not checked here.
    public init(encoded bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        let count = try decoder.readCount("batch transaction count", limit: Limits.batchTransactionsMax)
        guard count >= 1 else { throw .invalidValue("batch transaction count: a batch holds at least 1 transaction", at: 0) }
        var transactions: [SignedTransaction] = []
        transactions.reserveCapacity(count)
        for position in 0..<count {
            let raw = try decoder.readBytes("transaction \(position) length", limit: Limits.transactionBytesMax)
            let start = decoder.offset - raw.count
            do {
                transactions.append(try SignedTransaction(encoded: raw))
            } catch {
                throw error.nested(at: start, in: "transaction \(position) (bytes \(start)..<\(decoder.offset))")
            }
        }
        try decoder.finish("batch")
        self.transactions = transactions
    }
}
