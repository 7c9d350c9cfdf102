import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// Checks a copy's checkpoint chain against the genesis alone (docs/CONSENSUS.md §2):
/// heights 1, 2, … without gaps; every commit certificate final (precommits of more than
/// 2/3 of the voting power of its height's validators, signatures valid: the genesis set,
/// changed by the validator updates of earlier checkpoints two heights on, each update
/// signed by a genesis admin and leaving a valid set); every checkpoint lists each genesis
/// outlet once and never goes back; and every outlet block a checkpoint names that this
/// copy holds is the very block it holds (else this copy's chain is not the final one);
/// and every checkpoint's network root is the one the audit computes by applying the
/// replayed blocks it newly covers in checkpoint order (docs/CONSENSUS.md §7), as far as
/// this copy holds those blocks.
enum CheckpointAudit {
    static func verify(store: LedgerStore, networkSources: NetworkSources) throws
        -> (checkpoints: Int, networkRoots: Int, evidence: [String], validatorChanges: [String], claims: [String], findings: [AuditFinding])
    {
        let outlets = store.genesis.outlets.sorted { $0.id < $1.id }
        guard store.genesis.hasCheckpointChain else { return (0, 0, [], [], [], []) }
        var schedule = ValidatorSchedule(genesis: store.genesis)
        let certificates = try ConsensusStorage(environment: store.environment).all()
        var findings: [AuditFinding] = []
        var evidence: [String] = []
        var validatorChanges: [String] = []
        var history = CompactRange()
        var previous: Checkpoint?
        var recallsCarried: [UInt64: Set<Hash256>] = [:]
        var network = NetworkReplay(genesis: store.genesis, sources: networkSources)
        let position = try store.environment.read { try store.networkPosition(genesisRoot: network.root, $0) }
        if position.height == 0 { network.snapshot = (network.state, network.heads) }
        for (index, certificate) in certificates.enumerated() {
            let label = "checkpoint \(certificate.height)"
            guard certificate.height == UInt64(index + 1) else {
                findings.append(AuditFinding(rule: "checkpoints/sequence", message: "\(label) follows checkpoint \(index): a gap or a duplicate"))
                break
            }
            let historyBefore = history.root
            history.append(leafHash: Checkpoint.historyLeaf(value: certificate.value))
            guard certificate.isValid(chainID: store.genesis.id, validators: schedule.set(at: certificate.height)) else {
                findings.append(AuditFinding(rule: "checkpoints/commit", message: "\(label): the commit certificate is not precommits of more than 2/3 of the voting power of its validators with valid signatures"))
                break  // later sets depend on this checkpoint's updates
            }
            guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value), checkpoint.heads.map(\.outlet) == outlets.map(\.id) else {
                findings.append(AuditFinding(rule: "checkpoints/value", message: "\(label) does not list every genesis outlet once, in order"))
                break
            }
            do {
                try schedule.record(checkpointHeight: certificate.height, updates: checkpoint.validatorUpdates, genesis: store.genesis)
            } catch {
                findings.append(AuditFinding(rule: "checkpoints/validator-update", message: "\(label): \(error)"))
                break
            }
            for grant in checkpoint.allowanceGrants where !grant.isValid(genesis: store.genesis) {
                findings.append(AuditFinding(rule: "checkpoints/allowance-grant", message: "\(label) carries allowance grant \(grant.id), which is not a genesis admin's grant to a genesis outlet"))
            }
            for recall in checkpoint.recalls {
                if let problem = recall.problem(genesis: store.genesis) {
                    findings.append(AuditFinding(rule: "checkpoints/recall", message: "\(label) carries recall \(recall.id), which is not valid: \(problem)"))
                }
                recallsCarried[certificate.height, default: []].insert(recall.id)
            }
            for update in checkpoint.validatorUpdates {
                let set = schedule.set(at: certificate.height + 2)
                validatorChanges.append("checkpoint \(certificate.height) carries validator update \(update.id): from checkpoint \(certificate.height + 2), \(set.count) validators, total power \(set.totalPower)")
            }
            for head in checkpoint.heads {
                if let before = previous?.head(of: head.outlet), head.height < before.height {
                    findings.append(AuditFinding(rule: "checkpoints/monotonic", message: "\(label) goes back on outlet \(head.outlet): \(before.height) → \(head.height)"))
                }
                guard head.height > 0 else { continue }
                // A header that does not read is the chain audit's finding (store/blocks).
                let held = try store.environment.read { try? store.blockHeader(head.outlet, height: head.height, $0)?.header.id }
                if let held, held != head.blockID {
                    findings.append(AuditFinding(rule: "checkpoints/branch", message: "\(label) finalised block \(head.blockID) at outlet \(head.outlet) height \(head.height); this copy holds \(held)"))
                }
            }
            // Agreed time (docs/CONSENSUS.md §11): after the previous checkpoint's, once there is one.
            if let time = checkpoint.timeMs, let before = previous?.timeMs, time <= before {
                findings.append(AuditFinding(rule: "checkpoints/time", message: "\(label) has agreed time \(time) ms, not after checkpoint \(certificate.height - 1)'s \(before) ms"))
            }
            if checkpoint.timeMs == nil, previous?.timeMs != nil {
                findings.append(AuditFinding(rule: "checkpoints/time", message: "\(label) has no agreed time (version 3) after a checkpoint that had one"))
            }
            if checkpoint.historyRoot != historyBefore {
                findings.append(AuditFinding(rule: "checkpoints/history", message: "\(label) says history root \(checkpoint.historyRoot); checkpoints 1–\(certificate.height - 1) give \(historyBefore)"))
            }
            for item in checkpoint.evidence {
                if item.isProven(genesis: store.genesis, validators: schedule) {
                    evidence.append("checkpoint \(certificate.height) carries evidence \(item.id): \(item.summary)")
                } else {
                    findings.append(AuditFinding(rule: "checkpoints/evidence", message: "\(label) carries evidence \(item.id) that does not prove its claim under the genesis keys"))
                }
            }
            if let finding = network.apply(checkpoint, height: certificate.height) { findings.append(finding) }
            if network.verified == Int(position.height) && network.snapshot == nil { network.snapshot = (network.state, network.heads) }
            previous = checkpoint
        }
        findings += try compareStoredNetworkState(store: store, position: position, replay: network, sources: networkSources)
        findings += try checkClaimStatements(sources: networkSources, replay: network)
        findings += try checkRecallStatements(store: store, carried: recallsCarried, replayed: UInt64(network.verified))
        // Points claims as of the last replayed checkpoint (docs/CONSENSUS.md §10).
        var claims: [String] = []
        for (key, value) in network.state.sortedEntries where key.table == .networkClaims {
            let record = try NetworkClaim(canonicalBytes: value)
            let who = record.claim.map { "outlet \($0.claimant) on outlet \($0.record.claim.source), \($0.record.claim.points) points of \($0.record.claim.memberID)" }
                ?? "no claim (a settlement of outlet \(record.settlement!.source))"
            claims.append("claim \(Hex.encode(key.key)) by \(who): \(record.status) as of checkpoint \(network.verified)")
        }
        return (certificates.count, network.verified, evidence, validatorChanges, claims, findings)
    }

    /// Every points claim states what the checkpoints said of its outlet's allowance when
    /// it was made (docs/CONSENSUS.md §10): the checkpoint's covered height of the outlet,
    /// its unsettled claims and its allowance. Each statement about a checkpoint the audit
    /// replayed must be true; a claim stating checkpoint 0 must state nothing.
    static func checkClaimStatements(sources: NetworkSources, replay: NetworkReplay) throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for (claimant, record) in try sources.claims() {
            let claim = record.claim
            let truth: NetworkReplay.Statement
            if claim.checkpoint == 0 {
                truth = .init(covered: 0, outstanding: 0, allowance: 0)
            } else if let known = replay.statements[claim.checkpoint]?[claimant] {
                truth = known
            } else {
                continue  // a checkpoint this copy could not replay
            }
            let stated = NetworkReplay.Statement(covered: claim.covered, outstanding: claim.outstanding, allowance: claim.allowance)
            if stated != truth {
                findings.append(AuditFinding(outletID: claimant, height: record.height, rule: "allowance/claim",
                                             message: "claim \(claim.claimID) states checkpoint \(claim.checkpoint) as covered \(stated.covered), outstanding \(stated.outstanding), allowance \(stated.allowance); the checkpoint says \(truth.covered), \(truth.outstanding), \(truth.allowance)"))
            }
        }
        return findings
    }

    /// Every recall an outlet applied names the checkpoint that carried it (FORMAT.md
    /// §9.8): for each one whose checkpoint the audit replayed, that checkpoint must list it.
    /// Read from the copy's outlet states, which the chain audit has checked against the replay.
    static func checkRecallStatements(store: LedgerStore, carried: [UInt64: Set<Hash256>], replayed: UInt64) throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        try store.environment.read { transaction in
            let database = try store.database(named: "state")
            for outlet in store.genesis.outlets.map(\.id).sorted() {
                let prefix = StoreLayout.stateKey(outlet, StateKey(.recalls, []))
                try transaction.scan(database, from: prefix) { key, value in
                    guard key.starts(with: prefix) else { return false }
                    let record = try RecallRecord(canonicalBytes: value)
                    if record.checkpoint >= 1, record.checkpoint <= replayed, carried[record.checkpoint]?.contains(record.recallID) != true {
                        findings.append(AuditFinding(outletID: outlet, height: nil, rule: "recall/checkpoint",
                                                     message: "outlet \(outlet) applied recall \(record.recallID) stating checkpoint \(record.checkpoint), which does not carry it"))
                    }
                    return true
                }
            }
        }
        return findings
    }

    /// The node's own network state must be the replay's at the checkpoint it says it is
    /// at, and its pending source changes exactly those of the blocks no applied
    /// checkpoint covers yet.
    static func compareStoredNetworkState(store: LedgerStore, position: LedgerStore.NetworkPosition, replay: NetworkReplay,
                                          sources: NetworkSources) throws -> [AuditFinding] {
        guard let (state, heads) = replay.snapshot else {
            return [AuditFinding(rule: "store/network", message: "the node says its network state is at checkpoint \(position.height), which the audit could not replay to")]
        }
        var findings: [AuditFinding] = []
        if position.height > 0, position.root != replay.roots[Int(position.height) - 1] {
            findings.append(AuditFinding(rule: "store/meta", message: "meta \"network\" root \(position.root) is not checkpoint \(position.height)'s network root"))
        }
        try store.environment.read { transaction in
            let network = try store.database(named: "network")
            var entries = 0
            var mismatch: String?
            try transaction.scan(network, limit: state.count + 1) { key, value in
                entries += 1
                guard let stateKey = StateKey(bytes: key), state.read(stateKey) == value else {
                    mismatch = Hex.encode(key)
                    return false
                }
                return true
            }
            if let mismatch {
                findings.append(AuditFinding(rule: "store/network", message: "network state entry \(mismatch) differs from the replay at checkpoint \(position.height)"))
            } else if entries != state.count {
                findings.append(AuditFinding(rule: "store/network", message: "network state holds \(entries) entries, the replay at checkpoint \(position.height) \(state.count)"))
            }
            let pending = try store.database(named: "network-sources")
            var expected = 0
            for head in heads {
                let top = sources.verifiedHeights[head.outlet] ?? 0
                guard top > head.height else { continue }
                for height in (head.height + 1)...top {
                    let changes = try sources.changes(head.outlet, height)
                    guard !changes.isEmpty else { continue }
                    expected += 1
                    let raw = try transaction.get(pending, StoreLayout.networkSourcesKey(head.outlet, height))
                    if raw != changes.canonicalBytes {
                        findings.append(AuditFinding(outletID: head.outlet, height: height, rule: "store/network-sources",
                                                     message: "the pending network changes of this block differ from its replayed write set"))
                    }
                }
            }
            let held = try transaction.count(pending)
            if held != expected {
                findings.append(AuditFinding(rule: "store/network-sources", message: "\(held) pending block changes stored, the replay expects \(expected)"))
            }
        }
        return findings
    }
}

extension Checkpoint {
    /// The allowance grants as network-state changes for checkpoint `height`.
    public func allowanceGrantChanges(height: UInt64) -> [NetworkLedger.Grant] {
        allowanceGrants.map { .init(id: $0.id, outlet: $0.outlet, points: $0.points, record: $0.networkRecord(checkpointHeight: height)) }
    }
}

extension ValidatorSchedule {
    /// The sets given by the checkpoints stored in `store`, as far as they decode and
    /// apply; nil for a network without a checkpoint chain (fewer than 4 outlets).
    public static func stored(in store: LedgerStore) throws -> ValidatorSchedule? {
        guard store.genesis.hasCheckpointChain else { return nil }
        var schedule = ValidatorSchedule(genesis: store.genesis)
        for certificate in try ConsensusStorage(environment: store.environment).all() {
            guard certificate.height == schedule.through + 1, let checkpoint = try? Checkpoint(canonicalBytes: certificate.value),
                  (try? schedule.record(checkpointHeight: certificate.height, updates: checkpoint.validatorUpdates, genesis: store.genesis)) != nil
            else { break }
        }
        return schedule
    }
}

/// The network state replayed by the audit, checkpoint after checkpoint.
struct NetworkReplay {
    let sources: NetworkSources
    var state = MemoryState()
    var root: Hash256
    var heads: [Checkpoint.Head]
    /// Checkpoints whose root matched; replay stops at a block this copy lacks or a mismatch.
    var verified = 0
    var stopped = false
    /// The root after each verified checkpoint.
    var roots: [Hash256] = []
    /// The state and heads at the checkpoint the store says its network state is at.
    var snapshot: (state: MemoryState, heads: [Checkpoint.Head])?
    /// What each verified checkpoint says of each outlet's allowance (what claims state).
    struct Statement: Hashable { let covered: UInt64; let outstanding: Int64; let allowance: Int64 }
    var statements: [UInt64: [OutletID: Statement]] = [:]

    init(genesis: Genesis, sources: NetworkSources) {
        self.sources = sources
        root = NetworkLedger.genesisRoot(genesis.id)
        heads = genesis.outlets.map(\.id).sorted().map { Checkpoint.Head(outlet: $0, height: 0, blockID: genesis.id) }
    }

    mutating func apply(_ checkpoint: Checkpoint, height: UInt64) -> AuditFinding? {
        guard !stopped, UInt64(verified) == height - 1 else { return nil }
        var covered: [NetworkLedger.CoveredBlocks] = []
        for (before, after) in zip(heads, checkpoint.heads) where after.height > before.height {
            guard sources.verified(after.outlet, after.height) else {
                stopped = true  // this copy does not hold (or could not verify) what it covers
                return nil
            }
            covered.append(.init(outlet: after.outlet, heights: (before.height + 1)...after.height))
        }
        do {
            let changes = try NetworkLedger.changes(base: state, evidence: checkpoint.evidenceRecords(height: height),
                                                    validatorUpdates: checkpoint.validatorUpdateRecords(height: height),
                                                    allowanceGrants: checkpoint.allowanceGrantChanges(height: height),
                                                    recalls: checkpoint.recallRecords(height: height), covering: covered) {
                try sources.changes($0, $1)
            }
            let computed = NetworkLedger.next(previous: root, changes: changes)
            guard computed == checkpoint.networkRoot else {
                stopped = true
                return AuditFinding(rule: "checkpoints/network-root", message: "checkpoint \(height) says network root \(checkpoint.networkRoot); applying the blocks it covers gives \(computed)")
            }
            state.apply(changes)
            root = computed
            roots.append(computed)
            heads = checkpoint.heads
            var statement: [OutletID: Statement] = [:]
            for head in heads {
                let allowance = try state.read(NetworkLedger.allowanceKey(head.outlet)).map { try NetworkAllowance(canonicalBytes: $0) } ?? NetworkAllowance()
                statement[head.outlet] = Statement(covered: head.height, outstanding: allowance.outstanding, allowance: allowance.effective)
            }
            statements[height] = statement
            verified += 1
            return nil
        } catch {
            stopped = true
            return AuditFinding(rule: "checkpoints/network-root", message: "checkpoint \(height): the network state cannot be applied: \(error)")
        }
    }
}
