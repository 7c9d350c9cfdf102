import SGPOSAudit
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// The checkpoint application of a node (docs/CONSENSUS.md §1): proposes the heads of
/// every outlet chain it holds; finds a checkpoint valid when it lists every genesis
/// outlet once, no outlet goes back from the last checkpoint, and every block it names is
/// held here with that id (replicated and validated by the peer protocol first), and its
/// network root is the one this node computes by applying the newly covered blocks to
/// its network state (docs/CONSENSUS.md §7). Every decision is stored (the checkpoint
/// chain) before the next height starts; the network state follows as soon as this node
/// holds the blocks a decided checkpoint covers.
final class NodeCheckpoints: CheckpointApplication, @unchecked Sendable {
    // @unchecked: used only from the CheckpointService actor.
    let store: LedgerStore
    let storage: ConsensusStorage
    let outlets: [OutletID]
    private(set) var last: Checkpoint?
    var onCommit: ((CommitCertificate, Checkpoint) -> Void)?
    /// The clock proposals take their agreed time from and timeliness is judged by
    /// (docs/CONSENSUS.md §11): the wall clock; tests fix it.
    var clock: () -> UInt64 = { UInt64(wallClockMs()) }
    /// Set when a decided checkpoint's network root differs from the one computed here:
    /// the network state stops there (a bug or a faulty quorum; docs/OPERATIONS.md).
    private(set) var networkDivergence: String?
    let genesisRoot: Hash256
    /// The checkpoint history tree's frontier over the stored checkpoints (docs/CONSENSUS.md §8).
    private(set) var history = CompactRange()
    /// Where this node keeps the evidence it saw (outlet equivocations, double votes).
    let evidenceDirectory: String
    /// Where admins' validator updates and allowance grants wait for a checkpoint (``AdminActPool``).
    let validatorUpdateDirectory: String
    let allowanceGrantDirectory: String
    let recallDirectory: String
    /// The validator set of every height up to two above the last stored checkpoint.
    private(set) var schedule: ValidatorSchedule

    init(store: LedgerStore, storage: ConsensusStorage, dataDirectory: String) throws {
        self.store = store
        self.storage = storage
        evidenceDirectory = dataDirectory + "/evidence"
        validatorUpdateDirectory = dataDirectory + "/validator-updates"
        allowanceGrantDirectory = dataDirectory + "/allowance-grants"
        recallDirectory = dataDirectory + "/recalls"
        outlets = store.genesis.outlets.map(\.id).sorted()
        last = try storage.latest().flatMap { try? Checkpoint(canonicalBytes: $0.value) }
        genesisRoot = NetworkLedger.genesisRoot(store.genesis.id)
        schedule = ValidatorSchedule(genesis: store.genesis)
        for certificate in try storage.all() {
            let checkpoint = try Checkpoint(canonicalBytes: certificate.value)
            try schedule.record(checkpointHeight: certificate.height, updates: checkpoint.validatorUpdates, genesis: store.genesis)
        }
    }

    func validators(height: UInt64) -> ValidatorSet { schedule.set(at: height) }

    /// Pending allowance grants that are valid and not carried before, at most a checkpoint's worth.
    func newAllowanceGrants(_ transaction: LMDBTransaction) throws -> [AllowanceGrant] {
        let network = store.networkState(transaction)
        return try AdminActPool.pending(AllowanceGrant.self, directory: allowanceGrantDirectory).filter { grant in
            try grant.isValid(genesis: store.genesis) && network.read(StateKey(.networkAllowanceGrants, grant.id.bytes)) == nil
        }.prefix(AllowanceGrant.perCheckpointMax).map { $0 }
    }

    /// Pending product recalls that are valid and not carried before, at most a checkpoint's
    /// worth. None before the checkpoint chain has an agreed time (a recall needs version 5).
    func newRecalls(timeMs: UInt64?, _ transaction: LMDBTransaction) throws -> [ProductRecall] {
        guard timeMs != nil else { return [] }
        let network = store.networkState(transaction)
        return try AdminActPool.pending(ProductRecall.self, directory: recallDirectory).filter { recall in
            try recall.isValid(genesis: store.genesis) && network.read(StateKey(.networkRecalls, recall.id.bytes)) == nil
        }.prefix(ProductRecall.perCheckpointMax).map { $0 }
    }

    /// Pending updates that apply on top of the set of `height + 1` (checkpoint `height`
    /// carries them), not carried before, at most a checkpoint's worth, in id order.
    /// The validator updates handed to this node that no applied checkpoint carried yet
    /// (their files stay after, for people to read; `GET /v1/validators` lists only these).
    func uncarriedValidatorUpdates() -> [ValidatorUpdate] {
        let handed = AdminActPool.pending(ValidatorUpdate.self, directory: validatorUpdateDirectory)
        return (try? store.environment.read { transaction in
            let network = store.networkState(transaction)
            return try handed.filter { try network.read(StateKey(.networkValidatorUpdates, $0.id.bytes)) == nil }
        }) ?? handed
    }

    func newValidatorUpdates(height: UInt64, _ transaction: LMDBTransaction) throws -> [ValidatorUpdate] {
        guard height == schedule.through + 1 else { return [] }
        let network = store.networkState(transaction)
        var chosen: [ValidatorUpdate] = []
        for update in AdminActPool.pending(ValidatorUpdate.self, directory: validatorUpdateDirectory) where chosen.count < ValidatorUpdate.perCheckpointMax {
            guard try network.read(StateKey(.networkValidatorUpdates, update.id.bytes)) == nil,
                  (try? schedule.trial(checkpointHeight: height, updates: chosen + [update], genesis: store.genesis)) != nil
            else { continue }
            chosen.append(update)
        }
        return chosen
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
        let historyRoot = historyRoot(before: height) ?? MerkleTree.emptyRoot
        let timeMs = CheckpointTimeParameters.proposalTime(nowMs: clock(), previousMs: last?.timeMs)
        let proposed = try? store.environment.read { transaction -> Checkpoint? in
            guard try store.networkPosition(genesisRoot: genesisRoot, transaction).height == height - 1 else { return nil }
            let evidence = try newEvidence(transaction)
            let updates = try newValidatorUpdates(height: height, transaction)
            let grants = try newAllowanceGrants(transaction)
            let recalls = try newRecalls(timeMs: timeMs, transaction)
            let draft = Checkpoint(heads: heads, evidence: evidence, validatorUpdates: updates, allowanceGrants: grants, recalls: recalls,
                                   historyRoot: historyRoot, networkRoot: genesisRoot, timeMs: timeMs)
            return Checkpoint(heads: heads, evidence: evidence, validatorUpdates: updates, allowanceGrants: grants, recalls: recalls,
                              historyRoot: historyRoot, networkRoot: try networkRoot(after: draft, height: height, transaction), timeMs: timeMs)
        }
        guard let proposed = proposed ?? nil else {
            // The network state is not at the last checkpoint yet: propose nothing new.
            return Checkpoint(heads: lastHeads, historyRoot: historyRoot,
                              networkRoot: NetworkLedger.next(previous: lastRoot, changes: WriteSet()), timeMs: timeMs).canonicalBytes
        }
        return proposed.canonicalBytes
    }

    /// The history root over checkpoints 1 … height−1, if this node stores all of them.
    func historyRoot(before height: UInt64) -> Hash256? {
        guard height >= 1 else { return nil }
        if history.size != height - 1 {
            // Rebuilt from the stored certificates (after a start or a catch-up).
            guard let stored = try? storage.all(), stored.count >= Int(height - 1) else { return nil }
            var rebuilt = CompactRange()
            for certificate in stored.prefix(Int(height - 1)) { rebuilt.append(leafHash: Checkpoint.historyLeaf(value: certificate.value)) }
            history = rebuilt
        }
        return history.root
    }

    /// Proven evidence this node holds that no checkpoint carried yet, at most a checkpoint's worth.
    func newEvidence(_ transaction: LMDBTransaction) throws -> [CheckpointEvidence] {
        let network = store.networkState(transaction)
        return try EvidenceStore.pending(directory: evidenceDirectory).filter { item in
            try item.isProven(genesis: store.genesis, validators: schedule) && network.read(StateKey(.networkEvidence, item.id.bytes)) == nil
        }.prefix(CheckpointEvidence.perCheckpointMax).map { $0 }
    }

    var lastHeads: [Checkpoint.Head] {
        last?.heads ?? outlets.map { Checkpoint.Head(outlet: $0, height: 0, blockID: store.genesis.id) }
    }

    var lastRoot: Hash256 { last?.networkRoot ?? genesisRoot }

    /// The network root after `checkpoint` (at `height`), from the network state at the last checkpoint.
    func networkRoot(after checkpoint: Checkpoint, height: UInt64, _ transaction: LMDBTransaction) throws -> Hash256 {
        let changes = try networkChanges(from: lastHeads, to: checkpoint, height: height, transaction)
        return NetworkLedger.next(previous: lastRoot, changes: changes.writes)
    }

    /// The network state's changes from checkpoint heads `previous` to `checkpoint` (its
    /// evidence, then the blocks it newly covers), and the blocks covered.
    func networkChanges(from previous: [Checkpoint.Head], to checkpoint: Checkpoint, height: UInt64, _ transaction: LMDBTransaction) throws
        -> (writes: WriteSet, covered: [NetworkLedger.CoveredBlocks])
    {
        let covered = Self.covered(from: previous, to: checkpoint.heads)
        let writes = try NetworkLedger.changes(base: store.networkState(transaction), evidence: checkpoint.evidenceRecords(height: height),
                                               validatorUpdates: checkpoint.validatorUpdateRecords(height: height),
                                               allowanceGrants: checkpoint.allowanceGrantChanges(height: height),
                                               recalls: checkpoint.recallRecords(height: height), covering: covered) { outlet, height in
            try store.networkSources(outlet, height: height, transaction)
        }
        return (writes, covered)
    }

    /// The blocks `heads` newly cover after `previous`, outlets ascending.
    static func covered(from previous: [Checkpoint.Head], to heads: [Checkpoint.Head]) -> [NetworkLedger.CoveredBlocks] {
        precondition(previous.map(\.outlet) == heads.map(\.outlet), "checkpoints list the same outlets")
        return zip(previous, heads).filter { $0.1.height > $0.0.height }.map { before, after in
            .init(outlet: after.outlet, heights: (before.height + 1)...after.height)
        }
    }

    /// The newest block of `outlet` held here and old enough that the other validators
    /// hold it too (a bounded walk back from the head); never behind the last checkpoint.
    func settledHead(_ outlet: OutletID, cutoff: UInt64, _ transaction: LMDBTransaction) throws -> Checkpoint.Head {
        let covered = last?.head(of: outlet) ?? Checkpoint.Head(outlet: outlet, height: 0, blockID: store.genesis.id)
        var height = try store.head(outlet, transaction).height
        var steps = 0
        while height > covered.height, steps < 64, let block = try store.blockHeader(outlet, height: height, transaction) {
            if UInt64(block.header.timestampMs) <= cutoff { return Checkpoint.Head(outlet: outlet, height: height, blockID: block.header.id) }
            height -= 1
            steps += 1
        }
        return covered
    }

    /// Something settled that the last checkpoint does not cover: blocks, or an admin act
    /// or evidence a checkpoint would carry. A recall handed over while no outlet trades
    /// starts a checkpoint on its own (it once waited for the next sale anywhere).
    func hasNewContent(height: UInt64) -> Bool {
        let cutoff = UInt64(wallClockMs()) &- Self.settleMs
        let timeMs = CheckpointTimeParameters.proposalTime(nowMs: clock(), previousMs: last?.timeMs)
        return (try? store.environment.read { transaction in
            try outlets.contains { outlet in
                try settledHead(outlet, cutoff: cutoff, transaction).height > (last?.head(of: outlet)?.height ?? 0)
            } || !newEvidence(transaction).isEmpty || !newValidatorUpdates(height: height, transaction).isEmpty
                || !newAllowanceGrants(transaction).isEmpty || !newRecalls(timeMs: timeMs, transaction).isEmpty
        }) ?? true
    }

    /// Proposer-based time (docs/CONSENSUS.md §11): the agreed time within this node's
    /// clock's bounds, and no newly covered block stamped after this node's clock plus
    /// the precision.
    func isTimely(height: UInt64, value: [UInt8]) -> Bool {
        guard let checkpoint = try? Checkpoint(canonicalBytes: value), let timeMs = checkpoint.timeMs else { return false }
        let bounds = store.genesis.timeParameters
        let now = clock()
        guard bounds.isTimely(timeMs: timeMs, nowMs: now) else { return false }
        return (try? store.environment.read { transaction in
            for head in checkpoint.heads where head.height > (last?.head(of: head.outlet)?.height ?? 0) {
                guard let block = try store.blockHeader(head.outlet, height: head.height, transaction),
                      bounds.isPast(blockTimeMs: UInt64(block.header.timestampMs), nowMs: now) else { return false }
            }
            return true
        }) ?? false
    }

    func isValid(height: UInt64, value: [UInt8]) -> Bool {
        guard height == schedule.through + 1, let checkpoint = try? Checkpoint(canonicalBytes: value), checkpoint.heads.map(\.outlet) == outlets,
              checkpoint.historyRoot == historyRoot(before: height) else { return false }
        // Agreed time: every new checkpoint carries one, after the previous checkpoint's.
        guard let timeMs = checkpoint.timeMs, last?.timeMs.map({ timeMs > $0 }) ?? true else { return false }
        return (try? store.environment.read { transaction in
            // The root can be checked only from the network state at the last checkpoint.
            let position = try store.networkPosition(genesisRoot: genesisRoot, transaction)
            guard position.height == height - 1, position.root == lastRoot else { return false }
            for head in checkpoint.heads {
                if let covered = last?.head(of: head.outlet) {
                    guard head.height >= covered.height else { return false }
                    if head.height == covered.height { guard head.blockID == covered.blockID else { return false }; continue }
                }
                if head.height == 0 { guard head.blockID == store.genesis.id else { return false }; continue }
                guard let block = try store.blockHeader(head.outlet, height: head.height, transaction), block.header.id == head.blockID else { return false }
            }
            guard checkpoint.evidence.allSatisfy({ $0.isProven(genesis: store.genesis, validators: schedule) }),
                  (try? schedule.trial(checkpointHeight: height, updates: checkpoint.validatorUpdates, genesis: store.genesis)) != nil,
                  checkpoint.allowanceGrants.allSatisfy({ $0.isValid(genesis: store.genesis) }),
                  checkpoint.recalls.allSatisfy({ $0.isValid(genesis: store.genesis) })
            else { return false }
            return try networkRoot(after: checkpoint, height: height, transaction) == checkpoint.networkRoot
        }) ?? false
    }

    func committed(_ certificate: CommitCertificate) {
        do { try storage.store(certificate) } catch {
            preconditionFailure("a decided checkpoint could not be stored: \(error)")
        }
        follow(certificate)
    }

    /// The decision and the validator's move to the next height in one LMDB write
    /// transaction (``ConsensusStorage/storeDecision(_:nextState:)``), then as
    /// ``committed(_:)``. This node's core saves its signing state through
    /// `LMDBValidatorStateStore(storage)`, the same environment and table, so the state
    /// goes there directly.
    ///
    /// Apart, a crash between the certificate's fsync and the state's left checkpoint H on
    /// disk with the signing state still at H (the restart had to finish the move);
    /// together, the node restarts before H or past it, and a decision costs one fsync.
    /// The network state that follows is not part of it: it is derived from the stored
    /// certificates and the blocks they cover, may lag them (a catching-up node holds
    /// certificates first), and is advanced in its own transaction (its changes, the
    /// evidence, validator updates and allowance grants it records, and its position
    /// together), again on every tick after a crash.
    func committed(_ certificate: CommitCertificate, nextState: PersistedValidatorState, store: any ValidatorStateStore) {
        assert(store is LMDBValidatorStateStore, "the node's core keeps its signing state in this node's LMDB environment")
        do { try storage.storeDecision(certificate, nextState: nextState) } catch {
            preconditionFailure("a decided checkpoint and the validator state could not be stored: \(error)")
        }
        follow(certificate)
    }

    /// What a stored decision changes here: the history, the last checkpoint, the
    /// validator schedule, and the network state as far as this node holds the blocks.
    private func follow(_ certificate: CommitCertificate) {
        if history.size == certificate.height - 1 { history.append(leafHash: Checkpoint.historyLeaf(value: certificate.value)) }
        // A quorum decided a value this node cannot follow (it does not decode, or carries
        // an update that does not apply): a faulty quorum or a bug. Going on could sign
        // with the wrong set; the node stops, and restarting names the checkpoint again.
        guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value) else {
            preconditionFailure("decided checkpoint \(certificate.height) does not decode")
        }
        last = checkpoint
        do {
            try schedule.record(checkpointHeight: certificate.height, updates: checkpoint.validatorUpdates, genesis: store.genesis)
        } catch {
            preconditionFailure("decided checkpoint \(certificate.height) carries a validator update this node refuses: \(error)")
        }
        onCommit?(certificate, checkpoint)
        advanceNetworkState()
    }

    /// Applies decided checkpoints to the network state, in order, as far as this node
    /// holds the blocks they cover (a catching-up node may hold a certificate first).
    /// Bounded per call; called on every decision and every tick.
    func advanceNetworkState(checkpointsMax: Int = 64) {
        guard networkDivergence == nil else { return }
        for _ in 0..<checkpointsMax {
            // A read first: most ticks have nothing to apply, and a write would take the
            // writer lock the group commit needs.
            let behind = (try? store.environment.read { transaction in
                try store.networkPosition(genesisRoot: genesisRoot, transaction).height
            }).map { (try? storage.certificate(height: $0 + 1)) != nil } ?? false
            guard behind else { return }
            do {
                let advanced = try store.environment.write { transaction -> Bool in
                    let position = try store.networkPosition(genesisRoot: genesisRoot, transaction)
                    guard let certificate = try storage.certificate(height: position.height + 1) else { return false }
                    let checkpoint = try Checkpoint(canonicalBytes: certificate.value)
                    let previous = try position.height == 0 ? nil : storage.certificate(height: position.height).map { try Checkpoint(canonicalBytes: $0.value) }
                    let previousHeads = previous?.heads ?? outlets.map { Checkpoint.Head(outlet: $0, height: 0, blockID: store.genesis.id) }
                    for head in checkpoint.heads where head.height > 0 {
                        guard try store.blockHeader(head.outlet, height: head.height, transaction)?.header.id == head.blockID else { return false }
                    }
                    let changes: (writes: WriteSet, covered: [NetworkLedger.CoveredBlocks])
                    do {
                        changes = try networkChanges(from: previousHeads, to: checkpoint, height: certificate.height, transaction)
                    } catch let error as CodecError {
                        throw NetworkDivergence(description: "checkpoint \(certificate.height) cannot be applied: \(error)")
                    }
                    let root = NetworkLedger.next(previous: position.root, changes: changes.writes)
                    guard root == checkpoint.networkRoot else {
                        throw NetworkDivergence(description: "checkpoint \(certificate.height) says network root \(checkpoint.networkRoot), this node computes \(root)")
                    }
                    try store.commitNetwork(changes.writes, position: .init(height: certificate.height, root: root),
                                            covered: changes.covered.map { ($0.outlet, $0.heights) }, transaction)
                    return true
                }
                if !advanced { return }
            } catch let divergence as NetworkDivergence {
                networkDivergence = divergence.description
                return
            } catch {
                return  // retried on the next decision or tick
            }
        }
    }

    struct NetworkDivergence: Error, CustomStringConvertible { let description: String }
}
