import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore
import SGPOSTestSupport
import Testing
import SGPOSProofs

/// A malicious node serving proofs: every mutation of a valid proof must be refused
/// (the immudb advisory GHSA-672p-m5jq-mrh8 is the warning).
@Suite struct ProofTests {
    let network = TestNetwork()

    /// Flips one hex digit of `text` at `index`.
    func flip(_ text: String, at index: Int) -> String {
        var characters = Array(text)
        characters[index] = characters[index] == "0" ? "1" : "0"
        return String(characters)
    }

    @Test func transactionProofsVerifyAndEveryMutationIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 9, perBlock: 5)
        let verifier = ProofVerifier(genesis: network.genesis)
        let target = try store.environment.read { try store.block(1, height: 3, $0)! }.transactions[2]
        let proof = try ProofBuilder(store: store).transactionProof(target.id)
        let facts = try verifier.verify(proof)
        #expect(facts.height == 3 && facts.index == 2 && facts.headHeight == 9)

        var mutations: [(String, TransactionProof)] = []
        for index in stride(from: 0, to: proof.transaction.count, by: 7) {
            var copy = proof; copy.transaction = flip(proof.transaction, at: index); mutations.append(("transaction[\(index)]", copy))
        }
        for index in stride(from: 0, to: proof.block.header.count, by: 5) {
            var copy = proof; copy.block.header = flip(proof.block.header, at: index); mutations.append(("block.header[\(index)]", copy))
        }
        for index in stride(from: 0, to: proof.block.signature.count, by: 9) {
            var copy = proof; copy.block.signature = flip(proof.block.signature, at: index); mutations.append(("block.signature[\(index)]", copy))
        }
        for (position, hash) in proof.inclusionPath.enumerated() {
            var copy = proof; copy.inclusionPath[position] = flip(hash, at: 10); mutations.append(("inclusionPath[\(position)]", copy))
        }
        for (position, hash) in proof.historyPath.enumerated() {
            var copy = proof; copy.historyPath[position] = flip(hash, at: 3); mutations.append(("historyPath[\(position)]", copy))
        }
        var wrongIndex = proof; wrongIndex.leafIndex += 1; mutations.append(("leafIndex+1", wrongIndex))
        var shortPath = proof; shortPath.inclusionPath.removeLast(); mutations.append(("inclusionPath shortened", shortPath))
        var longPath = proof; longPath.historyPath.append(longPath.historyPath[0]); mutations.append(("historyPath lengthened", longPath))
        var swapped = proof; swapped.inclusionPath.swapAt(0, 1); mutations.append(("inclusionPath reordered", swapped))
        var otherID = proof; otherID.transactionId = flip(proof.transactionId, at: 0); mutations.append(("transactionId", otherID))
        var otherGenesis = proof; otherGenesis.genesisId = flip(proof.genesisId, at: 0); mutations.append(("genesisId", otherGenesis))
        if let head = proof.head {
            var headFlip = proof; headFlip.head!.header = flip(head.header, at: 40); mutations.append(("head.header", headFlip))
            var headSignature = proof; headSignature.head!.signature = flip(head.signature, at: 40); mutations.append(("head.signature", headSignature))
        }
        // A header re-signed by a key that is not the outlet's node key.
        var forged = proof
        let header = try BlockHeader(canonicalBytes: Hex.decode(proof.block.header)!)
        forged.block.signature = TestNetwork.key("attacker").sign(header.signingMessage).hex
        mutations.append(("block signed by another key", forged))

        #expect(mutations.count > 60)
        for (label, mutated) in mutations {
            #expect(throws: ProofError.self, "mutation \(label) was accepted") { try verifier.verify(mutated) }
        }
    }

    @Test func cachedBlockTreesGiveTheSameProofs() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 4, perBlock: 7)
        let cache = BlockTreeCache(capacity: 2)
        let builder = ProofBuilder(store: store)
        for height in UInt64(1)...4 {
            for signed in try store.environment.read({ try store.block(1, height: height, $0)! }).transactions {
                #expect(try builder.transactionProof(signed.id, cache: cache) == builder.transactionProof(signed.id))
            }
        }
        #expect(cache.entry(outlet: 1, height: 4) != nil && cache.entry(outlet: 1, height: 2) == nil, "bounded: the oldest went first")
    }

    /// A batch's answer proves every transaction of blocks of more than 64: with a cache a
    /// block among the newest is proved from its tree, built once and kept (each proof had
    /// inflated and hashed its chunk again); an older one, one chunk at a time and not
    /// cached (a resubmitted old transaction does not get a whole old block inflated). The
    /// proofs are the chunk-by-chunk ones of a cacheless call either way.
    @Test func newLargeBlocksAreProvedFromOneCachedTree() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 3, perBlock: 150)
        let cache = BlockTreeCache(capacity: 2)
        let builder = ProofBuilder(store: store)
        let verifier = ProofVerifier(genesis: network.genesis)
        for height in UInt64(1)...3 {
            for signed in try store.environment.read({ try store.block(1, height: height, $0)! }).transactions {
                let cached = try builder.transactionProof(signed.id, cache: cache)
                #expect(cached == (try builder.transactionProof(signed.id)))
                _ = try verifier.verify(cached)
            }
            let recent = height + 2 > 3
            #expect((cache.entry(outlet: 1, height: height) != nil) == recent, "block \(height) of 3, cache of 2: cached \(recent)")
        }
    }

    @Test func consistencyProofsVerifyForEveryPairAndRefuseMutations() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 13, perBlock: 1)
        let builder = ProofBuilder(store: store)
        let verifier = ProofVerifier(genesis: network.genesis)
        for old in 1..<13 {
            for new in (old + 1)...13 {
                let proof = try builder.consistencyProof(outletID: 1, from: UInt64(old), to: UInt64(new))
                let (oldHeader, newHeader) = try verifier.verify(proof)
                #expect(oldHeader.height == UInt64(old) && newHeader.height == UInt64(new))
                for (position, hash) in proof.consistencyPath.enumerated() {
                    var copy = proof
                    copy.consistencyPath[position] = flip(hash, at: 5)
                    #expect(throws: ProofError.self) { try verifier.verify(copy) }
                }
                var swapped = proof
                swap(&swapped.old, &swapped.new)
                #expect(throws: ProofError.self) { try verifier.verify(swapped) }
            }
        }
        #expect(throws: ProofError.self) { try builder.consistencyProof(outletID: 1, from: 5, to: 5) }
    }
}
