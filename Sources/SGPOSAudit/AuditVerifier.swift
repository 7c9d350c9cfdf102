import Dispatch
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
    public let rules: ChainRules

    public init(rules: ChainRules = POSRules.chainRules) { self.rules = rules }

    /// What `progress` is called with: the blocks verified so far over every outlet
    /// chain, and the blocks the store holds.
    public typealias Progress = (_ done: UInt64, _ total: UInt64) -> Void

    /// Verifies the store in `dataDirectory`. If `trustedGenesis` is given, the stored
    /// genesis must be byte-identical to it. `progress`, when given, is called on the
    /// verifying thread after each batch of blocks (for a progress display).
    public func verify(dataDirectory: String, trustedGenesis: Genesis? = nil, progress: Progress? = nil) throws -> AuditReport {
        let store = try LedgerStore.open(dataDirectory: dataDirectory)
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
            var run = AuditRun(store: store, transaction: transaction, rules: rules)
            run.progress = progress
            if let trustedGenesis, trustedGenesis.canonicalBytes != store.genesis.canonicalBytes {
                run.findings.append(AuditFinding(
                    rule: "store/genesis",
                    message: "stored genesis \(store.genesis.id) is not the trusted genesis \(trustedGenesis.id)"))
            }
            try run.verifyAll()
            return (AuditReport(genesisID: store.genesis.id, chains: run.chains, findings: run.findings,
                                signaturesVerified: run.signaturesVerified), run.networkSources)
        }
    }
}

/// One audit pass over one read transaction.
struct AuditRun {
    let store: LedgerStore
    let transaction: LMDBTransaction
    let rules: ChainRules
    var findings: [AuditFinding] = []
    var chains: [AuditReport.Chain] = []
    var signaturesVerified = 0
    /// Entries each database must hold, counted during replay.
    var expectedTransactionIndex = 0
    var expectedHistoryNodes = 0
    var expectedStateEntries = 0
    var expectedMetaEntries = 2  // format, genesis
    var everyChainVerified = true
    /// Each verified block's changes to the network-state source tables (checkpoint networks).
    var networkSources = NetworkSources()
    /// Told the blocks verified so far and the blocks stored, after each batch.
    var progress: AuditVerifier.Progress?
    var blocksVerified: UInt64 = 0
    var blocksStored: UInt64 = 0

    init(store: LedgerStore, transaction: LMDBTransaction, rules: ChainRules) {
        self.store = store
        self.transaction = transaction
        self.rules = rules
    }

    mutating func verifyAll() throws {
        try verifyMeta()
        try checkNoForeignChains()
        if progress != nil { blocksStored = UInt64(try transaction.count(try database("blocks"))) }
        for outlet in store.genesis.outlets {
            try verifyChain(outlet.id)
        }
        guard everyChainVerified else { return }
        try compareCount("blocks", expected: chains.reduce(0) { $0 + Int($1.verifiedHeight) })
        try compareCount("tx-index", expected: expectedTransactionIndex)
        try compareCount("idempotency", expected: expectedTransactionIndex)
        try compareCount("history", expected: expectedHistoryNodes)
        try compareCount("state", expected: expectedStateEntries)
        if try transaction.get(try database("meta"), StoreLayout.MetaKey.network) != nil { expectedMetaEntries += 1 }
        try compareCount("meta", expected: expectedMetaEntries)
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
        try transaction.scan(try database("blocks")) { key, _ in
            if !known.contains(Array(key.prefix(4))) { foreign.append(Hex.encode(key)) }
            return foreign.count < 10
        }
        for key in foreign {
            findings.append(AuditFinding(rule: "store/blocks", message: "block key \(key) belongs to no genesis outlet"))
        }
    }

    private mutating func verifyChain(_ outletID: OutletID) throws {
        let genesis = store.genesis
        let validator = BlockValidator(genesis: genesis, rules: rules)
        var head = ChainHead.genesis(genesis, outletID: outletID)
        var state = MemoryState()
        state.apply(genesis.initialWrites)
        var transactions = 0
        var failed = false
        var history = HistoryExpectation(outletID: outletID)
        let blocks = try database("blocks")
        // Pipeline: while this thread validates a batch in order, the next batches are
        // decoded and their signatures verified on the other cores.
        var nextHeight = head.height + 1
        var inFlight: [DecodedBatch] = []
        func refill() throws {
            while inFlight.count < AuditVerifier.batchesInFlight {
                let raw = try readBatch(blocks, outletID: outletID, from: nextHeight)
                guard let last = raw.last else { return }
                nextHeight = last.height + 1
                inFlight.append(DecodedBatch.start(raw))
            }
        }
        defer { inFlight.forEach { _ = $0.wait() } }
        chainLoop: while true {
            try refill()
            guard !inFlight.isEmpty else { break }
            let decoded = inFlight.removeFirst().wait()
            try refill()
            signaturesVerified += decoded.reduce(0) { $0 + ($1.block?.transactions.count ?? 0) }
            for item in decoded {
                guard let block = item.block else {
                    fail(outletID, item.height, nil, nil, "store/blocks", "block does not decode: \(item.error ?? "")")
                    failed = true
                    break chainLoop
                }
                if let bad = item.badSignatureIndex {
                    let signed = block.transactions[bad]
                    fail(outletID, item.height, bad, signed.id, "rule \(LedgerRejection.Reason.badSignature.rawValue)",
                         "signature does not verify under \(signed.envelope.signer)")
                    failed = true
                    break chainLoop
                }
                do {
                    let outcome = try validator.validate(block, head: head, state: state, transactionSignaturesChecked: true,
                                                         transactionRoot: item.transactionRoot)
                    try checkIndexes(block, outletID: outletID)
                    try history.check(block, transaction: transaction, database: try database("history"), run: &self)
                    state.apply(outcome.writes)
                    if store.genesis.hasCheckpointChain { networkSources.record(outletID, block.header.height, outcome.writes) }
                    head = outcome.head
                    transactions += block.transactions.count
                    blocksVerified += 1
                } catch let rejection as BlockRejection {
                    fail(outletID, rejection.height, rejection.transactionIndex, rejection.transactionID,
                         "rule \(rejection.rejection.code)", rejection.rejection.detail)
                    failed = true
                    break chainLoop
                } catch let finding as AuditFinding {
                    findings.append(finding)
                    failed = true
                    break chainLoop
                }
            }
            progress?(blocksVerified, blocksStored)
        }
        expectedHistoryNodes += history.nodes
        if failed { everyChainVerified = false }
        if !failed { try compareState(state, outletID: outletID) }
        try compareHead(head, outletID: outletID, failed: failed)
        chains.append(AuditReport.Chain(outletID: outletID, verifiedHeight: head.height, transactions: transactions,
                                        headID: head.blockID, stateRoot: head.stateRoot, historyRoot: head.history.root))
    }

    private mutating func fail(_ outletID: OutletID, _ height: UInt64?, _ index: Int?, _ id: Hash256?, _ rule: String, _ message: String) {
        findings.append(AuditFinding(outletID: outletID, height: height, transactionIndex: index, transactionID: id,
                                     rule: rule, message: message))
    }

    /// Raw blocks `from`, `from+1`, … (at most one batch), stopping at a gap.
    private func readBatch(_ blocks: LMDBDatabase, outletID: OutletID, from height: UInt64) throws -> [(height: UInt64, bytes: [UInt8])] {
        var batch: [(height: UInt64, bytes: [UInt8])] = []
        var expected = height
        var bytes = 0
        try transaction.scan(blocks, from: StoreLayout.blockKey(outletID, height), limit: AuditVerifier.batchBlocks) { key, value in
            guard key == StoreLayout.blockKey(outletID, expected) else { return false }
            batch.append((expected, value))
            expected += 1
            bytes += value.count
            return bytes < AuditVerifier.batchBytesMax
        }
        return batch
    }

    private mutating func checkIndexes(_ block: Block, outletID: OutletID) throws {
        let index = try database("tx-index")
        let idempotency = try database("idempotency")
        for (position, signed) in block.transactions.enumerated() {
            let location = TransactionLocation(outletID: outletID, height: block.header.height, index: UInt32(position), transactionID: signed.id)
            guard try transaction.get(index, signed.id.bytes) == location.indexValue else {
                throw AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: position, transactionID: signed.id,
                                   rule: "store/tx-index", message: "tx-index entry is missing or wrong")
            }
            let key = StoreLayout.idempotencyKey(outletID, signed.envelope.idempotencyID)
            guard try transaction.get(idempotency, key) == location.idempotencyValue else {
                throw AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: position, transactionID: signed.id,
                                   rule: "store/idempotency", message: "idempotency entry \(signed.envelope.idempotencyID) is missing, wrong or used twice")
            }
            expectedTransactionIndex += 1
        }
    }

    /// The stored state of `outletID` must equal the replayed state: same number of
    /// entries, and every stored entry present in the replay with the same value.
    /// The stored state of `outletID` must equal the replayed state: same number of
    /// entries, and every stored entry present in the replay with the same value. The
    /// scan is split at the `principals` table: a second read transaction on another
    /// core scans the first part when it sees the same snapshot (same LMDB txn id).
    private mutating func compareState(_ state: MemoryState, outletID: OutletID) throws {
        expectedStateEntries += state.count
        let database = try database("state")
        let prefix = StoreLayout.u32Bytes(outletID)
        let split = prefix + [StateTable.principals.rawValue]
        let mainID = transaction.snapshotID
        let environment = store.environment
        let early = StateScan()
        DispatchQueue.global().async {
            do {
                try environment.read { other in
                    if other.snapshotID == mainID { early.result = try StateScan.compare(other, database, from: prefix, to: split, state) }
                }
            } catch {
                early.result = nil
            }
            early.done.signal()
        }
        let late = try StateScan.compare(transaction, database, from: split, to: nil, state)
        early.done.wait()
        let first = try early.result ?? StateScan.compare(transaction, database, from: prefix, to: split, state)
        if let mismatch = first.mismatch ?? late.mismatch {
            fail(outletID, nil, nil, nil, "store/state", "state entry \(mismatch) differs from the replayed state")
        } else if first.entries + late.entries != state.count {
            fail(outletID, nil, nil, nil, "store/state",
                 "store holds \(first.entries + late.entries) state entries, replay produced \(state.count)")
        }
    }

    private mutating func compareHead(_ head: ChainHead, outletID: OutletID, failed: Bool) throws {
        let meta = try database("meta")
        let stored = try transaction.get(meta, StoreLayout.MetaKey.head(outletID))
        if head.height > 0 { expectedMetaEntries += 1 }
        guard !failed else { return }
        let expected: [UInt8]? = head.height == 0 ? nil : StoreLayout.headRecordBytes(head)
        if stored != expected {
            fail(outletID, head.height, nil, nil, "store/meta", "meta head record does not match the verified head (height \(head.height), block \(head.blockID))")
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

/// Recomputes the history-tree nodes each block adds and compares them with the store.
struct HistoryExpectation {
    let outletID: OutletID
    var levels = CompactRange()
    var nodes = 0

    mutating func check(_ block: Block, transaction: LMDBTransaction, database: LMDBDatabase, run: inout AuditRun) throws {
        let height = block.header.height
        var hash = MerkleTree.leafHash(block.id.bytes)
        var index = height - 1
        var level = 0
        var frontier = levels.frontier
        try expect(level: 0, index: index, hash: hash, height: height, transaction, database)
        while index & 1 == 1 {
            hash = MerkleTree.nodeHash(frontier.removeLast(), hash)
            index >>= 1
            level += 1
            try expect(level: level, index: index, hash: hash, height: height, transaction, database)
        }
        levels.append(leafHash: MerkleTree.leafHash(block.id.bytes))
    }

    private mutating func expect(level: Int, index: UInt64, hash: Hash256, height: UInt64,
                                 _ transaction: LMDBTransaction, _ database: LMDBDatabase) throws {
        nodes += 1
        let stored = try transaction.get(database, StoreLayout.historyKey(outletID, level: level, index: index))
        guard stored == hash.bytes else {
            throw AuditFinding(outletID: outletID, height: height, rule: "store/history",
                               message: "history node level \(level) index \(index) is missing or differs from the recomputed hash")
        }
    }
}

extension AuditFinding: Error {}

/// One block of a batch after decoding and signature checks.
struct DecodedBlock: Sendable {
    var height: UInt64
    var block: Block?
    var error: String?
    var badSignatureIndex: Int?
    /// Merkle root over the transaction ids, computed off the validating thread.
    var transactionRoot: Hash256?
}

/// A batch being decoded and signature-checked in the background.
final class DecodedBatch: Sendable {
    private let result = Mutex<[DecodedBlock]>([])
    /// A completion signal (not a lock): the background task signals once the result is set.
    private let done = DispatchSemaphore(value: 0)

    static func start(_ raw: [(height: UInt64, bytes: [UInt8])]) -> DecodedBatch {
        let batch = DecodedBatch()
        DispatchQueue.global().async {
            let decoded = decodeAndVerify(raw)
            batch.result.withLock { $0 = decoded }
            batch.done.signal()
        }
        return batch
    }

    func wait() -> [DecodedBlock] {
        done.wait()
        done.signal()  // later waits return at once
        return result.withLock { $0 }
    }

    /// Decodes every block, then verifies every transaction signature on all cores
    /// (split by transaction, so one large block still uses every core).
    static func decodeAndVerify(_ raw: [(height: UInt64, bytes: [UInt8])]) -> [DecodedBlock] {
        guard !raw.isEmpty else { return [] }
        var items = parallelMap(raw.count) { index -> DecodedBlock in
            var item = DecodedBlock(height: raw[index].height)
            do {
                let block = try Block(encoded: raw[index].bytes)
                item.block = block
                item.transactionRoot = MerkleTree.root(leafHashes: block.transactionIDs.map { MerkleTree.leafHash($0.bytes) })
            } catch {
                item.error = "\(error)"
            }
            return item
        }
        var work: [(block: Int, transaction: Int)] = []
        for (blockIndex, item) in items.enumerated() {
            for transactionIndex in 0..<(item.block?.transactions.count ?? 0) { work.append((blockIndex, transactionIndex)) }
        }
        let decoded = items
        let allWork = work
        let chunk = 64
        let invalid = parallelMap((allWork.count + chunk - 1) / chunk) { chunkIndex -> [(block: Int, transaction: Int)] in
            allWork[(chunkIndex * chunk)..<min(allWork.count, (chunkIndex + 1) * chunk)].filter { entry in
                !decoded[entry.block].block!.transactions[entry.transaction].hasValidSignature
            }
        }
        for entry in invalid.joined() {
            items[entry.block].badSignatureIndex = min(items[entry.block].badSignatureIndex ?? Int.max, entry.transaction)
        }
        return items
    }
}

/// `transform(0..<count)` computed on all cores, results in index order.
func parallelMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deinitialize(); results.deallocate() }
    nonisolated(unsafe) let output = results
    DispatchQueue.concurrentPerform(iterations: count) { index in output[index] = transform(index) }
    return results.map { $0! }
}

/// One part of the final state comparison, possibly run on another thread.
final class StateScan: Sendable {
    private let scanned = Mutex<(entries: Int, mismatch: String?)?>(nil)
    /// A completion signal (not a lock): the background scan signals once `result` is set.
    let done = DispatchSemaphore(value: 0)
    var result: (entries: Int, mismatch: String?)? {
        get { scanned.withLock { $0 } }
        set { scanned.withLock { $0 = newValue } }
    }

    /// Scans state keys in [from, to) (to nil: to the end of the outlet's prefix).
    static func compare(_ transaction: LMDBTransaction, _ database: LMDBDatabase, from start: [UInt8], to end: [UInt8]?,
                        _ state: MemoryState) throws -> (entries: Int, mismatch: String?) {
        let prefix = Array(start.prefix(4))
        var entries = 0
        var mismatch: String?
        try transaction.scan(database, from: start, limit: state.count + 1) { key, value in
            guard key.starts(with: prefix) else { return false }
            if let end, !key.lexicographicallyPrecedes(end) { return false }
            entries += 1
            guard let stateKey = StateKey(bytes: Array(key.dropFirst(4))), state.read(stateKey) == value else {
                mismatch = Hex.encode(key)
                return false
            }
            return true
        }
        return (entries, mismatch)
    }
}
