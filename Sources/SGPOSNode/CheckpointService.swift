import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore
import SGPOSClient

/// Where a consensus message goes: every connected validator, or one.
public enum ConsensusTarget: Sendable, Hashable {
    case all
    case outlet(OutletID)
}

/// Runs this node's validator of the checkpoint chain (docs/CONSENSUS.md): drives the
/// sans-I/O ``TendermintCore`` with real timers and the peer protocol, stores every
/// decided checkpoint, and measures finality (own block committed → checkpointed). The
/// validators of each height come from the genesis and the validator updates of the
/// checkpoints before (``ValidatorSchedule``); the node votes with whichever of its keys
/// is in the set, and follows as an observer otherwise. With fewer than 4 outlets there is
/// no checkpoint chain.
public actor CheckpointService: Service {
    /// What `GET /v1/checkpoints/status` answers.
    public typealias Status = API.CheckpointStatus

    /// The service's own thread. Its durable writes (the validator's signing state before
    /// every vote; each decided certificate with the move to the next height, one
    /// transaction; the network state that follows) fsync there, never on the cooperative
    /// pool that serves HTTP and replication (as ``GroupCommitter`` keeps block commits off
    /// it): the core, and through it the application and the state store, run only on
    /// this actor.
    static let executorLoop: any EventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { Self.executorLoop.executor.asUnownedSerialExecutor() }

    let node: LedgerNode
    let logger: Logger
    let storage: ConsensusStorage
    let app: NodeCheckpoints
    /// nil while the validator listens for the network's height (a new or recovering
    /// validator, docs/CONSENSUS.md §3).
    var core: TendermintCore?
    let outlets: [OutletID]
    let keys: [SigningKey]
    let stateStore: LMDBValidatorStateStore
    let timeouts: ConsensusTimeouts
    /// Heights other validators reported while this one listens.
    var heard: [OutletID: UInt64] = [:]
    var transport: (@Sendable (ConsensusTarget, ConsensusMessage) async -> Void)?
    /// How this node's acknowledgements of checkpoints leave (to every peer).
    var ackTransport: (@Sendable (CheckpointAck) async -> Void)?
    var timerTasks: [Task<Void, Never>] = []
    var committedAt: [UInt64: UInt64] = [:]
    var finality: [UInt64] = []
    var lastDecision: (height: UInt64, atMs: UInt64, checkpoint: Checkpoint)?
    var doubleVotes = 0
    /// Whether the clock-behind warning was logged (once per run).
    var clockBehindReported = false
    static let tickMs: UInt64 = 250
    static let finalitySamplesMax = 10_000
    private let heightGauge = Gauge(label: "sgpos_checkpoint_height")
    private let doubleVoteCounter = Counter(label: "sgpos_double_votes_total")
    private let finalityTimer = Timer(label: "sgpos_checkpoint_finality_seconds")

    /// nil when the network has fewer than 4 outlets (no checkpoint chain).
    public init?(node: LedgerNode, logger: Logger, timeouts: ConsensusTimeouts = ConsensusTimeouts()) throws {
        let outlets = node.genesis.outlets.sorted { $0.id < $1.id }
        guard node.genesis.hasCheckpointChain else { return nil }
        self.node = node
        self.logger = logger
        self.outlets = outlets.map(\.id)
        storage = try ConsensusStorage(environment: node.store.environment)
        app = try NodeCheckpoints(store: node.store, storage: storage, dataDirectory: node.dataDirectory)
        keys = [node.nodeKey] + node.validatorKeys
        stateStore = LMDBValidatorStateStore(storage)
        self.timeouts = timeouts
        let stored = try storage.latest()?.height ?? 0
        let state = stateStore.load()
        if state == nil, stored > 0 {
            // Checkpoints on disk but no signing state: the state was lost; voting now could
            // contradict what this validator signed before. Refuse (docs/OPERATIONS.md).
            throw NodeError.configuration("the validator state is missing but \(stored) checkpoints are stored; run `sgpos node recover --data DIR`")
        }
        if state == nil {
            // A new network's validator is born here: its state exists from now on, so a
            // missing state later always means a loss.
            stateStore.save(PersistedValidatorState(height: 1))
        }
        if let state, state.height == 0 {
            core = nil  // being recovered (`sgpos node recover`): listen first
        } else {
            core = Self.makeCore(chainID: node.genesis.id, app: app, keys: keys, stateStore: stateStore, timeouts: timeouts, firstHeight: stored + 1)
        }
        let set = app.validators(height: stored + 1)
        if let index = keys.lazy.compactMap({ set.index(of: $0.publicKey) }).first {
            logger.info("validator \(index) of \(set.count) at checkpoint height \(stored + 1), power \(set.power(of: index)) of \(set.totalPower)")
        } else {
            logger.info("none of this node's keys is a validator at checkpoint height \(stored + 1): following as an observer")
        }
    }

    static func makeCore(chainID: Hash256, app: NodeCheckpoints, keys: [SigningKey], stateStore: LMDBValidatorStateStore,
                         timeouts: ConsensusTimeouts, firstHeight: UInt64) -> TendermintCore {
        TendermintCore(chainID: chainID, schedule: { app.validators(height: $0) }, keys: keys, store: stateStore,
                       timeouts: timeouts, firstHeight: firstHeight)
    }

    /// A recovering validator has heard the heights of a quorum of the others: it resumes
    /// after its stored checkpoints (taking the missing ones from the others' commit
    /// certificates) and signs only above its horizon, one above the highest height heard
    /// (``TendermintCore/recoveryHorizon(heard:storedCheckpoint:)``): having decided h−1
    /// it may have signed at h, and the quorum that decided h−1 shares a correct member
    /// with the quorum heard, working at h−1 or above.
    func startAfterListening() async {
        let stored = (try? storage.latest()?.height) ?? 0
        let horizon = TendermintCore.recoveryHorizon(heard: Array(heard.values), storedCheckpoint: stored)
        let state = TendermintCore.recoveredState(horizon: horizon, from: stored + 1)
        stateStore.save(state)
        logger.notice("validator starts at checkpoint height \(state.height), signing above \(state.signFromHeight) (heard \(heard.count) validators)")
        core = Self.makeCore(chainID: node.genesis.id, app: app, keys: keys, stateStore: stateStore, timeouts: timeouts, firstHeight: stored + 1)
        heard = [:]
        await startCore()
    }

    /// How messages leave (the replicator's sessions).
    public func attach(_ transport: @escaping @Sendable (ConsensusTarget, ConsensusMessage) async -> Void) {
        self.transport = transport
    }

    /// How acknowledgements of checkpoints leave (the replicator's sessions).
    public func attachAcks(_ transport: @escaping @Sendable (CheckpointAck) async -> Void) {
        ackTransport = transport
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await self.startCore()
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { await self.tickForever() }
                tasks.addTask { await self.watchOwnBlocks() }
            }
        }
        for task in timerTasks { task.cancel() }
        logger.info("checkpoint service stopped")
    }

    func startCore() async {
        guard core != nil else { return }
        await perform(core!.start(app))
    }

    /// A message from the validator of `outlet`.
    public func receive(_ message: ConsensusMessage, from outlet: OutletID) async {
        guard let index = outlets.firstIndex(of: outlet) else { return }
        guard core != nil else {
            if case .status(let height) = message, outlet != node.outletID {
                heard[outlet] = height
                // A quorum of the outlets (every node relays the validators' messages).
                if heard.count >= outlets.count * 2 / 3 { await startAfterListening() }
            }
            return
        }
        await perform(core!.receive(message, from: UInt16(index), app))
    }

    public func status() -> Status {
        let sorted = finality.sorted()
        func percentile(_ p: Int) -> UInt64? { sorted.isEmpty ? nil : sorted[min(sorted.count - 1, sorted.count * p / 100)] }
        var covered: [String: UInt64] = [:]
        for head in app.last?.heads ?? [] { covered[String(head.outlet)] = head.height }
        let working = core?.height ?? 0
        let set = core?.validators ?? app.validators(height: app.schedule.through + 1)
        let network = try? node.read { try node.store.networkPosition(genesisRoot: app.genesisRoot, $0) }
        return Status(working: working, round: core?.round ?? 0, checkpointHeight: (try? storage.latest()?.height) ?? 0, decidedAtMs: lastDecision?.atMs,
                      agreedTimeMs: app.last?.timeMs, covered: covered, validators: set.count, totalPower: set.totalPower, validatorIndex: core?.index,
                      validatorPower: core?.index.map { set.power(of: $0) }, finalityP50Ms: percentile(50), finalityP99Ms: percentile(99),
                      finalitySamples: sorted.count, doubleVotes: doubleVotes, networkHeight: network?.height ?? 0,
                      networkRoot: (network?.root ?? app.genesisRoot).hex, networkDivergence: app.networkDivergence)
    }

    public func certificate(height: UInt64) throws -> CommitCertificate? { try storage.certificate(height: height) }

    // MARK: Driving the core

    func perform(_ outputs: [ConsensusOutput]) async {
        for output in outputs {
            switch output {
            case .broadcast(let message):
                await transport?(.all, message)
            case .send(let validator, let message):
                await transport?(.outlet(outlets[Int(validator)]), message)
            case .schedule(let timeout, let afterMs):
                schedule(timeout, afterMs: afterMs)
            case .decided(let certificate):
                decided(certificate)
                await acknowledge(certificate)
            case .evidence(let evidence):
                doubleVotes += 1
                doubleVoteCounter.increment()
                recordEvidence(evidence)
            case .peerBehind(let validator, let height):
                if let certificate = try? storage.certificate(height: height) {
                    await transport?(.outlet(outlets[Int(validator)]), .commit(certificate))
                }
            }
        }
    }

    func schedule(_ timeout: ScheduledTimeout, afterMs: UInt64) {
        timerTasks.removeAll { $0.isCancelled }
        if timerTasks.count > 64 { timerTasks.removeFirst(timerTasks.count - 64) }
        timerTasks.append(Task { [weak self] in
            try? await Task.sleep(nanoseconds: afterMs * 1_000_000)
            guard !Task.isCancelled, let self else { return }
            await self.fire(timeout)
        })
    }

    func fire(_ timeout: ScheduledTimeout) async {
        guard core != nil else { return }
        await perform(core!.timeout(timeout, app))
    }

    func tickForever() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: Self.tickMs * 1_000_000)
            guard core != nil else {
                // Listening: tell the others we are here (height 0: recovering).
                await transport?(.all, .status(height: 0))
                continue
            }
            await perform(core!.tick())
            advanceNetworkState()
            // Blocks replicated since the last tick may make a pending proposal valid.
            await perform(core!.reevaluate(app))
        }
    }

    func decided(_ certificate: CommitCertificate) {
        let now = UInt64(wallClockMs())
        heightGauge.record(Int64(certificate.height))
        guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value) else { return }
        lastDecision = (certificate.height, now, checkpoint)
        if let own = checkpoint.head(of: node.outletID) {
            for height in committedAt.keys.sorted() where height <= own.height {
                let latency = now - min(now, committedAt[height]!)
                finality.append(latency)
                finalityTimer.recordMilliseconds(Int64(latency))
                committedAt[height] = nil
            }
            if finality.count > Self.finalitySamplesMax { finality.removeFirst(finality.count - Self.finalitySamplesMax) }
        }
        logger.debug("checkpoint \(certificate.height) final in round \(certificate.round)")
    }

    /// Signs and sends this outlet's acknowledgement of a decided checkpoint's agreed time
    /// with its own chain's height now (docs/CONSENSUS.md §11): every block this node seals
    /// from here on is above that height and must be stamped no earlier than the agreed
    /// time less twice the precision. A clock behind that is logged loudly here, before the
    /// other nodes turn the next block into evidence.
    func acknowledge(_ certificate: CommitCertificate) async {
        guard let ackTransport, let checkpoint = try? Checkpoint(canonicalBytes: certificate.value), let time = checkpoint.timeMs,
              let head = try? node.read({ try node.store.head(node.outletID, $0) }) else { return }
        let ack = CheckpointAck.sign(chainID: node.genesis.id, outlet: node.outletID, checkpointHeight: certificate.height,
                                     checkpointTimeMs: time, headHeight: head.height, key: node.nodeKey)
        let earliest = ack.earliestBlockTimeMs(node.genesis.timeParameters)
        if UInt64(wallClockMs()) < earliest, !clockBehindReported {
            clockBehindReported = true
            logger.critical("THIS NODE'S CLOCK IS BEHIND the agreed time of checkpoint \(certificate.height) by more than twice the precision: blocks it seals now are evidence against this outlet (fix the clock: NTP; docs/OPERATIONS.md)")
        }
        await ackTransport(ack)
    }

    /// Notes when each own block committed, for the finality figures.
    func watchOwnBlocks() async {
        var seen = (try? node.read { try node.store.head(node.outletID, $0) }.height) ?? 0
        while !Task.isCancelled {
            let height = await node.localBlocks.next(after: seen)
            guard height > seen else { continue }
            let now = UInt64(wallClockMs())
            for committed in (seen + 1)...height where committedAt.count < Self.finalitySamplesMax { committedAt[committed] = now }
            seen = height
        }
    }

    /// Applies decided checkpoints to the network state; reports a divergence once.
    func advanceNetworkState() {
        let diverged = app.networkDivergence != nil
        app.advanceNetworkState()
        if !diverged, let divergence = app.networkDivergence {
            logger.critical("NETWORK STATE DIVERGED, not applying further checkpoints: \(divergence) (docs/OPERATIONS.md)")
        }
    }

    func recordEvidence(_ evidence: DoubleVoteEvidence) {
        let directory = node.dataDirectory + "/evidence"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let vote = evidence.first
        var encoder = CanonicalEncoder(capacity: 512)
        evidence.first.encode(to: &encoder)
        evidence.second.encode(to: &encoder)
        let path = "\(directory)/double-vote-h\(vote.height)-r\(vote.round)-\(vote.kind)-v\(vote.validator).bin"
        _ = FileManager.default.createFile(atPath: path, contents: Data(encoder.bytes))
        let key = app.validators(height: vote.height).keys[Int(vote.validator)]
        logger.error("DOUBLE VOTE: validator \(vote.validator) (key \(key.hex)) signed two \(vote.kind)s at height \(vote.height) round \(vote.round); evidence in \(path)")
    }
}
