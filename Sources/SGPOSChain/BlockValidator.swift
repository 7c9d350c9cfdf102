import SGPOSCodec
import SGPOSCrypto

/// Checks a block against the chain head it claims to extend and the state before it:
/// every rule in docs/FORMAT.md §8, in the order listed there.
public struct BlockValidator: Sendable {
    public let genesis: Genesis
    public let rules: ChainRules

    public init(genesis: Genesis, rules: ChainRules = ChainRules()) {
        self.genesis = genesis
        self.rules = rules
    }

    /// The outcome of a valid block: its writes and the new head.
    public struct Outcome: Sendable {
        public let writes: WriteSet
        public let head: ChainHead
    }

    /// Validates `block` on top of `head`. Transaction signatures are checked unless the
    /// caller has already checked them (the auditor does so in parallel).
    /// Throws a ``BlockRejection`` naming the rule and, where one is at fault, the transaction.
    /// `transactionRoot`, when given, is the Merkle root of the block's transaction ids
    /// as computed by the caller (the auditor computes it on another core).
    public func validate<State: StateReader>(
        _ block: Block, head: ChainHead, state: State, transactionSignaturesChecked: Bool = false,
        transactionRoot precomputedRoot: Hash256? = nil
    ) throws -> Outcome {
        let header = block.header
        func fail(_ reason: LedgerRejection.Reason, _ detail: String) -> BlockRejection {
            BlockRejection(outletID: head.outletID, height: head.height + 1, transactionIndex: nil,
                           rejection: LedgerRejection(reason, detail))
        }
        guard header.chainID == genesis.chainID, header.outletID == head.outletID else {
            throw fail(.blockVersion, "block names chain \(header.chainID) outlet \(header.outletID), expected \(genesis.chainID) outlet \(head.outletID)")
        }
        guard header.height == head.height + 1 else {
            throw fail(.blockHeight, "height \(header.height) does not follow \(head.height)")
        }
        guard header.previousHash == head.blockID else {
            throw fail(.blockPreviousHash, "previous hash \(header.previousHash) is not block \(head.height)'s id \(head.blockID)")
        }
        guard header.timestampMs >= head.timestampMs else {
            throw fail(.blockTimestamp, "timestamp \(header.timestampMs) is before the previous block's \(head.timestampMs)")
        }
        guard let outletBytes = try state.read(.outlet(head.outletID)),
            let outlet = try? OutletRecord(canonicalBytes: outletBytes), outlet.nodeKey == header.producer
        else {
            throw fail(.blockProducer, "producer \(header.producer) is not outlet \(head.outletID)'s registered node key")
        }
        guard block.hasValidSignature else {
            throw fail(.blockSignature, "producer signature does not verify")
        }
        guard !block.transactions.isEmpty else { throw fail(.blockEmpty, "block has no transactions") }
        guard block.transactions.count <= Int(genesis.blockTransactionsMax) else {
            throw fail(.blockTooLarge, "\(block.transactions.count) transactions; the limit is \(genesis.blockTransactionsMax)")
        }
        guard Int(header.transactionCount) == block.transactions.count else {
            throw fail(.blockTransactionCount, "header counts \(header.transactionCount), block holds \(block.transactions.count)")
        }
        let transactionRoot = precomputedRoot
            ?? MerkleTree.root(leafHashes: block.transactionIDs.map { MerkleTree.leafHash($0.bytes) })
        guard header.transactionRoot == transactionRoot else {
            throw fail(.blockTransactionRoot, "transaction root \(header.transactionRoot) differs from computed \(transactionRoot)")
        }
        guard header.historyRoot == head.history.root else {
            throw fail(.blockHistoryRoot, "history root \(header.historyRoot) differs from computed \(head.history.root)")
        }
        let context = BlockContext(genesis: genesis, outletID: head.outletID, height: header.height, timestampMs: header.timestampMs)
        var overlay = StateOverlay(base: state)
        var idempotencyIDs = Set<IdempotencyID>()  // membership only, never iterated
        for (index, transaction) in block.transactions.enumerated() {
            do {
                guard idempotencyIDs.insert(transaction.envelope.idempotencyID).inserted else {
                    throw LedgerRejection(.duplicateIdempotencyID, "idempotency id \(transaction.envelope.idempotencyID) appears twice in the block")
                }
                if !transactionSignaturesChecked && !transaction.hasValidSignature {
                    throw LedgerRejection(.badSignature, "signature does not verify under \(transaction.envelope.signer)")
                }
                try rules.apply(transaction, context: context, state: &overlay)
            } catch let rejection as LedgerRejection {
                throw BlockRejection(outletID: head.outletID, height: header.height, transactionIndex: index,
                                     transactionID: transaction.id, rejection: rejection)
            }
        }
        let stateRoot = StateCommitment.next(previous: head.stateRoot, writeSetHash: overlay.writes.hash)
        guard header.stateRoot == stateRoot else {
            throw fail(.blockStateRoot, "state root \(header.stateRoot) differs from computed \(stateRoot)")
        }
        return Outcome(writes: overlay.writes, head: head.advanced(by: block))
    }
}

/// A block that breaks a rule: which outlet, height and transaction, and which rule.
public struct BlockRejection: Error, Hashable, Sendable, CustomStringConvertible {
    public let outletID: OutletID
    public let height: UInt64
    public let transactionIndex: Int?
    public let transactionID: Hash256?
    public let rejection: LedgerRejection

    public init(outletID: OutletID, height: UInt64, transactionIndex: Int?, transactionID: Hash256? = nil,
                rejection: LedgerRejection) {
        self.outletID = outletID
        self.height = height
        self.transactionIndex = transactionIndex
        self.transactionID = transactionID
        self.rejection = rejection
    }

    public var description: String {
        var text = "outlet \(outletID) height \(height)"
        if let transactionIndex { text += " transaction \(transactionIndex)" }
        if let transactionID { text += " (\(transactionID))" }
        return text + ": \(rejection)"
    }
}
