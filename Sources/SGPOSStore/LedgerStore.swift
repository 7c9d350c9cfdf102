import Glibc
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// A node's ledger on disk: one LMDB environment in `<data>/ledger` holding the outlet
/// chains it produces or replicates, their indexes, history trees and state.
public final class LedgerStore: Sendable {
    /// Options for opening a store.
    public struct Options: Sendable {
        public var mapSizeBytes: Int
        public var durability: Durability
        /// The application's record references (``ApplicationRules/recordReferences``): with
        /// them a sale's record is kept in its `tx-index` entry while it is as the sale wrote
        /// it, and such records can be read; without them every record is written to `state`,
        /// and reading one kept as a reference fails (FORMAT.md §9.1).
        public var recordReferences: (any RecordReferences)?
        public init(mapSizeBytes: Int = 1 << 30, durability: Durability = .durable, recordReferences: (any RecordReferences)? = nil) {
            precondition(recordReferences.map { $0.table.rawValue == StoreLayout.referencedStateTable } ?? true,
                         "record references of a table the store does not keep in tx-index")
            self.mapSizeBytes = mapSizeBytes
            self.durability = durability
            self.recordReferences = recordReferences
        }
    }

    public let environment: LMDBEnvironment
    public let genesis: Genesis
    let databases: Databases
    /// See ``Options/recordReferences``.
    public let recordReferences: (any RecordReferences)?

    struct Databases: Sendable {
        let blocks: LMDBDatabase
        let transactionIndex: LMDBDatabase
        let idempotency: LMDBDatabase
        let history: LMDBDatabase
        let transactionTree: LMDBDatabase
        let state: LMDBDatabase
        let meta: LMDBDatabase
        let networkSources: LMDBDatabase
        let network: LMDBDatabase

        init(_ environment: LMDBEnvironment) throws {
            blocks = try environment.openDatabase("blocks")
            transactionIndex = try environment.openDatabase("tx-index")
            idempotency = try environment.openDatabase("idempotency")
            history = try environment.openDatabase("history")
            transactionTree = try environment.openDatabase("tx-tree")
            state = try environment.openDatabase("state")
            meta = try environment.openDatabase("meta")
            networkSources = try environment.openDatabase("network-sources")
            network = try environment.openDatabase("network")
        }
    }

    /// The LMDB directory inside a node's data directory.
    public static func ledgerDirectory(_ dataDirectory: String) -> String { dataDirectory + "/ledger" }

    /// Creates a new store in `dataDirectory` (created if missing) holding the genesis
    /// state of every outlet chain. Fails if a store is already there.
    public static func create(
        dataDirectory: String, genesis: Genesis, options: Options = Options()
    ) throws -> LedgerStore {
        let directory = ledgerDirectory(dataDirectory)
        try makeDirectory(dataDirectory)
        try makeDirectory(directory)
        let environment = try LMDBEnvironment(directory: directory, mapSizeBytes: options.mapSizeBytes, durability: options.durability)
        let databases = try Databases(environment)
        try environment.write { transaction in
            if try transaction.get(databases.meta, StoreLayout.MetaKey.format) != nil {
                throw StoreError.alreadyInitialized("\(directory) already holds a ledger; refusing to overwrite it")
            }
            try transaction.put(databases.meta, StoreLayout.MetaKey.format, StoreLayout.u32(StoreLayout.formatVersion))
            try transaction.put(databases.meta, StoreLayout.MetaKey.genesis, genesis.canonicalBytes)
            for outlet in genesis.outlets {
                for (key, value) in genesis.initialWrites.sortedEntries {
                    try transaction.put(databases.state, StoreLayout.stateKey(outlet.id, key), StoreLayout.storedStateValue(key.table, value!))
                }
            }
        }
        return LedgerStore(environment: environment, genesis: genesis, databases: databases, recordReferences: options.recordReferences)
    }

    /// Opens an existing store and checks each chain's head block against the recorded head.
    public static func open(dataDirectory: String, options: Options = Options()) throws -> LedgerStore {
        let directory = ledgerDirectory(dataDirectory)
        guard access(directory + "/data.mdb", F_OK) == 0 else {
            throw StoreError.notInitialized("no ledger in \(dataDirectory) (expected \(directory)/data.mdb); run `sgpos chain init` first")
        }
        let environment = try LMDBEnvironment(directory: directory, mapSizeBytes: options.mapSizeBytes, durability: options.durability)
        let databases = try Databases(environment)
        let genesis = try environment.read { transaction in
            guard let format = try transaction.get(databases.meta, StoreLayout.MetaKey.format) else {
                throw StoreError.notInitialized("\(directory) has no ledger metadata")
            }
            if let old = StoreLayout.upgradableFormatVersions.first(where: { format == StoreLayout.u32($0) }) {
                throw StoreError.corrupt("store format \(old) in \(directory): run `sgpos chain upgrade --data \(dataDirectory)` "
                    + "once (it brings the store to format \(StoreLayout.formatVersion): compressed blocks and records, sale records kept in tx-index, docs/OPERATIONS.md)")
            }
            guard format == StoreLayout.u32(StoreLayout.formatVersion) else {
                throw StoreError.corrupt("store format \(Hex.encode(format)) is not version \(StoreLayout.formatVersion)")
            }
            guard let genesisBytes = try transaction.get(databases.meta, StoreLayout.MetaKey.genesis) else {
                throw StoreError.corrupt("store metadata lacks the genesis")
            }
            let genesis: Genesis
            do { genesis = try Genesis(canonicalBytes: genesisBytes) } catch {
                throw StoreError.corrupt("stored genesis does not decode: \(error)")
            }
            return genesis
        }
        let store = LedgerStore(environment: environment, genesis: genesis, databases: databases, recordReferences: options.recordReferences)
        try store.checkHeads()
        return store
    }

    private init(environment: LMDBEnvironment, genesis: Genesis, databases: Databases, recordReferences: (any RecordReferences)?) {
        self.environment = environment
        self.genesis = genesis
        self.databases = databases
        self.recordReferences = recordReferences
    }

    /// Every head record must name the chain's last stored block, whose header must
    /// carry a valid producer signature.
    private func checkHeads() throws {
        try environment.read { transaction in
            for outlet in genesis.outlets {
                let record = try headRecord(outlet.id, transaction)
                let last = try transaction.last(databases.blocks, prefix: StoreLayout.u32(outlet.id))
                guard let record else {
                    if last != nil { throw StoreError.corrupt("outlet \(outlet.id) has blocks but no head record") }
                    continue
                }
                guard let last else { throw StoreError.corrupt("outlet \(outlet.id) head names height \(record.height) but no block is stored") }
                // Only the header and its signature, so opening stays fast for large blocks
                // (the auditor checks the rest).
                let head = try StoredCompression.decompressPrefix(last.value, count: 1_024, what: "outlet \(outlet.id) head block")
                var decoder = CanonicalDecoder(head)
                guard let header = try? BlockHeader(from: &decoder), let signature = try? Signature(from: &decoder) else {
                    throw StoreError.corrupt("outlet \(outlet.id) head block header does not decode")
                }
                guard header.height == record.height, header.id == record.blockID,
                    header.producer.isValidSignature(signature, for: header.signingMessage)
                else {
                    throw StoreError.corrupt("outlet \(outlet.id) head record (height \(record.height)) does not match its last block")
                }
            }
        }
    }

    /// Writes a consistent, compacted backup of the ledger to `dataDirectory/ledger`
    /// (the directory must not hold a ledger yet). Safe while the node is appending.
    public func backup(to dataDirectory: String) throws {
        let directory = LedgerStore.ledgerDirectory(dataDirectory)
        guard access(directory + "/data.mdb", F_OK) != 0 else {
            throw StoreError.alreadyInitialized("\(directory) already holds a ledger; back up into an empty directory")
        }
        try makeDirectory(dataDirectory)
        try makeDirectory(directory)
        try environment.copy(to: directory)
    }

    // MARK: - Reads inside a transaction

    func headRecord(_ outletID: OutletID, _ transaction: LMDBTransaction) throws -> HeadRecord? {
        guard let bytes = try transaction.get(databases.meta, StoreLayout.MetaKey.head(outletID)) else { return nil }
        do { return try HeadRecord(canonicalBytes: bytes) } catch {
            throw StoreError.corrupt("head record of outlet \(outletID) does not decode: \(error)")
        }
    }

    /// The head of `outletID`'s chain as of `transaction`.
    public func head(_ outletID: OutletID, _ transaction: LMDBTransaction) throws -> ChainHead {
        guard genesis.outlet(outletID) != nil else { throw StoreError.unknownOutlet("outlet \(outletID) is not in the genesis") }
        guard let record = try headRecord(outletID, transaction) else {
            return ChainHead.genesis(genesis, outletID: outletID)
        }
        let nodes = HistoryNodes(store: self, transaction: transaction, outletID: outletID)
        var frontier: [Hash256] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where record.height & (1 << UInt64(level)) != 0 {
            frontier.append(try nodes.node(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        let history = CompactRange(size: record.height, frontier: frontier)
        return ChainHead(outletID: outletID, height: record.height, blockID: record.blockID,
                         timestampMs: record.timestampMs, stateRoot: record.stateRoot, history: history)
    }

    /// The stored block at `height`, or nil.
    public func block(_ outletID: OutletID, height: UInt64, _ transaction: LMDBTransaction) throws -> Block? {
        guard let stored = try transaction.get(databases.blocks, StoreLayout.blockKey(outletID, height)) else { return nil }
        let bytes = try StoredCompression.decompress(stored, what: "block \(height) of outlet \(outletID)")
        do { return try Block(encoded: bytes) } catch {
            throw StoreError.corrupt("block \(height) of outlet \(outletID) does not decode: \(error)")
        }
    }

    /// The stored block at `height` read without decoding its transactions, or nil.
    public func blockOutline(_ outletID: OutletID, height: UInt64, _ transaction: LMDBTransaction) throws -> BlockOutline? {
        guard let stored = try transaction.get(databases.blocks, StoreLayout.blockKey(outletID, height)) else { return nil }
        let bytes = try StoredCompression.decompress(stored, what: "block \(height) of outlet \(outletID)")
        do { return try BlockOutline(encoded: bytes) } catch {
            throw StoreError.corrupt("block \(height) of outlet \(outletID) does not decode: \(error)")
        }
    }

    /// Transaction `location.index` of the stored block at `location` — only that
    /// transaction's bytes are decoded, and only its chunk (with the first, FORMAT.md §9.1)
    /// inflated, not the block's others (a refund's original sale in a block of 1,000 sales
    /// costs one decode, not a thousand) — or nil when the block or
    /// the index is not there. Its id must be `location.transactionID`, else the store is corrupt.
    public func transaction(at location: TransactionLocation, _ transaction: LMDBTransaction) throws -> SignedTransaction? {
        let signed: SignedTransaction
        // The transaction's chunk alone when the block is stored one segment per chunk.
        if let (header, _) = try blockHeader(location.outletID, height: location.height, transaction) {
            let size = Int(header.transactionCount), index = Int(location.index)
            guard index < size else { return nil }
            if let chunk = try chunkTransactions(location.outletID, height: location.height, chunk: index / MerkleTree.chunkLeaves,
                                                 size: size, transaction) {
                do { signed = try SignedTransaction(encoded: chunk[index % MerkleTree.chunkLeaves]) } catch {
                    throw StoreError.corrupt("transaction \(location.index) of block \(location.height) of outlet \(location.outletID) does not decode: \(error)")
                }
                guard signed.id == location.transactionID else {
                    throw StoreError.corrupt("transaction \(location.index) of block \(location.height) of outlet \(location.outletID) is \(signed.id), its index entry says \(location.transactionID)")
                }
                return signed
            }
        }
        guard let outline = try blockOutline(location.outletID, height: location.height, transaction),
              Int(location.index) < outline.transactionRanges.count else { return nil }
        do { signed = try outline.transaction(Int(location.index)) } catch {
            throw StoreError.corrupt("transaction \(location.index) of block \(location.height) of outlet \(location.outletID) does not decode: \(error)")
        }
        guard signed.id == location.transactionID else {
            throw StoreError.corrupt("transaction \(location.index) of block \(location.height) of outlet \(location.outletID) is \(signed.id), its index entry says \(location.transactionID)")
        }
        return signed
    }

    /// The stored transaction with id `id` (located through `tx-index`, decoded alone) and
    /// its location, or nil when this store does not hold it.
    public func storedTransaction(_ id: Hash256, _ transaction: LMDBTransaction) throws -> (location: TransactionLocation, signed: SignedTransaction)? {
        guard let location = try location(of: id, transaction), let signed = try self.transaction(at: location, transaction) else { return nil }
        return (location, signed)
    }

    /// The signed header of the stored block at `height` (its transactions are not read), or nil.
    public func blockHeader(_ outletID: OutletID, height: UInt64, _ transaction: LMDBTransaction) throws -> (header: BlockHeader, signature: Signature)? {
        // A header with the longest chain id, and the signature, fit well within 1 KiB.
        guard let stored = try transaction.get(databases.blocks, StoreLayout.blockKey(outletID, height)) else { return nil }
        let head = try StoredCompression.decompressPrefix(stored, count: 1_024, what: "block \(height) of outlet \(outletID)")
        do {
            var decoder = CanonicalDecoder(head)
            return (try BlockHeader(from: &decoder), try Signature(from: &decoder))
        } catch {
            throw StoreError.corrupt("block \(height) of outlet \(outletID) does not decode: \(error)")
        }
    }

    /// The encodings of the transactions of chunk `chunk` (transactions 64·chunk …, as
    /// ``MerkleTree/chunkRange(_:size:)``) of the stored block at `height`, which holds `size`
    /// transactions, read by inflating that chunk's segment (and the first, its preset dictionary; FORMAT.md §9.1); nil when
    /// the block is not there or not stored one segment per chunk (then read it whole).
    public func chunkTransactions(_ outletID: OutletID, height: UInt64, chunk: Int, size: Int,
                                  _ transaction: LMDBTransaction) throws -> [[UInt8]]? {
        guard let stored = try transaction.get(databases.blocks, StoreLayout.blockKey(outletID, height)) else { return nil }
        let what = "block \(height) of outlet \(outletID)"
        let chunks = (size + MerkleTree.chunkLeaves - 1) / MerkleTree.chunkLeaves
        guard chunk < chunks, try StoredCompression.segments(stored, what: what).count == chunks else { return nil }
        var decoder = CanonicalDecoder(try StoredCompression.segment(stored, chunk, what: what))
        do {
            if chunk == 0 {
                let header = try BlockHeader(from: &decoder)
                _ = try Signature(from: &decoder)
                let count = try decoder.readCount("transactions", limit: Limits.blockTransactionsMax)
                guard count == size, header.transactionCount == UInt32(size) else { return nil }
            }
            let transactions = try MerkleTree.chunkRange(chunk, size: size).map { _ in
                try decoder.readBytes("transaction", limit: Limits.transactionBytesMax)
            }
            try decoder.finish("chunk")
            return transactions
        } catch {
            throw StoreError.corrupt("chunk \(chunk) of \(what) does not decode: \(error)")
        }
    }

    /// The chunk roots of block `height`'s transaction tree (FORMAT.md §9.1 `tx-tree`), or
    /// nil when the store keeps none for it (a block of at most 64 transactions).
    public func transactionChunkRoots(_ outletID: OutletID, height: UInt64, _ transaction: LMDBTransaction) throws -> [Hash256]? {
        guard let bytes = try transaction.get(databases.transactionTree, StoreLayout.transactionTreeKey(outletID, height)) else { return nil }
        guard bytes.count % Hash256.byteCount == 0, bytes.count >= 2 * Hash256.byteCount else {
            throw StoreError.corrupt("tx-tree entry of block \(height) of outlet \(outletID) is \(bytes.count) bytes, not 32 per chunk root")
        }
        return stride(from: 0, to: bytes.count, by: Hash256.byteCount).map { Hash256(bytes: Array(bytes[$0..<$0 + Hash256.byteCount]))! }
    }

    /// Where transaction `id` was committed, or nil.
    public func location(of id: Hash256, _ transaction: LMDBTransaction) throws -> TransactionLocation? {
        try indexEntry(of: id, transaction)?.location
    }

    /// The `tx-index` entry of transaction `id`: where it was committed, and the reference
    /// to the record it wrote when the entry keeps one (FORMAT.md §9.1); nil when not stored.
    public func indexEntry(of id: Hash256, _ transaction: LMDBTransaction) throws -> (location: TransactionLocation, reference: [UInt8]?)? {
        guard let bytes = try transaction.get(databases.transactionIndex, id.bytes) else { return nil }
        do { return try TransactionLocation.indexEntry(bytes, transactionID: id) } catch {
            throw StoreError.corrupt("tx-index entry of \(id) does not decode: \(error)")
        }
    }

    /// The first result for an idempotency id on `outletID`'s chain, or nil. The entry
    /// holds its height and index; the transaction id is read from that block.
    public func idempotentResult(_ outletID: OutletID, _ id: IdempotencyID, _ transaction: LMDBTransaction) throws -> TransactionLocation? {
        guard let bytes = try transaction.get(databases.idempotency, StoreLayout.idempotencyKey(outletID, id)) else { return nil }
        let position: (height: UInt64, index: UInt32)
        do { position = try TransactionLocation.idempotencyPosition(bytes) } catch {
            throw StoreError.corrupt("idempotency entry \(id) does not decode: \(error)")
        }
        guard let outline = try blockOutline(outletID, height: position.height, transaction),
              Int(position.index) < outline.transactionRanges.count else {
            throw StoreError.corrupt("idempotency entry \(id) names transaction \(position.index) of block \(position.height) of outlet \(outletID), which is not stored")
        }
        return TransactionLocation(outletID: outletID, height: position.height, index: position.index,
                                   transactionID: outline.transactionID(Int(position.index)))
    }

    /// Reads `outletID`'s chain state as of `transaction`.
    public func stateReader(_ outletID: OutletID, _ transaction: LMDBTransaction) -> StoredState {
        StoredState(store: self, transaction: transaction, outletID: outletID)
    }

    // MARK: - Writes

    /// Stores a validated block, its indexes, history nodes, state writes and the new
    /// head, inside `transaction`. `previous` must be the current head. With a checkpoint
    /// chain, the block's writes to `networkSources` (the application's
    /// ``ChainRules/networkSourceTables``) are kept for the network state.
    /// `storedBlock`: the block's stored form (``StoreLayout/storedBlock(_:)``) when the
    /// caller compressed it ahead of the write (a catching-up node does, on all cores).
    public func commit(_ block: Block, writes: WriteSet, networkSources: Set<StateTable>, previous: ChainHead,
                       storedBlock: [UInt8]? = nil, _ transaction: LMDBTransaction) throws {
        let outletID = previous.outletID
        let current = try head(outletID, transaction)
        guard current.height == previous.height, current.blockID == previous.blockID else {
            throw StoreError.headMoved("outlet \(outletID) head moved from \(previous.height) to \(current.height) during the write")
        }
        precondition(block.header.height == previous.height + 1 && block.header.previousHash == previous.blockID,
                     "commit of a block that does not extend the head")
        let height = block.header.height
        // A sale's record, as the block leaves it, kept as a reference in its tx-index entry
        // when it rebuilds from the sale (FORMAT.md §9.1); `state` then does not hold it.
        var references: [Hash256: [UInt8]] = [:]
        if let recordReferences {
            let written = Dictionary(block.transactions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            writes.forEachUnordered { key, value in
                guard key.table.rawValue == StoreLayout.referencedStateTable, let value, let id = Hash256(bytes: key.key),
                      let signed = written[id], let reference = recordReferences.reference(to: value, writtenBy: signed),
                      !reference.isEmpty else { return }
                references[id] = reference
            }
        }
        let stored = storedBlock ?? StoreLayout.storedBlock(block)
        assert((try? StoredCompression.decompress(stored, what: "block")) == block.encoded, "a stored form that is not the block's")
        try transaction.put(databases.blocks, StoreLayout.blockKey(outletID, height), stored)
        for (index, signed) in block.transactions.enumerated() {
            let location = TransactionLocation(outletID: outletID, height: height, index: UInt32(index), transactionID: signed.id)
            let idempotencyKey = StoreLayout.idempotencyKey(outletID, signed.envelope.idempotencyID)
            if try transaction.get(databases.idempotency, idempotencyKey) != nil {
                throw BlockRejection(outletID: outletID, height: height, transactionIndex: index, transactionID: signed.id,
                                     rejection: LedgerRejection(.duplicateIdempotencyID, "idempotency id \(signed.envelope.idempotencyID) was used by an earlier transaction of this chain"))
            }
            try transaction.put(databases.transactionIndex, signed.id.bytes, location.indexValue + (references[signed.id] ?? []))
            try transaction.put(databases.idempotency, idempotencyKey, location.idempotencyValue)
        }
        if let chunkRoots = StoreLayout.transactionTreeValue(block.transactions.map(\.id)) {
            try transaction.put(databases.transactionTree, StoreLayout.transactionTreeKey(outletID, height), chunkRoots)
        }
        // History tree: the new leaf, then every perfect subtree it completes.
        var hash = MerkleTree.leafHash(block.id.bytes)
        var index = height - 1
        var level = 0
        try transaction.put(databases.history, StoreLayout.historyKey(outletID, level: 0, index: index), hash.bytes)
        while index & 1 == 1 {
            guard let left = try transaction.get(databases.history, StoreLayout.historyKey(outletID, level: level, index: index - 1)),
                let leftHash = Hash256(bytes: left)
            else { throw StoreError.corrupt("history node \(level)/\(index - 1) of outlet \(outletID) is missing") }
            hash = MerkleTree.nodeHash(leftHash, hash)
            index >>= 1
            level += 1
            try transaction.put(databases.history, StoreLayout.historyKey(outletID, level: level, index: index), hash.bytes)
        }
        for (key, value) in writes.sortedEntries {
            let stateKey = StoreLayout.stateKey(outletID, key)
            if let value {
                if key.table.rawValue == StoreLayout.referencedStateTable, let id = Hash256(bytes: key.key),
                   references[id] != nil { continue }
                try transaction.put(databases.state, stateKey, StoreLayout.storedStateValue(key.table, value))
            } else {
                try transaction.delete(databases.state, stateKey)
                // A record kept as a reference is deleted with it.
                if key.table.rawValue == StoreLayout.referencedStateTable, let id = Hash256(bytes: key.key),
                   let entry = try indexEntry(of: id, transaction), entry.reference != nil {
                    try transaction.put(databases.transactionIndex, id.bytes, entry.location.indexValue)
                }
            }
        }
        if genesis.hasCheckpointChain {
            let sources = writes.filtered(networkSources)
            if !sources.isEmpty {
                try transaction.put(databases.networkSources, StoreLayout.networkSourcesKey(outletID, height), sources.canonicalBytes)
            }
        }
        let newHead = previous.advanced(by: block)
        try transaction.put(databases.meta, StoreLayout.MetaKey.head(outletID), HeadRecord(newHead).canonicalBytes)
    }
}

/// History-tree nodes of one outlet chain read through an LMDB transaction.
public struct HistoryNodes: MerkleNodeReader {
    public typealias Failure = any Error
    let store: LedgerStore
    let transaction: LMDBTransaction
    let outletID: OutletID

    public init(store: LedgerStore, transaction: LMDBTransaction, outletID: OutletID) {
        self.store = store
        self.transaction = transaction
        self.outletID = outletID
    }

    public func node(level: Int, index: UInt64) throws -> Hash256 {
        guard let bytes = try transaction.get(store.databases.history, StoreLayout.historyKey(outletID, level: level, index: index)),
            let hash = Hash256(bytes: bytes)
        else { throw StoreError.corrupt("history node \(level)/\(index) of outlet \(outletID) is missing or malformed") }
        return hash
    }
}

func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o700) != 0 && errno != EEXIST {
        throw StoreError.notInitialized("cannot create directory \(path): \(String(cString: strerror(errno)))")
    }
}

extension LedgerStore {
    /// A database by its FORMAT.md name.
    public func database(named name: String) throws -> LMDBDatabase {
        switch name {
        case "blocks": databases.blocks
        case "tx-index": databases.transactionIndex
        case "idempotency": databases.idempotency
        case "history": databases.history
        case "tx-tree": databases.transactionTree
        case "state": databases.state
        case "meta": databases.meta
        case "network-sources": databases.networkSources
        case "network": databases.network
        default: throw StoreError.notFound("no database named \(name)")
        }
    }
}
