import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import Testing

/// The network state derived from outlet blocks in checkpoint order (docs/CONSENSUS.md §7).
@Suite struct NetworkLedgerTests {
    let member = Array("M-0001".utf8)
    let transfer = TransferID(uncheckedBytes: Array(repeating: 7, count: TransferID.byteCount))

    func account(points: Int64, earned: Int64, redeemed: Int64 = 0) -> [UInt8] {
        MemberAccount(tier: 1, lots: points > 0 ? [.init(expiresOn: 20_000, points: points)] : [], pointsEarnedTotal: earned,
                      pointsRedeemedTotal: redeemed).canonicalBytes
    }

    func block(_ entries: [(StateKey, [UInt8]?)]) -> WriteSet {
        var writes = WriteSet()
        for (key, value) in entries { writes.put(key, value) }
        return writes
    }

    /// Outlet 1 block 1: member earns 100; outlet 2 block 1: member enrolled, earns 40 and
    /// dispatches a transfer to outlet 1; outlet 1 block 2: spends 30, receives the transfer.
    var blocks: [UInt32: [UInt64: WriteSet]] {
        let lines = [StockLine(sku: "PEN", quantity: 5)]
        return [
            1: [1: block([(.member("M-0001"), account(points: 100, earned: 100)), (.stock(outlet: 1, sku: "PEN"), [1])]),
                2: block([(.member("M-0001"), account(points: 70, earned: 100, redeemed: 30)),
                          (.transfer(transfer, outgoing: false), TransferRecord(outlet: 1, counterpart: 2, lines: lines).canonicalBytes)])],
            2: [1: block([(.member("M-0001"), account(points: 40, earned: 40)),
                          (.transfer(transfer, outgoing: true), TransferRecord(outlet: 2, counterpart: 1, lines: lines).canonicalBytes)])],
        ]
    }

    func apply(_ checkpoints: [[NetworkLedger.CoveredBlocks]]) throws -> (state: MemoryState, root: Hash256) {
        var state = MemoryState()
        var root = NetworkLedger.genesisRoot(Hash256.tagged(.genesisID, [1]))
        let blocks = self.blocks
        for covered in checkpoints {
            let changes = try NetworkLedger.changes(base: state, covering: covered) { blocks[$0]?[$1] ?? WriteSet() }
            state.apply(changes)
            root = NetworkLedger.next(previous: root, changes: changes)
        }
        return (state, root)
    }

    @Test func totalsAndTransfersOverEveryOutlet() throws {
        let (state, _) = try apply([[.init(outlet: 1, heights: 1...2), .init(outlet: 2, heights: 1...1)]])
        let totals = try NetworkMemberTotals(canonicalBytes: #require(state.read(NetworkLedger.memberTotalsKey(member: member))))
        #expect(totals.balance == 110 && totals.earned == 140 && totals.redeemed == 30 && totals.outlets == 2)
        let atOutlet2 = try #require(state.read(NetworkLedger.memberAccountKey(member: member, outlet: 2)))
        #expect(try MemberAccount(canonicalBytes: atOutlet2).balance == 40)
        let halves = try NetworkTransfer(canonicalBytes: #require(state.read(NetworkLedger.transferKey(transfer.bytes))))
        #expect(halves.status == "matched")
        #expect(state.count == 4, "two accounts, one totals record, one transfer; stock is not network state")
    }

    @Test func theFinalStateDoesNotDependOnHowBlocksAreSplitIntoCheckpoints() throws {
        let once = try apply([[.init(outlet: 1, heights: 1...2), .init(outlet: 2, heights: 1...1)]])
        let split = try apply([[.init(outlet: 1, heights: 1...1)], [.init(outlet: 2, heights: 1...1)], [.init(outlet: 1, heights: 2...2)]])
        #expect(once.state.sortedEntries.map(\.key) == split.state.sortedEntries.map(\.key))
        #expect(once.state.sortedEntries.map(\.value) == split.state.sortedEntries.map(\.value))
        #expect(once.root != split.root, "the root commits to the checkpoint sequence too")
        // In between, the transfer was in transit: dispatched by outlet 2, not yet received.
        let partial = try apply([[.init(outlet: 1, heights: 1...1)], [.init(outlet: 2, heights: 1...1)]])
        let halves = try NetworkTransfer(canonicalBytes: #require(partial.state.read(NetworkLedger.transferKey(transfer.bytes))))
        #expect(halves.status == "in-transit")
    }

    @Test func evidenceIsRecordedOnceAndRefusedTheSecondTime() throws {
        let id = Hash256.sha256([7]), record: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        let first = try NetworkLedger.changes(base: MemoryState(), evidence: [(id, record)], covering: []) { _, _ in WriteSet() }
        var state = MemoryState()
        state.apply(first)
        #expect(state.read(StateKey(.networkEvidence, id.bytes)) == record)
        #expect(throws: CodecError.self) {
            try NetworkLedger.changes(base: state, evidence: [(id, record)], covering: []) { _, _ in WriteSet() }
        }
    }

    @Test func writeSetsRoundTripAndGarbageIsRefused() throws {
        let writes = blocks[1]![2]!
        #expect(try WriteSet(canonicalBytes: writes.canonicalBytes).canonicalBytes == writes.canonicalBytes)
        var bad = writes.canonicalBytes
        bad[4 + 4] = 0xEE  // first key's table byte: no such table
        #expect(throws: CodecError.self) { try WriteSet(canonicalBytes: bad) }
        #expect(throws: CodecError.self) { try WriteSet(canonicalBytes: writes.canonicalBytes + [0]) }
    }
}
