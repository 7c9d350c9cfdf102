/// The right frontier of an append-only RFC 9162 tree: one perfect-subtree hash per
/// set bit of the size, largest first. Appending is amortised O(1), the root O(log n),
/// and it never holds more than 64 hashes.
public struct CompactRange: Hashable, Sendable {
    public private(set) var size: UInt64 = 0
    /// Perfect subtree roots, left to right (decreasing size).
    public private(set) var frontier: [Hash256] = []

    public init() {}

    /// Restores a range from stored perfect-subtree roots (one per set bit of `size`,
    /// largest first).
    public init(size: UInt64, frontier: [Hash256]) {
        precondition(frontier.count == size.nonzeroBitCount, "frontier does not match the size")
        self.size = size
        self.frontier = frontier
    }

    /// Appends a leaf hash.
    public mutating func append(leafHash: Hash256) {
        precondition(size < MerkleTree.sizeMax, "tree is full")
        var hash = leafHash
        var index = size
        while index & 1 == 1 {
            hash = MerkleTree.nodeHash(frontier.removeLast(), hash)
            index >>= 1
        }
        frontier.append(hash)
        size += 1
        assert(frontier.count == size.nonzeroBitCount)
    }

    /// MTH of the leaves appended so far.
    public var root: Hash256 {
        guard var hash = frontier.last else { return MerkleTree.emptyRoot }
        for left in frontier.dropLast().reversed() { hash = MerkleTree.nodeHash(left, hash) }
        return hash
    }
}
