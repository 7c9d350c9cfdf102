import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// What verifying one outlet chain found and counted.
struct ChainAuditResult: Sendable {
    var chain: AuditReport.Chain
    var findings: [AuditFinding] = []
    var signaturesVerified = 0
    /// Entries the store's databases must hold for this chain, counted during replay.
    var transactionIndexEntries = 0
    var historyNodes = 0
    var transactionTrees = 0
    var stateEntries = 0
    var metaEntries = 0
    /// The whole chain replayed without a finding (its counts are then complete).
    var verified = true
    var networkSources = NetworkSources()
    /// How often the replayed state or the network changes moved from memory to disk.
    var replaySpills = 0
}

/// Verifies one outlet chain in one read transaction: every block replayed in order
/// (signatures checked ahead on the other cores), its indexes and history nodes, and at
/// the end the stored state and head against the replay.
struct ChainAudit {
    let store: LedgerStore
    let transaction: LMDBTransaction
    let rules: ChainRules
    let outletID: OutletID
    let replayMemoryBytes: Int
    let scratchDirectory: String
    /// Network-source changes a finished chain keeps in memory (more go to disk), so the
    /// heap does not grow with the number of chains either.
    static let sourcesKeptBytes = 64 * 1024
    /// Told how many blocks were just verified, after each batch.
    let blocksVerified: (UInt64) -> Void

    func run() throws -> ChainAuditResult {
        let genesis = store.genesis
        let validator = BlockValidator(genesis: genesis, rules: rules)
        var head = ChainHead.genesis(genesis, outletID: outletID)
        // An eighth of this chain's memory for its network-source changes, the rest for its state.
        let state = ReplayState(memoryBytesMax: replayMemoryBytes - replayMemoryBytes / 8, scratchParent: scratchDirectory)
        try state.apply(genesis.initialWrites)
        var references = ReferencedRecords(references: rules.application?.recordReferences, store: store,
                                           transaction: transaction, outletID: outletID)
        var result = ChainAuditResult(chain: AuditReport.Chain(outletID: outletID, verifiedHeight: 0, transactions: 0,
                                                               headID: head.blockID, stateRoot: head.stateRoot, historyRoot: head.history.root))
        result.networkSources = NetworkSources(memoryBytesMax: replayMemoryBytes / 8, scratchParent: scratchDirectory)
        var transactions = 0
        var history = HistoryExpectation(outletID: outletID)
        let blocks = try store.database(named: "blocks")
        let historyDatabase = try store.database(named: "history")
        func fail(_ height: UInt64?, _ index: Int?, _ id: Hash256?, _ rule: String, _ message: String) {
            result.findings.append(AuditFinding(outletID: outletID, height: height, transactionIndex: index, transactionID: id,
                                                rule: rule, message: message))
            result.verified = false
        }
        // Pipeline: while this thread validates a batch in order, the next batches are
        // decoded and their signatures verified on the other cores.
        var nextHeight = head.height + 1
        var inFlight: [DecodedBatch] = []
        func refill() throws {
            while inFlight.count < AuditVerifier.batchesInFlight {
                let raw = try readBatch(blocks, from: nextHeight)
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
            result.signaturesVerified += decoded.reduce(0) { $0 + ($1.block?.transactions.count ?? 0) }
            var verifiedNow: UInt64 = 0
            for item in decoded {
                guard let block = item.block else {
                    fail(item.height, nil, nil, "store/blocks", "block does not decode: \(item.error ?? "")")
                    break chainLoop
                }
                if let bad = item.badSignatureIndex {
                    let signed = block.transactions[bad]
                    fail(item.height, bad, signed.id, "rule \(LedgerRejection.Reason.badSignature.rawValue)",
                         "signature does not verify under \(signed.envelope.signer)")
                    break chainLoop
                }
                do {
                    let outcome = try validator.validate(block, head: head, state: ReplayReader(state: state, records: references),
                                                         transactionSignaturesChecked: true, transactionRoot: item.transactionRoot)
                    let kept = try checkIndexes(block, &result)
                    try checkTransactionTree(block, expected: item.transactionTree, &result)
                    try history.check(block, transaction: transaction, database: historyDatabase)
                    try state.apply(outcome.writes, overrides: try references.overrides(block, outcome.writes, kept: kept, state))
                    if genesis.hasCheckpointChain { try result.networkSources.record(outletID, block.header.height, outcome.writes) }
                    head = outcome.head
                    transactions += block.transactions.count
                    verifiedNow += 1
                } catch let rejection as BlockRejection {
                    fail(rejection.height, rejection.transactionIndex, rejection.transactionID,
                         "rule \(rejection.rejection.code)", rejection.rejection.detail)
                    break chainLoop
                } catch let finding as AuditFinding {
                    result.findings.append(finding)
                    result.verified = false
                    break chainLoop
                }
            }
            blocksVerified(verifiedNow)
        }
        result.historyNodes = history.nodes
        if result.verified { try compareState(state, held: references.held, &result) }
        try compareHead(head, &result)
        try result.networkSources.shrink(to: ChainAudit.sourcesKeptBytes)
        result.replaySpills = state.spills + result.networkSources.spills
        result.chain = AuditReport.Chain(outletID: outletID, verifiedHeight: head.height, transactions: transactions,
                                         headID: head.blockID, stateRoot: head.stateRoot, historyRoot: head.history.root)
        return result
    }

    /// Raw blocks `from`, `from+1`, … (at most one batch), stopping at a gap.
    private func readBatch(_ blocks: LMDBDatabase, from height: UInt64) throws -> [(height: UInt64, bytes: [UInt8])] {
        var batch: [(height: UInt64, bytes: [UInt8])] = []
        var expected = height
        var bytes = 0
        try transaction.scan(blocks, from: StoreLayout.blockKey(outletID, height), limit: AuditVerifier.batchBlocks) { key, value in
            guard key == StoreLayout.blockKey(outletID, expected) else { return false }
            batch.append((expected, value))
            expected += 1
            // The bytes the batch will hold once inflated (a value that states no valid
            // length fails to decode, and counts as what it is).
            bytes += (try? StoredCompression.statedLength(value, what: "")) ?? value.count
            return bytes < AuditVerifier.batchBytesMax
        }
        return batch
    }

    /// Returns the record references the block's tx-index entries keep, by transaction id.
    private func checkIndexes(_ block: Block, _ result: inout ChainAuditResult) throws -> [Hash256: [UInt8]] {
        var kept: [Hash256: [UInt8]] = [:]
        let index = try store.database(named: "tx-index")
        let idempotency = try store.database(named: "idempotency")
        for (position, signed) in block.transactions.enumerated() {
            let location = TransactionLocation(outletID: outletID, height: block.header.height, index: UInt32(position), transactionID: signed.id)
            // The location, and perhaps a record reference (checked as the block's writes are kept).
            guard let value = try transaction.get(index, signed.id.bytes), value.starts(with: location.indexValue),
                  value.count >= location.indexValue.count else {
                throw AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: position, transactionID: signed.id,
                                   rule: "store/tx-index", message: "tx-index entry is missing or wrong")
            }
            let key = StoreLayout.idempotencyKey(outletID, signed.envelope.idempotencyID)
            guard try transaction.get(idempotency, key) == location.idempotencyValue else {
                throw AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: position, transactionID: signed.id,
                                   rule: "store/idempotency", message: "idempotency entry \(signed.envelope.idempotencyID) is missing, wrong or used twice")
            }
            if value.count > location.indexValue.count { kept[signed.id] = Array(value[location.indexValue.count...]) }
            result.transactionIndexEntries += 1
        }
        return kept
    }

    /// A block of more than 64 transactions has its chunk roots in `tx-tree`; a smaller one
    /// has no entry (an entry too many shows in the database's count).
    private func checkTransactionTree(_ block: Block, expected: [UInt8]?, _ result: inout ChainAuditResult) throws {
        let stored = try transaction.get(try store.database(named: "tx-tree"), StoreLayout.transactionTreeKey(outletID, block.header.height))
        if let expected {
            guard stored == expected else {
                throw AuditFinding(outletID: outletID, height: block.header.height, rule: "store/tx-tree",
                                   message: "tx-tree entry is missing or is not the block's \(expected.count / Hash256.byteCount) chunk roots")
            }
            result.transactionTrees += 1
        } else if stored != nil {
            throw AuditFinding(outletID: outletID, height: block.header.height, rule: "store/tx-tree",
                               message: "tx-tree entry for a block of \(block.transactions.count) transactions (at most \(MerkleTree.chunkLeaves): none is kept)")
        }
    }

    /// The stored state of the outlet must equal the replayed state: same number of
    /// entries, and every stored entry present in the replay with the same value (the
    /// stored keys are scanned in order, so a spilled replay is read in order too). The
    /// replay's `held` markers of records kept as references are no entries of `state`.
    private func compareState(_ state: ReplayState, held: Int, _ result: inout ChainAuditResult) throws {
        let database = try store.database(named: "state")
        let prefix = StoreLayout.u32Bytes(outletID)
        let (entries, expected, mismatch) = try state.withFinalState { read, count -> (Int, Int, String?) in
            var entries = 0
            var mismatch: String?
            try transaction.scan(database, from: prefix, limit: count + 1) { key, value in
                guard key.starts(with: prefix) else { return false }
                entries += 1
                guard let stateKey = StateKey(bytes: Array(key.dropFirst(4))), stateKey.table != ReferencedRecords.markers,
                      let replayed = try read(stateKey),
                      (try? StoreLayout.stateValue(stateKey.table, stored: value, what: "")) == replayed else {
                    mismatch = Hex.encode(key)
                    return false
                }
                return true
            }
            return (entries, count - held, mismatch)
        }
        result.stateEntries = expected
        if let mismatch {
            result.findings.append(AuditFinding(outletID: outletID, rule: "store/state", message: "state entry \(mismatch) differs from the replayed state"))
        } else if entries != expected {
            result.findings.append(AuditFinding(outletID: outletID, rule: "store/state",
                                                message: "store holds \(entries) state entries, replay produced \(expected)"))
        }
    }

    private func compareHead(_ head: ChainHead, _ result: inout ChainAuditResult) throws {
        let stored = try transaction.get(try store.database(named: "meta"), StoreLayout.MetaKey.head(outletID))
        if head.height > 0 { result.metaEntries += 1 }
        guard result.verified else { return }
        let expected: [UInt8]? = head.height == 0 ? nil : StoreLayout.headRecordBytes(head)
        if stored != expected {
            result.findings.append(AuditFinding(outletID: outletID, height: head.height, rule: "store/meta",
                                                message: "meta head record does not match the verified head (height \(head.height), block \(head.blockID))"))
        }
    }
}

/// Recomputes the history-tree nodes each block adds and compares them with the store.
struct HistoryExpectation {
    let outletID: OutletID
    var levels = CompactRange()
    var nodes = 0

    mutating func check(_ block: Block, transaction: LMDBTransaction, database: LMDBDatabase) throws {
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
