import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// The consensus core on hand-made message sequences: the signing guard across restarts,
/// equivocation evidence, certificate checks, recovery after a lost disk.
@Suite("Tendermint core")
struct TendermintCoreTests {
    final class FixedApp: CheckpointApplication {
        var value: [UInt8]
        var decided: [CommitCertificate] = []
        init(_ value: [UInt8]) { self.value = value }
        func proposal(height: UInt64) -> [UInt8] { value }
        func isValid(height: UInt64, value: [UInt8]) -> Bool { value.first != 0xFF }
        func committed(_ certificate: CommitCertificate) { decided.append(certificate) }
        /// The sets by height; heights not listed use the four test keys with power 1.
        var sets: [UInt64: ValidatorSet] = [:]
        func validators(height: UInt64) -> ValidatorSet {
            sets[height] ?? ValidatorSet((0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))!.publicKey })
        }
    }

    let keys = (0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))! }
    let chainID = Hash256.sha256(Array("test-chain".utf8))
    var validators: ValidatorSet { ValidatorSet(keys.map(\.publicKey)) }

    func core(_ index: Int, _ store: MemoryValidatorStateStore) -> TendermintCore {
        TendermintCore(chainID: chainID, validators: validators, key: keys[index], store: store)
    }

    func proposal(height: UInt64 = 1, round: UInt32 = 0, value: [UInt8], validRound: Int32 = -1) -> ConsensusMessage {
        let proposer = validators.proposer(height: height, round: round)
        let id = Hash256.tagged(.checkpointValueID, value)
        let bytes = SignedProposal.signedBytes(chainID: chainID, height: height, round: round, validRound: validRound, valueID: id, proposer: proposer)
        return .proposal(SignedProposal(chainID: chainID, height: height, round: round, validRound: validRound, value: value,
                                        proposer: proposer, signature: keys[Int(proposer)].sign(bytes)))
    }

    func vote(_ kind: VoteKind, by validator: UInt16, height: UInt64 = 1, round: UInt32 = 0, value: [UInt8]?) -> SignedVote {
        let id = value.map { Hash256.tagged(.checkpointValueID, $0) }
        let bytes = SignedVote.signedBytes(chainID: chainID, kind: kind, height: height, round: round, valueID: id, validator: validator)
        return SignedVote(chainID: chainID, kind: kind, height: height, round: round, valueID: id, validator: validator,
                          signature: keys[Int(validator)].sign(bytes))
    }

    static func votes(_ outputs: [ConsensusOutput]) -> [SignedVote] {
        outputs.compactMap { if case .broadcast(.vote(let v)) = $0 { v } else { nil } }
    }

    @Test func aRestartedValidatorNeverSignsAConflictingVote() {
        let store = MemoryValidatorStateStore()
        let app = FixedApp([1, 2, 3])
        var first = core(2, store)
        _ = first.start(app)
        let prevoted = Self.votes(first.receive(proposal(value: [7]), from: 1, app))
        #expect(prevoted.count == 1 && prevoted[0].kind == .prevote && prevoted[0].valueID == Hash256.tagged(.checkpointValueID, [7]))
        #expect(store.saves >= 1 && store.state?.lastSigned == SignedPosition(height: 1, round: 0, step: 1))

        // kill -9 and restart from the same store; the (equivocating) proposer now sends another value.
        var restarted = core(2, store)
        let resent = Self.votes(restarted.start(app))
        #expect(resent == prevoted, "the restarted validator re-sends its vote, byte for byte")
        let after = Self.votes(restarted.receive(proposal(value: [8]), from: 1, app))
        #expect(after.isEmpty, "no second prevote in round 0: \(after)")
        let timedOut = Self.votes(restarted.timeout(ScheduledTimeout(kind: .propose, height: 1, round: 0), app))
        #expect(timedOut.isEmpty, "not even a nil prevote")
    }

    @Test func aQuorumDecidesAndLockedValuesSurviveARestart() {
        let store = MemoryValidatorStateStore()
        let app = FixedApp([1])
        var validator = core(2, store)
        _ = validator.start(app)
        _ = validator.receive(proposal(value: [9]), from: 1, app)
        for voter: UInt16 in [0, 1] { _ = validator.receive(.vote(vote(.prevote, by: voter, value: [9])), from: voter, app) }
        #expect(validator.lockedRound == 0 && store.state?.lockedValue == [9], "locked on 9 before its precommit left")
        var restarted = core(2, store)
        _ = restarted.start(app)
        #expect(restarted.lockedRound == 0)
        // Precommits of a quorum decide the height; the certificate verifies.
        var outputs: [ConsensusOutput] = []
        _ = restarted.receive(proposal(value: [9]), from: 1, app)
        for voter: UInt16 in [0, 1] { outputs += restarted.receive(.vote(vote(.precommit, by: voter, value: [9])), from: voter, app) }
        let decided = outputs.compactMap { if case .decided(let c) = $0 { c } else { nil } }
        #expect(decided.count == 1 && decided[0].value == [9] && decided[0].precommits.map(\.validator) == [0, 1, 2])
        #expect(restarted.height == 2 && app.decided.count == 1)
        #expect(restarted.lockedRound == -1, "a new height starts unlocked")
    }

    /// A decision is two durable writes: the application stores the checkpoint, then the
    /// core saves the move to the next height. A kill -9 between them (seen in the
    /// multi-process test: the node trapped on the same certificate decided again) must
    /// restart at the next height, not decide the stored one a second time.
    @Test func aRestartBetweenADecisionsTwoWritesResumesAtTheNextHeight() throws {
        let store = MemoryValidatorStateStore()
        let app = FixedApp([1])
        var validator = core(2, store)
        _ = validator.start(app)
        _ = validator.receive(proposal(value: [9]), from: 1, app)
        var before: PersistedValidatorState?
        for voter: UInt16 in [0, 1] { _ = validator.receive(.vote(vote(.prevote, by: voter, value: [9])), from: voter, app) }
        before = store.state  // locked on 9, precommit signed: what was durable before the decision
        var outputs: [ConsensusOutput] = []
        for voter: UInt16 in [0, 1] { outputs += validator.receive(.vote(vote(.precommit, by: voter, value: [9])), from: voter, app) }
        let certificate = try #require(outputs.compactMap { if case .decided(let c) = $0 { c } else { nil } }.first)
        #expect(app.decided.count == 1 && store.state?.height == 2)

        // The kill: checkpoint 1 is stored, the validator state still says height 1.
        store.save(try #require(before))
        var restarted = TendermintCore(chainID: chainID, schedule: app.validators(height:), keys: [keys[2]], store: store, firstHeight: 2)
        #expect(restarted.height == 2 && restarted.lockedRound == -1, "resumes after the stored decision, unlocked")
        #expect(store.state?.height == 2 && store.state?.lastSigned == before?.lastSigned, "the move is saved; the signing floor is kept")
        // It takes part in height 2 at once: validator 2 proposes round 0 of height 2.
        #expect(validators.proposer(height: 2, round: 0) == 2)
        let started = restarted.start(app)
        #expect(started.contains { if case .broadcast(.proposal(let p)) = $0 { p.height == 2 } else { false } }, "\(started)")
        let again = restarted.receive(.commit(certificate), from: 0, app)
        #expect(app.decided.count == 1, "height 1 is not decided a second time: \(again)")
    }

    @Test func conflictingVotesBecomeEvidence() {
        let app = FixedApp([1])
        var validator = core(0, MemoryValidatorStateStore())
        _ = validator.start(app)
        let a = vote(.prevote, by: 3, value: [1]), b = vote(.prevote, by: 3, value: [2])
        _ = validator.receive(.vote(a), from: 3, app)
        let outputs = validator.receive(.vote(b), from: 3, app)
        #expect(outputs.contains(.evidence(DoubleVoteEvidence(first: a, second: b))))
        #expect(validator.receive(.vote(b), from: 3, app).isEmpty, "the same pair is reported once")
    }

    @Test func forgedOrShortCertificatesAreRefused() {
        let app = FixedApp([1])
        var validator = core(0, MemoryValidatorStateStore())
        _ = validator.start(app)
        let good = [vote(.precommit, by: 1, value: [5]), vote(.precommit, by: 2, value: [5]), vote(.precommit, by: 3, value: [5])]
        #expect(validator.verify(CommitCertificate(height: 1, round: 0, value: [5], precommits: good)))
        #expect(!validator.verify(CommitCertificate(height: 1, round: 0, value: [5], precommits: Array(good.prefix(2)))), "2 of 4 is not a quorum")
        #expect(!validator.verify(CommitCertificate(height: 1, round: 0, value: [5], precommits: [good[0], good[0], good[1]])), "one validator twice")
        #expect(!validator.verify(CommitCertificate(height: 1, round: 0, value: [6], precommits: good)), "votes for another value")
        let forged = SignedVote(chainID: chainID, kind: .precommit, height: 1, round: 0, valueID: good[2].valueID, validator: 3,
                                signature: good[1].signature)
        #expect(!validator.verify(CommitCertificate(height: 1, round: 0, value: [5], precommits: [good[0], good[1], forged])), "bad signature")
        #expect(!validator.verify(CommitCertificate(height: 2, round: 0, value: [5], precommits: good)), "votes of another height")
        let outputs = validator.receive(.commit(CommitCertificate(height: 1, round: 0, value: [5], precommits: Array(good.prefix(2)))), from: 1, app)
        #expect(outputs.isEmpty && validator.height == 1, "a short certificate decides nothing")
    }

    @Test func aValidatorWithALostDiskOnlyWatchesItsRecoveryHeight() {
        let store = MemoryValidatorStateStore()
        store.save(TendermintCore.recoveredState(horizon: 5))
        let app = FixedApp([1])
        var validator = core(1, store)  // proposer of (5, 0) would be 5 % 4 = 1
        #expect(validator.height == 5)
        var outputs = validator.start(app)
        outputs += validator.timeout(ScheduledTimeout(kind: .propose, height: 5, round: 0), app)
        #expect(!outputs.contains { if case .broadcast(.proposal) = $0 { true } else { false } }, "no proposal at the horizon")
        #expect(Self.votes(outputs).isEmpty, "no vote at the horizon")
        // It decides the horizon from the others' votes and signs from the next height on.
        outputs = validator.receive(proposal(height: 5, value: [4]), from: 1, app)
        for voter: UInt16 in [0, 2, 3] { outputs += validator.receive(.vote(vote(.precommit, by: voter, height: 5, value: [4])), from: voter, app) }
        #expect(validator.height == 6 && Self.votes(outputs).isEmpty)
        outputs = validator.timeout(ScheduledTimeout(kind: .commit, height: 6, round: 0), app)
        outputs += validator.timeout(ScheduledTimeout(kind: .propose, height: 6, round: 0), app)
        #expect(Self.votes(outputs).map(\.height) == [6], "votes again at height 6")
    }
}

/// The core with weighted and changing validator sets (docs/CONSENSUS.md §9).
@Suite("Tendermint core, weighted and changing sets")
struct WeightedTendermintTests {
    let keys = (0..<5).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 40), count: 32))! }
    let chainID = Hash256.sha256(Array("weighted-chain".utf8))

    func vote(_ kind: VoteKind, by validator: UInt16, key: SigningKey, height: UInt64 = 1, value: [UInt8]?) -> SignedVote {
        let id = value.map { Hash256.tagged(.checkpointValueID, $0) }
        let bytes = SignedVote.signedBytes(chainID: chainID, kind: kind, height: height, round: 0, valueID: id, validator: validator)
        return SignedVote(chainID: chainID, kind: kind, height: height, round: 0, valueID: id, validator: validator, signature: key.sign(bytes))
    }

    func proposal(_ set: ValidatorSet, signers: [SigningKey], height: UInt64, value: [UInt8]) -> ConsensusMessage {
        let proposer = set.proposer(height: height, round: 0)
        let id = Hash256.tagged(.checkpointValueID, value)
        let bytes = SignedProposal.signedBytes(chainID: chainID, height: height, round: 0, validRound: -1, valueID: id, proposer: proposer)
        let key = signers.first { $0.publicKey == set.keys[Int(proposer)] }!
        return .proposal(SignedProposal(chainID: chainID, height: height, round: 0, validRound: -1, value: value, proposer: proposer,
                                        signature: key.sign(bytes)))
    }

    static func decided(_ outputs: [ConsensusOutput]) -> [CommitCertificate] {
        outputs.compactMap { if case .decided(let c) = $0 { c } else { nil } }
    }

    @Test func precommitsDecideByPowerNotByCount() {
        let set = ValidatorSet(keys: keys.prefix(4).map(\.publicKey), powers: [4, 1, 1, 1])
        let app = TendermintCoreTests.FixedApp([1])
        app.sets = [1: set, 2: set, 3: set]
        var observer = TendermintCore(chainID: chainID, schedule: { app.validators(height: $0) }, keys: [keys[4]], store: MemoryValidatorStateStore())
        #expect(observer.index == nil, "a key outside the set observes")
        var outputs = observer.start(app)
        outputs += observer.receive(proposal(set, signers: keys, height: 1, value: [7]), from: 0, app)
        for validator: UInt16 in [1, 2, 3] {
            outputs += observer.receive(.vote(vote(.precommit, by: validator, key: keys[Int(validator)], value: [7])), from: validator, app)
        }
        #expect(Self.decided(outputs).isEmpty && observer.height == 1, "power 3 of 7 decides nothing")
        outputs += observer.receive(.vote(vote(.precommit, by: 0, key: keys[0], value: [7])), from: 0, app)
        #expect(Self.decided(outputs).count == 1 && observer.height == 2, "power 7 of 7 decides")
        #expect(!outputs.contains { if case .broadcast(.vote) = $0 { true } else if case .broadcast(.proposal) = $0 { true } else { false } },
                "an observer never signs")
        let short = CommitCertificate(height: 2, round: 0, value: [8], precommits: [1, 2, 3].map { vote(.precommit, by: $0, key: keys[Int($0)], height: 2, value: [8]) })
        #expect(!observer.verify(short), "a certificate of the three small validators is short")
    }

    @Test func aKeyChangeTakesEffectTwoHeightsOnAndTheNodeVotesWithItsNewKey() {
        let old = ValidatorSet(keys.prefix(4).map(\.publicKey))
        let new = ValidatorSet([keys[0], keys[1], keys[3], keys[4]].map(\.publicKey))  // validator 2's key replaced by key 4, appended
        let app = TendermintCoreTests.FixedApp([1])
        app.sets = [1: old, 2: old, 3: new, 4: new]
        var node = TendermintCore(chainID: chainID, schedule: { app.validators(height: $0) }, keys: [keys[2], keys[4]], store: MemoryValidatorStateStore())
        #expect(node.index == 2 && node.nextValidators == old)
        _ = node.start(app)
        // Heights 1 and 2 are decided by the old set (catch-up by certificates).
        for height: UInt64 in [1, 2] {
            let precommits = [0, 1, 3].map { vote(.precommit, by: UInt16($0), key: keys[$0], height: height, value: [UInt8(height)]) }
            let byNewSet = [0, 1].map { vote(.precommit, by: UInt16($0), key: keys[$0], height: height, value: [UInt8(height)]) }
                + [vote(.precommit, by: 3, key: keys[4], height: height, value: [UInt8(height)])]
            #expect(!node.verify(CommitCertificate(height: height, round: 0, value: [UInt8(height)], precommits: byNewSet)),
                    "height \(height) still belongs to the old set")
            _ = node.receive(.commit(CommitCertificate(height: height, round: 0, value: [UInt8(height)], precommits: precommits)), from: 0, app)
            #expect(node.height == height + 1)
        }
        // Height 3 belongs to the new set: the node is validator 3, proposes (3 mod 4) and signs with key 4.
        #expect(node.validators == new && node.index == 3)
        let outputs = node.timeout(ScheduledTimeout(kind: .commit, height: 3, round: 0), app)
        let proposals = outputs.compactMap { if case .broadcast(.proposal(let p)) = $0 { p } else { nil } }
        #expect(proposals.count == 1 && proposals[0].proposer == 3
            && keys[4].publicKey.isValidSignature(proposals[0].signature, for: proposals[0].signedBytes))
        // The replaced key no longer signs for anyone; the new set's keys do.
        let stale = vote(.precommit, by: 2, key: keys[2], height: 3, value: [3])
        let fresh = [vote(.precommit, by: 0, key: keys[0], height: 3, value: [3]), vote(.precommit, by: 1, key: keys[1], height: 3, value: [3])]
        #expect(!node.verify(CommitCertificate(height: 3, round: 0, value: [3], precommits: fresh + [stale])))
        #expect(node.verify(CommitCertificate(height: 3, round: 0, value: [3], precommits: fresh + [vote(.precommit, by: 2, key: keys[3], height: 3, value: [3])])))
    }
}
