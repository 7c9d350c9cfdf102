import Dispatch
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// What became of one submitted transaction.
public enum AppendOutcome: Hashable, Sendable {
    /// Committed durably in a new block.
    case committed(TransactionLocation)
    /// Its idempotency id was already used: this is the first result, nothing new was written.
    case duplicate(TransactionLocation)
    /// Refused; nothing was written for it.
    case rejected(LedgerRejection)
}

/// Produces the local outlet's chain: validates submitted transactions against the
/// stored state and commits the accepted ones as one signed block in one durable LMDB
/// write transaction (group commit). Creating one takes the ledger's ``WriterLock``: a
/// second process cannot write the same data directory while it lives.
public struct OutletChainWriter: Sendable {
    public let store: LedgerStore
    public let nodeKey: SigningKey
    /// The outlet whose node key this writer holds.
    public let outletID: OutletID
    public let rules: ChainRules
    /// Held while this writer (or a copy) lives: no other process appends meanwhile.
    public let lock: WriterLock
    /// Batches at least this large verify signatures on all cores.
    public static let parallelVerifyThreshold = 32

    public init(store: LedgerStore, nodeKey: SigningKey, rules: ChainRules = ChainRules()) throws {
        guard let outlet = store.genesis.outlets.first(where: { $0.nodeKey == nodeKey.publicKey }) else {
            throw StoreError.unknownOutlet("key \(nodeKey.publicKey) is not the node key of any outlet in the genesis")
        }
        self.outletID = outlet.id
        lock = try WriterLock(directory: store.environment.directory)
        self.store = store
        self.nodeKey = nodeKey
        self.rules = rules
    }

    /// Appends `transactions` as one block sealed at `timestampMs` (raised to the
    /// previous block's time if the clock went backwards). Returns one outcome per
    /// transaction, in order. When this returns, committed transactions are durable.
    public func append(_ transactions: [SignedTransaction], timestampMs: TimestampMs) throws -> [AppendOutcome] {
        try append(transactions, signatureValid: Self.verifySignatures(transactions), timestampMs: timestampMs)
    }

    /// ``append(_:timestampMs:)`` for transactions whose signatures the caller has checked
    /// already (`signatureValid[i]`: transaction i's signature verifies): the group
    /// committer's submitters check them in parallel before they queue, so the one thread
    /// that writes blocks does not.
    public func append(_ transactions: [SignedTransaction], signatureValid: [Bool], timestampMs: TimestampMs) throws -> [AppendOutcome] {
        precondition(!transactions.isEmpty, "append needs at least one transaction")
        precondition(transactions.count <= Int(store.genesis.blockTransactionsMax), "batch exceeds the block limit")
        precondition(signatureValid.count == transactions.count, "one signature result per transaction")
        return try store.environment.write { transaction in
            try appendInTransaction(transactions, signatureValid: signatureValid, timestampMs: timestampMs, transaction)
        }
    }

    private func appendInTransaction(
        _ transactions: [SignedTransaction], signatureValid: [Bool], timestampMs: TimestampMs,
        _ transaction: LMDBTransaction
    ) throws -> [AppendOutcome] {
        let head = try store.head(outletID, transaction)
        let height = head.height + 1
        let blockTime = max(timestampMs, head.timestampMs)
        let context = BlockContext(genesis: store.genesis, outletID: outletID, height: height, timestampMs: blockTime)
        var overlay = StateOverlay(base: store.stateReader(outletID, transaction))
        var outcomes: [AppendOutcome?] = Array(repeating: nil, count: transactions.count)
        var included: [SignedTransaction] = []
        var includedByIdempotency: [IdempotencyID: Int] = [:]  // looked up only, never iterated
        var duplicatesOfIncluded: [(submitted: Int, included: Int)] = []

        for (position, signed) in transactions.enumerated() {
            // The signature first: a transaction that does not authenticate learns nothing,
            // not even where the transaction under its idempotency id is.
            guard signatureValid[position] else {
                outcomes[position] = .rejected(LedgerRejection(.badSignature, "signature does not verify under \(signed.envelope.signer)"))
                continue
            }
            let idempotency = signed.envelope.idempotencyID
            if let first = try store.idempotentResult(outletID, idempotency, transaction) {
                outcomes[position] = .duplicate(first)
                continue
            }
            if let earlier = includedByIdempotency[idempotency] {
                duplicatesOfIncluded.append((position, earlier))
                continue
            }
            do {
                try rules.apply(signed, context: context, state: &overlay)
                includedByIdempotency[idempotency] = included.count
                included.append(signed)
            } catch let rejection as LedgerRejection {
                outcomes[position] = .rejected(rejection)
            }
        }
        guard !included.isEmpty else { return outcomes.map { $0! } }

        let header = BlockHeader(
            chainID: store.genesis.chainID, outletID: outletID, height: height, previousHash: head.blockID,
            timestampMs: blockTime, transactionCount: UInt32(included.count),
            transactionRoot: MerkleTree.root(leafHashes: included.map { MerkleTree.leafHash($0.id.bytes) }),
            historyRoot: head.history.root,
            stateRoot: StateCommitment.next(previous: head.stateRoot, writeSetHash: overlay.writes.hash),
            producer: nodeKey.publicKey)
        let block = Block.seal(header: header, transactions: included, key: nodeKey)
        assert(Self.revalidates(block, head: head, store: store, transaction: transaction, rules: rules),
               "a block the writer built fails the validator")
        try store.commit(block, writes: overlay.writes, networkSources: rules.networkSourceTables, previous: head, transaction)

        var committed: [TransactionLocation] = []
        for (index, signed) in included.enumerated() {
            let location = TransactionLocation(outletID: outletID, height: height, index: UInt32(index), transactionID: signed.id)
            committed.append(location)
        }
        var includedIndex = 0
        for position in outcomes.indices where outcomes[position] == nil {
            if let duplicate = duplicatesOfIncluded.first(where: { $0.submitted == position }) {
                outcomes[position] = .duplicate(committed[duplicate.included])
            } else {
                outcomes[position] = .committed(committed[includedIndex])
                includedIndex += 1
            }
        }
        assert(includedIndex == included.count, "every included transaction has exactly one outcome")
        return outcomes.map { $0! }
    }

    /// Pair assertion: what the writer built, the validator accepts.
    private static func revalidates(
        _ block: Block, head: ChainHead, store: LedgerStore, transaction: LMDBTransaction, rules: ChainRules
    ) -> Bool {
        let validator = BlockValidator(genesis: store.genesis, rules: rules)
        let state = store.stateReader(head.outletID, transaction)
        return (try? validator.validate(block, head: head, state: state, transactionSignaturesChecked: true)) != nil
    }

    /// Ed25519 verification of every transaction, spread over all cores for large batches.
    public static func verifySignatures(_ transactions: [SignedTransaction]) -> [Bool] {
        if transactions.count < parallelVerifyThreshold {
            return transactions.map(\.hasValidSignature)
        }
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: transactions.count)
        defer { results.deallocate() }
        let workers = max(1, min(64, transactions.count / 16))
        let chunk = (transactions.count + workers - 1) / workers
        nonisolated(unsafe) let output = results
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(start + chunk, transactions.count)
            guard start < end else { return }
            for index in start..<end {
                output[index] = transactions[index].hasValidSignature
            }
        }
        return Array(results)
    }
}
