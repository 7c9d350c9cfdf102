import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSProofs
import SGPOSStore

/// Builds proofs from a store.
public struct ProofBuilder: Sendable {
    public let store: LedgerStore
    public init(store: LedgerStore) { self.store = store }

    /// `cache` keeps the block's outline and its transaction tree between calls, so the
    /// proofs of all n transactions of a block cost O(n) together, not O(n²): a batch's
    /// answer proves every transaction of its new blocks, so with a cache a block among
    /// the chain's newest (as many as the cache holds) is inflated and hashed once.
    /// Without one, or for an older block (a single proof, a resubmitted old transaction:
    /// nobody gets a whole old block inflated and hashed per request), a block stored one
    /// segment per chunk is read one chunk at a time. Neither block is decoded: the
    /// transaction tree needs only each transaction's hash, the head only its header.
    public func transactionProof(_ id: Hash256, cache: BlockTreeCache? = nil) throws -> TransactionProof {
        try store.environment.read { transaction in
            guard let location = try store.location(of: id, transaction) else {
                throw ProofError("transaction \(id) is not in this store")
            }
            let head = try store.head(location.outletID, transaction)
            let cached = cache?.entry(outlet: location.outletID, height: location.height)
            let treeCache = cache.flatMap { location.height + UInt64($0.capacity) > head.height ? $0 : nil }
            let found: (header: BlockHeader, signature: Signature, transaction: ArraySlice<UInt8>, path: [Hash256])
            if cached == nil, treeCache == nil, let chunked = try chunkedInclusion(location, id: id, transaction) {
                found = chunked
            } else {
                guard let block = try cached?.block ?? store.blockOutline(location.outletID, height: location.height, transaction),
                      Int(location.index) < block.transactionRanges.count else {
                    throw StoreError.corrupt("tx-index names block \(location.height) of outlet \(location.outletID), which is missing or shorter")
                }
                found = (block.header, block.signature, block.transactionBytes(Int(location.index)),
                         inclusionPath(block, location: location, cached: cached, cache: treeCache))
            }
            var headJSON: SignedHeaderJSON?
            var historyPath: [Hash256] = []
            if head.height > location.height,
               let headBlock = try cache?.entry(outlet: location.outletID, height: head.height).map({ ($0.block.header, $0.block.signature) })
                   ?? store.blockHeader(location.outletID, height: head.height, transaction) {
                headJSON = SignedHeaderJSON(header: headBlock.header, signature: headBlock.signature)
                let nodes = HistoryNodes(store: store, transaction: transaction, outletID: location.outletID)
                historyPath = try nodes.inclusionProof(leafIndex: location.height - 1, treeSize: head.height - 1)
            }
            return TransactionProof(
                format: TransactionProof.formatName, chainId: store.genesis.chainID.value, genesisId: store.genesis.id.hex,
                transaction: Hex.encode(Array(found.transaction)), transactionId: id.hex,
                block: SignedHeaderJSON(header: found.header, signature: found.signature), leafIndex: UInt64(location.index),
                inclusionPath: found.path.map { $0.hex }, head: headJSON, historyPath: historyPath.map { $0.hex })
        }
    }

    /// For a block with stored chunk roots (`tx-tree`, more than 64 transactions) stored one
    /// segment per chunk: the header, the transaction and its path from the header's prefix
    /// and the transaction's chunk alone — a block of 1,000 sales is neither inflated nor
    /// hashed whole for one proof. Nil when the block is not stored so.
    private func chunkedInclusion(_ location: TransactionLocation, id: Hash256, _ transaction: LMDBTransaction) throws
        -> (header: BlockHeader, signature: Signature, transaction: ArraySlice<UInt8>, path: [Hash256])? {
        guard let chunkRoots = try store.transactionChunkRoots(location.outletID, height: location.height, transaction),
              let signed = try store.blockHeader(location.outletID, height: location.height, transaction) else { return nil }
        let size = Int(signed.header.transactionCount)
        let leaf = Int(location.index)
        guard leaf < size, chunkRoots.count == (size + MerkleTree.chunkLeaves - 1) / MerkleTree.chunkLeaves,
              let chunk = try store.chunkTransactions(location.outletID, height: location.height, chunk: leaf / MerkleTree.chunkLeaves,
                                                      size: size, transaction) else { return nil }
        let ids = chunk.map { Hash256.tagged(.transactionID, $0) }
        guard ids[leaf % MerkleTree.chunkLeaves] == id else {
            throw StoreError.corrupt("transaction \(leaf) of block \(location.height) of outlet \(location.outletID) is \(ids[leaf % MerkleTree.chunkLeaves]), its index entry says \(id)")
        }
        let path = MerkleTree.inclusionPath(leafIndex: leaf, chunkLeafHashes: ids.map { MerkleTree.leafHash($0.bytes) }, chunkRoots: chunkRoots)
        return (signed.header, signed.signature, chunk[leaf % MerkleTree.chunkLeaves][...], path)
    }

    /// The transaction's path in its block's tree: from the cache, or from the whole tree,
    /// built here and cached when a cache is given (submit and batch answers ask for every
    /// transaction of a new block in turn). A single proof of a block stored one segment
    /// per chunk does not come here (``chunkedInclusion``).
    private func inclusionPath(_ block: BlockOutline, location: TransactionLocation, cached: BlockTreeCache.Entry?,
                               cache: BlockTreeCache?) -> [Hash256] {
        let leaf = UInt64(location.index)
        if let cached { return cached.levels.inclusionProof(leafIndex: leaf, treeSize: cached.levels.size) }
        let levels = MerkleLevels(leafHashes: block.transactionIDs.map { MerkleTree.leafHash($0.bytes) })
        cache?.insert(outlet: location.outletID, height: location.height, block: block, levels: levels)
        return levels.inclusionProof(leafIndex: leaf, treeSize: levels.size)
    }

    public func consistencyProof(outletID: OutletID, from oldHeight: UInt64, to newHeight: UInt64?) throws -> ConsistencyProof {
        try store.environment.read { transaction in
            let head = try store.head(outletID, transaction)
            let target = newHeight ?? head.height
            guard oldHeight >= 1, oldHeight < target, target <= head.height else {
                throw ProofError("need 1 ≤ from < to ≤ \(head.height) (the chain's height); got from \(oldHeight) to \(target)")
            }
            guard let old = try store.blockHeader(outletID, height: oldHeight, transaction),
                let new = try store.blockHeader(outletID, height: target, transaction)
            else { throw StoreError.corrupt("outlet \(outletID) is missing a block below its head") }
            let nodes = HistoryNodes(store: store, transaction: transaction, outletID: outletID)
            return ConsistencyProof(
                format: ConsistencyProof.formatName, chainId: store.genesis.chainID.value, genesisId: store.genesis.id.hex,
                outletId: outletID, old: SignedHeaderJSON(header: old.header, signature: old.signature),
                new: SignedHeaderJSON(header: new.header, signature: new.signature),
                consistencyPath: try nodes.consistencyProof(firstSize: oldHeight - 1, secondSize: target - 1).map { $0.hex },
                oldBlockPath: try nodes.inclusionProof(leafIndex: oldHeight - 1, treeSize: target - 1).map { $0.hex })
        }
    }
}
