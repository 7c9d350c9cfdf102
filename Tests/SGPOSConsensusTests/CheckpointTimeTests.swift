import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// Agreed time in checkpoints (docs/CONSENSUS.md §11): the bounds, the value's version 4,
/// the genesis parameters, and the core prevoting nil on an untimely fresh proposal only.
@Suite("Checkpoint time")
struct CheckpointTimeTests {
    let bounds = CheckpointTimeParameters(precisionMs: 500, messageDelayMs: 2_000, lagThresholdMs: 3_600_000)

    @Test func theBoundsAreExact() {
        let now: UInt64 = 1_000_000
        #expect(bounds.isTimely(timeMs: now + 500, nowMs: now) && !bounds.isTimely(timeMs: now + 501, nowMs: now))
        #expect(bounds.isTimely(timeMs: now - 2_500, nowMs: now) && !bounds.isTimely(timeMs: now - 2_501, nowMs: now))
        #expect(bounds.isPast(blockTimeMs: now + 500, nowMs: now) && !bounds.isPast(blockTimeMs: now + 501, nowMs: now))
        #expect(CheckpointTimeParameters.proposalTime(nowMs: 10, previousMs: nil) == 10)
        #expect(CheckpointTimeParameters.proposalTime(nowMs: 10, previousMs: 9) == 10)
        #expect(CheckpointTimeParameters.proposalTime(nowMs: 10, previousMs: 10) == 11, "a slow clock still moves the agreed time on")
        #expect(CheckpointTimeParameters.proposalTime(nowMs: 10, previousMs: 50) == 51)
    }

    @Test func aCheckpointWithTimeIsVersion4AndOneWithoutStaysVersion3() throws {
        let heads = [Checkpoint.Head(outlet: 1, height: 3, blockID: Hash256.sha256([1]))]
        let old = Checkpoint(heads: heads, historyRoot: .zero, networkRoot: .zero)
        let timed = Checkpoint(heads: heads, historyRoot: .zero, networkRoot: .zero, timeMs: 0x0102_0304_0506_0708)
        #expect(old.canonicalBytes.first == 3 && timed.canonicalBytes.first == 4)
        #expect(Array(timed.canonicalBytes[1...8]) == [1, 2, 3, 4, 5, 6, 7, 8], "the time follows the version byte, big-endian")
        #expect(Array(timed.canonicalBytes[9...]) == Array(old.canonicalBytes[1...]), "then the version-3 fields, unchanged")
        #expect(try Checkpoint(canonicalBytes: timed.canonicalBytes).timeMs == 0x0102_0304_0506_0708)
        #expect(try Checkpoint(canonicalBytes: old.canonicalBytes).timeMs == nil)
        var five = timed.canonicalBytes
        five[0] = 5
        #expect(throws: CodecError.self) { try Checkpoint(canonicalBytes: five) }
    }

    @Test func aCheckpointCarryingARecallIsVersion5() throws {
        let admin = try #require(SigningKey(seed: [UInt8](repeating: 7, count: 32)))
        let recall = ProductRecall(chainID: Hash256.sha256([9]), serial: 1, gtin: "09556001234568", lot: "A1", reason: "listeria", admin: admin)
        let heads = [Checkpoint.Head(outlet: 1, height: 3, blockID: Hash256.sha256([1]))]
        let timed = Checkpoint(heads: heads, historyRoot: .zero, networkRoot: .zero, timeMs: 42)
        let carrying = Checkpoint(heads: heads, recalls: [recall], historyRoot: .zero, networkRoot: .zero, timeMs: 42)
        let bytes = carrying.canonicalBytes
        #expect(bytes.first == 5)
        // The version-4 fields up to the grants, then the recall list, then the two roots.
        let prefix = Array(timed.canonicalBytes.dropFirst().dropLast(64))
        #expect(Array(bytes[1..<(1 + prefix.count)]) == prefix)
        #expect(Array(bytes[(1 + prefix.count)...].dropLast(64)) == [0, 0, 0, 1] + recall.canonicalBytes)
        #expect(try Checkpoint(canonicalBytes: bytes).recalls == [recall])
        #expect(carrying.recallRecords(height: 6).first?.record == [0, 0, 0, 0, 0, 0, 0, 6] + recall.canonicalBytes)
    }

    func genesis(_ time: CheckpointTimeParameters?) throws -> Genesis {
        try Genesis(chainID: ChainID("time-test")!, genesisTimeMs: 1, blockTransactionsMax: 10, keyRotationOverlapMsMax: 0,
                    gstPricesIncludeTax: true, gstMethod: .perLine, gstRates: [],
                    admins: [.init(name: "a", publicKey: SigningKey(seed: [UInt8](repeating: 9, count: 32))!.publicKey)],
                    outlets: [], validators: [], checkpointTime: time)
    }

    @Test func theGenesisCarriesTheBoundsAsVersion2AndKeepsVersion1Without() throws {
        let plain = try genesis(nil)
        let timed = try genesis(bounds)
        #expect(plain.canonicalBytes.first == 1 && timed.canonicalBytes.first == 2)
        #expect(Array(timed.canonicalBytes.dropFirst().dropLast(16)) == Array(plain.canonicalBytes.dropFirst()),
                "version 2 is version 1's fields, then the bounds")
        #expect(Array(timed.canonicalBytes.suffix(16)) == [0, 0, 1, 0xF4, 0, 0, 7, 0xD0, 0, 0, 0, 0, 0, 0x36, 0xEE, 0x80])
        #expect(try Genesis(canonicalBytes: timed.canonicalBytes) == timed)
        #expect(try Genesis(canonicalBytes: plain.canonicalBytes).timeParameters == .defaults)
        #expect(try GenesisDocument(timed).genesis() == timed, "the JSON form round-trips")
        for bad in [CheckpointTimeParameters(precisionMs: 0, messageDelayMs: 1, lagThresholdMs: 1),
                    CheckpointTimeParameters(precisionMs: 1, messageDelayMs: 60_001, lagThresholdMs: 1),
                    CheckpointTimeParameters(precisionMs: 1, messageDelayMs: 1, lagThresholdMs: 0)] {
            #expect(throws: GenesisError.self) { try genesis(bad) }
        }
    }

    /// An application whose clock says every fresh proposal is untimely.
    final class LateApp: CheckpointApplication {
        var timely = false
        func proposal(height: UInt64) -> [UInt8] { [1] }
        func isValid(height: UInt64, value: [UInt8]) -> Bool { true }
        func isTimely(height: UInt64, value: [UInt8]) -> Bool { timely }
        func committed(_ certificate: CommitCertificate) {}
        func validators(height: UInt64) -> ValidatorSet { TendermintCoreTests().validators }
    }

    @Test func anUntimelyFreshProposalIsPrevotedNilButAReproposalIsNot() {
        let test = TendermintCoreTests()
        let app = LateApp()
        var validator = test.core(2, MemoryValidatorStateStore())
        _ = validator.start(app)
        let nilVote = TendermintCoreTests.votes(validator.receive(test.proposal(value: [7]), from: 1, app))
        #expect(nilVote.count == 1 && nilVote[0].kind == .prevote && nilVote[0].valueID == nil, "\(nilVote)")

        // Round 1: a re-proposal of a value a quorum prevoted in round 0 is judged valid, not timely.
        var other = test.core(3, MemoryValidatorStateStore())
        _ = other.start(app)
        for voter: UInt16 in [0, 1, 2] {
            _ = other.receive(.vote(test.vote(.prevote, by: voter, round: 0, value: [7])), from: voter, app)
            _ = other.receive(.vote(test.vote(.precommit, by: voter, round: 0, value: nil)), from: voter, app)
        }
        _ = other.timeout(ScheduledTimeout(kind: .precommit, height: 1, round: 0), app)
        let votes = TendermintCoreTests.votes(other.receive(test.proposal(round: 1, value: [7], validRound: 0), from: 2, app))
        #expect(votes.contains { $0.kind == .prevote && $0.round == 1 && $0.valueID == Hash256.tagged(.checkpointValueID, [7]) },
                "\(votes)")
    }
}
