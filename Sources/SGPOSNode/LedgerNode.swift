import Foundation
import Logging
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSOperations
import SGPOSState
import SGPOSStore
import SGPOSReports
import Synchronization
import SGPOSClient

/// One outlet's node: its ledger (its own chain and its peers' replicas), the group
/// committer for its tills, and the read side the API and peers use. LMDB read
/// transactions run on any thread (MDB_NOTLS); writes go through the committer (own
/// chain) or the replicator (peers' chains), serialised by LMDB's writer lock.
public final class LedgerNode: Sendable {
    public let config: NodeConfig
    public let store: LedgerStore
    public let genesis: Genesis
    public let outletID: OutletID
    public let committer: GroupCommitter
    /// The node's data directory (the ledger, `evidence/`).
    public let dataDirectory: String
    let writer: OutletChainWriter
    let nodeKey: SigningKey
    /// Keys besides the node key this node may vote with (``NodeConfig/validatorKeys``).
    let validatorKeys: [SigningKey]
    let logger: Logger
    /// Called with every local block committed (the replicator pushes it to peers).
    let localBlocks: LocalBlockFeed
    /// Every block committed or replicated here, for `GET /v1/events` (EventsAPI).
    public let blockEvents: BlockEventHub
    /// The sales and GST figures per day that reports read (`<data>/reports`), kept up by
    /// ``ReportAggregationService``.
    public let reportAggregates: ReportAggregates?

    public init(config: NodeConfig, dataDirectory: String, store: LedgerStore, nodeKey: SigningKey, validatorKeys: [SigningKey] = [],
                logger: Logger) throws {
        self.config = config
        self.dataDirectory = dataDirectory
        self.store = store
        genesis = store.genesis
        outletID = config.outletId
        self.logger = logger
        self.nodeKey = nodeKey
        self.validatorKeys = validatorKeys
        guard genesis.outlet(outletID)?.nodeKey == nodeKey.publicKey else {
            throw NodeError.configuration("the node key is not the genesis node key of outlet \(config.outletId)")
        }
        writer = try OutletChainWriter(store: store, nodeKey: nodeKey, rules: POSRules.chainRules)
        reportAggregates = try ReportAggregates.open(dataDirectory: dataDirectory, create: true)
        let feed = LocalBlockFeed()
        localBlocks = feed
        let outlet = config.outletId
        let events = BlockEventHub()
        blockEvents = events
        committer = GroupCommitter(
            writer: writer, blockMax: Int(genesis.blockTransactionsMax), pendingMax: config.pendingMax ?? 20_000,
            onCommit: { _, outcomes in
                let committed = Dictionary(outcomes.compactMap { outcome -> (UInt64, Int)? in
                    if case .committed(let location) = outcome { return (location.height, 1) }
                    return nil
                }, uniquingKeysWith: +)
                let heights = Set(committed.keys)
                for height in heights.sorted() { feed.publish(outlet: outlet, height: height) }
                for (height, count) in committed.sorted(by: { $0.key < $1.key }) {
                    events.publish(BlockEvent(outletId: outlet, height: height, transactions: count))
                }
            })
    }

    /// Submits a signed transaction for this outlet; returns once durable or refused.
    public func submit(_ transaction: SignedTransaction) async throws -> AppendOutcome {
        if let refusal = ClaimPolicy.refusal(transaction, node: self) { return .rejected(refusal) }
        return try await committer.submit(transaction)
    }

    /// Submits signed transactions for this outlet together (a till's backlog); returns
    /// one outcome per transaction, in order, once all are durable or refused.
    public func submitAll(_ transactions: [SignedTransaction]) async throws -> [AppendOutcome] {
        let refusals = transactions.map { ClaimPolicy.refusal($0, node: self) }
        guard refusals.contains(where: { $0 != nil }) else { return try await committer.submitAll(transactions) }
        let accepted = try await committer.submitAll(zip(transactions, refusals).filter { $0.1 == nil }.map(\.0))
        var next = accepted.makeIterator()
        return refusals.map { refusal in refusal.map { .rejected($0) } ?? next.next()! }
    }

    /// Signs a peer handshake message with the node key.
    func signPeerAuth(_ message: [UInt8]) -> Signature { nodeKey.sign(message) }

    /// Reads with one consistent LMDB snapshot.
    public func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T { try store.environment.read(body) }

    /// The state of `outlet`'s chain as stored here.
    public func withState<T>(of outlet: OutletID, _ body: (StoredState) throws -> T) throws -> T {
        try read { try body(store.stateReader(outlet, $0)) }
    }

    /// Heads of every chain this node holds (own and replicas).
    public func heads() throws -> [ChainHead] {
        try read { transaction in try genesis.outlets.map { try store.head($0.id, transaction) } }
    }

    /// Prices a basket from this outlet's price list (the till's quote).
    public func quote(lines: [StockLine], memberID: String, redeemPoints: Int64, codes: [String] = []) throws -> SaleCalculator.PricedBasket {
        try withState(of: outletID) { state in
            try SaleBuilder(genesis: genesis, outlet: outletID, principal: "")
                .quote(lines, memberID: memberID, redeemPoints: redeemPoints, codes: codes, atMs: Int64(wallClockMs()), state: state)
        }
    }
}

/// Local block notifications for the replicator: the newest committed height. Bounded
/// by construction (one value; one waiter per pushing task), and cancellation-aware.
public final class LocalBlockFeed: Sendable {
    private struct State {
        var height: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<UInt64, Never>] = [:]
    }
    private let state = Mutex(State())

    func publish(outlet: OutletID, height newHeight: UInt64) {
        let (ready, value) = state.withLock { state in
            state.height = max(state.height, newHeight)
            defer { state.waiters = [:] }
            return (state.waiters, state.height)
        }
        for waiter in ready.values { waiter.resume(returning: value) }
    }

    /// Waits for a height above `seen`; returns the current height at once if cancelled.
    func next(after seen: UInt64) async -> UInt64 {
        let id: Int = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: UInt64? = state.withLock { state in
                    if state.height > seen || Task.isCancelled { return state.height }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let (waiter, value) = state.withLock { state in (state.waiters.removeValue(forKey: id), state.height) }
            waiter?.resume(returning: value)
        }
    }
}
