import SGPOSCodec
import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// Liveness across kept-disk restarts (docs/CONSENSUS.md §6, issue 22): a restarted
/// validator resumes its round with every vote it signed there and the votes that took it
/// there, and re-sends them, so peers left behind are not stuck waiting for votes that
/// only existed in its memory.
@Suite("Tendermint core, restarts and liveness")
struct RestartLivenessTests {
    let t = TendermintCoreTests()
    typealias FixedApp = TendermintCoreTests.FixedApp

    static func votes(_ outputs: [ConsensusOutput]) -> [SignedVote] { TendermintCoreTests.votes(outputs) }

    /// Seed 197626's shape: validators that prevoted and precommitted, then crashed, came
    /// back with their precommits only; the others never got the prevotes and waited forever.
    @Test func aValidatorRestartedAfterPrevotingResendsEveryVoteOfItsRound() {
        let store = MemoryValidatorStateStore()
        let app = FixedApp([1])
        var validator = t.core(2, store)
        _ = validator.start(app)
        var signed = Self.votes(validator.receive(t.proposal(value: [9]), from: 1, app))
        for voter: UInt16 in [0, 1] { signed += Self.votes(validator.receive(.vote(t.vote(.prevote, by: voter, value: [9])), from: voter, app)) }
        #expect(signed.map(\.kind) == [.prevote, .precommit] && signed.allSatisfy { $0.validator == 2 })

        var restarted = t.core(2, store)
        let resent = Self.votes(restarted.start(app)).filter { $0.validator == 2 }
        #expect(Set(resent) == Set(signed), "both votes of the round, byte for byte")
        #expect(Set(Self.votes(restarted.tick()).filter { $0.validator == 2 }) == Set(signed), "and on every tick")
        #expect(restarted.round == 0 && restarted.stepLabel == "precommit", "it waits after its last signature")
        // No second signature anywhere in the round, whatever arrives.
        var after = restarted.receive(t.proposal(value: [8]), from: 1, app)
        after += restarted.timeout(ScheduledTimeout(kind: .propose, height: 1, round: 0), app)
        after += restarted.timeout(ScheduledTimeout(kind: .prevote, height: 1, round: 0), app)
        #expect(Self.votes(after).filter { $0.validator == 2 }.isEmpty, "\(after)")
    }

    /// Seed 107954's shape: validator 3 timed out of round 0 on precommits that validator 0
    /// never received, entered round 1 and crashed. Restarted, it resumes round 1 and, once
    /// stalled, shows the round-0 precommits that took it there: validator 0, stuck at its
    /// precommit step with two of four precommits, can now time out of round 0.
    @Test func aRestartedValidatorBringsAPeerOutOfAnEarlierRound() throws {
        let app = FixedApp([1])
        let nilVote = { (kind: VoteKind, validator: UInt16) in ConsensusMessage.vote(t.vote(kind, by: validator, value: nil)) }

        let store = MemoryValidatorStateStore()
        var ahead = t.core(3, store)
        _ = ahead.start(app)
        _ = ahead.timeout(ScheduledTimeout(kind: .propose, height: 1, round: 0), app)
        for voter: UInt16 in [0, 2] { _ = ahead.receive(nilVote(.prevote, voter), from: voter, app) }
        var outputs: [ConsensusOutput] = []
        for voter: UInt16 in [0, 2] { outputs += ahead.receive(nilVote(.precommit, voter), from: voter, app) }
        #expect(outputs.contains(.schedule(ScheduledTimeout(kind: .precommit, height: 1, round: 0), afterMs: 200)))
        _ = ahead.timeout(ScheduledTimeout(kind: .precommit, height: 1, round: 0), app)
        #expect(ahead.round == 1 && store.state?.round == 1)
        #expect(store.state?.roundProof.map(\.validator) == [0, 2, 3] && store.state?.roundProof.allSatisfy { $0.round == 0 } == true,
                "the round is saved with the precommits that justify it")

        // kill -9 before anything is signed in round 1 (validator 2 proposes it), then restart.
        var restarted = t.core(3, store)
        let started = restarted.start(app)
        #expect(restarted.round == 1, "resumes the round it had entered")
        #expect(started.contains(.schedule(ScheduledTimeout(kind: .propose, height: 1, round: 1), afterMs: 400)))
        var gossip: [ConsensusOutput] = []
        for _ in 0..<3 { gossip = restarted.tick() }
        let shown = Self.votes(gossip).filter { $0.round == 0 && $0.kind == .precommit }
        #expect(Set(shown.map(\.validator)) == [0, 2, 3], "stalled, it re-sends the precommits of the round before")

        // Validator 0 precommitted nil in round 0 and holds only its own and validator 1's precommits.
        var behind = t.core(0, MemoryValidatorStateStore())
        _ = behind.start(app)
        _ = behind.timeout(ScheduledTimeout(kind: .propose, height: 1, round: 0), app)
        for voter: UInt16 in [1, 3] { _ = behind.receive(nilVote(.prevote, voter), from: voter, app) }
        let stuck = behind.receive(nilVote(.precommit, 1), from: 1, app)
        #expect(!stuck.contains { if case .schedule(let timeout, _) = $0 { timeout.kind == .precommit } else { false } })
        #expect(behind.waitingFor.contains("precommits of more than 2/3 in round 0"), "\(behind.waitingFor)")
        var unstuck: [ConsensusOutput] = []
        for case .broadcast(let message) in gossip { unstuck += behind.receive(message, from: 3, app) }
        #expect(unstuck.contains(.schedule(ScheduledTimeout(kind: .precommit, height: 1, round: 0), afterMs: 200)), "\(unstuck)")
        _ = behind.timeout(ScheduledTimeout(kind: .precommit, height: 1, round: 0), app)
        #expect(behind.round == 1)
    }

    @Test func theSigningStateKeepsItsRoundAndReadsTheFirstVersion() throws {
        var state = PersistedValidatorState(height: 3)
        state.lastSigned = SignedPosition(height: 3, round: 2, step: 1)
        state.round = 2
        state.roundProof = [t.vote(.precommit, by: 0, height: 3, round: 1, value: nil), t.vote(.precommit, by: 1, height: 3, round: 1, value: [4])]
        state.signedVotes = [t.vote(.prevote, by: 2, height: 3, round: 2, value: [4])]
        let bytes = state.canonicalBytes
        #expect(try PersistedValidatorState(canonicalBytes: bytes) == state)

        // A version-1 state (saved before the round was kept) still loads: round 0, no proofs.
        var old = PersistedValidatorState(height: 3)
        old.lastSigned = state.lastSigned
        let v2 = old.canonicalBytes
        let v1 = [1] + v2[1..<(v2.count - 12)]
        let loaded = try PersistedValidatorState(canonicalBytes: Array(v1))
        #expect(loaded == old && loaded.round == 0 && loaded.roundProof.isEmpty && loaded.signedVotes.isEmpty)
        #expect(throws: CodecError.self) { try PersistedValidatorState(canonicalBytes: [3] + v2[1...]) }
    }
}
