/// A large tree cut into chunks of ``MerkleTree/chunkLeaves`` consecutive leaves (the last
/// may be shorter). Each chunk's root is a node of the RFC 9162 tree over all the leaves
/// (every split of a range longer than a chunk falls on a chunk boundary), so the tree
/// over the chunk roots, taken as its leaves' hashes, has the same root; and a leaf's
/// inclusion path is its path inside its chunk followed by its chunk's path among the
/// chunk roots. The store keeps the chunk roots of large blocks (docs/FORMAT.md §9.1
/// `tx-tree`), so a proof hashes one chunk's transactions, not the whole block.
extension MerkleTree {
    /// Leaves per chunk.
    public static let chunkLeaves = 64

    /// The roots of the chunks of `leafHashes`, in order.
    public static func chunkRoots(leafHashes: [Hash256]) -> [Hash256] {
        stride(from: 0, to: leafHashes.count, by: chunkLeaves).map { start in
            MerkleLevels(leafHashes: Array(leafHashes[start..<min(start + chunkLeaves, leafHashes.count)])).root
        }
    }

    /// The leaves of chunk `chunk` of a tree of `size` leaves.
    public static func chunkRange(_ chunk: Int, size: Int) -> Range<Int> {
        precondition(chunk >= 0 && chunk * chunkLeaves < size, "no such chunk")
        return chunk * chunkLeaves..<min((chunk + 1) * chunkLeaves, size)
    }

    /// The inclusion path (RFC 9162 §2.1.3.1) of leaf `leafIndex` of the tree whose chunk
    /// roots are `chunkRoots`, given the leaf hashes of the leaf's chunk.
    public static func inclusionPath(leafIndex: Int, chunkLeafHashes: [Hash256], chunkRoots: [Hash256]) -> [Hash256] {
        let chunk = leafIndex / chunkLeaves
        precondition(chunk < chunkRoots.count && leafIndex % chunkLeaves < chunkLeafHashes.count, "leaf outside the chunks")
        let inner = MerkleLevels(leafHashes: chunkLeafHashes)
        let outer = MerkleLevels(leafHashes: chunkRoots)
        return inner.inclusionProof(leafIndex: UInt64(leafIndex % chunkLeaves), treeSize: inner.size)
            + outer.inclusionProof(leafIndex: UInt64(chunk), treeSize: outer.size)
    }
}
