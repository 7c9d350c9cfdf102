import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSProofs
import SGPOSStore
import SGPOSTestSupport
import Testing

/// `tx-tree` (FORMAT.md §9.1): the chunk roots of blocks of more than 64 transactions,
/// written with the block, checked by the audit, used by proofs of older blocks, and
/// added to format-3 stores by the upgrade.
@Suite struct TransactionTreeStoreTests {
    let network = TestNetwork()
    /// Block sizes: around the 64-transaction threshold, then a few small blocks.
    static let sizes = [65, 64, 130, 1, 200, 2, 2, 2]

    func store(_ directory: TemporaryDirectory) throws -> LedgerStore {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
        var sequence: UInt64 = 0
        for (block, size) in Self.sizes.enumerated() {
            let batch = (0..<size).map { index -> SignedTransaction in
                sequence += 1
                return network.registerTill(TestNetwork.key("till-\(block)-\(index)"), principal: "till-\(block)-\(index)", sequence: sequence)
            }
            let outcomes = try writer.append(batch, timestampMs: 1_700_000_000_000 + UInt64(block))
            #expect(outcomes.allSatisfy { if case .committed = $0 { true } else { false } })
        }
        return store
    }

    func entries(_ store: LedgerStore) throws -> [[UInt8]: [UInt8]] {
        try store.environment.read { transaction in
            var all: [[UInt8]: [UInt8]] = [:]
            try transaction.scan(try store.database(named: "tx-tree")) { key, value in
                all[key] = value
                return true
            }
            return all
        }
    }

    func ids(_ store: LedgerStore, height: UInt64) throws -> [Hash256] {
        try store.environment.read { try store.block(1, height: height, $0)! }.transactions.map(\.id)
    }

    func audit(_ directory: TemporaryDirectory) throws -> [AuditFinding] {
        try AuditVerifier().verify(store: LedgerStore.open(dataDirectory: directory.path, options: .init(durability: .unsafeNoSyncForTests)),
                                   trustedGenesis: network.genesis).findings
    }

    @Test func largeBlocksKeepTheirChunkRootsAndProofsOfOldBlocksUseThem() throws {
        let directory = TemporaryDirectory()
        let store = try store(directory)
        let stored = try entries(store)
        #expect(Set(stored.keys) == [StoreLayout.blockKey(1, 1), StoreLayout.blockKey(1, 3), StoreLayout.blockKey(1, 5)],
                "65, 130 and 200 transactions have entries; 64, 1 and 2 do not")
        for height: UInt64 in [1, 3, 5] {
            let leaves = try ids(store, height: height).map { MerkleTree.leafHash($0.bytes) }
            #expect(stored[StoreLayout.blockKey(1, height)] == MerkleTree.chunkRoots(leafHashes: leaves).flatMap(\.bytes))
            #expect(stored[StoreLayout.blockKey(1, height)]!.count == 32 * ((leaves.count + 63) / 64))
        }
        #expect(try audit(directory).isEmpty)

        let builder = ProofBuilder(store: store)
        let verifier = ProofVerifier(genesis: network.genesis)
        for height: UInt64 in [1, 2, 3, 5] {
            let ids = try ids(store, height: height)
            let whole = MerkleLevels(leafHashes: ids.map { MerkleTree.leafHash($0.bytes) })
            for index in Set([0, 1, 63, 64, 65, ids.count / 2, ids.count - 1]) where index < ids.count {
                let proof = try builder.transactionProof(ids[index])
                #expect(proof.inclusionPath == whole.inclusionProof(leafIndex: UInt64(index), treeSize: whole.size).map(\.hex),
                        "block \(height) transaction \(index)")
                #expect(try verifier.verify(proof).index == index)
            }
        }
    }

    @Test func theAuditFindsEveryWrongEntry() throws {
        let directory = TemporaryDirectory()
        let store = try store(directory)
        let database = try store.database(named: "tx-tree")
        let original = try entries(store)[StoreLayout.blockKey(1, 3)]!
        func with(_ change: (LMDBTransaction) throws -> Void, _ check: ([AuditFinding]) -> Void) throws {
            try store.environment.write { try change($0) }
            check(try audit(directory))
            try store.environment.write { transaction in
                try transaction.put(database, StoreLayout.blockKey(1, 3), original)
                _ = try transaction.delete(database, StoreLayout.blockKey(1, 2))
                _ = try transaction.delete(database, StoreLayout.blockKey(1, 99))
            }
            #expect(try audit(directory).isEmpty)
        }
        var flipped = original
        flipped[40] ^= 0x80
        try with({ try $0.put(database, StoreLayout.blockKey(1, 3), flipped) }) { findings in
            #expect(findings.contains { $0.rule == "store/tx-tree" && $0.height == 3 }, "\(findings)")
        }
        try with({ _ = try $0.delete(database, StoreLayout.blockKey(1, 3)) }) { findings in
            #expect(findings.contains { $0.rule == "store/tx-tree" && $0.height == 3 }, "\(findings)")
        }
        try with({ try $0.put(database, StoreLayout.blockKey(1, 2), Array(original.prefix(64))) }) { findings in
            #expect(findings.contains { $0.rule == "store/tx-tree" && $0.height == 2 }, "an entry for a block of 64: \(findings)")
        }
        try with({ try $0.put(database, StoreLayout.blockKey(1, 99), original) }) { findings in
            #expect(findings.contains { $0.rule == "store/tx-tree" && $0.message.contains("4 entries") }, "an entry without a block: \(findings)")
        }
        // A node whose entry is wrong serves proofs that do not verify.
        try store.environment.write { try $0.put(database, StoreLayout.blockKey(1, 3), flipped) }
        let target = try ids(store, height: 3)[0]
        #expect(throws: ProofError.self) { try ProofVerifier(genesis: network.genesis).verify(ProofBuilder(store: store).transactionProof(target)) }
    }

    @Test func aFormat3StoreIsRefusedUntilUpgradedThenVerifies() throws {
        let directory = TemporaryDirectory()
        let original: [[UInt8]: [UInt8]]
        do {
            let store = try store(directory)
            original = try entries(store)
            // What a format-3 store holds: blocks uncompressed, idempotency values starting
            // with the transaction id, no tx-tree entries, format 3.
            try olderIdempotencyValues(store)
            let database = try store.database(named: "tx-tree")
            let meta = try store.database(named: "meta")
            let blocks = try store.database(named: "blocks")
            try store.environment.write { transaction in
                var stored: [([UInt8], [UInt8])] = []
                try transaction.scan(blocks) { key, value in
                    stored.append((key, value))
                    return true
                }
                for (key, value) in stored { try transaction.put(blocks, key, try StoredCompression.decompress(value, what: "block")) }
                for key in original.keys { _ = try transaction.delete(database, key) }
                try transaction.put(meta, Array("format".utf8), [0, 0, 0, 3])
            }
        }
        #expect {
            _ = try LedgerStore.open(dataDirectory: directory.path, options: .init(durability: .unsafeNoSyncForTests))
        } throws: { "\($0)".contains("sgpos chain upgrade") }
        let options = LedgerStore.Options(durability: .unsafeNoSyncForTests)
        let report = try LedgerStore.upgrade(dataDirectory: directory.path, options: options)
        #expect(report == .init(fromFormat: 3, blocks: Self.sizes.count, transactionTrees: 3))
        let upgraded = try LedgerStore.open(dataDirectory: directory.path, options: options)
        #expect(try entries(upgraded) == original)
        #expect(try audit(directory).isEmpty)
        #expect(try LedgerStore.upgrade(dataDirectory: directory.path, options: options) == .init(fromFormat: StoreLayout.formatVersion, blocks: 0, transactionTrees: 0),
                "a current store is left alone")
    }
}
