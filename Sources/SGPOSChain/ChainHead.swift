import SGPOSCodec
import SGPOSCrypto

/// Where an outlet chain stands: its newest block and what the next block must extend.
public struct ChainHead: Hashable, Sendable {
    public let outletID: OutletID
    /// 0 before the first block.
    public let height: UInt64
    /// Id of the newest block; the genesis id at height 0.
    public let blockID: Hash256
    public let timestampMs: TimestampMs
    /// State root after the newest block; stateRoot(0) at height 0.
    public let stateRoot: Hash256
    /// History tree over the ids of blocks 1...height.
    public let history: CompactRange

    public init(
        outletID: OutletID, height: UInt64, blockID: Hash256, timestampMs: TimestampMs,
        stateRoot: Hash256, history: CompactRange
    ) {
        precondition(history.size == height, "history tree size must equal the height")
        self.outletID = outletID
        self.height = height
        self.blockID = blockID
        self.timestampMs = timestampMs
        self.stateRoot = stateRoot
        self.history = history
    }

    /// The head of a chain with no blocks yet.
    public static func genesis(_ genesis: Genesis, outletID: OutletID) -> ChainHead {
        ChainHead(
            outletID: outletID, height: 0, blockID: genesis.id, timestampMs: genesis.genesisTimeMs,
            stateRoot: StateCommitment.genesisRoot(genesis: genesis, writes: genesis.initialWrites),
            history: CompactRange())
    }

    /// The head after `block` (already validated against this head).
    public func advanced(by block: Block) -> ChainHead {
        precondition(block.header.height == height + 1, "block does not extend this head")
        var history = self.history
        history.append(leafHash: MerkleTree.leafHash(block.id.bytes))
        return ChainHead(
            outletID: outletID, height: block.header.height, blockID: block.id,
            timestampMs: block.header.timestampMs, stateRoot: block.header.stateRoot, history: history)
    }
}
