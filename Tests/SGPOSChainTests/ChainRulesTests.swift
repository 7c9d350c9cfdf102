import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// Applies transactions to an in-memory state the way the writer and auditor do.
struct RulesHarness {
    let network = TestNetwork()
    var state = MemoryState()
    var time: TimestampMs = 1_700_000_000_000

    init() { state.apply(network.genesis.initialWrites) }

    /// Applies one transaction; returns the rejection reason or nil.
    @discardableResult
    mutating func apply(_ transaction: SignedTransaction, outlet: OutletID = 1) -> LedgerRejection.Reason? {
        let context = BlockContext(genesis: network.genesis, outletID: outlet, height: 1, timestampMs: time)
        var overlay = StateOverlay(base: state)
        do {
            try ChainRules().apply(transaction, context: context, state: &overlay)
        } catch let rejection as LedgerRejection {
            #expect(overlay.writes.isEmpty, "a rejected transaction must change nothing")
            return rejection.reason
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
        state.apply(overlay.writes)
        return nil
    }

    func record(_ key: PublicKey) throws -> KeyRecord? {
        try state.read(.key(key)).map { try KeyRecord(canonicalBytes: $0) }
    }
}

@Suite struct ChainRulesTests {
    @Test func adminRegistersOperatorWhoRegistersTills() throws {
        var harness = RulesHarness()
        let manager = TestNetwork.key("manager")
        let till = TestNetwork.key("till")
        let network = harness.network
        #expect(harness.apply(network.transaction(network.admin, sequence: 1, body: .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager")))) == nil)
        #expect(harness.apply(network.transaction(manager, sequence: 1, body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "till-01")))) == nil)
        #expect(try harness.record(till.publicKey)?.role == .till)
        #expect(try harness.record(manager.publicKey)?.lastSequence == 1)
        // An operator may not register operators; a till may not register anything.
        #expect(harness.apply(network.transaction(manager, sequence: 2, body: .registerKey(RegisterKey(key: TestNetwork.key("m2").publicKey, role: .operator, principal: "m2")))) == .notAuthorized)
        #expect(harness.apply(network.transaction(till, sequence: 1, body: .registerKey(RegisterKey(key: TestNetwork.key("t2").publicKey, role: .till, principal: "t2")))) == .notAuthorized)
    }

    @Test func replayedAndReorderedSequencesAreRejected() {
        var harness = RulesHarness()
        let network = harness.network
        #expect(harness.apply(network.registerTill(TestNetwork.key("a"), principal: "a", sequence: 5)) == nil)
        #expect(harness.apply(network.registerTill(TestNetwork.key("b"), principal: "b", sequence: 5)) == .sequenceNotIncreasing)
        #expect(harness.apply(network.registerTill(TestNetwork.key("c"), principal: "c", sequence: 4)) == .sequenceNotIncreasing)
        #expect(harness.apply(network.registerTill(TestNetwork.key("d"), principal: "d", sequence: 9)) == nil)
    }

    @Test func unregisteredRevokedAndNodeKeysCannotSign() {
        var harness = RulesHarness()
        let network = harness.network
        let stranger = TestNetwork.key("stranger")
        #expect(harness.apply(network.transaction(stranger, sequence: 1, body: .revokeKey(RevokeKey(key: stranger.publicKey, reason: .other)))) == .unknownSigner)
        let node = network.nodeKeys[0]
        #expect(harness.apply(network.transaction(node, sequence: 1, body: .revokeKey(RevokeKey(key: node.publicKey, reason: .other)))) == .nodeKeyCannotSign)
        let till = TestNetwork.key("till")
        #expect(harness.apply(network.registerTill(till, principal: "till-01", sequence: 1)) == nil)
        #expect(harness.apply(network.transaction(network.admin, sequence: 2, body: .revokeKey(RevokeKey(key: till.publicKey, reason: .compromised)))) == nil)
        let attempt = network.transaction(till, sequence: 1, body: .rotateKey(RotateKey(oldKey: till.publicKey, newKey: TestNetwork.key("new").publicKey, oldKeyValidUntilMs: 0)))
        #expect(harness.apply(attempt) == .signerRevoked)
        // The principal is free again after revocation; the revoked key itself never is.
        #expect(harness.apply(network.registerTill(TestNetwork.key("till-b"), principal: "till-01", sequence: 3)) == nil)
        #expect(harness.apply(network.registerTill(till, principal: "till-99", sequence: 4)) == .keyAlreadyRegistered)
    }

    @Test func rotationKeepsTheOldKeyOnlyDuringTheOverlap() throws {
        var harness = RulesHarness()
        let network = harness.network
        let old = TestNetwork.key("old")
        let new = TestNetwork.key("new")
        #expect(harness.apply(network.registerTill(old, principal: "till-01", sequence: 1)) == nil)
        let until = harness.time + 60_000
        #expect(harness.apply(network.transaction(old, sequence: 1, body: .rotateKey(RotateKey(oldKey: old.publicKey, newKey: new.publicKey, oldKeyValidUntilMs: until)))) == nil)
        #expect(try harness.record(old.publicKey)?.status == .rotated)
        #expect(try harness.record(new.publicKey)?.principal == "till-01")
        // Within the overlap the old key still signs (rotating itself again is refused: not active).
        let selfRotate = network.transaction(old, sequence: 2, body: .rotateKey(RotateKey(oldKey: old.publicKey, newKey: TestNetwork.key("x").publicKey, oldKeyValidUntilMs: 0)))
        #expect(harness.apply(selfRotate) == .keyNotActive)
        harness.time = until + 1
        let late = network.transaction(old, sequence: 3, body: .rotateKey(RotateKey(oldKey: old.publicKey, newKey: TestNetwork.key("y").publicKey, oldKeyValidUntilMs: 0)))
        #expect(harness.apply(late) == .signerRetired)
        // An overlap longer than the genesis allows is refused.
        let tooLong = network.transaction(new, sequence: 1, body: .rotateKey(RotateKey(oldKey: new.publicKey, newKey: TestNetwork.key("z").publicKey, oldKeyValidUntilMs: harness.time + 86_400_001)))
        #expect(harness.apply(tooLong) == .invalidField)
    }

    @Test func transactionsAreBoundToTheirChainAndOutlet() {
        var harness = RulesHarness()
        let network = harness.network
        let other = TestNetwork(outlets: 2, chainID: "other-network")
        #expect(harness.apply(other.registerTill(TestNetwork.key("t"), principal: "t", sequence: 1)) == .wrongChain)
        #expect(harness.apply(network.registerTill(TestNetwork.key("t"), principal: "t", sequence: 1, outlet: 2), outlet: 1) == .wrongOutlet)
    }

    @Test func principalsHoldOneActiveKeyAndApplicationBodiesNeedAnApplication() {
        var harness = RulesHarness()
        let network = harness.network
        #expect(harness.apply(network.registerTill(TestNetwork.key("a"), principal: "till-01", sequence: 1)) == nil)
        #expect(harness.apply(network.registerTill(TestNetwork.key("b"), principal: "till-01", sequence: 2)) == .principalHasActiveKey)
        #expect(harness.apply(network.transaction(network.admin, sequence: 3, body: .application(type: 0x0100, payload: [1]))) == .unsupportedBodyType)
        #expect(harness.apply(network.transaction(network.admin, sequence: 4, body: .registerOutlet(RegisterOutlet(outletID: 1, name: "dup", nodeKey: TestNetwork.key("n").publicKey)))) == .outletAlreadyRegistered)
        #expect(harness.apply(network.transaction(network.admin, sequence: 5, body: .registerOutlet(RegisterOutlet(outletID: 9, name: "Bedok", nodeKey: TestNetwork.key("n9").publicKey)))) == nil)
    }

    @Test func rejectionCodesAreStableAndUnique() {
        let codes = LedgerRejection.Reason.chainReasons.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(LedgerRejection.Reason.badSignature.rawValue == 4)
        #expect(LedgerRejection.Reason.blockStateRoot.rawValue == 109)
    }
}

@Suite struct BlockValidatorTests {
    let network = TestNetwork()

    func sealed(_ transactions: [SignedTransaction], head: ChainHead, state: MemoryState, time: TimestampMs = 1_700_000_000_001,
                mutate: (inout BlockHeader) -> Void = { _ in }) throws -> Block {
        var overlay = StateOverlay(base: state)
        let context = BlockContext(genesis: network.genesis, outletID: 1, height: head.height + 1, timestampMs: time)
        for transaction in transactions { try ChainRules().apply(transaction, context: context, state: &overlay) }
        var header = BlockHeader(
            chainID: network.genesis.chainID, outletID: 1, height: head.height + 1, previousHash: head.blockID, timestampMs: time,
            transactionCount: UInt32(transactions.count),
            transactionRoot: MerkleTree.root(leafHashes: transactions.map { MerkleTree.leafHash($0.id.bytes) }),
            historyRoot: head.history.root, stateRoot: StateCommitment.next(previous: head.stateRoot, writeSetHash: overlay.writes.hash),
            producer: network.nodeKeys[0].publicKey)
        mutate(&header)
        return Block.seal(header: header, transactions: transactions, key: network.nodeKeys[0])
    }

    func initialState() -> MemoryState {
        var state = MemoryState()
        state.apply(network.genesis.initialWrites)
        return state
    }

    @Test func acceptsAValidChainAndRejectsEachBrokenHeaderField() throws {
        let validator = BlockValidator(genesis: network.genesis)
        let head = ChainHead.genesis(network.genesis, outletID: 1)
        let state = initialState()
        let transactions = [network.registerTill(TestNetwork.key("t1"), principal: "t1", sequence: 1)]
        let good = try sealed(transactions, head: head, state: state)
        let outcome = try validator.validate(good, head: head, state: state)
        #expect(outcome.head.height == 1)

        let cases: [(LedgerRejection.Reason, (inout BlockHeader) -> Void)] = [
            (.blockHeight, { $0.height = 2 }),
            (.blockPreviousHash, { $0.previousHash = Hash256.zero }),
            (.blockTimestamp, { $0.timestampMs = 1 }),
            (.blockTransactionRoot, { $0.transactionRoot = Hash256.zero }),
            (.blockHistoryRoot, { $0.historyRoot = Hash256.zero }),
            (.blockStateRoot, { $0.stateRoot = Hash256.zero }),
        ]
        for (reason, mutate) in cases {
            let bad = try sealed(transactions, head: head, state: state, mutate: mutate)
            #expect { try validator.validate(bad, head: head, state: state) } throws: { ($0 as? BlockRejection)?.rejection.reason == reason }
        }
        let forged = Block(header: good.header, signature: network.admin.sign(good.header.signingMessage), transactions: transactions)
        #expect { try validator.validate(forged, head: head, state: state) } throws: { ($0 as? BlockRejection)?.rejection.reason == .blockSignature }
    }

    @Test func aBlockWithAnInvalidTransactionNamesIt() throws {
        let validator = BlockValidator(genesis: network.genesis)
        let head = ChainHead.genesis(network.genesis, outletID: 1)
        let state = initialState()
        let first = network.registerTill(TestNetwork.key("t1"), principal: "t1", sequence: 1)
        let block = try sealed([first], head: head, state: state)
        let replay = Block.seal(header: block.header, transactions: [first], key: network.nodeKeys[0])
        let outcome = try validator.validate(replay, head: head, state: state)
        var after = state
        after.apply(outcome.writes)
        let again = try? sealed([first], head: outcome.head, state: state)  // built on the old state: replays sequence 1
        let rejection = #expect(throws: BlockRejection.self) { try validator.validate(again!, head: outcome.head, state: after) }
        #expect(rejection?.transactionIndex == 0)
        #expect(rejection?.rejection.reason == .sequenceNotIncreasing)
    }
}
