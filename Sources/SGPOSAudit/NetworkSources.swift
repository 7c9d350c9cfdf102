import SGPOSChain
import SGPOSCodec
import SGPOSState
import SGPOSStore

/// The network-state source changes of every block the audit replayed, by outlet and
/// height (only non-empty ones, encoded as FORMAT.md's write sets), and how far each
/// chain was verified. Held in memory up to a bound; beyond it an outlet's changes move
/// to a scratch store on disk, so a decade of member sales does not fill the heap.
struct NetworkSources: Sendable {
    private var held: [OutletID: [UInt64: [UInt8]]] = [:]
    private var heldBytes = 0
    private var stores: [OutletID: ScratchStore] = [:]
    private(set) var verifiedHeights: [OutletID: UInt64] = [:]
    /// How often held changes moved to disk.
    private(set) var spills = 0
    /// Bytes of encoded changes held in memory before they move to disk.
    let memoryBytesMax: Int
    let scratchParent: String

    init(memoryBytesMax: Int = 1 << 20, scratchParent: String = "/tmp") {
        self.memoryBytesMax = memoryBytesMax
        self.scratchParent = scratchParent
    }

    mutating func record(_ outlet: OutletID, _ height: UInt64, _ writes: WriteSet) throws {
        verifiedHeights[outlet] = height
        let sources = writes.filtered(StateTable.networkSources)
        guard !sources.isEmpty else { return }
        let bytes = sources.canonicalBytes
        held[outlet, default: [:]][height] = bytes
        heldBytes += bytes.count + 96  // with the array and dictionary overhead
        if heldBytes > memoryBytesMax { try spill() }
    }

    /// Moves what is held to disk if it is more than `bytes` (a chain's audit keeps a
    /// little in memory once it is done, whatever the number of chains).
    mutating func shrink(to bytes: Int) throws {
        if heldBytes > bytes { try spill() }
    }

    /// Adds another outlet's record (each outlet is recorded by one chain's replay).
    mutating func merge(_ other: NetworkSources) {
        held.merge(other.held) { mine, _ in mine }
        heldBytes += other.heldBytes
        stores.merge(other.stores) { mine, _ in mine }
        verifiedHeights.merge(other.verifiedHeights) { mine, _ in mine }
    }

    /// Whether the audit replayed and verified outlet block `height`.
    func verified(_ outlet: OutletID, _ height: UInt64) -> Bool { height <= verifiedHeights[outlet] ?? 0 }

    func changes(_ outlet: OutletID, _ height: UInt64) throws -> WriteSet {
        if let bytes = held[outlet]?[height] { return try WriteSet(canonicalBytes: bytes) }
        guard let store = stores[outlet] else { return WriteSet() }
        guard let bytes = try store.environment.read({ try $0.get(store.database, Self.heightKey(height)) }) else { return WriteSet() }
        return try WriteSet(canonicalBytes: bytes)
    }

    /// Every points claim the replayed chains made (claimant, record), outlets ascending, by height.
    func claims() throws -> [(claimant: OutletID, record: ClaimRecord)] {
        var found: [(OutletID, ClaimRecord)] = []
        for outlet in Set(held.keys).union(stores.keys).sorted() {
            // Spilled heights (in key order, big-endian) merged with the held ones.
            var heights = Set(held[outlet]?.keys.map { $0 } ?? [])
            if let store = stores[outlet] {
                try store.environment.read { transaction in
                    try transaction.scan(store.database) { key, value in
                        if try WriteSet(canonicalBytes: value).sortedEntries.contains(where: { $0.key.table == .pointsClaims }) {
                            heights.insert(key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                        }
                        return true
                    }
                }
            }
            for height in heights.sorted() {
                for (key, value) in try changes(outlet, height).sortedEntries where key.table == .pointsClaims {
                    if let value { found.append((outlet, try ClaimRecord(canonicalBytes: value))) }
                }
            }
        }
        return found
    }

    /// A height as a scratch key: 8 bytes big-endian, so keys sort as heights.
    private static func heightKey(_ height: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: height >> (56 - 8 * $0)) } }

    /// Moves every held change to its outlet's scratch store.
    private mutating func spill() throws {
        for (outlet, changes) in held {
            let store = try stores[outlet] ?? ScratchStore(parent: scratchParent, name: "sources")
            stores[outlet] = store
            try store.environment.write { transaction in
                for (height, bytes) in changes { try transaction.put(store.database, Self.heightKey(height), bytes) }
            }
        }
        held.removeAll()
        heldBytes = 0
        spills += 1
    }
}
