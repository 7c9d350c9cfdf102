import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import Synchronization
import SGPOSPeerProtocol

/// Replication between outlet nodes (docs/PEERS.md): peers connect over mutually
/// authenticated TLS 1.3 whose certificates their genesis node keys sign (``PeerTLSIdentity``),
/// authenticate with those keys again inside, exchange heads, pull the ranges they miss, and every local block
/// is pushed to every connected peer. Replica blocks are validated exactly as the
/// auditor validates them (signatures, links, state rules) before they are stored. A
/// node dials the peers with a higher outlet id and accepts the others; lost connections
/// are redialled with capped exponential backoff.
public final class Replicator: Service, Sendable {
    let node: LedgerNode
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    /// Authenticated sessions by peer outlet, and whether fault drills cut this node off.
    private struct Peers {
        var sessions: [OutletID: PeerSession] = [:]
        var isolated = false
    }
    private let peers = Mutex(Peers())
    private let validator: BlockValidator
    private let replicaBlocks = Counter(label: "sgpos_replica_blocks_total")
    /// Logs how far catching up a chain from the peers has come.
    private let catchUp: CatchUpProgress
    private let equivocations = Counter(label: "sgpos_equivocations_total")
    private let refusedConnections = Counter(label: "sgpos_peer_connections_refused_total")
    /// Caps on inbound peer connections: every outlet may connect (and reconnect) from
    /// one address, and a flood of unauthenticated connections is bounded.
    let inboundLimiter: ConnectionLimiter
    /// The validator of the checkpoint chain, if this network has one.
    let checkpoints: CheckpointService?
    /// Other outlets' clocks against their acknowledgements of checkpoints.
    let clockWatch: ClockWatch
    /// TLS contexts of the peer links (server side, client side); nil when the
    /// configuration turns peer TLS off (`peerTLS: false`).
    private let tls: (server: NIOSSLContext, client: NIOSSLContext)?
    /// Peers refused in the TLS handshake (a certificate not bound to a genesis node key).
    private let refusedHandshakes = Atomic<Int>(0)
    /// Per session: the apply of its last blocks message, still running while the next
    /// message is received and its signatures verified (at most one per session).
    private let applying = Mutex<[ObjectIdentifier: Task<Void, any Error>]>([:])
    /// Per session and outlet: when blocks were last asked for, so that a heads message
    /// arriving during a catch-up does not ask for (and make this node verify) them twice.
    private let requested = Mutex<[ObjectIdentifier: [OutletID: ContinuousClock.Instant]]>([:])
    /// How long an unanswered request for blocks keeps a heads message from asking again.
    static let requestPatience: Duration = .seconds(10)

    public init(node: LedgerNode, logger: Logger, group: MultiThreadedEventLoopGroup = .singleton, checkpoints: CheckpointService? = nil) throws {
        if node.config.peerTLS ?? true {
            let identity = try PeerTLSIdentity.make(nodeKey: node.nodeKey, outlet: node.outletID, genesisID: node.genesis.id)
            tls = (try NIOSSLContext(configuration: identity.configuration(server: true)),
                   try NIOSSLContext(configuration: identity.configuration(server: false)))
        } else {
            tls = nil
        }
        self.node = node
        self.logger = logger
        catchUp = CatchUpProgress(logger: logger)
        self.group = group
        self.checkpoints = checkpoints
        clockWatch = ClockWatch(node: node)
        validator = BlockValidator(genesis: node.genesis, rules: POSRules.chainRules)
        let outlets = node.genesis.outlets.count
        // The configured peers' addresses (those given as IP addresses) keep two slots each
        // beyond the total cap: a keyless flood from other addresses cannot keep them out.
        let peerAddresses = Set(node.config.peers.compactMap { try? SocketAddress(ipAddress: $0.host, port: 0).ipAddress })
        inboundLimiter = ConnectionLimiter(totalMax: 2 * outlets + 32, perAddressMax: outlets + 8, reserved: peerAddresses)
    }

    public var connectedCount: Int { peers.withLock { $0.sessions.count } }
    /// The outlets whose nodes are connected now.
    public var connectedOutlets: Set<OutletID> { peers.withLock { Set($0.sessions.keys) } }
    public var isIsolated: Bool { peers.withLock { $0.isolated } }

    /// Cuts this node off its peers (closes every connection, stops dialling and
    /// accepting) or reconnects it. Fault drills only.
    public func setIsolated(_ value: Bool) async {
        let closing: [PeerSession] = peers.withLock { peers in
            peers.isolated = value
            return value ? Array(peers.sessions.values) : []
        }
        for session in closing { await session.close() }
        logger.notice("peer isolation \(value ? "on" : "off")")
    }

    public func run() async throws {
        do {
            try await runUntilShutdown()
        } catch where Task.isCancelled || error is CancellationError {
            // A graceful shutdown cancels the listener and the dialers: not an error.
        }
        logger.info("replicator stopped")
    }

    private func runUntilShutdown() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { try await self.listen() }
                for peer in self.node.config.peers where peer.outletId > self.node.outletID {
                    tasks.addTask { await self.dial(peer) }
                }
                tasks.addTask { await self.pushLocalBlocks() }
                tasks.addTask { await self.exchangeHeadsPeriodically() }
            }
        }
    }

    // MARK: connections

    private func listen() async throws {
        let endpoint = node.config.peer
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture { try self.accept(channel) }
            }
        logger.info("peer protocol listening on \(endpoint.host):\(endpoint.port)")
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { connections in
                    for try await (connection, address, refusal) in inbound {
                        if let refusal {
                            self.refusedConnections.increment()
                            if ConnectionLimiter.isWorthLogging(refusal.refusedSoFar) {
                                self.logger.warning("peer connection from \(address) refused: \(refusal.reason) (\(refusal.refusedSoFar) refused so far)")
                            }
                            // No TLS was set up on it: it closes at once. In a child task, so the
                            // accept loop goes on (executeThenClose finishes the channel's writer).
                            connections.addTask { try? await connection.channel.executeThenClose { _, _ in } }
                            continue
                        }
                        connections.addTask {
                            defer { self.inboundLimiter.release(address) }
                            guard !self.isIsolated else {
                                // Closed through executeThenClose, which finishes the async
                                // channel's writer: a bare channel close left it unfinished, and
                                // its deinit then stopped the node (a fatal error in NIO, seen when
                                // a peer dialled a node cut off in a drill).
                                try? await connection.channel.executeThenClose { _, _ in }
                                return
                            }
                            await self.serve(connection, expected: nil)
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    private func dial(_ peer: NodeConfig.Peer) async {
        var backoffMs: UInt64 = 100
        while !Task.isCancelled {
            if !isIsolated {
                do {
                    let connection = try await ClientBootstrap(group: group)
                        .connectTimeout(.seconds(2))
                        .connect(host: peer.host, port: peer.port) { channel in
                            channel.eventLoop.makeCompletedFuture { try self.configure(channel, expected: peer.outletId) }
                        }
                    backoffMs = 100
                    await serve(connection, expected: peer.outletId)
                } catch {
                    logger.debug("dial outlet \(peer.outletId) at \(peer.host):\(peer.port) failed: \(error)")
                }
            }
            try? await Task.sleep(nanoseconds: backoffMs * 1_000_000)
            backoffMs = min(backoffMs * 2, 5_000)
        }
    }

    /// An inbound connection, admitted or refused by the caps before anything is set up
    /// on it: a refused one gets no TLS (it closes at once); an admitted one is configured.
    private func accept(_ channel: any Channel) throws -> (PeerChannel, String, (reason: String, refusedSoFar: Int)?) {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        if let refusal = inboundLimiter.admit(address) {
            return (try PeerSession.configure(channel, verifier: nil), address, refusal)
        }
        do {
            return (try configure(channel, expected: nil), address, nil)
        } catch {
            inboundLimiter.release(address)
            throw error
        }
    }

    /// A new connection's pipeline: TLS (unless turned off), whose handshake checks the
    /// peer's certificate against the genesis, then the frames.
    private func configure(_ channel: any Channel, expected: OutletID?) throws -> PeerChannel {
        guard let tls else { return try PeerSession.configure(channel, verifier: nil) }
        let verifier = PeerTLSVerifier(genesis: node.genesis, ownOutlet: node.outletID, expected: expected)
        if expected == nil {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(context: tls.server, customVerificationCallback: verifier.verify))
        } else {
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: tls.client, serverHostname: nil, customVerificationCallback: verifier.verify))
        }
        return try PeerSession.configure(channel, verifier: verifier)
    }

    /// Runs one authenticated session until it ends.
    private func serve(_ connection: PeerChannel, expected: OutletID?) async {
        let session = PeerSession(node: node, connection: connection)
        do {
            try await session.run(expected: expected) { event in
                switch event {
                case .authenticated(let outlet):
                    let previous: PeerSession? = self.peers.withLock { peers in
                        let old = peers.sessions[outlet]
                        peers.sessions[outlet] = session
                        return old
                    }
                    if let previous, previous !== session { await previous.close() }
                    self.logger.info("peer outlet \(outlet) connected")
                    try await session.send(.heads(try self.localHeads()))
                case .message(let message):
                    try await self.handle(message, from: session)
                }
            }
        } catch {
            if let reason = connection.verifier?.refusalReason {
                let refused = refusedHandshakes.add(1, ordering: .relaxed).newValue
                refusedConnections.increment()
                if ConnectionLimiter.isWorthLogging(refused) {
                    logger.warning("peer refused in the TLS handshake: \(reason) (\(refused) refused so far)")
                }
            } else {
                logger.debug("peer session ended: \(error)")
            }
        }
        let pending = applying.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
        _ = try? await pending?.value
        _ = requested.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
        if let outlet = session.peerOutlet {
            peers.withLock { peers in if peers.sessions[outlet] === session { peers.sessions[outlet] = nil } }
            logger.info("peer outlet \(outlet) disconnected")
        }
        await session.close()
    }

    /// Sends this node's acknowledgement of a checkpoint to every connected peer.
    public func sendAck(_ ack: CheckpointAck) async {
        let receivers = peers.withLock { Array($0.sessions.values) }
        for session in receivers { try? await session.send(.checkpointAck(ack)) }
    }

    /// Sends a consensus message to every connected peer, or to one outlet's node.
    public func sendConsensus(_ target: ConsensusTarget, _ message: ConsensusMessage) async {
        let receivers: [PeerSession] = peers.withLock { peers in
            switch target {
            case .all: Array(peers.sessions.values)
            case .outlet(let outlet): peers.sessions[outlet].map { [$0] } ?? []
            }
        }
        for session in receivers { try? await session.send(.consensus(message)) }
    }

    // MARK: replication

    func localHeads() throws -> [PeerHead] {
        try node.heads().map { PeerHead(outlet: $0.outletID, height: $0.height, blockID: $0.blockID) }
    }

    private func handle(_ message: PeerMessage, from session: PeerSession) async throws {
        switch message {
        case .hello, .auth:
            throw NodeError.peerProtocol("handshake message after authentication")
        case .consensus(let message):
            if let checkpoints, let outlet = session.peerOutlet { await checkpoints.receive(message, from: outlet) }
        case .checkpointAck(let ack):
            // Only from the outlet itself, over its authenticated session.
            if let outlet = session.peerOutlet {
                do { try clockWatch.receive(ack, from: outlet) } catch { logger.error("checkpoint acknowledgement of outlet \(outlet) not kept: \(error)") }
            }
        case .heads(let heads):
            let mine = Dictionary(uniqueKeysWithValues: try localHeads().map { ($0.outlet, $0) })
            for head in heads {
                guard let local = mine[head.outlet] else { continue }
                catchUp.announced(head.outlet, local: local.height, announced: head.height)
                if head.height > local.height {
                    guard askingFor(head.outlet, from: session, whenHeads: true) else { continue }
                    try await session.send(.getBlocks(outlet: head.outlet, from: local.height + 1,
                                                      count: UInt32(min(UInt64(PeerMessage.blocksPerMessageMax), head.height - local.height))))
                } else if head.height == local.height, head.blockID != local.blockID, head.height > 0 {
                    // Same height, different block: ask for it to keep the evidence.
                    try await session.send(.getBlocks(outlet: head.outlet, from: head.height, count: 1))
                }
            }
        case .getBlocks(let outlet, let from, let count):
            let limited = min(count, PeerMessage.blocksPerMessageMax)
            let blocks: [Block] = try node.read { transaction in
                var found: [Block] = []
                var height = from
                while found.count < Int(limited), let block = try node.store.block(outlet, height: height, transaction) {
                    found.append(block)
                    height += 1
                }
                return found
            }
            if !blocks.isEmpty { try await session.send(.blocks(blocks)) }
        case .blocks(let blocks):
            // A full message of one outlet's consecutive blocks: more probably follow, so ask
            // for them now and let the peer read and send them while these are applied.
            var prefetched = false
            if blocks.count == Int(PeerMessage.blocksPerMessageMax), let first = blocks.first, let last = blocks.last,
               blocks.allSatisfy({ $0.header.outletID == first.header.outletID }),
               last.header.height == first.header.height + UInt64(blocks.count - 1) {
                _ = askingFor(first.header.outletID, from: session, whenHeads: false)
                try await session.send(.getBlocks(outlet: first.header.outletID, from: last.header.height + 1,
                                                  count: PeerMessage.blocksPerMessageMax))
                prefetched = true
            }
            // Signatures are verified here, on all cores, while the previous message of this
            // session is still being applied; then this one is applied after it, in order.
            let checked = try prepareForApply(blocks)
            let previous = applying.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
            try await previous?.value
            let task = Task {
                do {
                    try await self.applyAndFollow(blocks, checked: checked, prefetched: prefetched, session: session)
                } catch {
                    self.logger.error("replica blocks from outlet \(session.peerOutlet.map(String.init) ?? "?") not applied: \(error)")
                    throw error
                }
            }
            applying.withLock { $0[ObjectIdentifier(session)] = task }
        }
    }

    /// Whether to ask `session` for blocks of `outlet` now. A blocks message (`whenHeads`
    /// false) always asks and notes the time; a heads message asks only if no request of
    /// this session for the outlet is younger than ``requestPatience``.
    private func askingFor(_ outlet: OutletID, from session: PeerSession, whenHeads: Bool) -> Bool {
        let now = ContinuousClock.now
        return requested.withLock { requested in
            let key = ObjectIdentifier(session)
            if whenHeads, let last = requested[key]?[outlet], now - last < Self.requestPatience { return false }
            requested[key, default: [:]][outlet] = now
            return true
        }
    }

    /// Applies a blocks message that ``prepareForApply(_:)`` prepared, publishes what it
    /// added, and asks for what follows.
    private func applyAndFollow(_ blocks: [Block], checked: PreparedBlocks, prefetched: Bool, session: PeerSession) async throws {
        var lastApplied: (OutletID, UInt64)?
        for block in try applyAll(blocks, prepared: checked) {
            lastApplied = (block.header.outletID, block.header.height)
            do { try clockWatch.check(block) } catch { logger.error("clock evidence not kept: \(error)") }
            node.blockEvents.publish(BlockEvent(outletId: block.header.outletID, height: block.header.height, transactions: block.transactions.count))
        }
        if let (outlet, _) = lastApplied {
            // Maybe more: ask the sender for what follows.
            let height = try node.read { try node.store.head(outlet, $0) }.height
            catchUp.applied(outlet, height: height)
            if !prefetched {
                _ = askingFor(outlet, from: session, whenHeads: false)
                try await session.send(.getBlocks(outlet: outlet, from: height + 1, count: PeerMessage.blocksPerMessageMax))
            }
        }
    }

    /// Validates and stores the blocks of one message in one durable write (one fsync for
    /// all of them); returns those that extended a chain. If any block is refused, the
    /// write is abandoned and the blocks are applied one by one, so the good ones before
    /// it are kept and the bad one gets its own error. `prepared`: what
    /// ``prepareForApply(_:)`` verified and compressed for these blocks.
    func applyAll(_ blocks: [Block], prepared: PreparedBlocks) throws -> [Block] {
        precondition(prepared.signaturesChecked.count == blocks.count && prepared.stored.count == blocks.count, "one entry per block")
        guard blocks.count > 1 else { return try blocks.filter { try apply($0) } }
        do {
            return try node.store.environment.write { transaction in
                try blocks.indices.filter { index in
                    try apply(blocks[index], transaction, signaturesChecked: prepared.signaturesChecked[index], stored: prepared.stored[index])
                }.map { blocks[$0] }
            }
        } catch {
            var applied: [Block] = []
            for block in blocks {
                do {
                    if try apply(block) { applied.append(block) }
                } catch {
                    if applied.isEmpty { throw error }
                    break
                }
            }
            return applied
        }
    }

    /// Validates and stores a replica block; true if it extended the chain. Blocks at a
    /// height already held with a different id are equivocation: both headers are kept.
    func apply(_ block: Block) throws -> Bool {
        try node.store.environment.write { transaction in try apply(block, transaction) }
    }

    func apply(_ block: Block, _ transaction: LMDBTransaction, signaturesChecked: Bool = false, stored: [UInt8]? = nil) throws -> Bool {
        let outlet = block.header.outletID
        guard node.genesis.outlet(outlet) != nil else { throw NodeError.peerProtocol("block of unknown outlet \(outlet)") }
        let head = try node.store.head(outlet, transaction)
        if block.header.height <= head.height {
            if let held = try node.store.block(outlet, height: block.header.height, transaction), held.id != block.id,
                block.hasValidSignature, block.header.producer == held.header.producer {
                try EvidenceStore.record(held: held, conflicting: block, directory: node.dataDirectory + "/evidence")
                equivocations.increment()
                logger.error("EQUIVOCATION: outlet \(outlet) signed two blocks at height \(block.header.height): \(held.id) and \(block.id); evidence kept")
            }
            return false
        }
        guard block.header.height == head.height + 1 else { return false }
        try node.store.appendValidated(block, validator: validator, networkSources: POSRules.chainRules.networkSourceTables,
                                       transactionSignaturesChecked: signaturesChecked, storedBlock: stored, transaction)
        replicaBlocks.increment()
        return true
    }

    /// Fault injection (`POST /v1/admin/equivocate`): signs a copy of this outlet's newest
    /// block with a timestamp 1 ms later (a second, valid block at the same height) and
    /// pushes it to every connected peer. Nothing is stored here.
    func pushConflictingCopyOfHead() async throws -> (held: Block, conflicting: Block)? {
        let held: Block? = try node.read { transaction in
            let head = try node.store.head(node.outletID, transaction)
            return head.height == 0 ? nil : try node.store.block(node.outletID, height: head.height, transaction)
        }
        guard let held else { return nil }
        var header = held.header
        header.timestampMs += 1
        let conflicting = Block.seal(header: header, transactions: held.transactions, key: node.nodeKey)
        for session in peers.withLock({ Array($0.sessions.values) }) { try? await session.send(.blocks([conflicting])) }
        logger.warning("fault injection: outlet \(node.outletID) signed a second block at height \(held.header.height) and pushed it to its peers")
        return (held, conflicting)
    }

    /// Pushes every new local block to every connected peer.
    private func pushLocalBlocks() async {
        var seen = (try? node.read { try node.store.head(node.outletID, $0) }.height) ?? 0
        while !Task.isCancelled {
            let height = await node.localBlocks.next(after: seen)
            guard height > seen else { continue }
            let blocks: [Block] = (try? node.read { transaction in
                try ((seen + 1)...height).suffix(Int(PeerMessage.blocksPerMessageMax)).compactMap {
                    try node.store.block(node.outletID, height: $0, transaction)
                }
            }) ?? []
            seen = height
            for session in peers.withLock({ Array($0.sessions.values) }) {
                try? await session.send(.blocks(blocks))
            }
        }
    }

    /// Heads every 2 s: a peer that missed a push (or restarted) catches up.
    private func exchangeHeadsPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 2_000_000_000)
            guard let heads = try? localHeads() else { continue }
            for session in peers.withLock({ Array($0.sessions.values) }) { try? await session.send(.heads(heads)) }
        }
    }
}
