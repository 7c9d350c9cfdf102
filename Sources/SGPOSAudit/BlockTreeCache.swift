import SGPOSChain
import SGPOSCrypto
import Synchronization

/// The newest few blocks with their transaction trees, for proofs answered right after a
/// commit (every submitter of a block asks for a path in the same tree). Blocks are
/// immutable once stored, so an entry never goes stale; at most `capacity` are kept.
public final class BlockTreeCache: Sendable {
    public struct Entry: Sendable {
        public let block: BlockOutline
        public let levels: MerkleLevels
    }

    private struct Key: Hashable { let outlet: OutletID; let height: UInt64 }
    private let entries = Mutex<[(key: Key, entry: Entry)]>([])
    /// Most blocks kept.
    public let capacity: Int

    public init(capacity: Int = 8) {
        precondition(capacity >= 1, "cache capacity")
        self.capacity = capacity
    }

    public func entry(outlet: OutletID, height: UInt64) -> Entry? {
        let key = Key(outlet: outlet, height: height)
        return entries.withLock { list in list.first { $0.key == key }?.entry }
    }

    public func insert(outlet: OutletID, height: UInt64, block: BlockOutline, levels: MerkleLevels) {
        let key = Key(outlet: outlet, height: height)
        entries.withLock { list in
            guard !list.contains(where: { $0.key == key }) else { return }
            list.append((key, Entry(block: block, levels: levels)))
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
    }
}
