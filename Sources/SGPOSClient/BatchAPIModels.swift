import SGPOSChain
import SGPOSProofs

extension API {
    /// `POST /v1/transactions/batch` as JSON: the signed transactions' canonical bytes, hex,
    /// in the order they are to be committed (the binary form is ``SGPOSChain/TransactionBatch``).
    public struct BatchSubmitRequest: Codable, Sendable {
        public var transactions: [String]
        public init(transactions: [String]) { self.transactions = transactions }
    }

    /// What became of each transaction of a batch, in request order, plus the counts.
    public struct BatchSubmitResponse: Codable, Sendable {
        public var results: [BatchResult]
        public var committed: Int
        public var duplicate: Int
        public var rejected: Int
        public var conflict: Int

        public init(results: [BatchResult]) {
            self.results = results
            committed = results.count { $0.status == BatchResult.committed }
            duplicate = results.count { $0.status == BatchResult.duplicate }
            rejected = results.count { $0.status == BatchResult.rejected }
            conflict = results.count { $0.status == BatchResult.conflict }
        }
    }

    /// One transaction of a batch. `committed` and `duplicate` carry where it is (as the
    /// single submit answers; `proof` only with `?proofs=true`); `rejected` carries the
    /// stable rule code and the reason, and nothing was written for it.
    public struct BatchResult: Codable, Sendable, Hashable {
        public static let committed = "committed"
        public static let duplicate = "duplicate"
        public static let rejected = "rejected"
        public static let conflict = "conflict"

        /// `committed` (durable now), `duplicate` (its idempotency id was committed before
        /// by these same bytes: the first result), `conflict` (its idempotency id was
        /// committed before by a different transaction, named in `message`; nothing was
        /// written) or `rejected`.
        public var status: String
        public var transactionId: String
        public var outletId: UInt32?
        public var height: UInt64?
        public var index: UInt32?
        /// Rejections: the stable rule code (FORMAT.md §8, §13) and what was wrong.
        public var code: Int?
        public var message: String?
        public var proof: TransactionProof?

        public init(status: String, transactionId: String, outletId: UInt32? = nil, height: UInt64? = nil, index: UInt32? = nil, code: Int? = nil, message: String? = nil, proof: TransactionProof? = nil) {
            self.status = status
            self.transactionId = transactionId
            self.outletId = outletId
            self.height = height
            self.index = index
            self.code = code
            self.message = message
            self.proof = proof
        }
    }
}
