import Foundation
import Logging
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// The outlet side of product recalls (FORMAT.md §9.8, §13.6): a checkpoint carried a
/// recall into the network state; as soon as this node has applied that checkpoint it
/// records the recall on its own chain (apply-recall, signed by its node key), and from
/// that block on its tills' sales of the lot are refused. A node that was cut off when
/// the recall was issued does this as soon as it has caught up with the checkpoints.
enum RecallApplication {
    /// Recalls applied per pass: a recall is rare; a checkpoint carries at most 16.
    static let perPassMax = 64

    /// Recalls the network state holds that this chain has not recorded: (checkpoint, recall).
    static func pending(node: LedgerNode) throws -> [(checkpoint: UInt64, recall: ProductRecall)] {
        try node.read { transaction in
            let own = node.store.stateReader(node.outletID, transaction)
            var found: [(UInt64, ProductRecall)] = []
            for (_, value) in try node.store.networkState(transaction).scan(.networkRecalls, limit: 10_000) where found.count < perPassMax {
                var decoder = CanonicalDecoder(value)
                let checkpoint = try decoder.readU64("checkpoint")
                let recall = try ProductRecall(from: &decoder)
                if try own.recallRecord(gtin: recall.gtin, lot: recall.lot) == nil { found.append((checkpoint, recall)) }
            }
            return found.sorted { $0.0 < $1.0 }
        }
    }

    /// Records every pending recall, one transaction each; a refused one is logged and
    /// tried again on the next pass.
    static func applyPending(node: LedgerNode, logger: Logger) async {
        guard let recalls = try? pending(node: node), !recalls.isEmpty else { return }
        for (checkpoint, recall) in recalls {
            do {
                let atMs = Int64(wallClockMs())
                var signer = try node.withState(of: node.outletID) { state in
                    try EnvelopeSigner.resume(chainID: node.genesis.chainID, outlet: node.outletID, key: node.nodeKey, state: state)
                }
                let body = POSBody.applyRecall(ApplyRecall(checkpoint: checkpoint, recall: recall))
                let outcome = try await node.submit(signer.sign(body.transactionBody, atMs: atMs))
                logger.notice("recorded recall \(recall.id) of lot \(recall.lot), GTIN \(recall.gtin) (checkpoint \(checkpoint)): sales of it are refused from now on (\(outcome))")
            } catch {
                logger.warning("could not record recall \(recall.id) of lot \(recall.lot): \(error)")
            }
        }
    }
}
