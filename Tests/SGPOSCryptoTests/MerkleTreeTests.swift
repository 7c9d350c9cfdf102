import SGPOSCodec
import SGPOSCrypto
import Testing

@Suite struct MerkleTreeTests {
    func leaves(_ count: Int) -> [Hash256] { (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) } }

    /// RFC 9162 §2.1.1 MTH, written recursively as in the RFC, as the reference.
    func referenceRoot(_ hashes: ArraySlice<Hash256>) -> Hash256 {
        if hashes.isEmpty { return MerkleTree.emptyRoot }
        if hashes.count == 1 { return hashes.first! }
        var k = 1
        while k * 2 < hashes.count { k *= 2 }
        return MerkleTree.nodeHash(referenceRoot(hashes.prefix(k)), referenceRoot(hashes.dropFirst(k)))
    }

    @Test func rootsMatchTheRFCDefinitionAndTheCompactRange() {
        var range = CompactRange()
        #expect(range.root == MerkleTree.emptyRoot)
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for size in 1...70 {
            let hashes = leaves(size)
            range.append(leafHash: hashes[size - 1])
            let reference = referenceRoot(hashes[...])
            #expect(MerkleTree.root(leafHashes: hashes) == reference)
            #expect(range.root == reference)
        }
    }

    @Test func everyInclusionAndConsistencyProofVerifiesAndEveryMutationFails() {
        let all = leaves(40)
        let levels = MerkleLevels(leafHashes: all)
        for size in 1...40 {
            let root = levels.root(size: UInt64(size))
            for index in 0..<size {
                let path = levels.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size))
                #expect(MerkleTree.verifyInclusion(leafHash: all[index], leafIndex: UInt64(index), treeSize: UInt64(size), path: path, root: root))
                #expect(!MerkleTree.verifyInclusion(leafHash: all[(index + 1) % 40], leafIndex: UInt64(index), treeSize: UInt64(size), path: path, root: root))
                if !path.isEmpty {
                    var forged = path
                    forged[forged.count / 2] = MerkleTree.leafHash([9])
                    #expect(!MerkleTree.verifyInclusion(leafHash: all[index], leafIndex: UInt64(index), treeSize: UInt64(size), path: forged, root: root))
                    #expect(!MerkleTree.verifyInclusion(leafHash: all[index], leafIndex: UInt64(index), treeSize: UInt64(size), path: path + [root], root: root))
                }
                if size > 1 {
                    #expect(!MerkleTree.verifyInclusion(leafHash: all[index], leafIndex: UInt64((index + 1) % size), treeSize: UInt64(size), path: path, root: root) || all[index] == all[(index + 1) % size])
                }
            }
            for first in 0...size {
                let path = levels.consistencyProof(firstSize: UInt64(first), secondSize: UInt64(size))
                let firstRoot = levels.root(size: UInt64(first))
                #expect(MerkleTree.verifyConsistency(firstSize: UInt64(first), secondSize: UInt64(size), firstRoot: firstRoot, secondRoot: root, path: path))
                if first > 0 && first < size {
                    var forged = path
                    forged[0] = MerkleTree.leafHash([7])
                    #expect(!MerkleTree.verifyConsistency(firstSize: UInt64(first), secondSize: UInt64(size), firstRoot: firstRoot, secondRoot: root, path: forged))
                    #expect(!MerkleTree.verifyConsistency(firstSize: UInt64(first), secondSize: UInt64(size), firstRoot: MerkleTree.leafHash([1]), secondRoot: root, path: path))
                    #expect(!MerkleTree.verifyConsistency(firstSize: UInt64(first), secondSize: UInt64(size), firstRoot: firstRoot, secondRoot: root, path: Array(path.dropLast())))
                }
            }
        }
    }
}

@Suite struct Ed25519Tests {
    @Test func signaturesVerifyAndTamperingFails() {
        let key = SigningKey.generate()
        let message = Array("receipt 0001".utf8)
        let signature = key.sign(message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        var bytes = signature.bytes
        bytes[10] ^= 1
        #expect(!key.publicKey.isValidSignature(Signature(bytes: bytes)!, for: message))
        #expect(SigningKey(seed: key.seed)?.publicKey == key.publicKey)
        #expect(!SigningKey.generate().publicKey.isValidSignature(signature, for: message))
    }

    @Test func domainTagsArePrefixFreeAndDistinct() {
        let tags: [DomainTag] = [.transactionID, .transactionSignature, .blockID, .blockSignature, .genesisID, .stateRoot, .writeSet, .keyID]
        #expect(Set(tags.map(\.name)).count == tags.count)
        for tag in tags { #expect(tag.prefix.last == 0 && tag.prefix.dropLast().allSatisfy { $0 != 0 }) }
        #expect(Hash256.tagged(.blockID, [1]) != Hash256.tagged(.transactionID, [1]))
    }
}

/// Chunk roots are nodes of the whole tree: the tree over them has the whole tree's root,
/// and a path through one chunk and the chunk roots is the whole tree's path.
@Suite struct MerkleChunkTests {
    @Test(arguments: [1, 2, 63, 64, 65, 127, 128, 129, 200, 640, 1_000, 1_023, 1_025])
    func chunksGiveTheWholeTreesRootAndPaths(size: Int) {
        let leaves = (0..<size).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
        let whole = MerkleLevels(leafHashes: leaves)
        let chunkRoots = MerkleTree.chunkRoots(leafHashes: leaves)
        #expect(chunkRoots.count == (size + MerkleTree.chunkLeaves - 1) / MerkleTree.chunkLeaves)
        #expect(MerkleLevels(leafHashes: chunkRoots).root == whole.root)
        for leaf in Set([0, size / 3, size / 2, size - 1, min(size - 1, 64), min(size - 1, 63)]) {
            let chunk = MerkleTree.chunkRange(leaf / MerkleTree.chunkLeaves, size: size)
            let path = MerkleTree.inclusionPath(leafIndex: leaf, chunkLeafHashes: Array(leaves[chunk]), chunkRoots: chunkRoots)
            #expect(path == whole.inclusionProof(leafIndex: UInt64(leaf), treeSize: UInt64(size)), "leaf \(leaf) of \(size)")
            #expect(MerkleTree.verifyInclusion(leafHash: leaves[leaf], leafIndex: UInt64(leaf), treeSize: UInt64(size), path: path, root: whole.root))
        }
    }
}
