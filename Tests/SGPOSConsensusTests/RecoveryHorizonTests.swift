import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// A validator recovered from a lost disk must not sign again where it signed before the
/// loss (docs/CONSENSUS.md §3). Found by the 4-process recovery test's author: with the
/// horizon at the highest height heard, a validator that had decided height 1 and
/// prevoted at height 2 — while the two validators it then hears still worked on height 1
/// — prevoted a different value at height 2 after recovery.
@Suite("Recovery horizon")
struct RecoveryHorizonTests {
    let base = TendermintCoreTests()

    static func signed(_ outputs: [ConsensusOutput]) -> [ConsensusMessage] {
        outputs.compactMap { output in
            guard case .broadcast(let message) = output else { return nil }
            if case .status = message { return nil }
            return message
        }
    }

    @Test func theHorizonIsOneAboveTheHighestHeightHeard() {
        #expect(TendermintCore.recoveryHorizon(heard: [1, 1], storedCheckpoint: 0) == 2)
        #expect(TendermintCore.recoveryHorizon(heard: [5, 7, 6], storedCheckpoint: 3) == 8)
        #expect(TendermintCore.recoveryHorizon(heard: [2], storedCheckpoint: 9) == 10)
        #expect(TendermintCore.recoveryHorizon(heard: [], storedCheckpoint: 0) == 1)
    }

    @Test func aRecoveredValidatorDoesNotSignAgainAtTheHeightItHadReached() {
        let keys = base.keys
        // A = validator 2, the proposer of (2, 0). Height 1: validator 1 proposes [9];
        // 0 and 1 prevote and precommit it; A decides height 1 and, as proposer, signs at (2, 0).
        let storeA = MemoryValidatorStateStore()
        let appA = TendermintCoreTests.FixedApp([1])
        var a = TendermintCore(chainID: base.chainID, schedule: appA.validators, keys: [keys[2]], store: storeA)
        _ = a.start(appA)
        _ = a.receive(base.proposal(height: 1, value: [9]), from: 1, appA)
        for v: UInt16 in [0, 1] { _ = a.receive(.vote(base.vote(.prevote, by: v, height: 1, value: [9])), from: v, appA) }
        for v: UInt16 in [0, 1] { _ = a.receive(.vote(base.vote(.precommit, by: v, height: 1, value: [9])), from: v, appA) }
        #expect(a.height == 2, "A decided height 1")
        let before = Self.signed(a.timeout(ScheduledTimeout(kind: .commit, height: 2, round: 0), appA))
        #expect(!before.isEmpty, "A signed at height 2 before its disk was lost")

        // The disk is lost; `sgpos node recover` hears 0 and 1 still working on height 1.
        let horizon = TendermintCore.recoveryHorizon(heard: [1, 1], storedCheckpoint: 0)
        let storeR = MemoryValidatorStateStore()
        storeR.save(TendermintCore.recoveredState(horizon: horizon, from: 1))
        let appR = TendermintCoreTests.FixedApp([2])  // newer outlet blocks: a different proposal
        var recovered = TendermintCore(chainID: base.chainID, schedule: appR.validators, keys: [keys[2]], store: storeR)
        _ = recovered.start(appR)
        // 0, 1 and 3 decide height 1; A takes the certificate and reaches height 2.
        let certificate = CommitCertificate(height: 1, round: 0, value: [9],
                                            precommits: [0, 1, 3].map { base.vote(.precommit, by: $0, height: 1, value: [9]) })
        _ = recovered.receive(.commit(certificate), from: 0, appR)
        #expect(recovered.height == 2)
        let after = Self.signed(recovered.timeout(ScheduledTimeout(kind: .commit, height: 2, round: 0), appR))
        #expect(after.isEmpty, "A signs nothing at or below its horizon \(horizon): \(after)")

        // Validator 0 at height 2 sees everything A sent: no double-vote evidence.
        let appZero = TendermintCoreTests.FixedApp([3])
        var zero = TendermintCore(chainID: base.chainID, schedule: appZero.validators, keys: [keys[0]], store: MemoryValidatorStateStore(),
                                  firstHeight: 1)
        _ = zero.start(appZero)
        _ = zero.receive(.commit(certificate), from: 1, appZero)
        var evidence: [DoubleVoteEvidence] = []
        for message in before + after {
            for output in zero.receive(message, from: 2, appZero) { if case .evidence(let found) = output { evidence.append(found) } }
        }
        #expect(evidence.isEmpty, "A double-voted: \(evidence.map { "h\($0.first.height) r\($0.first.round) \($0.first.kind)" })")
    }
}
