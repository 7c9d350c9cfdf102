import Dispatch
import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import Synchronization

/// Re-verifies a node's whole store without trusting it: every block from genesis
/// (links, signatures, Merkle roots, history roots, registry rules, state roots), and
/// every stored index, history node, state entry and metadata record against what the
/// replay produces. Any single changed byte of any stored value is found.
public struct AuditVerifier: Sendable {
    /// Blocks decoded and signature-checked together (bounds memory)…
    public static let batchBlocks = 256
    /// …and at most this many bytes of them, so batches stay small enough to pipeline.
    public static let batchBytesMax = 256 * 1024
    /// Batches decoded ahead of the one being validated.
    public static let batchesInFlight = 3
    /// Heap the replayed states of the chains being verified may hold together before
    /// each moves to a scratch store on disk (``ReplayState``): 256 MiB.
    public static let defaultReplayMemoryBytes = 256 << 20
    public let rules: ChainRules
    /// Outlet chains verified at the same time (each replayed in order on a thread of its
    /// own, its signatures checked ahead on every core). Default: the cores.
    public var chainsAtOnce: Int
    /// The replays' memory, split evenly among the chains verified at once (at least
    /// 4 KiB each).
    public var replayMemoryBytes: Int
    /// Where a replay too large for its memory makes its scratch store (a temporary
    /// directory, removed when the chain is done). Default: `TMPDIR` or /tmp.
    public var scratchDirectory: String

    public init(rules: ChainRules = POSRules.chainRules, chainsAtOnce: Int? = nil,
                replayMemoryBytes: Int = AuditVerifier.defaultReplayMemoryBytes, scratchDirectory: String? = nil) {
        precondition(replayMemoryBytes > 0 && (chainsAtOnce ?? 1) > 0, "audit limits must be positive")
        self.rules = rules
        self.chainsAtOnce = chainsAtOnce ?? ProcessInfo.processInfo.activeProcessorCount
        self.replayMemoryBytes = replayMemoryBytes
        self.scratchDirectory = scratchDirectory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// What `progress` is called with: the blocks verified so far over every outlet
    /// chain, and the blocks the store holds. Called from the verifying threads, one call
    /// at a time.
    public typealias Progress = @Sendable (_ done: UInt64, _ total: UInt64) -> Void

    /// Verifies the store in `dataDirectory`. If `trustedGenesis` is given, the stored
    /// genesis must be byte-identical to it. `progress`, when given, is called after each
    /// batch of blocks (for a progress display).
    public func verify(dataDirectory: String, trustedGenesis: Genesis? = nil, progress: Progress? = nil) throws -> AuditReport {
        let store = try LedgerStore.open(dataDirectory: dataDirectory, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        return try verify(store: store, trustedGenesis: trustedGenesis, progress: progress)
    }

    /// Verifies `store`; see ``verify(dataDirectory:trustedGenesis:progress:)``.
    public func verify(store: LedgerStore, trustedGenesis: Genesis? = nil, progress: Progress? = nil) throws -> AuditReport {
        var (report, sources) = try verifyChains(store: store, trustedGenesis: trustedGenesis, progress: progress)
        let checkpoints = try CheckpointAudit.verify(store: store, networkSources: sources)
        report.checkpointsVerified = checkpoints.checkpoints
        report.networkRootsVerified = checkpoints.networkRoots
        report.checkpointEvidence = checkpoints.evidence
        report.validatorChanges = checkpoints.validatorChanges
        report.pointsClaims = checkpoints.claims
        report.findings += checkpoints.findings
        report.time = try TimeAudit.report(store: store)
        return report
    }

    func verifyChains(store: LedgerStore, trustedGenesis: Genesis?, progress: Progress? = nil) throws -> (AuditReport, NetworkSources) {
        try store.environment.read { transaction in
            var run = AuditRun(store: store, transaction: transaction, verifier: self)
            if let trustedGenesis, trustedGenesis.canonicalBytes != store.genesis.canonicalBytes {
                run.findings.append(AuditFinding(
                    rule: "store/genesis",
                    message: "stored genesis \(store.genesis.id) is not the trusted genesis \(trustedGenesis.id)"))
            }
            try run.verifyAll(progress: progress)
            var report = AuditReport(genesisID: store.genesis.id, chains: run.chains, findings: run.findings,
                                     signaturesVerified: run.signaturesVerified)
            report.replaySpills = run.replaySpills
            return (report, run.networkSources)
        }
    }
}

/// One audit pass over one read snapshot: the store's own records, then every outlet
/// chain (several at once, each in its own read transaction on the same snapshot), then
/// the entry counts of every database against what the replays accounted for.
struct AuditRun {
    let store: LedgerStore
    let transaction: LMDBTransaction
    let verifier: AuditVerifier
    var findings: [AuditFinding] = []
    var chains: [AuditReport.Chain] = []
    var signaturesVerified = 0
    var replaySpills = 0
    /// Each verified block's changes to the network-state source tables (checkpoint networks).
    var networkSources = NetworkSources()

    init(store: LedgerStore, transaction: LMDBTransaction, verifier: AuditVerifier) {
        self.store = store
        self.transaction = transaction
        self.verifier = verifier
    }

    mutating func verifyAll(progress: AuditVerifier.Progress?) throws {
        try verifyMeta()
        try checkNoForeignChains()
        let stored = progress == nil ? 0 : UInt64(try transaction.count(try database("blocks")))
        let results = try verifyEveryChain(progress: progress.map { ProgressCounter(total: stored, $0) })
        var expectedTransactionIndex = 0, expectedHistoryNodes = 0, expectedTransactionTrees = 0, expectedStateEntries = 0
        var expectedMetaEntries = 2  // format, genesis
        var everyChainVerified = true
        for result in results {
            findings += result.findings
            chains.append(result.chain)
            signaturesVerified += result.signaturesVerified
            replaySpills += result.replaySpills
            expectedTransactionIndex += result.transactionIndexEntries
            expectedHistoryNodes += result.historyNodes
            expectedTransactionTrees += result.transactionTrees
            expectedStateEntries += result.stateEntries
            expectedMetaEntries += result.metaEntries
            everyChainVerified = everyChainVerified && result.verified
            networkSources.merge(result.networkSources)
        }
        guard everyChainVerified else { return }
        try compareCount("blocks", expected: chains.reduce(0) { $0 + Int($1.verifiedHeight) })
        try compareCount("tx-index", expected: expectedTransactionIndex)
        try compareCount("idempotency", expected: expectedTransactionIndex)
        try compareCount("history", expected: expectedHistoryNodes)
        try compareCount("tx-tree", expected: expectedTransactionTrees)
        try compareCount("state", expected: expectedStateEntries)
        if try transaction.get(try database("meta"), StoreLayout.MetaKey.network) != nil { expectedMetaEntries += 1 }
        try compareCount("meta", expected: expectedMetaEntries)
    }

    /// Verifies every genesis outlet's chain, up to ``AuditVerifier/chainsAtOnce`` at a
    /// time: this thread in the audit's transaction and helper threads each in a read
    /// transaction of their own. A helper that does not see the same snapshot (the store
    /// was written between the two begins) verifies nothing and leaves its chains to
    /// this thread. Results in genesis outlet order, whatever order they finished in.
    private func verifyEveryChain(progress: ProgressCounter?) throws -> [ChainAuditResult] {
        let outlets = store.genesis.outlets.map(\.id)
        let workers = max(1, min(verifier.chainsAtOnce, outlets.count))
        let work = ChainWork(outlets: outlets, store: store, verifier: verifier,
                             replayMemoryBytes: max(4_096, verifier.replayMemoryBytes / workers), progress: progress)
        let snapshot = transaction.snapshotID
        let helpers = DispatchGroup()
        for _ in 1..<workers {
            helpers.enter()
            let thread = Thread { [store] in
                defer { helpers.leave() }
                do {
                    try store.environment.read { other in
                        guard other.snapshotID == snapshot else { return }
                        try work.verifyChains(in: other)
                    }
                } catch {
                    work.stop(error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        do { try work.verifyChains(in: transaction) } catch { work.stop(error) }
        helpers.wait()
        return try work.results()
    }

    private mutating func verifyMeta() throws {
        let meta = try database("meta")
        if try transaction.get(meta, StoreLayout.MetaKey.format) != StoreLayout.u32Bytes(StoreLayout.formatVersion) {
            findings.append(AuditFinding(rule: "store/meta", message: "meta \"format\" is not store format \(StoreLayout.formatVersion)"))
        }
    }

    private mutating func checkNoForeignChains() throws {
        let known = Set(store.genesis.outlets.map { StoreLayout.u32Bytes($0.id) })
        var foreign: [String] = []
        try transaction.scanKeys(try database("blocks")) { key in
            if !known.contains(Array(key.prefix(4))) { foreign.append(Hex.encode(key)) }
            return foreign.count < 10
        }
        for key in foreign {
            findings.append(AuditFinding(rule: "store/blocks", message: "block key \(key) belongs to no genesis outlet"))
        }
    }

    private mutating func compareCount(_ name: String, expected: Int) throws {
        let actual = try transaction.count(try database(name))
        if actual != expected {
            findings.append(AuditFinding(rule: "store/\(name)", message: "database holds \(actual) entries, the verified chains account for \(expected)"))
        }
    }

    func database(_ name: String) throws -> LMDBDatabase {
        try store.database(named: name)
    }
}

/// The chains of one audit and their results, shared by the threads verifying them.
final class ChainWork: Sendable {
    /// The next chain to take, the results so far and the first error.
    private struct Queue {
        var next = 0
        var results: [Int: ChainAuditResult] = [:]
        var error: (any Error)?
    }

    let outlets: [OutletID]
    let store: LedgerStore
    let verifier: AuditVerifier
    let replayMemoryBytes: Int
    let progress: ProgressCounter?
    private let state = Mutex(Queue())

    init(outlets: [OutletID], store: LedgerStore, verifier: AuditVerifier, replayMemoryBytes: Int, progress: ProgressCounter?) {
        self.outlets = outlets
        self.store = store
        self.verifier = verifier
        self.replayMemoryBytes = replayMemoryBytes
        self.progress = progress
    }

    /// Takes chains one after another until none is left (or one thread failed).
    func verifyChains(in transaction: LMDBTransaction) throws {
        while let index = take() {
            let audit = ChainAudit(store: store, transaction: transaction, rules: verifier.rules, outletID: outlets[index],
                                   replayMemoryBytes: replayMemoryBytes, scratchDirectory: verifier.scratchDirectory,
                                   blocksVerified: { [progress] in progress?.add($0) })
            let result = try audit.run()
            state.withLock { $0.results[index] = result }
        }
    }

    func stop(_ error: any Error) {
        state.withLock { if $0.error == nil { $0.error = error } }
    }

    /// Every chain's result in outlet order, or the first error a thread met.
    func results() throws -> [ChainAuditResult] {
        let (results, error) = state.withLock { ($0.results, $0.error) }
        if let error { throw error }
        return outlets.indices.map { index in
            guard let result = results[index] else { preconditionFailure("chain \(index) was taken and never finished, yet no thread failed") }
            return result
        }
    }

    private func take() -> Int? {
        state.withLock { queue in
            guard queue.error == nil, queue.next < outlets.count else { return nil }
            defer { queue.next += 1 }
            return queue.next
        }
    }
}

/// Blocks verified over every chain, reported to the caller's progress display.
final class ProgressCounter: Sendable {
    private let done = Mutex<UInt64>(0)
    let total: UInt64
    let report: AuditVerifier.Progress

    init(total: UInt64, _ report: @escaping AuditVerifier.Progress) {
        self.total = total
        self.report = report
    }

    func add(_ blocks: UInt64) {
        done.withLock { done in
            done += blocks
            report(done, total)
        }
    }
}
