import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore

/// The checkpoint application of a node (docs/CONSENSUS.md §1): proposes the heads of
/// every outlet chain it holds; finds a checkpoint valid when it lists every genesis
/// outlet once, no outlet goes back from the last checkpoint, and every block it names is
/// held here with that id (replicated and validated by the peer protocol first). Every
/// decision is stored (the checkpoint chain) before the next height starts.
final class NodeCheckpoints: CheckpointApplication, @unchecked Sendable {
    // @unchecked: used only from the CheckpointService actor.
    let store: LedgerStore
    let storage: ConsensusStorage
    let outlets: [OutletID]
    private(set) var last: Checkpoint?
    var onCommit: ((CommitCertificate, Checkpoint) -> Void)?

    init(store: LedgerStore, storage: ConsensusStorage) throws {
        self.store = store
        self.storage = storage
        outlets = store.genesis.outlets.map(\.id).sorted()
        last = try storage.latest().flatMap { try? Checkpoint(canonicalBytes: $0.value) }
    }

    /// Blocks younger than this are left for the next checkpoint: the other validators
    /// receive a block by push within milliseconds, and a proposal naming a block they do
    /// not hold yet is prevoted nil (costing a whole round).
    static let settleMs: UInt64 = 100

    func proposal(height: UInt64) -> [UInt8] {
        let cutoff = UInt64(wallClockMs()) &- Self.settleMs
        let heads: [Checkpoint.Head] = (try? store.environment.read { transaction in
            try outlets.map { outlet in try settledHead(outlet, cutoff: cutoff, transaction) }
        }) ?? last?.heads ?? []
        return Checkpoint(heads: heads).canonicalBytes
    }

    /// The newest block of `outlet` held here and old enough that the other validators
    /// hold it too (a bounded walk back from the head); never behind the last checkpoint.
    func settledHead(_ outlet: OutletID, cutoff: UInt64, _ transaction: LMDBTransaction) throws -> Checkpoint.Head {
        let covered = last?.head(of: outlet) ?? Checkpoint.Head(outlet: outlet, height: 0, blockID: store.genesis.id)
        var height = try store.head(outlet, transaction).height
        var steps = 0
        while height > covered.height, steps < 64, let block = try store.block(outlet, height: height, transaction) {
            if UInt64(block.header.timestampMs) <= cutoff { return Checkpoint.Head(outlet: outlet, height: height, blockID: block.id) }
            height -= 1
            steps += 1
        }
        return covered
    }

    /// Something settled that the last checkpoint does not cover.
    func hasNewContent(height: UInt64) -> Bool {
        let cutoff = UInt64(wallClockMs()) &- Self.settleMs
        return (try? store.environment.read { transaction in
            try outlets.contains { outlet in
                try settledHead(outlet, cutoff: cutoff, transaction).height > (last?.head(of: outlet)?.height ?? 0)
            }
        }) ?? true
    }

    func isValid(height: UInt64, value: [UInt8]) -> Bool {
        guard let checkpoint = try? Checkpoint(canonicalBytes: value), checkpoint.heads.map(\.outlet) == outlets else { return false }
        return (try? store.environment.read { transaction in
            for head in checkpoint.heads {
                if let covered = last?.head(of: head.outlet) {
                    guard head.height >= covered.height else { return false }
                    if head.height == covered.height { guard head.blockID == covered.blockID else { return false }; continue }
                }
                if head.height == 0 { guard head.blockID == store.genesis.id else { return false }; continue }
                guard let block = try store.block(head.outlet, height: head.height, transaction), block.id == head.blockID else { return false }
            }
            return true
        }) ?? false
    }

    func committed(_ certificate: CommitCertificate) {
        do { try storage.store(certificate) } catch {
            preconditionFailure("a decided checkpoint could not be stored: \(error)")
        }
        if let checkpoint = try? Checkpoint(canonicalBytes: certificate.value) {
            last = checkpoint
            onCommit?(certificate, checkpoint)
        }
    }
}
