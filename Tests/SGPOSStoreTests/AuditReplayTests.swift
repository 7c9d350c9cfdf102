import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing

/// The audit verifies several outlet chains at once, and replays a chain whose state
/// outgrows its memory through a scratch store on disk: both give the report (and the
/// findings) the one-at-a-time, all-in-memory audit gives.
@Suite struct AuditReplayTests {
    let network = TestNetwork(outlets: 3)

    /// Outlets 1...3, each with `blocks` blocks of four till registrations.
    func threeChains(_ directory: TemporaryDirectory, blocks: Int) throws -> LedgerStore {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        for outlet in OutletID(1)...3 {
            let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[Int(outlet) - 1])
            var sequence: UInt64 = 0
            for block in 0..<blocks {
                let batch = (0..<4).map { index -> SignedTransaction in
                    sequence += 1
                    let name = "till-\(outlet)-\(block)-\(index)"
                    return network.registerTill(TestNetwork.key(name), principal: name, sequence: sequence, outlet: outlet)
                }
                _ = try writer.append(batch, timestampMs: 1_700_000_000_000 + UInt64(block))
            }
        }
        return store
    }

    func flip(_ store: LedgerStore, _ database: String, _ key: [UInt8]) throws {
        let handle = try store.database(named: database)
        try store.environment.write { transaction in
            var value = try transaction.get(handle, key)!
            value[value.count - 1] ^= 0x10
            try transaction.put(handle, key, value)
        }
    }

    @Test func chainsVerifiedAtOnceReportWhatOneAtATimeReports() throws {
        let directory = TemporaryDirectory()
        let store = try threeChains(directory, blocks: 30)
        let one = try AuditVerifier(chainsAtOnce: 1).verify(store: store, trustedGenesis: network.genesis)
        let three = try AuditVerifier(chainsAtOnce: 3).verify(store: store, trustedGenesis: network.genesis)
        #expect(one.isValid && three.isValid, "\(one.findings) \(three.findings)")
        #expect(three.transactionCount == 3 * 30 * 4)
        #expect(three.chains == one.chains)
        #expect(three.chains.map(\.outletID) == [1, 2, 3])
        #expect(three.signaturesVerified == one.signaturesVerified)

        // A broken block in outlet 2 and a changed state entry in outlet 3: the same
        // findings, in outlet order, whichever thread verified which chain.
        try flip(store, "blocks", StoreLayout.blockKey(2, 17))
        let registered = StoreLayout.stateKey(3, .principal(outlet: 3, role: .till, name: "till-3-5-1"))
        try flip(store, "state", registered)
        let oneBroken = try AuditVerifier(chainsAtOnce: 1).verify(store: store, trustedGenesis: network.genesis)
        let threeBroken = try AuditVerifier(chainsAtOnce: 3).verify(store: store, trustedGenesis: network.genesis)
        #expect(threeBroken.findings == oneBroken.findings)
        #expect(threeBroken.findings.first?.outletID == 2 && threeBroken.findings.first?.height == 17, "\(threeBroken.findings)")
        #expect(threeBroken.findings.contains { $0.outletID == 3 && $0.rule == "store/state" }, "\(threeBroken.findings)")
        #expect(threeBroken.chains.first { $0.outletID == 2 }?.verifiedHeight == 16)
    }

    @Test func aReplayLargerThanItsMemoryMovesToDiskAndFindsEveryChange() throws {
        let directory = TemporaryDirectory()
        let scratch = TemporaryDirectory()
        let store = try threeChains(directory, blocks: 40)
        let inMemory = try AuditVerifier().verify(store: store, trustedGenesis: network.genesis)
        let small = AuditVerifier(chainsAtOnce: 2, replayMemoryBytes: 16 * 1024, scratchDirectory: scratch.path)
        let spilled = try small.verify(store: store, trustedGenesis: network.genesis)
        #expect(inMemory.isValid && inMemory.replaySpills == 0, "\(inMemory.findings)")
        #expect(spilled.isValid, "\(spilled.findings)")
        // Each chain's 160 registrations write ~50 KiB of state (counted with map overhead):
        // more than six times its 8 KiB share.
        #expect(spilled.replaySpills >= 3 * 6, "\(spilled.replaySpills)")
        #expect(spilled.chains == inMemory.chains)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "scratch stores are removed")

        // Changed, removed and added state entries are all found from the disk replay.
        let state = try store.database(named: "state")
        let changed = StoreLayout.stateKey(1, .principal(outlet: 1, role: .till, name: "till-1-3-2"))
        try flip(store, "state", changed)
        #expect(try small.verify(store: store).findings.map(\.message) == ["state entry \(Hex.encode(changed)) differs from the replayed state"])
        try flip(store, "state", changed)
        let removed = StoreLayout.stateKey(2, .principal(outlet: 2, role: .till, name: "till-2-39-0"))
        let value = try store.environment.read { try $0.get(state, removed)! }
        _ = try store.environment.write { try $0.delete(state, removed) }
        let withoutOne = try small.verify(store: store)
        #expect(withoutOne.findings.contains { $0.outletID == 2 && $0.message.contains("replay produced") }, "\(withoutOne.findings)")
        try store.environment.write { try $0.put(state, removed, value) }
        let added = StoreLayout.stateKey(3, .principal(outlet: 3, role: .till, name: "zz-not-registered"))
        try store.environment.write { try $0.put(state, added, value) }
        let withOneMore = try small.verify(store: store)
        #expect(withOneMore.findings.contains { $0.outletID == 3 && $0.rule == "store/state" }, "\(withOneMore.findings)")
        _ = try store.environment.write { try $0.delete(state, added) }
        #expect(try small.verify(store: store).isValid)

        // A scratch directory that cannot be made is named, with its code, when the replay first needs it.
        let nowhere = AuditVerifier(replayMemoryBytes: 16 * 1024, scratchDirectory: scratch.path + "/no/such/dir")
        #expect { try nowhere.verify(store: store) } throws: { error in
            (error as? AuditScratchError)?.code == 1 && "\(error)".contains("/no/such/dir")
        }
    }

    /// A block's header read alone (proofs, the time audit) is the header of the whole
    /// block; a value's prefix is its first bytes, or all of a shorter value.
    @Test func aHeaderReadAloneIsTheBlocksHeader() throws {
        let directory = TemporaryDirectory()
        let store = try threeChains(directory, blocks: 3)
        try store.environment.read { transaction in
            for height: UInt64 in 1...3 {
                let block = try #require(try store.block(2, height: height, transaction))
                let header = try #require(try store.blockHeader(2, height: height, transaction))
                #expect(header.header == block.header && header.signature == block.signature)
                let outline = try #require(try store.blockOutline(2, height: height, transaction))
                #expect(outline.transactionIDs == block.transactionIDs)
            }
            #expect(try store.blockHeader(2, height: 4, transaction) == nil)
            let blocks = try store.database(named: "blocks")
            let whole = try #require(try transaction.get(blocks, StoreLayout.blockKey(1, 1)))
            #expect(try transaction.getPrefix(blocks, StoreLayout.blockKey(1, 1), count: 10) == Array(whole.prefix(10)))
            #expect(try transaction.getPrefix(blocks, StoreLayout.blockKey(1, 1), count: whole.count + 5) == whole)
        }
    }
}
