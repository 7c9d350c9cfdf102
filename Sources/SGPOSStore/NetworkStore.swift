import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// The network state's storage (docs/FORMAT.md §9.4): the `network` database (state keys
/// → values, as of the last applied checkpoint), its position in `meta`, and the per-block
/// source changes in `network-sources` that the next checkpoints will apply.
extension LedgerStore {
    /// Checkpoint height the network state is at (0 before the first) and its root.
    public struct NetworkPosition: Sendable, Hashable {
        public let height: UInt64
        public let root: Hash256
        public init(height: UInt64, root: Hash256) {
            self.height = height
            self.root = root
        }
    }

    /// The network state as of the last applied checkpoint.
    public struct NetworkState: StateReader {
        let transaction: LMDBTransaction
        let database: LMDBDatabase
        public func read(_ key: StateKey) throws -> [UInt8]? { try transaction.get(database, key.bytes) }

        /// Every entry of `table` whose key starts with `prefix`, in key order (at most `limit`).
        public func scan(_ table: StateTable, prefix: [UInt8] = [], limit: Int) throws -> [(key: [UInt8], value: [UInt8])] {
            precondition(limit > 0, "scan limit")
            let start = [table.rawValue] + prefix
            var entries: [(key: [UInt8], value: [UInt8])] = []
            try transaction.scan(database, from: start, limit: limit) { key, value in
                guard key.starts(with: start) else { return false }
                entries.append((Array(key.dropFirst()), value))
                return true
            }
            return entries
        }
    }

    public func networkState(_ transaction: LMDBTransaction) -> NetworkState {
        NetworkState(transaction: transaction, database: databases.network)
    }

    /// Where the network state is; height 0 with `genesisRoot` before any checkpoint.
    public func networkPosition(genesisRoot: Hash256, _ transaction: LMDBTransaction) throws -> NetworkPosition {
        guard let raw = try transaction.get(databases.meta, StoreLayout.MetaKey.network) else {
            return NetworkPosition(height: 0, root: genesisRoot)
        }
        var decoder = CanonicalDecoder(raw)
        let position = NetworkPosition(height: try decoder.readU64("network height"), root: try Hash256(from: &decoder))
        try decoder.finish("network position")
        return position
    }

    /// The source changes of outlet block `height` (empty when it changed none).
    public func networkSources(_ outletID: OutletID, height: UInt64, _ transaction: LMDBTransaction) throws -> WriteSet {
        guard let raw = try transaction.get(databases.networkSources, StoreLayout.networkSourcesKey(outletID, height)) else { return WriteSet() }
        return try WriteSet(canonicalBytes: raw)
    }

    /// Stores the network state after checkpoint `position.height`: its changes, its
    /// position, and drops the source changes of the blocks it covered (`covered`: per
    /// outlet, the heights newly covered).
    public func commitNetwork(_ changes: WriteSet, position: NetworkPosition,
                              covered: [(outlet: OutletID, heights: ClosedRange<UInt64>)], _ transaction: LMDBTransaction) throws {
        for (key, value) in changes.sortedEntries {
            if let value { try transaction.put(databases.network, key.bytes, value) } else { try transaction.delete(databases.network, key.bytes) }
        }
        var encoder = CanonicalEncoder(capacity: 40)
        encoder.writeU64(position.height)
        position.root.encode(to: &encoder)
        try transaction.put(databases.meta, StoreLayout.MetaKey.network, encoder.bytes)
        for range in covered {
            for height in range.heights {
                try transaction.delete(databases.networkSources, StoreLayout.networkSourcesKey(range.outlet, height))
            }
        }
    }
}
