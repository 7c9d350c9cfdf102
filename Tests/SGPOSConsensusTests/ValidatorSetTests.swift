import SGPOSChain
import SGPOSCodec
@testable import SGPOSConsensus
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// Weighted validator sets, admin-signed validator updates and the schedule that makes
/// them effective two heights on (docs/CONSENSUS.md §9).
@Suite struct ValidatorSetTests {
    let network = TestNetwork(outlets: 4)
    var genesisKeys: [PublicKey] { network.nodeKeys.map(\.publicKey) }
    static func key(_ name: String) -> SigningKey { TestNetwork.key(name) }

    @Test func quorumsAreOverVotingPower() {
        let set = ValidatorSet(keys: genesisKeys, powers: [4, 1, 1, 1])
        #expect(set.totalPower == 7 && set.quorum == 5 && set.oneThirdPlus == 3)
        #expect(set.power(of: [1, 2, 3]) == 3, "three small validators are not a quorum")
        #expect(set.power(of: [0, 1]) == 5, "the large one and one more are")
        #expect(set.power(of: [9]) == 0, "an index outside the set counts nothing")
        let equal = ValidatorSet(genesisKeys)
        #expect(equal.quorum == 3 && equal.oneThirdPlus == 2)
    }

    @Test func eachValidatorProposesItsShareOfAPeriod() {
        for powers: [UInt64] in [[1, 1, 1, 1], [3, 1, 1, 1], [5, 6, 5, 6, 5], [1_000, 1, 500, 2, 7, 7, 7]] {
            let keys = (0..<powers.count).map { Self.key("v\($0)").publicKey }
            let set = ValidatorSet(keys: keys, powers: powers)
            var counts = [UInt64](repeating: 0, count: powers.count)
            for position in 0..<set.totalPower { counts[Int(set.proposer(height: position, round: 0))] += 1 }
            #expect(counts == powers, "one period of \(powers)")
            #expect(set.proposer(height: 3, round: 2) == set.proposer(height: 5, round: 0), "height + round is the position")
        }
        let equal = ValidatorSet(genesisKeys)
        #expect((0..<8).map { equal.proposer(height: UInt64($0), round: 0) } == [0, 1, 2, 3, 0, 1, 2, 3], "equal powers: round robin")
    }

    func update(_ changes: [ValidatorUpdate.Change], admin: SigningKey? = nil, serial: UInt64 = 1, chain: Hash256? = nil) -> ValidatorUpdate {
        ValidatorUpdate(chainID: chain ?? network.genesis.id, serial: serial, changes: changes, admin: admin ?? network.admin)
    }

    @Test func anUpdateChangesPowersAndKeysAndKeepsOrder() throws {
        let genesis = ValidatorSet.genesis(network.genesis)
        #expect(genesis.keys == genesisKeys && genesis.powers == [1, 1, 1, 1], "no validators list: the outlet node keys")
        let new = Self.key("new-validator").publicKey
        let change = update([.init(key: genesisKeys[1], power: 0), .init(key: new, power: 2), .init(key: genesisKeys[3], power: 5)])
        let after = try change.applied(to: genesis, genesis: network.genesis)
        #expect(after.keys == [genesisKeys[0], genesisKeys[2], genesisKeys[3], new] && after.powers == [1, 1, 5, 2])
        // Canonical bytes: changes ascend by key whatever order they were given in; decoding round-trips.
        let decoded = try ValidatorUpdate(canonicalBytes: change.canonicalBytes)
        #expect(decoded == change && decoded.id == change.id && decoded.isAuthorised(genesis: network.genesis))
        #expect(update([.init(key: new, power: 2), .init(key: genesisKeys[1], power: 0)]).id
            == update([.init(key: genesisKeys[1], power: 0), .init(key: new, power: 2)]).id)
        #expect(update([.init(key: new, power: 2)], serial: 2).id != update([.init(key: new, power: 2)], serial: 1).id, "the serial tells them apart")
    }

    @Test func updatesThatBreakTheRulesAreRefusedWithAReason() throws {
        let genesis = ValidatorSet.genesis(network.genesis)
        let extra = (0..<4).map { Self.key("extra-\($0)").publicKey }
        let cases: [(ValidatorUpdate, String)] = [
            (update([.init(key: extra[0], power: 1)], admin: Self.key("not-an-admin")), "not signed by a genesis admin"),
            (update([.init(key: extra[0], power: 1)], chain: Hash256.sha256([1])), "not signed by a genesis admin"),
            (update([.init(key: genesisKeys[0], power: 0)]), "would leave 3 validators"),
            (update(extra.map { .init(key: $0, power: 1) }), "would leave 8 validators"),
            (update([.init(key: genesisKeys[0], power: 1_001)]), "power outside 1...1000"),
            (update([.init(key: extra[0], power: 0)]), "which is not a validator"),
            (update([]), "changes nothing"),
        ]
        for (item, reason) in cases {
            #expect(throws: ValidatorUpdate.Refusal.self, "\(reason)") { _ = try item.applied(to: genesis, genesis: network.genesis) }
            do { _ = try item.applied(to: genesis, genesis: network.genesis) } catch {
                #expect(error.description.contains(reason), "\(error)")
            }
        }
        // A signature over other changes does not carry over.
        let good = update([.init(key: extra[0], power: 1)])
        var bytes = good.canonicalBytes
        bytes[1 + 32 + 8 + 4 + 32 + 7] ^= 1  // the power of the change
        let bent = try ValidatorUpdate(canonicalBytes: bytes)
        #expect(!bent.isAuthorised(genesis: network.genesis))
        // Non-canonical order of changes does not decode.
        var encoder = CanonicalEncoder(capacity: 256)
        ValidatorUpdate.encodeBody(chainID: network.genesis.id, serial: 1, changes: [.init(key: PublicKey(bytes: [UInt8](repeating: 0xEE, count: 32))!, power: 1),
                                                                                     .init(key: PublicKey(bytes: [UInt8](repeating: 0x11, count: 32))!, power: 1)],
                                   admin: network.admin.publicKey, to: &encoder)
        encoder.writeFixed([UInt8](repeating: 0, count: 64), count: 64)
        #expect(throws: CodecError.self) { _ = try ValidatorUpdate(canonicalBytes: encoder.bytes) }
    }

    @Test func aCheckpointsUpdatesTakeEffectTwoHeightsLater() throws {
        var schedule = ValidatorSchedule(genesis: network.genesis)
        let new = Self.key("rotated").publicKey
        let rotate = update([.init(key: genesisKeys[2], power: 0), .init(key: new, power: 1)])
        try schedule.record(checkpointHeight: 1, updates: [], genesis: network.genesis)
        let trial = try schedule.trial(checkpointHeight: 2, updates: [rotate], genesis: network.genesis)
        #expect(trial.keys.contains(new) && schedule.through == 1, "a trial changes nothing")
        try schedule.record(checkpointHeight: 2, updates: [rotate], genesis: network.genesis)
        #expect(schedule.set(at: 3).keys == genesisKeys, "height 3 was fixed when checkpoint 1 was decided")
        #expect(schedule.set(at: 4).keys == [genesisKeys[0], genesisKeys[1], genesisKeys[3], new])
        try schedule.record(checkpointHeight: 3, updates: [], genesis: network.genesis)
        #expect(schedule.set(at: 5) == schedule.set(at: 4))
        // A refused update leaves the schedule as it was.
        #expect(throws: ValidatorUpdate.Refusal.self) {
            try schedule.record(checkpointHeight: 4, updates: [update([.init(key: genesisKeys[2], power: 0)], serial: 9)], genesis: network.genesis)
        }
        #expect(schedule.through == 3)
    }

    @Test func aCheckpointCarriesUpdatesInIdOrder() throws {
        let a = update([.init(key: genesisKeys[0], power: 2)], serial: 1), b = update([.init(key: genesisKeys[1], power: 2)], serial: 2)
        let checkpoint = Checkpoint(heads: [], validatorUpdates: [a, b], historyRoot: .zero, networkRoot: .zero)
        let decoded = try Checkpoint(canonicalBytes: checkpoint.canonicalBytes)
        #expect(decoded == checkpoint && decoded.validatorUpdates.map(\.id) == [a, b].map(\.id).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        #expect(checkpoint.validatorUpdateRecords(height: 7).allSatisfy { $0.record == [0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9] })
    }
}
