import SGPOSChain
import SGPOSCodec
@testable import SGPOSConsensus
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// Evidence carried in checkpoints (docs/CONSENSUS.md §4): proven from the genesis keys
/// alone, one canonical encoding whichever node saw which half first.
@Suite struct CheckpointEvidenceTests {
    let network = TestNetwork(outlets: 4)
    /// The genesis set, with checkpoints up to 10 known to carry no update.
    var schedule: ValidatorSchedule {
        var schedule = ValidatorSchedule(genesis: network.genesis)
        schedule.advance(through: 10)
        return schedule
    }

    func block(outlet: OutletID, height: UInt64, timestampMs: TimestampMs, key: SigningKey) -> Block {
        let header = BlockHeader(chainID: network.genesis.chainID, outletID: outlet, height: height, previousHash: network.genesis.id,
                                 timestampMs: timestampMs, transactionCount: 0, transactionRoot: Hash256.sha256([]),
                                 historyRoot: Hash256.sha256([]), stateRoot: Hash256.sha256([]), producer: key.publicKey)
        return Block.seal(header: header, transactions: [], key: key)
    }

    func vote(_ value: [UInt8]?, validator: UInt16, key: SigningKey) -> SignedVote {
        let id = value.map { Hash256.tagged(.checkpointValueID, $0) }
        return SignedVote(chainID: network.genesis.id, kind: .prevote, height: 5, round: 1, valueID: id, validator: validator,
                          signature: key.sign(SignedVote.signedBytes(chainID: network.genesis.id, kind: .prevote, height: 5, round: 1,
                                                                      valueID: id, validator: validator)))
    }

    @Test func anOutletEquivocationProvesItselfInEitherOrder() throws {
        let key = network.nodeKeys[1]
        let a = block(outlet: 2, height: 7, timestampMs: 1_000, key: key), b = block(outlet: 2, height: 7, timestampMs: 1_001, key: key)
        let evidence = CheckpointEvidence.outletEquivocation(a, b)
        #expect(evidence == CheckpointEvidence.outletEquivocation(b, a), "one canonical form")
        #expect(evidence.isProven(genesis: network.genesis, validators: schedule))
        #expect(evidence.summary == "outlet 2 signed two blocks at height 7")
        #expect(try CheckpointEvidence(canonicalBytes: evidence.canonicalBytes) == evidence)
        // Not evidence: the same block twice, different heights, or a key that is not outlet 2's.
        #expect(!CheckpointEvidence.outletEquivocation(a, a).isProven(genesis: network.genesis, validators: schedule))
        let other = block(outlet: 2, height: 8, timestampMs: 1_000, key: key)
        #expect(!CheckpointEvidence.outletEquivocation(a, other).isProven(genesis: network.genesis, validators: schedule))
        let forged = block(outlet: 2, height: 7, timestampMs: 1_002, key: network.nodeKeys[2])
        #expect(!CheckpointEvidence.outletEquivocation(a, forged).isProven(genesis: network.genesis, validators: schedule))
    }

    @Test func aClockRegressionProvesItselfOnlyPastTheToleranceAndAboveTheAcknowledgedHeight() throws {
        let key = network.nodeKeys[1]
        let precision = UInt64(network.genesis.timeParameters.precisionMs)
        let agreed: UInt64 = 1_000_000
        let ack = CheckpointAck.sign(chainID: network.genesis.id, outlet: 2, checkpointHeight: 9, checkpointTimeMs: agreed, headHeight: 7, key: key)
        #expect(ack.isValid(genesis: network.genesis) && ack.canonicalBytes.count == CheckpointAck.byteCount)
        #expect(try CheckpointAck(canonicalBytes: ack.canonicalBytes) == ack)
        func proves(_ ack: CheckpointAck, height: UInt64, time: UInt64, signer: SigningKey? = nil) -> Bool {
            CheckpointEvidence.clockRegression(ack, block(outlet: 2, height: height, timestampMs: time, key: signer ?? key))
                .isProven(genesis: network.genesis, validators: schedule)
        }
        let earliest = agreed - 2 * precision
        #expect(proves(ack, height: 8, time: earliest - 1), "one ms before the tolerance, above the acknowledged height")
        #expect(!proves(ack, height: 8, time: earliest), "at the tolerance: a correct clock may be there")
        #expect(!proves(ack, height: 7, time: 0), "the acknowledged height itself was sealed before")
        #expect(!proves(ack, height: 8, time: 0, signer: network.nodeKeys[2]), "a block outlet 2's key did not sign")
        let foreign = CheckpointAck.sign(chainID: Hash256.sha256([9]), outlet: 2, checkpointHeight: 9, checkpointTimeMs: agreed, headHeight: 7, key: key)
        #expect(!proves(foreign, height: 8, time: 0), "another network's acknowledgement")
        let impostor = CheckpointAck.sign(chainID: network.genesis.id, outlet: 2, checkpointHeight: 9, checkpointTimeMs: agreed, headHeight: 7,
                                          key: network.nodeKeys[2])
        #expect(!proves(impostor, height: 8, time: 0, signer: network.nodeKeys[2]), "an acknowledgement outlet 2's key did not sign")
        let evidence = CheckpointEvidence.clockRegression(ack, block(outlet: 2, height: 8, timestampMs: 1, key: key))
        #expect(evidence.kind == 3 && evidence.subject.who == 2 && evidence.subject.height == 8)
        #expect(try CheckpointEvidence(canonicalBytes: evidence.canonicalBytes) == evidence)
        #expect(Array(evidence.canonicalBytes[1...CheckpointAck.byteCount]) == ack.canonicalBytes, "kind 3, then the acknowledgement's bytes")
        #expect(evidence.summary.hasPrefix("outlet 2 stamped block 8 at 1 ms after acknowledging, at its height 7, checkpoint 9's agreed time"))
    }

    @Test func aDoubleVoteProvesItselfAndGarbageIsRefused() throws {
        let key = network.nodeKeys[3]
        let first = vote([1], validator: 3, key: key), second = vote(nil, validator: 3, key: key)
        let evidence = CheckpointEvidence.doubleVote(DoubleVoteEvidence(first: first, second: second))
        #expect(evidence == .doubleVote(DoubleVoteEvidence(first: second, second: first)))
        #expect(evidence.isProven(genesis: network.genesis, validators: schedule))
        // Signed by another validator's key, or claimed for another validator: not proven.
        let wrongKey = CheckpointEvidence.doubleVote(DoubleVoteEvidence(first: first, second: vote(nil, validator: 3, key: network.nodeKeys[0])))
        #expect(!wrongKey.isProven(genesis: network.genesis, validators: schedule))
        #expect(!CheckpointEvidence.doubleVote(DoubleVoteEvidence(first: first, second: first)).isProven(genesis: network.genesis, validators: schedule))
        var bytes = evidence.canonicalBytes
        bytes[0] = 9
        #expect(throws: CodecError.self) { try CheckpointEvidence(canonicalBytes: bytes) }
    }

    @Test func aCheckpointCarriesEvidenceAscendingByIdAndRefusesAnyOtherOrder() throws {
        let keys = network.nodeKeys
        let items = [
            CheckpointEvidence.outletEquivocation(block(outlet: 1, height: 1, timestampMs: 5, key: keys[0]),
                                                  block(outlet: 1, height: 1, timestampMs: 6, key: keys[0])),
            CheckpointEvidence.doubleVote(DoubleVoteEvidence(first: vote([2], validator: 0, key: keys[0]), second: vote([3], validator: 0, key: keys[0]))),
        ]
        let heads = (1...4).map { Checkpoint.Head(outlet: UInt32($0), height: 0, blockID: network.genesis.id) }
        let checkpoint = Checkpoint(heads: heads, evidence: items, historyRoot: MerkleTree.emptyRoot, networkRoot: network.genesis.id)
        let decoded = try Checkpoint(canonicalBytes: checkpoint.canonicalBytes)
        #expect(decoded == checkpoint)
        #expect(decoded.evidence.map(\.id) == items.map(\.id).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        // The same two items in the other order are not a canonical checkpoint.
        var encoder = CanonicalEncoder(capacity: 4_096)
        encoder.writeU8(2)
        encoder.writeCount(heads.count, limit: Checkpoint.outletsMax)
        for head in heads {
            encoder.writeU32(head.outlet)
            encoder.writeU64(head.height)
            head.blockID.encode(to: &encoder)
        }
        encoder.writeCount(2, limit: CheckpointEvidence.perCheckpointMax)
        for item in decoded.evidence.reversed() { item.encode(to: &encoder) }
        MerkleTree.emptyRoot.encode(to: &encoder)
        network.genesis.id.encode(to: &encoder)
        #expect(throws: CodecError.self) { try Checkpoint(canonicalBytes: encoder.bytes) }
    }
}
