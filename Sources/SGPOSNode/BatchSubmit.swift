import Foundation
import Hummingbird
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSOperations
import SGPOSStore
import SGPOSClient

/// `POST /v1/transactions/batch`: a till's backlog in one request. Each transaction takes
/// the single submit's path (outlet check, the group committer, the same writer and
/// rules), so blocks are shared, a resubmission answers `duplicate`, and the answer comes
/// once every block holding the batch is durable. One bad transaction rejects only itself;
/// a body that cannot be read as a batch is refused whole and changes nothing.
extension NodeAPI {
    /// The two accepted body formats, named by `Content-Type`.
    enum BatchBodyFormat: Sendable {
        /// `application/octet-stream`: ``TransactionBatch``'s bytes.
        case binary
        /// `application/json`: `{"transactions": [hex, …]}`.
        case json

        init?(contentType: String?) {
            let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            switch mediaType {
            case "application/octet-stream": self = .binary
            case "application/json": self = .json
            default: return nil
            }
        }
    }

    /// Why a batch body was refused whole (400): which transaction, where, and what.
    /// A batch body that is refused: `undecodable` when it matches docs/openapi.json but
    /// the bytes are not canonical FORMAT.md encodings (422), else malformed (400).
    struct BatchBodyError: Error, Sendable, CustomStringConvertible {
        let description: String
        var undecodable = false
    }

    func submitBatch(_ request: Request, bytesMax: Int) async throws -> Response {
        let proofs: Bool
        switch request.uri.queryParameters["proofs"].map(String.init) {
        case nil, "false": proofs = false
        case "true": proofs = true
        case let other?: return problem(.badRequest, "malformed", 0, "query proofs must be true or false, got \"\(other)\"")
        }
        guard let format = BatchBodyFormat(contentType: request.headers[.contentType]) else {
            return problem(.unsupportedMediaType, "unsupported-media-type", 0,
                           "Content-Type must be application/octet-stream (a binary batch) or application/json "
                               + "({\"transactions\": [hex, …]}), got \(request.headers[.contentType] ?? "none")")
        }
        let transactions: [SignedTransaction]
        do {
            transactions = try Self.decodeBatch(try await body(request, max: bytesMax), format: format)
        } catch let error as BatchBodyError {
            return error.undecodable
                ? problem(.unprocessableContent, "undecodable", Int(LedgerRejection.Reason.malformed.rawValue), error.description)
                : problem(.badRequest, "malformed", Int(LedgerRejection.Reason.malformed.rawValue), error.description)
        }
        do {
            return try json(try await submitBatch(transactions, proofs: proofs))
        } catch let error as GroupCommitError where error.isOverloaded {
            return problem(.serviceUnavailable, "overloaded", Int(error.code), error.message)
        }
    }

    /// The transactions of a batch body, in order, or why the body is not a batch.
    static func decodeBatch(_ data: [UInt8], format: BatchBodyFormat) throws -> [SignedTransaction] {
        switch format {
        case .binary:
            do {
                return try TransactionBatch(encoded: data).transactions
            } catch {
                throw BatchBodyError(description: "batch: \(error)", undecodable: true)
            }
        case .json:
            let request = try decodeJSON(API.BatchSubmitRequest.self, data)
            guard (1...Limits.batchTransactionsMax).contains(request.transactions.count) else {
                throw BatchBodyError(description:
                    "transactions: \(request.transactions.count) elements; a batch holds 1...\(Limits.batchTransactionsMax)")
            }
            return try request.transactions.enumerated().map { position, hex in
                guard let bytes = Hex.decode(hex) else { throw BatchBodyError(description: "transactions[\(position)] must be hex") }
                do {
                    return try SignedTransaction(encoded: bytes)
                } catch {
                    throw BatchBodyError(description: "transactions[\(position)]: \(error)", undecodable: true)
                }
            }
        }
    }

    /// Submits decoded transactions together and describes each outcome, in order.
    /// Throws ``NodeError`` (overloaded) before anything is queued.
    func submitBatch(_ transactions: [SignedTransaction], proofs: Bool) async throws -> API.BatchSubmitResponse {
        var results: [API.BatchResult?] = Array(repeating: nil, count: transactions.count)
        var queued: [SignedTransaction] = []
        var positions: [Int] = []
        for (position, transaction) in transactions.enumerated() {
            if let refusal = RequestLimits.admissionRefusal(transaction.envelope.body) {
                results[position] = .init(status: API.BatchResult.rejected, transactionId: transaction.id.hex,
                                          code: RequestLimits.admissionRefusalCode, message: refusal)
            } else if transaction.envelope.outletID == node.outletID {
                queued.append(transaction)
                positions.append(position)
            } else {
                results[position] = .init(
                    status: API.BatchResult.rejected, transactionId: transaction.id.hex,
                    code: Int(LedgerRejection.Reason.wrongOutlet.rawValue),
                    message: "this node produces outlet \(node.outletID)'s chain; the transaction is for outlet \(transaction.envelope.outletID)")
            }
        }
        let outcomes = try await node.submitAll(queued)
        let proofBuilder = ProofBuilder(store: node.store)
        for (position, outcome) in zip(positions, outcomes) {
            if case .duplicate(let first) = outcome, try node.store.isConflict(transactions[position], first: first) {
                results[position] = .init(status: API.BatchResult.conflict, transactionId: transactions[position].id.hex,
                                          message: idempotencyConflict(transactions[position], first: first))
                continue
            }
            switch outcome {
            case .rejected(let rejection):
                results[position] = .init(status: API.BatchResult.rejected, transactionId: transactions[position].id.hex,
                                          code: Int(rejection.code), message: rejection.detail)
            case .committed(let location), .duplicate(let location):
                let status: String
                if case .committed = outcome { status = API.BatchResult.committed } else { status = API.BatchResult.duplicate }
                results[position] = .init(
                    status: status, transactionId: location.transactionID.hex, outletId: location.outletID,
                    height: location.height, index: location.index,
                    proof: proofs ? try proofBuilder.transactionProof(location.transactionID, cache: blockTrees) : nil)
            }
        }
        return API.BatchSubmitResponse(results: results.map { $0! })
    }
}
