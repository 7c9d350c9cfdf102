import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore

/// The worked example of docs/FORMAT.md §12, built from fixed seeds so it never changes
/// unless the format does (a test compares it with the document).
enum FormatExample {
    static func key(_ byte: UInt8) -> SigningKey { SigningKey(seed: [UInt8](repeating: byte, count: 32))! }

    static func markdown() throws -> String {
        let admin = key(0x01), node = key(0x02), till = key(0x03)
        let genesis = try Genesis(
            chainID: ChainID("sgpos-example")!, genesisTimeMs: 1_767_196_800_000, blockTransactionsMax: 8_190,
            keyRotationOverlapMsMax: 604_800_000, gstPricesIncludeTax: true, gstMethod: .perInvoice,
            gstRates: [.init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "hq", publicKey: admin.publicKey)],
            outlets: [.init(id: 1, name: "Tampines", nodeKey: node.publicKey)], validators: [])
        let envelope = TransactionEnvelope(
            chainID: genesis.chainID, outletID: 1, signer: admin.publicKey, sequence: 1,
            idempotencyID: IdempotencyID(bytes: Array(0..<16))!, timestampMs: 1_767_200_000_000,
            body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "till-01")))
        let signed = envelope.signed(by: admin)
        var state = MemoryState()
        state.apply(genesis.initialWrites)
        let head = ChainHead.genesis(genesis, outletID: 1)
        var overlay = StateOverlay(base: state)
        let context = BlockContext(genesis: genesis, outletID: 1, height: 1, timestampMs: 1_767_200_000_500)
        try ChainRules().apply(signed, context: context, state: &overlay)
        let header = BlockHeader(
            chainID: genesis.chainID, outletID: 1, height: 1, previousHash: genesis.id, timestampMs: 1_767_200_000_500,
            transactionCount: 1, transactionRoot: MerkleTree.root(leafHashes: [MerkleTree.leafHash(signed.id.bytes)]),
            historyRoot: head.history.root,
            stateRoot: StateCommitment.next(previous: head.stateRoot, writeSetHash: overlay.writes.hash), producer: node.publicKey)
        let block = Block.seal(header: header, transactions: [signed], key: node)
        _ = try BlockValidator(genesis: genesis).validate(block, head: head, state: state)

        func wrap(_ bytes: [UInt8]) -> String {
            let hex = Hex.encode(bytes)
            return stride(from: 0, to: hex.count, by: 64).map { offset in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return String(hex[start..<(hex.index(start, offsetBy: 64, limitedBy: hex.endIndex) ?? hex.endIndex)])
            }.joined(separator: "\n")
        }
        return """
        Keys are Ed25519 from 32-byte seeds: admin `01…01`, node of outlet 1 `02…02`, till `03…03`.

        | what | value |
        |---|---|
        | admin public key | `\(admin.publicKey)` |
        | node public key | `\(node.publicKey)` |
        | till public key | `\(till.publicKey)` |
        | genesis id | `\(genesis.id)` |
        | stateRoot(0) | `\(head.stateRoot)` |
        | transaction id | `\(signed.id)` |
        | transaction leaf hash | `\(MerkleTree.leafHash(signed.id.bytes))` |
        | write-set hash of block 1 | `\(overlay.writes.hash)` |
        | block 1 id | `\(block.id)` |

        Genesis (chain `sgpos-example`, time 1767196800000, 8190 transactions per block,
        overlap 604800000 ms, GST inclusive per-invoice 9 % from 2024-01-01, admin `hq`,
        outlet 1 `Tampines`, no validators), canonical bytes:

        ```
        \(wrap(genesis.canonicalBytes))
        ```

        Transaction: admin registers the till as `till-01` of outlet 1; sequence 1,
        idempotency id `000102…0f`, timestamp 1767200000000. Unsigned envelope bytes
        (`01` version, chain id, outlet, signer, sequence, idempotency id, timestamp,
        body type `0002`, body length and body: till key, role `03`, principal):

        ```
        \(wrap(envelope.unsignedBytes))
        ```

        Signature (Ed25519 by the admin over `SGPOS/tx-sig/v1` ‖ `00` ‖ the bytes above):

        ```
        \(wrap(signed.signature.bytes))
        ```

        Write set of block 1 (the admin's key record with last sequence 1, the till's key
        record, the principal entry), canonical bytes:

        ```
        \(wrap(overlay.writes.canonicalBytes))
        ```

        Block 1 header bytes (timestamp 1767200000500; history root = empty-tree hash):

        ```
        \(wrap(header.canonicalBytes))
        ```

        Producer signature:

        ```
        \(wrap(block.signature.bytes))
        ```

        Whole block (§5.2):

        ```
        \(wrap(block.encoded))
        ```

        The value of `blocks[00000001 ‖ 0000000000000001]`: the whole block in the compressed form
        of §9.1 (`u32` length ‖ one segment: `u32` length ‖ zlib stream), as this release writes it (zlib 1.2.13, level \(StoredCompression.blockLevel);
        another writer may store other bytes that inflate to the same block):

        ```
        \(wrap(StoreLayout.storedBlock(block)))
        ```
        """
    }
}
