import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// A decision's durable writes: the core hands the certificate and the validator's state
/// at the next height to the application in one call, so an application that keeps both
/// in one database writes them in one transaction (the node does, docs/CONSENSUS.md §3).
@Suite("Decision writes")
struct DecisionWriteTests {
    /// An application that stores the certificate and the next state together, as one
    /// write, into the same memory store the core saves its votes to.
    final class AtomicApp: CheckpointApplication {
        var decisions: [(certificate: CommitCertificate, nextState: PersistedValidatorState)] = []
        var plainCommits = 0
        func proposal(height: UInt64) -> [UInt8] { [1] }
        func isValid(height: UInt64, value: [UInt8]) -> Bool { true }
        func committed(_ certificate: CommitCertificate) { plainCommits += 1 }
        func committed(_ certificate: CommitCertificate, nextState: PersistedValidatorState, store: any ValidatorStateStore) {
            decisions.append((certificate, nextState))
            store.save(nextState)  // "the transaction": certificate and state together
        }
        func validators(height: UInt64) -> ValidatorSet {
            ValidatorSet((0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))!.publicKey })
        }
    }

    let keys = (0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))! }
    let chainID = Hash256.sha256(Array("test-chain".utf8))
    var validators: ValidatorSet { ValidatorSet(keys.map(\.publicKey)) }

    func proposal(value: [UInt8]) -> ConsensusMessage {
        let proposer = validators.proposer(height: 1, round: 0)
        let id = Hash256.tagged(.checkpointValueID, value)
        let bytes = SignedProposal.signedBytes(chainID: chainID, height: 1, round: 0, validRound: -1, valueID: id, proposer: proposer)
        return .proposal(SignedProposal(chainID: chainID, height: 1, round: 0, validRound: -1, value: value,
                                        proposer: proposer, signature: keys[Int(proposer)].sign(bytes)))
    }

    func vote(_ kind: VoteKind, by validator: UInt16, value: [UInt8]) -> ConsensusMessage {
        let id = Hash256.tagged(.checkpointValueID, value)
        let bytes = SignedVote.signedBytes(chainID: chainID, kind: kind, height: 1, round: 0, valueID: id, validator: validator)
        return .vote(SignedVote(chainID: chainID, kind: kind, height: 1, round: 0, valueID: id, validator: validator,
                                signature: keys[Int(validator)].sign(bytes)))
    }

    @Test func theCertificateAndTheNextStateReachTheApplicationInOneCall() throws {
        let store = MemoryValidatorStateStore()
        let app = AtomicApp()
        var validator = TendermintCore(chainID: chainID, validators: validators, key: keys[2], store: store)
        _ = validator.start(app)
        _ = validator.receive(proposal(value: [9]), from: 1, app)
        for voter: UInt16 in [0, 1] { _ = validator.receive(vote(.prevote, by: voter, value: [9]), from: voter, app) }
        let locked = try #require(store.state)
        #expect(locked.lockedValue == [9] && locked.lastSigned == SignedPosition(height: 1, round: 0, step: 2))
        let savesBefore = store.saves

        var outputs: [ConsensusOutput] = []
        for voter: UInt16 in [0, 1] { outputs += validator.receive(vote(.precommit, by: voter, value: [9]), from: voter, app) }
        let decided = outputs.compactMap { if case .decided(let c) = $0 { c } else { nil } }
        #expect(decided.count == 1 && app.decisions.count == 1 && app.plainCommits == 0)
        let decision = try #require(app.decisions.first)
        #expect(decision.certificate == decided.first)
        // The state handed over is the move past height 1: unlocked, the signing floor kept.
        #expect(decision.nextState.height == 2 && decision.nextState.lockedRound == -1 && decision.nextState.lockedValue == nil)
        #expect(decision.nextState.validValue == nil && decision.nextState.signedVotes.isEmpty)
        #expect(decision.nextState.lastSigned == locked.lastSigned)
        // The core wrote nothing of its own for the decision: the one write was the application's.
        #expect(store.saves == savesBefore + 1 && store.state == decision.nextState)
        #expect(validator.height == 2)
    }

    @Test func withoutAnAtomicApplicationTheCertificateIsStoredBeforeTheState() throws {
        final class OrderApp: CheckpointApplication {
            let store: MemoryValidatorStateStore
            var heightWhenCommitted: UInt64?
            init(store: MemoryValidatorStateStore) { self.store = store }
            func proposal(height: UInt64) -> [UInt8] { [1] }
            func isValid(height: UInt64, value: [UInt8]) -> Bool { true }
            func committed(_ certificate: CommitCertificate) { heightWhenCommitted = store.state?.height }
            func validators(height: UInt64) -> ValidatorSet {
                ValidatorSet((0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))!.publicKey })
            }
        }
        let store = MemoryValidatorStateStore()
        let app = OrderApp(store: store)
        var validator = TendermintCore(chainID: chainID, validators: validators, key: keys[2], store: store)
        _ = validator.start(app)
        _ = validator.receive(proposal(value: [9]), from: 1, app)
        for voter: UInt16 in [0, 1] { _ = validator.receive(vote(.prevote, by: voter, value: [9]), from: voter, app) }
        for voter: UInt16 in [0, 1] { _ = validator.receive(vote(.precommit, by: voter, value: [9]), from: voter, app) }
        #expect(app.heightWhenCommitted == 1, "the certificate first: a crash between leaves a move to finish, never a gap")
        #expect(store.state?.height == 2 && validator.height == 2)
    }
}
