import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// A block read as an outline (for proofs) gives what a full decode gives — header,
/// signature, every transaction id and each transaction — and refuses what a full decode
/// refuses in the block's framing.
@Suite struct BlockOutlineTests {
    let network = TestNetwork()

    func block(_ count: Int) -> Block {
        let transactions = (0..<count).map { network.registerTill(TestNetwork.key("till-\($0)"), principal: "till-\($0)", sequence: UInt64($0 + 1)) }
        let genesisHead = ChainHead.genesis(network.genesis, outletID: 1)
        let header = BlockHeader(
            chainID: network.genesis.chainID, outletID: 1, height: 1, previousHash: genesisHead.blockID, timestampMs: 1_700_000_000_001,
            transactionCount: UInt32(count), transactionRoot: MerkleTree.root(leafHashes: transactions.map { MerkleTree.leafHash($0.id.bytes) }),
            historyRoot: genesisHead.history.root, stateRoot: genesisHead.stateRoot, producer: network.nodeKeys[0].publicKey)
        return Block.seal(header: header, transactions: transactions, key: network.nodeKeys[0])
    }

    @Test func anOutlineAgreesWithTheDecodedBlock() throws {
        for count in [1, 2, 7, 64] {
            let sealed = block(count)
            let outline = try BlockOutline(encoded: sealed.encoded)
            #expect(outline.header == sealed.header && outline.signature == sealed.signature && outline.id == sealed.id)
            #expect(outline.transactionIDs == sealed.transactionIDs)
            for index in 0..<count {
                #expect(try outline.transaction(index) == sealed.transactions[index])
                #expect(Array(outline.transactionBytes(index)) == sealed.transactions[index].encoded)
            }
        }
    }

    @Test func anOutlineRefusesWhatABlockRefuses() throws {
        let encoded = block(3).encoded
        // Truncated anywhere, one byte more, or a count that is not the header's.
        for cut in [1, 40, encoded.count / 2, encoded.count - 1] {
            #expect(throws: CodecError.self) { try BlockOutline(encoded: Array(encoded.prefix(cut))) }
            #expect(throws: CodecError.self) { try Block(encoded: Array(encoded.prefix(cut))) }
        }
        #expect(throws: CodecError.self) { try BlockOutline(encoded: encoded + [0]) }
        let countAt = try BlockHeader(canonicalBytes: block(3).header.canonicalBytes).canonicalBytes.count + Signature.byteCount
        var miscounted = encoded
        miscounted[countAt + 3] = 2
        #expect(throws: CodecError.self) { try Block(encoded: miscounted) }
        #expect(throws: CodecError.self) { try BlockOutline(encoded: miscounted) }
    }
}
