import CLMDB
import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore
import SGPOSTestSupport
import Testing

/// A fresh data directory removed at the end of the test.
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "sgpos-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A store for outlet 1 with `blocks` blocks of `perBlock` till registrations.
func populatedStore(_ directory: TemporaryDirectory, network: TestNetwork, blocks: Int, perBlock: Int,
                    options: LedgerStore.Options = .init(durability: .unsafeNoSyncForTests)) throws -> LedgerStore {
    let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis, options: options)
    let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
    var sequence: UInt64 = 0
    for block in 0..<blocks {
        let batch = (0..<perBlock).map { index -> SignedTransaction in
            sequence += 1
            return network.registerTill(TestNetwork.key("till-\(block)-\(index)"), principal: "till-\(block)-\(index)", sequence: sequence)
        }
        let outcomes = try writer.append(batch, timestampMs: 1_700_000_000_000 + UInt64(block))
        #expect(outcomes.allSatisfy { if case .committed = $0 { true } else { false } })
    }
    return store
}

@Suite struct LedgerStoreTests {
    let network = TestNetwork()

    @Test func appendsVerifyAndReopen() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try populatedStore(directory, network: network, blocks: 5, perBlock: 3)
            let report = try AuditVerifier().verify(store: store, trustedGenesis: network.genesis)
            #expect(report.isValid, "\(report.findings)")
            #expect(report.transactionCount == 15)
        }
        let reopened = try LedgerStore.open(dataDirectory: directory.path)
        let head = try reopened.environment.read { try reopened.head(1, $0) }
        #expect(head.height == 5)
        #expect(try AuditVerifier().verify(store: reopened).isValid)
        #expect(throws: StoreError.self) { try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis) }
    }

    @Test func oneTransactionIsReadWithoutTheRestOfItsBlock() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 3, perBlock: 4)
        try store.environment.read { txn in
            for height in UInt64(1)...3 {
                let block = try #require(try store.block(1, height: height, txn))
                for (index, expected) in block.transactions.enumerated() {
                    let found = try #require(try store.storedTransaction(expected.id, txn))
                    #expect(found.signed == expected)
                    #expect(found.location == TransactionLocation(outletID: 1, height: height, index: UInt32(index), transactionID: expected.id))
                    #expect(try store.transaction(at: found.location, txn) == expected)
                }
            }
            let firstBlock = try #require(try store.block(1, height: 1, txn))
            let first = try #require(try store.storedTransaction(firstBlock.transactions[0].id, txn))
            // Past the block's end, or a block that is not there: nothing.
            #expect(try store.transaction(at: TransactionLocation(outletID: 1, height: 1, index: 4, transactionID: first.signed.id), txn) == nil)
            #expect(try store.transaction(at: TransactionLocation(outletID: 1, height: 9, index: 0, transactionID: first.signed.id), txn) == nil)
            #expect(try store.storedTransaction(Hash256(bytes: [UInt8](repeating: 7, count: 32))!, txn) == nil)
            // A location whose id is not the transaction there is a corrupt store, not an answer.
            let wrong = TransactionLocation(outletID: 1, height: 1, index: 1, transactionID: first.signed.id)
            #expect(throws: StoreError.self) { try store.transaction(at: wrong, txn) }
        }
    }

    @Test func idempotentRetriesReturnTheFirstResultAndNeverASecondTransaction() throws {
        let directory = TemporaryDirectory()
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
        let id = IdempotencyID(bytes: [UInt8](repeating: 7, count: 16))!
        let first = network.registerTill(TestNetwork.key("a"), principal: "a", sequence: 1, idempotency: id)
        let outcome = try writer.append([first], timestampMs: 1)
        guard case .committed(let location) = outcome[0] else { Issue.record("not committed: \(outcome)"); return }
        // Same bytes again, and a different transaction reusing the id: both get the first result.
        let different = network.registerTill(TestNetwork.key("b"), principal: "b", sequence: 2, idempotency: id)
        let retried = try writer.append([first, different], timestampMs: 2)
        #expect(retried == [AppendOutcome.duplicate(location), AppendOutcome.duplicate(location)])
        // Within one batch the second use of an id is a duplicate of the first.
        let other = IdempotencyID(bytes: [UInt8](repeating: 8, count: 16))!
        let c = network.registerTill(TestNetwork.key("c"), principal: "c", sequence: 3, idempotency: other)
        let d = network.registerTill(TestNetwork.key("d"), principal: "d", sequence: 4, idempotency: other)
        let batch = try writer.append([c, d], timestampMs: 3)
        guard case .committed(let cLocation) = batch[0] else { Issue.record("c not committed"); return }
        #expect(batch[1] == .duplicate(cLocation))
        let heads = try store.environment.read { try store.head(1, $0) }
        #expect(heads.height == 2)
        #expect(try AuditVerifier().verify(store: store).transactionCount == 2)
    }

    @Test func rejectedTransactionsChangeNothing() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 1, perBlock: 2)
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
        let before = try snapshot(store)
        // A new idempotency id with an old sequence number is a replay (the same id would be a retry).
        let replay = network.registerTill(TestNetwork.key("x"), principal: "x", sequence: 1,
                                          idempotency: IdempotencyID(bytes: [UInt8](repeating: 0xee, count: 16)))
        var badSignature = network.registerTill(TestNetwork.key("y"), principal: "y", sequence: 9).encoded
        badSignature[badSignature.count - 5] ^= 1
        let outcomes = try writer.append([replay, try SignedTransaction(encoded: badSignature)], timestampMs: 5)
        let reasons: [LedgerRejection.Reason?] = outcomes.map { if case .rejected(let r) = $0 { r.reason } else { nil } }
        #expect(reasons == [.sequenceNotIncreasing, .badSignature])
        #expect(try snapshot(store) == before)
    }

    /// The writer takes the signature results it is given (the group committer's submitters
    /// checked them) and does not check again: a result of false refuses the transaction
    /// with the writer's own rejection, and nothing is written for it.
    @Test func theWriterTakesTheCallersSignatureResults() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 1, perBlock: 1)
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
        let before = try snapshot(store)
        let valid = network.registerTill(TestNetwork.key("checked"), principal: "checked", sequence: 2)
        let refused = try writer.append([valid], signatureValid: [false], timestampMs: 5)
        guard case .rejected(let rejection) = refused[0] else { Issue.record("not refused: \(refused[0])"); return }
        #expect(rejection.reason == .badSignature)
        #expect(try snapshot(store) == before)
        guard case .committed = try writer.append([valid], signatureValid: [true], timestampMs: 6)[0] else {
            Issue.record("a transaction whose signature was checked is not committed"); return
        }
    }

    @Test func theMapGrowsWhenFull() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 40, perBlock: 25,
                                       options: .init(mapSizeBytes: 256 * 1024, durability: .unsafeNoSyncForTests))
        #expect(store.environment.currentMapSize > 256 * 1024)
        #expect(try AuditVerifier().verify(store: store).isValid)
    }

    @Test func openingChecksTheHeadBlock() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try populatedStore(directory, network: network, blocks: 2, perBlock: 1)
            let blocks = try store.database(named: "blocks")
            _ = try store.environment.write { transaction in
                try transaction.delete(blocks, Array([0, 0, 0, 1]) + Array([0, 0, 0, 0, 0, 0, 0, 2]))
            }
        }
        #expect { try LedgerStore.open(dataDirectory: directory.path) } throws: { ($0 as? StoreError)?.isCorrupt == true }
    }

    /// Every stored (database, key, value) in key order.
    func snapshot(_ store: LedgerStore) throws -> [[UInt8]] {
        try store.environment.read { transaction in
            var all: [[UInt8]] = []
            for name in StoreLayout.databaseNames {
                try transaction.scan(try store.database(named: name)) { key, value in
                    all.append(Array(name.utf8) + [0] + key + [0] + value)
                    return true
                }
            }
            return all
        }
    }
}

/// Flipping any byte of any stored value makes the audit fail and name where.
@Suite struct TamperTests {
    let network = TestNetwork()

    struct Site { let database: String; let key: [UInt8]; let offset: Int; let length: Int }

    func sites(_ store: LedgerStore) throws -> [Site] {
        try store.environment.read { transaction in
            var sites: [Site] = []
            for name in StoreLayout.databaseNames {
                try transaction.scan(try store.database(named: name)) { key, value in
                    for offset in 0..<value.count { sites.append(Site(database: name, key: key, offset: offset, length: value.count)) }
                    return true
                }
            }
            return sites
        }
    }

    /// Flips one byte, runs the audit (opening the store afresh), restores the byte.
    func auditWithFlip(_ store: LedgerStore, _ directory: TemporaryDirectory, _ site: Site, mask: UInt8) throws -> (valid: Bool, detail: String) {
        let database = try store.database(named: site.database)
        try store.environment.write { transaction in
            var value = try transaction.get(database, site.key)!
            value[site.offset] ^= mask
            try transaction.put(database, site.key, value)
        }
        defer {
            try? store.environment.write { transaction in
                var value = try transaction.get(database, site.key)!
                value[site.offset] ^= mask
                try transaction.put(database, site.key, value)
            }
        }
        do {
            let reopened = try LedgerStore.open(dataDirectory: directory.path, options: .init(durability: .unsafeNoSyncForTests))
            let report = try AuditVerifier().verify(store: reopened, trustedGenesis: network.genesis)
            return (report.isValid, report.findings.first.map { "\($0)" } ?? "")
        } catch {
            return (false, "store refused to open: \(error)")
        }
    }

    @Test func everyByteOfASmallChain() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 3, perBlock: 2)
        #expect(try AuditVerifier().verify(store: store).isValid)
        let all = try sites(store)
        #expect(all.count > 2_000)
        var undetected: [String] = []
        for site in all {
            let result = try auditWithFlip(store, directory, site, mask: 0x01)
            if result.valid { undetected.append("\(site.database) key \(Hex.encode(site.key)) byte \(site.offset)/\(site.length)") }
        }
        #expect(undetected.isEmpty, "flips not detected: \(undetected.prefix(20))")
        #expect(try AuditVerifier().verify(store: store).isValid, "restoring every byte restores validity")
    }

    @Test func randomBytesOfALargeChainAndTheFindingNamesTheBlock() throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 60, perBlock: 20)
        let all = try sites(store)
        var generator = SeededGenerator(seed: 424_242)
        for _ in 0..<150 {
            let site = all[Int.random(in: 0..<all.count, using: &generator)]
            let result = try auditWithFlip(store, directory, site, mask: UInt8.random(in: 1...255, using: &generator))
            #expect(!result.valid, "flip in \(site.database) key \(Hex.encode(site.key)) byte \(site.offset) not detected")
            if site.database == "blocks" {
                let height = site.key.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(result.detail.contains("height \(height)") || result.detail.contains("store refused"), "\(result.detail)")
            }
        }
    }
}
