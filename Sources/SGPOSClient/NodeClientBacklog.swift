import Foundation
import SGPOSChain

/// Uploading a till's backlog (sales made while the node was unreachable) in batches.
extension NodeClient {
    /// An upload that stopped part-way: what the node answered so far, and why it stopped.
    /// Every transaction in ``results`` is durable (or was rejected with a reason); the rest
    /// were not acknowledged. Upload the same signed transactions again: the ones that did
    /// reach a block answer `duplicate`, never a second sale.
    public struct BacklogFailure: Error, Sendable, CustomStringConvertible {
        /// Answers for the first `results.count` transactions of the backlog, in order.
        public let results: [API.BatchResult]
        /// The batch that failed for good (HTTP status 0: no answer after every attempt).
        public let failure: Failure
        public var description: String {
            "backlog upload stopped after \(results.count) acknowledged transaction(s): \(failure.message); "
                + "upload the remaining (or all) transactions again with the same signed bytes"
        }

        public init(results: [API.BatchResult], failure: Failure) {
            self.results = results
            self.failure = failure
        }
    }

    /// Submits one batch (1...``Limits/batchTransactionsMax`` transactions) in one request,
    /// with the client's timeout and retries; answers once the batch is durable.
    public func submitBatch(_ transactions: [SignedTransaction], proofs: Bool = false) async throws -> API.BatchSubmitResponse {
        let response: API.BatchSubmitResponse = try await call(
            "POST", "/v1/transactions/batch" + (proofs ? "?proofs=true" : ""), body: Data(TransactionBatch(transactions).encoded),
            contentType: "application/octet-stream", retry: true)
        guard response.results.count == transactions.count else {
            throw Failure(status: 200, problem: nil,
                          message: "the node answered \(response.results.count) results for a batch of \(transactions.count)")
        }
        return response
    }

    /// Uploads `transactions` in order, in consecutive batches of at most `batchSize`
    /// transactions and `batchBytesMax` encoded bytes, each batch with the client's timeout
    /// and bounded retries of the same bytes (idempotent by each transaction's id). Returns
    /// one result per transaction, in order; a rejection rejects only that transaction.
    /// Stops at the first batch that fails for good, with ``BacklogFailure``.
    public func uploadBacklog(
        _ transactions: [SignedTransaction], batchSize: Int = 500, batchBytesMax: Int = 1 << 20, proofs: Bool = false
    ) async throws(BacklogFailure) -> [API.BatchResult] {
        precondition((1...Limits.batchTransactionsMax).contains(batchSize), "batchSize must be 1...\(Limits.batchTransactionsMax)")
        precondition(batchBytesMax >= 8 + Limits.transactionBytesMax, "batchBytesMax must hold the largest transaction")
        var results: [API.BatchResult] = []
        results.reserveCapacity(transactions.count)
        var start = 0
        while start < transactions.count {
            var end = start
            var bytes = 4
            while end < transactions.count && end - start < batchSize && bytes + 4 + transactions[end].encoded.count <= batchBytesMax {
                bytes += 4 + transactions[end].encoded.count
                end += 1
            }
            do {
                results += try await submitBatch(Array(transactions[start..<end]), proofs: proofs).results
            } catch let failure as Failure {
                throw BacklogFailure(results: results, failure: failure)
            } catch {
                throw BacklogFailure(results: results, failure: Failure(status: 0, problem: nil, message: "\(error)"))
            }
            start = end
        }
        return results
    }
}
