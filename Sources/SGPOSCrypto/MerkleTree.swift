/// RFC 9162 §2.1 Merkle tree hashing: leaves hashed as SHA-256(0x00 ‖ data), interior
/// nodes as SHA-256(0x01 ‖ left ‖ right), the empty tree as SHA-256 of nothing.
public enum MerkleTree {
    /// Largest tree this implementation accepts (2^48 leaves; every loop is bounded by 64).
    public static let sizeMax: UInt64 = 1 << 48

    /// MTH of the empty tree: SHA-256("").
    public static let emptyRoot = Hash256.sha256([])

    /// Leaf hash of `data`.
    public static func leafHash(_ data: [UInt8]) -> Hash256 {
        Hash256.sha256(prefix: 0x00, data)
    }

    /// Interior node hash of two children.
    public static func nodeHash(_ left: Hash256, _ right: Hash256) -> Hash256 {
        Hash256.sha256(prefix: 0x01, left.bytes, right.bytes)
    }

    /// The largest power of two strictly less than `count` (count ≥ 2).
    static func splitPoint(_ count: UInt64) -> UInt64 {
        precondition(count >= 2, "only trees of two or more leaves split")
        var k: UInt64 = 1
        while k << 1 < count { k <<= 1 }
        assert(k < count && k * 2 >= count)
        return k
    }

    /// Root over leaf hashes held in memory (a block's transaction tree).
    public static func root(leafHashes: [Hash256]) -> Hash256 {
        MerkleLevels(leafHashes: leafHashes).root
    }

    /// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leafHash: Hash256, leafIndex: UInt64, treeSize: UInt64, path: [Hash256], root: Hash256
    ) -> Bool {
        guard leafIndex < treeSize, treeSize <= sizeMax, path.count <= 64 else { return false }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(
        firstSize: UInt64, secondSize: UInt64, firstRoot: Hash256, secondRoot: Hash256, path: [Hash256]
    ) -> Bool {
        guard firstSize <= secondSize, secondSize <= sizeMax, path.count <= 128 else { return false }
        if firstSize == secondSize { return path.isEmpty && firstRoot == secondRoot }
        if firstSize == 0 { return path.isEmpty && firstRoot == emptyRoot }
        guard !path.isEmpty else { return false }
        var proof = path
        if firstSize & (firstSize - 1) == 0 { proof.insert(firstRoot, at: 0) }
        var fn = firstSize - 1
        var sn = secondSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = proof[0]
        var sr = proof[0]
        for c in proof.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}

/// Source of perfect-subtree hashes: node (level, index) covers leaves
/// [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes.
///
/// Both the in-memory transaction tree and the LMDB-backed history tree implement this,
/// so roots and proofs come from one algorithm.
public protocol MerkleNodeReader {
    associatedtype Failure: Error
    func node(level: Int, index: UInt64) throws(Failure) -> Hash256
}

extension MerkleNodeReader {
    /// MTH over the `count` leaves starting at `start`. `start` must be aligned so that
    /// every left part of the RFC 9162 split is a perfect subtree (true for every range
    /// the RFC's PATH and PROOF visit in a tree that starts at leaf 0).
    public func rangeHash(start: UInt64, count: UInt64) throws(Failure) -> Hash256 {
        precondition(count > 0, "range must not be empty")
        // Walk the right spine: each step peels off a perfect left subtree.
        var lefts: [Hash256] = []
        var rangeStart = start
        var rangeCount = count
        for _ in 0..<64 where rangeCount & (rangeCount - 1) != 0 {
            let k = MerkleTree.splitPoint(rangeCount)
            lefts.append(try perfect(start: rangeStart, count: k))
            rangeStart += k
            rangeCount -= k
        }
        precondition(rangeCount & (rangeCount - 1) == 0, "range did not reduce to a perfect subtree")
        var hash = try perfect(start: rangeStart, count: rangeCount)
        for left in lefts.reversed() { hash = MerkleTree.nodeHash(left, hash) }
        return hash
    }

    /// MTH of the first `size` leaves.
    public func root(size: UInt64) throws(Failure) -> Hash256 {
        size == 0 ? MerkleTree.emptyRoot : try rangeHash(start: 0, count: size)
    }

    /// PATH(leafIndex, D[0:treeSize]) of RFC 9162 §2.1.3.1, leaf-side first.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) throws(Failure) -> [Hash256] {
        precondition(leafIndex < treeSize && treeSize <= MerkleTree.sizeMax, "leaf outside the tree")
        var siblings: [Hash256] = []  // collected root-side first
        var start: UInt64 = 0
        var count = treeSize
        var m = leafIndex
        for _ in 0..<64 where count > 1 {
            let k = MerkleTree.splitPoint(count)
            if m < k {
                siblings.append(try rangeHash(start: start + k, count: count - k))
                count = k
            } else {
                siblings.append(try perfect(start: start, count: k))
                start += k
                count -= k
                m -= k
            }
        }
        assert(count == 1)
        return siblings.reversed()
    }

    /// PROOF(firstSize, D[0:secondSize]) of RFC 9162 §2.1.4.1.
    public func consistencyProof(firstSize: UInt64, secondSize: UInt64) throws(Failure) -> [Hash256] {
        precondition(firstSize <= secondSize && secondSize <= MerkleTree.sizeMax, "sizes out of order")
        guard firstSize > 0, firstSize < secondSize else { return [] }
        var suffix: [Hash256] = []  // collected root-side first
        var start: UInt64 = 0
        var count = secondSize
        var m = firstSize
        var wholeTreeKnown = true  // the RFC's b: is D[start:start+count] the first tree?
        for _ in 0..<64 where m != count {
            let k = MerkleTree.splitPoint(count)
            if m <= k {
                suffix.append(try rangeHash(start: start + k, count: count - k))
                count = k
            } else {
                suffix.append(try perfect(start: start, count: k))
                start += k
                count -= k
                m -= k
                wholeTreeKnown = false
            }
        }
        assert(m == count)
        var proof: [Hash256] = wholeTreeKnown ? [] : [try rangeHash(start: start, count: count)]
        proof.append(contentsOf: suffix.reversed())
        return proof
    }

    private func perfect(start: UInt64, count: UInt64) throws(Failure) -> Hash256 {
        let level = count.trailingZeroBitCount
        precondition(count == 1 << level && start % count == 0, "not an aligned perfect subtree")
        return try node(level: level, index: start >> level)
    }
}

/// Every perfect subtree of a tree held in memory, built bottom-up.
public struct MerkleLevels: MerkleNodeReader, Sendable {
    public typealias Failure = Never
    /// levels[0] are the leaf hashes; levels[i][j] covers leaves [j·2^i, (j+1)·2^i).
    public let levels: [[Hash256]]

    public init(leafHashes: [Hash256]) {
        precondition(UInt64(leafHashes.count) <= MerkleTree.sizeMax, "tree too large")
        var levels: [[Hash256]] = [leafHashes]
        for _ in 0..<64 where levels[levels.count - 1].count >= 2 {
            let below = levels[levels.count - 1]
            var above: [Hash256] = []
            above.reserveCapacity(below.count / 2)
            var index = 0
            while index + 1 < below.count {
                above.append(MerkleTree.nodeHash(below[index], below[index + 1]))
                index += 2
            }
            levels.append(above)
        }
        self.levels = levels
    }

    /// Number of leaves.
    public var size: UInt64 { UInt64(levels[0].count) }

    /// MTH over all leaves.
    public var root: Hash256 { self.root(size: size) }

    public func node(level: Int, index: UInt64) -> Hash256 {
        precondition(level < levels.count && index < UInt64(levels[level].count), "no such node")
        return levels[level][Int(index)]
    }
}
