import Glibc
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

extension LedgerStore {
    /// What ``upgrade(dataDirectory:options:)`` did.
    public struct UpgradeReport: Sendable, Equatable {
        /// The store's format before (the current format if there was nothing to do).
        public var fromFormat: UInt32
        /// Blocks read, and `tx-tree` entries written.
        public var blocks: Int
        public var transactionTrees: Int
        /// Sales records moved from `state` to a reference in their sale's `tx-index` entry.
        public var recordsReferenced: Int

        public init(fromFormat: UInt32, blocks: Int, transactionTrees: Int, recordsReferenced: Int = 0) {
            self.fromFormat = fromFormat
            self.blocks = blocks
            self.transactionTrees = transactionTrees
            self.recordsReferenced = recordsReferenced
        }
    }

    /// Brings a store of format 3, 4 or 5 to the current format 6 (`sgpos chain upgrade`).
    /// From 3 and 4: rewrites every block and every sales and sale-pricing record in the
    /// compressed form (``StoredCompression``), drops the transaction id from every
    /// idempotency value, writes the `tx-tree` entry of every block of more than 64
    /// transactions (format 3 has none). From 5: writes every block again (its later chunks
    /// with the first one's preset dictionary). From every one: with `options.recordReferences`,
    /// moves each sales record that is as its sale wrote it from `state` to a reference in
    /// the sale's `tx-index` entry. Then sets `meta[format]` — all in one LMDB write
    /// transaction, so a crash leaves the store as it was. Takes the writer lock (a running
    /// node of an older version holds it and is named). A store already at format 6 is left
    /// alone; any other format is refused.
    public static func upgrade(dataDirectory: String, options: Options = Options()) throws -> UpgradeReport {
        let directory = ledgerDirectory(dataDirectory)
        guard access(directory + "/data.mdb", F_OK) == 0 else {
            throw StoreError.notInitialized("no ledger in \(dataDirectory) (expected \(directory)/data.mdb)")
        }
        let lock = try WriterLock(directory: directory, advice: "stop it first: the upgrade rewrites the store in place (docs/OPERATIONS.md)")
        defer { withExtendedLifetime(lock) {} }
        let environment = try LMDBEnvironment(directory: directory, mapSizeBytes: options.mapSizeBytes, durability: options.durability)
        let databases = try Databases(environment)
        return try environment.write { transaction in
            guard let format = try transaction.get(databases.meta, StoreLayout.MetaKey.format) else {
                throw StoreError.notInitialized("\(directory) has no ledger metadata")
            }
            if format == StoreLayout.u32(StoreLayout.formatVersion) {
                return UpgradeReport(fromFormat: StoreLayout.formatVersion, blocks: 0, transactionTrees: 0)
            }
            guard let from = StoreLayout.upgradableFormatVersions.first(where: { format == StoreLayout.u32($0) }) else {
                throw StoreError.corrupt("store format \(Hex.encode(format)) is none of \(StoreLayout.upgradableFormatVersions.map(String.init)) "
                                         + "and not \(StoreLayout.formatVersion); cannot upgrade it")
            }
            var blocks = 0
            var trees = 0
            // Rewritten a batch at a time: values are read (and copied out) by a scan, then
            // put back under the same keys once the scan's cursor is closed.
            if from < 5 {
                try rewrite(databases.blocks, transaction) { key, value in
                    let outline: BlockOutline
                    do { outline = try BlockOutline(encoded: value) } catch {
                        throw StoreError.corrupt("block \(Hex.encode(key)) does not decode: \(error); nothing was changed")
                    }
                    blocks += 1
                    // A block's key (outlet ‖ height) is its tx-tree key.
                    if from < 4, let chunkRoots = StoreLayout.transactionTreeValue(outline.transactionIDs) {
                        try transaction.put(databases.transactionTree, key, chunkRoots)
                        trees += 1
                    }
                    return StoreLayout.storedBlock(value, transactionLengths: outline.transactionRanges.map(\.count))
                }
                try rewrite(databases.state, transaction) { key, value in
                    guard key.count > 4, StoreLayout.compressedStateTables.contains(key[4]), let table = StateTable(rawValue: key[4]) else { return nil }
                    return StoreLayout.storedStateValue(table, value)
                }
                // Idempotency values of formats 3 and 4 start with the transaction id (32 bytes).
                try rewrite(databases.idempotency, transaction) { key, value in
                    guard value.count == Hash256.byteCount + 12 else {
                        throw StoreError.corrupt("idempotency entry \(Hex.encode(key)) is \(value.count) bytes, not 44; nothing was changed")
                    }
                    return Array(value.dropFirst(Hash256.byteCount))
                }
            }
            var referenced = 0
            if from == 5 || options.recordReferences != nil {
                let moved = try referenceSalesRecords(databases, options.recordReferences, recompress: from == 5, transaction)
                referenced = moved.records
                blocks = max(blocks, moved.blocks)
            }
            try transaction.put(databases.meta, StoreLayout.MetaKey.format, StoreLayout.u32(StoreLayout.formatVersion))
            return UpgradeReport(fromFormat: from, blocks: blocks, transactionTrees: trees, recordsReferenced: referenced)
        }
    }

    /// Moves every sales record of every outlet's state that rebuilds from its sale to a
    /// reference in the sale's tx-index entry (FORMAT.md §9.1), reading the blocks in order
    /// (each inflated once); with `recompress`, writes each block again as this release
    /// does (later chunks with the first one's preset dictionary). Returns how many records
    /// moved, and how many blocks were read.
    private static func referenceSalesRecords(_ databases: Databases, _ references: (any RecordReferences)?, recompress: Bool,
                                              _ transaction: LMDBTransaction) throws -> (records: Int, blocks: Int) {
        var moved = 0
        var blocks = 0
        var from: [UInt8] = []
        while true {
            var batch: [(key: [UInt8], value: [UInt8])] = []
            let visited = try transaction.scan(databases.blocks, from: from, limit: 64) { key, value in
                batch.append((key, value))
                return true
            }
            for (key, stored) in batch {
                blocks += 1
                let outline: BlockOutline
                let bytes: [UInt8]
                do {
                    bytes = try StoredCompression.decompress(stored, what: "block")
                    outline = try BlockOutline(encoded: bytes)
                } catch {
                    throw StoreError.corrupt("block \(Hex.encode(key)) does not decode: \(error); nothing was changed")
                }
                if recompress {
                    try transaction.put(databases.blocks, key, StoreLayout.storedBlock(bytes, transactionLengths: outline.transactionRanges.map(\.count)))
                }
                guard let references else { continue }
                let outletID = Array(key[0..<4])
                for index in outline.transactionRanges.indices {
                    let id = outline.transactionID(index)
                    let stateKey = outletID + [StoreLayout.referencedStateTable] + id.bytes
                    guard let record = try transaction.get(databases.state, stateKey),
                          let bytes = try transaction.get(databases.transactionIndex, id.bytes) else { continue }
                    let entry = try TransactionLocation.indexEntry(bytes, transactionID: id)
                    guard entry.reference == nil, let signed = try? outline.transaction(index),
                          let reference = references.reference(to: try StoreLayout.stateValue(references.table, stored: record, what: "sales record \(id)"),
                                                               writtenBy: signed), !reference.isEmpty else { continue }
                    try transaction.put(databases.transactionIndex, id.bytes, entry.location.indexValue + reference)
                    try transaction.delete(databases.state, stateKey)
                    moved += 1
                }
            }
            guard visited == 64, let last = batch.last else { return (moved, blocks) }
            from = last.key + [0]  // the least key after the last block seen
        }
    }

    /// Replaces every value of `database` for which `transform` returns one, in key order,
    /// 256 entries at a time.
    private static func rewrite(_ database: LMDBDatabase, _ transaction: LMDBTransaction,
                                _ transform: (_ key: [UInt8], _ value: [UInt8]) throws -> [UInt8]?) throws {
        var from: [UInt8] = []
        var first = true
        while true {
            var batch: [(key: [UInt8], value: [UInt8])] = []
            let visited = try transaction.scan(database, from: from, limit: 256) { key, value in
                if first || key != from { batch.append((key, value)) }  // else the previous batch's last entry
                return true
            }
            first = false
            for entry in batch {
                if let replacement = try transform(entry.key, entry.value) { try transaction.put(database, entry.key, replacement) }
            }
            guard visited == 256, let last = batch.last else { return }
            from = last.key
        }
    }
}
