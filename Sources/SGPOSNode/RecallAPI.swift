import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSClient

extension CheckpointService {
    /// Checks a product recall and keeps it for a checkpoint (FORMAT.md §9.8).
    public func accept(_ recall: ProductRecall) throws(UpdateRefusal) -> API.RecallAccepted {
        if let problem = recall.problem(genesis: node.genesis) {
            throw UpdateRefusal(status: 403, message: "recall \(recall.id) is not valid: \(problem)")
        }
        let carried = (try? node.read { try node.store.networkState($0).read(StateKey(.networkRecalls, recall.id.bytes)) }) ?? nil
        guard carried == nil else { throw UpdateRefusal(status: 409, message: "recall \(recall.id) was carried by an earlier checkpoint") }
        do {
            try AdminActPool.add(recall, directory: app.recallDirectory)
        } catch {
            throw UpdateRefusal(status: 500, message: "the recall could not be stored: \(error)")
        }
        return API.RecallAccepted(id: recall.id.hex, gtin: recall.gtin, lot: recall.lot)
    }

    /// The recalls checkpoints carried, and whether this outlet's chain has recorded each;
    /// then those handed to this node that no checkpoint carried yet.
    public func recalls() throws -> API.Recalls {
        try node.read { transaction in
            let own = node.store.stateReader(node.outletID, transaction)
            var carried: [API.RecallJSON] = []
            for (_, value) in try node.store.networkState(transaction).scan(.networkRecalls, limit: 10_000) {
                var decoder = CanonicalDecoder(value)
                let checkpoint = try decoder.readU64("checkpoint")
                let recall = try ProductRecall(from: &decoder)
                let applied = try own.recallRecord(gtin: recall.gtin, lot: recall.lot)
                carried.append(API.RecallJSON(id: recall.id.hex, gtin: recall.gtin, lot: recall.lot, reason: recall.reason,
                                              checkpoint: checkpoint, recordedHere: applied != nil))
            }
            let known = Set(carried.map(\.id))
            let pending = AdminActPool.pending(ProductRecall.self, directory: app.recallDirectory).filter { !known.contains($0.id.hex) }.map {
                API.RecallJSON(id: $0.id.hex, gtin: $0.gtin, lot: $0.lot, reason: $0.reason, checkpoint: nil, recordedHere: false)
            }
            return API.Recalls(outletId: node.outletID, carried: carried.sorted { ($0.checkpoint ?? 0, $0.id) < ($1.checkpoint ?? 0, $1.id) },
                               pending: pending)
        }
    }
}

extension NodeAPI {
    func recalls() async throws -> Response {
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain, no recalls") }
        return try json(try await checkpoints.recalls())
    }

    func submitRecall(_ data: [UInt8]) async throws -> Response {
        try await submitAdminAct(data, ProductRecall.self, field: "recall", what: "a product recall, FORMAT.md §9.8") {
            try await $0.accept($1)
        }
    }
}
