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

        public init(fromFormat: UInt32, blocks: Int, transactionTrees: Int) {
            self.fromFormat = fromFormat
            self.blocks = blocks
            self.transactionTrees = transactionTrees
        }
    }

    /// Brings a store of format 3 to the current format 4 (`sgpos chain upgrade`): writes
    /// the `tx-tree` entry of every stored block of more than 64 transactions and sets
    /// `meta[format]`, in one LMDB write transaction, so a crash leaves the store as it was.
    /// Takes the writer lock (a running node of an older version holds it and is named).
    /// A store already at format 4 is left alone; any other format is refused.
    public static func upgrade(dataDirectory: String, options: Options = Options()) throws -> UpgradeReport {
        let directory = ledgerDirectory(dataDirectory)
        guard access(directory + "/data.mdb", F_OK) == 0 else {
            throw StoreError.notInitialized("no ledger in \(dataDirectory) (expected \(directory)/data.mdb)")
        }
        let lock = try WriterLock(directory: directory)
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
            guard format == StoreLayout.u32(StoreLayout.previousFormatVersion) else {
                throw StoreError.corrupt("store format \(Hex.encode(format)) is neither \(StoreLayout.previousFormatVersion) nor \(StoreLayout.formatVersion); cannot upgrade it")
            }
            var blocks = 0
            var trees: [(key: [UInt8], value: [UInt8])] = []
            try transaction.scan(databases.blocks) { key, value in
                let outline: BlockOutline
                do { outline = try BlockOutline(encoded: value) } catch {
                    throw StoreError.corrupt("block \(Hex.encode(key)) does not decode: \(error); nothing was changed")
                }
                blocks += 1
                if let chunkRoots = StoreLayout.transactionTreeValue(outline.transactionIDs) { trees.append((key, chunkRoots)) }
                return true
            }
            // A block's key (outlet ‖ height) is its tx-tree key.
            for tree in trees { try transaction.put(databases.transactionTree, tree.key, tree.value) }
            try transaction.put(databases.meta, StoreLayout.MetaKey.format, StoreLayout.u32(StoreLayout.formatVersion))
            return UpgradeReport(fromFormat: StoreLayout.previousFormatVersion, blocks: blocks, transactionTrees: trees.count)
        }
    }
}
