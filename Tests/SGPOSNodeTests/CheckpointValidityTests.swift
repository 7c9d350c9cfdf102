import Foundation
@testable import SGPOSConsensus
@testable import SGPOSNode
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing

/// What a validator prevotes (docs/CONSENSUS.md §4, §7, §8): its own proposal, and nothing
/// with a network root, history root or evidence it cannot confirm itself.
@Suite struct CheckpointValidityTests {
    final class Directory {
        let path = NSTemporaryDirectory() + "sgpos-checkpoint-test-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    let network = TestNetwork(outlets: 4)

    /// Outlet 1's node with one block (a till registered) and its checkpoint application.
    func validator(_ directory: Directory) throws -> (NodeCheckpoints, LedgerStore) {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        _ = try writer.append([network.registerTill(TestNetwork.key("till-1"), principal: "till-1", sequence: 1)],
                              timestampMs: 1_700_000_000_000)
        let app = try NodeCheckpoints(store: store, storage: ConsensusStorage(environment: store.environment),
                                      dataDirectory: directory.path)
        return (app, store)
    }

    func flipped(_ hash: Hash256) -> Hash256 {
        var bytes = hash.bytes
        bytes[0] ^= 1
        return Hash256(bytes: bytes)!
    }

    @Test func aValidatorAcceptsItsOwnProposalAndRefusesWhatItCannotConfirm() throws {
        let directory = Directory()
        let (app, store) = try validator(directory)
        let value = app.proposal(height: 1)
        let proposed = try Checkpoint(canonicalBytes: value)
        #expect(proposed.heads.map(\.height) == [1, 0, 0, 0])
        #expect(proposed.historyRoot == MerkleTree.emptyRoot)
        #expect(app.isValid(height: 1, value: value))

        let wrongRoot = Checkpoint(heads: proposed.heads, historyRoot: proposed.historyRoot, networkRoot: flipped(proposed.networkRoot), timeMs: proposed.timeMs)
        #expect(!app.isValid(height: 1, value: wrongRoot.canonicalBytes), "a network root this node does not compute")
        let wrongHistory = Checkpoint(heads: proposed.heads, historyRoot: flipped(proposed.historyRoot), networkRoot: proposed.networkRoot, timeMs: proposed.timeMs)
        #expect(!app.isValid(height: 1, value: wrongHistory.canonicalBytes), "a history root over checkpoints it does not hold")
        var heads = proposed.heads
        heads[0] = Checkpoint.Head(outlet: 1, height: 1, blockID: flipped(heads[0].blockID))
        #expect(!app.isValid(height: 1, value: Checkpoint(heads: heads, historyRoot: proposed.historyRoot, networkRoot: proposed.networkRoot, timeMs: proposed.timeMs).canonicalBytes),
                "a block this node does not hold")

        // Agreed time: none (a version-3 value) is refused; so, once a checkpoint is
        // decided, is a time not after its time (below, at height 2).
        #expect(!app.isValid(height: 1, value: Checkpoint(heads: proposed.heads, historyRoot: proposed.historyRoot,
                                                          networkRoot: proposed.networkRoot).canonicalBytes), "no agreed time")
        #expect(app.isTimely(height: 1, value: value), "its own proposal is timely by its own clock")
        let early = Checkpoint(heads: proposed.heads, historyRoot: proposed.historyRoot, networkRoot: proposed.networkRoot,
                               timeMs: proposed.timeMs! - 10_000)
        #expect(app.isValid(height: 1, value: early.canonicalBytes) && !app.isTimely(height: 1, value: early.canonicalBytes),
                "valid, but 10 s behind this node's clock: not timely")
        let late = Checkpoint(heads: proposed.heads, historyRoot: proposed.historyRoot, networkRoot: proposed.networkRoot,
                              timeMs: proposed.timeMs! + 10_000)
        #expect(!app.isTimely(height: 1, value: late.canonicalBytes), "10 s ahead of this node's clock: not timely")

        // Evidence: a forged half proves nothing, so a checkpoint carrying it is refused.
        let block = try #require(try store.environment.read { try store.block(1, height: 1, $0) })
        var header = block.header
        header.timestampMs += 1
        let forged = Block.seal(header: header, transactions: block.transactions, key: network.nodeKeys[0])
        let badSignature = Block(header: forged.header, signature: block.signature, transactions: forged.transactions)
        let unproven = Checkpoint(heads: proposed.heads, evidence: [.outletEquivocation(block, badSignature)],
                                  historyRoot: proposed.historyRoot, networkRoot: proposed.networkRoot, timeMs: proposed.timeMs)
        #expect(!app.isValid(height: 1, value: unproven.canonicalBytes))

        // Decided: the network state follows; the next proposal carries the real evidence
        // once, and a checkpoint carrying it again is refused.
        app.committed(CommitCertificate(height: 1, round: 0, value: value, precommits: []))
        let position = try store.environment.read { try store.networkPosition(genesisRoot: app.genesisRoot, $0) }
        #expect(position.height == 1 && position.root == proposed.networkRoot)
        try EvidenceStore.record(held: block, conflicting: forged, directory: directory.path + "/evidence")
        #expect(app.hasNewContent(height: 2), "evidence alone is reason for a checkpoint")
        let second = app.proposal(height: 2)
        let carried = try Checkpoint(canonicalBytes: second)
        #expect(carried.evidence == [.outletEquivocation(block, forged)])
        #expect(carried.historyRoot == MerkleTree.root(leafHashes: [Checkpoint.historyLeaf(value: value)]))
        #expect(app.isValid(height: 2, value: second))
        let sameTime = Checkpoint(heads: carried.heads, evidence: carried.evidence, historyRoot: carried.historyRoot,
                                  networkRoot: carried.networkRoot, timeMs: proposed.timeMs)
        #expect(!app.isValid(height: 2, value: sameTime.canonicalBytes), "agreed time must move past checkpoint 1's")
        app.committed(CommitCertificate(height: 2, round: 0, value: second, precommits: []))
        #expect(!app.hasNewContent(height: 3), "the evidence was carried")
        let again = Checkpoint(heads: carried.heads, evidence: carried.evidence,
                               historyRoot: MerkleTree.root(leafHashes: [value, second].map { Checkpoint.historyLeaf(value: $0) }),
                               networkRoot: carried.networkRoot, timeMs: carried.timeMs.map { $0 + 1 })
        #expect(!app.isValid(height: 3, value: again.canonicalBytes))
    }
    /// A recall handed to a network where nothing else happens is reason enough for a
    /// checkpoint: before, the next height started only with new blocks, evidence,
    /// validator updates or grants, so a recall issued while no outlet traded waited for
    /// the next sale anywhere (a demo in CI waited 150 s with checkpoints idle).
    @Test func aRecallAloneStartsTheNextCheckpoint() throws {
        let directory = Directory()
        let (app, store) = try validator(directory)
        let first = app.proposal(height: 1)
        app.committed(CommitCertificate(height: 1, round: 0, value: first, precommits: []))
        #expect(!app.hasNewContent(height: 2), "nothing new after checkpoint 1")

        let recall = ProductRecall(chainID: network.genesis.id, serial: 1, gtin: "09556001234568", lot: "L1",
                                   reason: "listeria", admin: network.admin)
        try AdminActPool.add(recall, directory: app.recallDirectory)
        #expect(app.hasNewContent(height: 2), "a pending recall alone starts the next checkpoint")
        let second = app.proposal(height: 2)
        let carried = try Checkpoint(canonicalBytes: second)
        #expect(carried.recalls.map(\.id) == [recall.id])
        #expect(carried.heads == (try Checkpoint(canonicalBytes: first)).heads, "no new block: the same heads")
        #expect(app.isValid(height: 2, value: second))
        app.committed(CommitCertificate(height: 2, round: 0, value: second, precommits: []))
        let position = try store.environment.read { try store.networkPosition(genesisRoot: app.genesisRoot, $0) }
        #expect(position.height == 2)
        #expect(!app.hasNewContent(height: 3), "the recall was carried")
    }

    @Test func aValidatorUpdateIsProposedOnceAndChangesTheSetTwoHeightsOn() throws {
        let directory = Directory()
        let (app, store) = try validator(directory)
        let keys = network.nodeKeys.map(\.publicKey), next = TestNetwork.key("outlet-3-next").publicKey
        let rotate = ValidatorUpdate(chainID: network.genesis.id, serial: 1, changes: [.init(key: keys[2], power: 0), .init(key: next, power: 1)],
                                     admin: network.admin)
        let stranger = ValidatorUpdate(chainID: network.genesis.id, serial: 2, changes: [.init(key: keys[0], power: 3)],
                                       admin: TestNetwork.key("not-an-admin"))
        let shrink = ValidatorUpdate(chainID: network.genesis.id, serial: 3, changes: [.init(key: keys[0], power: 0)], admin: network.admin)
        for update in [rotate, stranger, shrink] { try AdminActPool.add(update, directory: directory.path + "/validator-updates") }

        // The proposal carries only the update that applies; validators refuse the others.
        let value = app.proposal(height: 1)
        let proposed = try Checkpoint(canonicalBytes: value)
        #expect(proposed.validatorUpdates == [rotate])
        #expect(app.isValid(height: 1, value: value))
        for bad in [stranger, shrink] {
            let draft = Checkpoint(heads: proposed.heads, validatorUpdates: [bad], historyRoot: proposed.historyRoot, networkRoot: proposed.networkRoot,
                                   timeMs: proposed.timeMs)
            #expect(!app.isValid(height: 1, value: draft.canonicalBytes), "\(bad.serial)")
        }
        let plainRoot = try store.environment.read { transaction in
            try app.networkRoot(after: Checkpoint(heads: proposed.heads, historyRoot: proposed.historyRoot, networkRoot: .zero), height: 1, transaction)
        }
        #expect(plainRoot != proposed.networkRoot)
        let withoutRecord = Checkpoint(heads: proposed.heads, validatorUpdates: [rotate], historyRoot: proposed.historyRoot, networkRoot: plainRoot,
                                        timeMs: proposed.timeMs)
        #expect(!app.isValid(height: 1, value: withoutRecord.canonicalBytes), "the network root must record the update")

        // Decided at 1: the set changes from height 3; the update is not proposed again.
        app.committed(CommitCertificate(height: 1, round: 0, value: value, precommits: []))
        #expect(app.validators(height: 2).keys == keys)
        #expect(app.validators(height: 3).keys == [keys[0], keys[1], keys[3], next])
        let recorded = try store.environment.read { try store.networkState($0).read(StateKey(.networkValidatorUpdates, rotate.id.bytes)) }
        #expect(recorded == rotate.networkRecord(checkpointHeight: 1))
        #expect(!app.hasNewContent(height: 2), "nothing new: the update was carried, the others never apply")
        #expect(try Checkpoint(canonicalBytes: app.proposal(height: 2)).validatorUpdates.isEmpty)
        let again = Checkpoint(heads: proposed.heads, validatorUpdates: [rotate],
                               historyRoot: MerkleTree.root(leafHashes: [Checkpoint.historyLeaf(value: value)]), networkRoot: proposed.networkRoot,
                               timeMs: proposed.timeMs.map { $0 + 1 })
        #expect(!app.isValid(height: 2, value: again.canonicalBytes), "an update carried twice")

        // A restarted node rebuilds the same schedule from its stored checkpoints.
        let restarted = try NodeCheckpoints(store: store, storage: app.storage, dataDirectory: directory.path)
        #expect(restarted.schedule == app.schedule)
    }
}
