import Foundation
import Logging
import NIOCore
@testable import SGPOSCheckpointStore
@testable import SGPOSConsensus
@testable import SGPOSNode
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Synchronization
import Testing

/// A decided checkpoint's certificate and the validator's move to the next height are one
/// LMDB write transaction (docs/CONSENSUS.md §3): after any failure both are on disk or
/// neither, and a restarted core resumes before the height or past it, never between.
@Suite struct DecisionStorageTests {
    final class Directory {
        let path = NSTemporaryDirectory() + "sgpos-decision-test-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    struct CrashMidway: Error {}

    let network = TestNetwork(outlets: 4)

    /// Outlet 1's store with one block, its checkpoint application, and the signing state of
    /// a validator locked on `value` at height 1 (its precommit signed).
    func validator(_ directory: Directory) throws -> (app: NodeCheckpoints, store: LedgerStore, signed: PersistedValidatorState) {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        _ = try writer.append([network.registerTill(TestNetwork.key("till-1"), principal: "till-1", sequence: 1)],
                              timestampMs: 1_700_000_000_000)
        let app = try NodeCheckpoints(store: store, storage: ConsensusStorage(environment: store.environment),
                                      dataDirectory: directory.path)
        var signed = PersistedValidatorState(height: 1)
        signed.lastSigned = SignedPosition(height: 1, round: 0, step: 2)
        signed.lockedRound = 0
        signed.lockedValue = app.proposal(height: 1)
        try app.storage.saveValidatorState(signed)
        return (app, store, signed)
    }

    /// The core a restarted node builds: at the first height it has not stored.
    func restartedCore(_ app: NodeCheckpoints) throws -> TendermintCore {
        TendermintCore(chainID: network.genesis.id, schedule: { app.validators(height: $0) }, keys: [network.nodeKeys[0]],
                       store: LMDBValidatorStateStore(app.storage), firstHeight: (try app.storage.latest()?.height ?? 0) + 1)
    }

    @Test func aDecisionThatFailsMidwayLeavesNeitherTheCertificateNorTheMove() throws {
        let directory = Directory()
        let (app, _, signed) = try validator(directory)
        let certificate = CommitCertificate(height: 1, round: 0, value: try #require(signed.lockedValue), precommits: [])
        var next = signed
        next.startHeight(2)

        #expect(throws: CrashMidway.self) {
            try app.storage.storeDecision(certificate, nextState: next, afterCertificate: { throw CrashMidway() })
        }
        #expect(try app.storage.certificate(height: 1) == nil, "the certificate's put was rolled back")
        #expect(try app.storage.latest() == nil)
        #expect(try app.storage.validatorState() == signed, "the signing state is the one before the decision")
        // A restart resumes before the height, still locked: the height is decided again
        // from the others' certificate, never skipped.
        let core = try restartedCore(app)
        #expect(core.height == 1 && core.lockedRound == 0)
        #expect(try app.storage.validatorState() == signed)
    }

    @Test func aDecisionStoresTheCertificateAndTheMoveTogether() throws {
        let directory = Directory()
        let (app, store, signed) = try validator(directory)
        let value = try #require(signed.lockedValue)
        let certificate = CommitCertificate(height: 1, round: 0, value: value, precommits: [])
        var next = signed
        next.startHeight(2)

        app.committed(certificate, nextState: next, store: LMDBValidatorStateStore(app.storage))
        #expect(try app.storage.certificate(height: 1) == certificate)
        #expect(try app.storage.validatorState() == next)
        // What `committed(_:)` does follows: the network state and the last checkpoint.
        let checkpoint = try Checkpoint(canonicalBytes: value)
        let position = try store.environment.read { try store.networkPosition(genesisRoot: app.genesisRoot, $0) }
        #expect(position.height == 1 && position.root == checkpoint.networkRoot)
        #expect(app.last == checkpoint)
        // A restart resumes past the height, unlocked, with no move left to finish.
        let core = try restartedCore(app)
        #expect(core.height == 2 && core.lockedRound == -1)
        #expect(try app.storage.validatorState() == next, "nothing rewritten on the restart")
    }

    @Test func thePublicDecisionWriteStoresBoth() throws {
        let directory = Directory()
        let (app, _, signed) = try validator(directory)
        var next = signed
        next.startHeight(2)
        let certificate = CommitCertificate(height: 1, round: 0, value: try #require(signed.lockedValue), precommits: [])
        try app.storage.storeDecision(certificate, nextState: next)
        #expect(try app.storage.latest() == certificate)
        #expect(try app.storage.validatorState() == next)
    }

    /// The whole path: three other validators' messages reach the service, its core
    /// decides height 1, and the certificate and the move to height 2 are on disk, written
    /// on the service's own thread (not the cooperative pool).
    @Test func aDecisionThroughTheServiceIsWrittenOnItsOwnThread() async throws {
        let directory = Directory()
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        let config = NodeConfig(outletId: 1, genesis: "g", nodeKey: "k", http: .init(host: "127.0.0.1", port: 1),
                                peer: .init(host: "127.0.0.1", port: 2), peers: [])
        let node = try LedgerNode(config: config, dataDirectory: directory.path, store: store, nodeKey: network.nodeKeys[0],
                                  logger: Logger(label: "test"))
        let service = try #require(try CheckpointService(node: node, logger: Logger(label: "test")))
        let writtenOnServiceThread = Mutex<Bool?>(nil)
        let (set, value) = await service.prepareForTest { writtenOnServiceThread.withLock { $0 = CheckpointService.executorLoop.inEventLoop } }
        let chainID = network.genesis.id, id = Hash256.tagged(.checkpointValueID, value)
        func key(_ index: UInt16) -> SigningKey { network.nodeKeys.first { $0.publicKey == set.keys[Int(index)] }! }
        let own = try #require(set.index(of: network.nodeKeys[0].publicKey))
        let others = (0..<UInt16(set.count)).filter { $0 != own }.prefix(2)
        await service.startCore()
        let proposer = set.proposer(height: 1, round: 0)
        if proposer != own {
            let bytes = SignedProposal.signedBytes(chainID: chainID, height: 1, round: 0, validRound: -1, valueID: id, proposer: proposer)
            await service.receive(.proposal(SignedProposal(chainID: chainID, height: 1, round: 0, validRound: -1, value: value,
                                                           proposer: proposer, signature: key(proposer).sign(bytes))), from: 2)
        }
        for kind in [VoteKind.prevote, .precommit] {
            for validator in others {
                let bytes = SignedVote.signedBytes(chainID: chainID, kind: kind, height: 1, round: 0, valueID: id, validator: validator)
                await service.receive(.vote(SignedVote(chainID: chainID, kind: kind, height: 1, round: 0, valueID: id, validator: validator,
                                                       signature: key(validator).sign(bytes))), from: 2)
            }
        }
        let certificate = try #require(try await service.certificate(height: 1))
        #expect(certificate.value == value)
        let state = try #require(try await service.storedValidatorState())
        #expect(state.height == 2 && state.lockedRound == -1 && state.lastSigned == SignedPosition(height: 1, round: 0, step: 2))
        #expect(writtenOnServiceThread.withLock { $0 } == true)
        #expect(await service.status().working == 2)
    }
}

extension CheckpointService {
    /// Test access, on the service's executor: the set and the value of height 1, and
    /// `onDecision` called right after each decision's write, in the same call.
    func prepareForTest(onDecision: @escaping @Sendable () -> Void) -> (ValidatorSet, [UInt8]) {
        app.onCommit = { _, _ in onDecision() }
        // One agreed time: the test's proposal and the core's own are then the same value.
        let now = UInt64(wallClockMs())
        app.clock = { now }
        return (app.validators(height: 1), app.proposal(height: 1))
    }

    func storedValidatorState() throws -> PersistedValidatorState? { try storage.validatorState() }
}
