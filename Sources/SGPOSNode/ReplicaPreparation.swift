import SGPOSChain
import SGPOSStore

/// A blocks message from a peer, made ready on all cores before the one thread that
/// applies blocks in order takes it.
extension Replicator {
    /// What ``prepareForApply(_:)`` did, on all cores, for each block of a message.
    struct PreparedBlocks: Sendable {
        /// Block i's transaction signatures were all verified and hold.
        var signaturesChecked: [Bool]
        /// Block i's stored form (``StoreLayout/storedBlock(_:)``), for blocks above the held heads.
        var stored: [[UInt8]?]

        static func none(_ count: Int) -> PreparedBlocks { .init(signaturesChecked: .init(repeating: false, count: count), stored: .init(repeating: nil, count: count)) }
    }

    /// Verifies, on all cores, every transaction signature of the blocks above the chains'
    /// held heads (the others, a request answered twice, are not applied), and compresses
    /// those blocks into their stored form: a block whose signatures all hold is then
    /// validated without checking them again, and stored without compressing it on the
    /// one thread that applies blocks in order (a catching-up node's apply is otherwise
    /// one core verifying one signature after another).
    func prepareForApply(_ blocks: [Block]) throws -> PreparedBlocks {
        guard blocks.count > 1 else { return .none(blocks.count) }
        let held = try node.read { transaction in
            try Dictionary(Set(blocks.map(\.header.outletID)).map { ($0, try node.store.head($0, transaction).height) }, uniquingKeysWith: max)
        }
        let fresh = blocks.map { $0.header.height > held[$0.header.outletID] ?? 0 }
        let valid = OutletChainWriter.verifySignatures(zip(blocks, fresh).filter(\.1).flatMap(\.0.transactions))
        var start = 0
        let checked = zip(blocks, fresh).map { block, fresh in
            guard fresh else { return false }
            defer { start += block.transactions.count }
            return valid[start..<(start + block.transactions.count)].allSatisfy { $0 }
        }
        let stored = parallelMap(blocks.count) { index in fresh[index] ? StoreLayout.storedBlock(blocks[index]) : nil }
        return PreparedBlocks(signaturesChecked: checked, stored: stored)
    }
}
