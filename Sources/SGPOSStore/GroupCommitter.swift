#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Metrics
import SGPOSChain
import Synchronization

/// Group commit: transactions submitted concurrently wait a moment and share one
/// durable block. One block is written at a time, on a dedicated thread (LMDB commits
/// block on fsync, which must not stall the concurrency pool); whatever arrived while
/// it was written becomes the next block. Bounded: beyond `pendingMax` waiting
/// submissions new ones are refused at once (backpressure to the tills). A batch
/// (``submitAll(_:)``) joins the queue as one contiguous run, so its transactions reach
/// blocks in request order, and it is answered once its last block is durable.
///
/// This is the one write path of an outlet's chain: the node's API, the CLI's `till`,
/// `chain append` and `debug crash-writer` all submit through a committer (the demo and
/// the benchmarks build synthetic chains with the ``OutletChainWriter`` underneath it).
public actor GroupCommitter {
    private let writer: OutletChainWriter
    private let blockMax: Int
    private let pendingMax: Int
    private let writeQueue = DispatchQueue(label: "sgpos.node.commit")
    private var pending: [(transaction: SignedTransaction, signatureValid: Bool, waiter: Waiter)] = [] {
        didSet { waitingCount.withLock { $0 = pending.count } }
    }
    /// `pending.count`, readable off the actor: a submission to a full queue is refused
    /// before any of its signatures is checked (an overloaded node spends nothing on it).
    private let waitingCount = Mutex(0)
    private var flushing = false
    private let onCommit: @Sendable ([SignedTransaction], [AppendOutcome]) -> Void
    private let clock: @Sendable () -> TimestampMs
    private let blocksCommitted = Counter(label: "sgpos_blocks_committed_total")
    private let transactionsCommitted = Counter(label: "sgpos_transactions_total", dimensions: [("result", "committed")])
    private let transactionsRejected = Counter(label: "sgpos_transactions_total", dimensions: [("result", "rejected")])
    private let transactionsDuplicate = Counter(label: "sgpos_transactions_total", dimensions: [("result", "duplicate")])
    private let commitTimer = Timer(label: "sgpos_block_commit_seconds")

    /// - Parameters:
    ///   - blockMax: most transactions per block (at most the genesis block limit).
    ///   - pendingMax: most submissions waiting; beyond it ``GroupCommitError/overloaded(_:)``.
    ///   - clock: the block time source (the node's wall clock; fixed in tests).
    ///   - onCommit: called after each block with its transactions and their outcomes.
    public init(writer: OutletChainWriter, blockMax: Int, pendingMax: Int,
                clock: @escaping @Sendable () -> TimestampMs = { wallClockMs() },
                onCommit: @escaping @Sendable ([SignedTransaction], [AppendOutcome]) -> Void = { _, _ in }) {
        precondition(blockMax >= 1 && pendingMax >= blockMax, "group commit bounds")
        precondition(blockMax <= Int(writer.store.genesis.blockTransactionsMax), "blockMax exceeds the genesis block limit")
        self.writer = writer
        self.clock = clock
        self.blockMax = blockMax
        self.pendingMax = pendingMax
        self.onCommit = onCommit
    }

    /// Submits one transaction; returns once its block is durable (or it was refused).
    /// Its signature is checked here, on the submitter's task, before it queues: submitters
    /// verify in parallel on every core, and the thread that writes blocks only applies
    /// and commits (a signed transaction authenticates its submission exactly once).
    public nonisolated func submit(_ transaction: SignedTransaction) async throws -> AppendOutcome {
        try refuseWhenFull(adding: 1)
        return try await enqueue(transaction, signatureValid: transaction.hasValidSignature)
    }

    /// Submissions waiting for a block (the writer's current block not counted).
    public nonisolated var waiting: Int { waitingCount.withLock { $0 } }

    /// Refuses `count` more submissions at once when they cannot fit below `pendingMax`
    /// now; the queue itself checks again when they join it (it may fill meanwhile).
    private nonisolated func refuseWhenFull(adding count: Int) throws {
        try Self.requireRoom(for: count, waiting: waiting, pendingMax: pendingMax)
    }

    /// The one room check: before the signatures (``waiting``) and as the submissions join
    /// the queue (`pending.count`, on the actor).
    private static func requireRoom(for count: Int, waiting: Int, pendingMax: Int) throws {
        guard count <= pendingMax - waiting else {
            throw GroupCommitError.overloaded(
                "\(waiting) transactions are waiting to be committed" + (count > 1 ? " and the batch has \(count)" : "")
                    + " (limit \(pendingMax)); retry later with the same idempotency ids")
        }
    }

    private func enqueue(_ transaction: SignedTransaction, signatureValid: Bool) async throws -> AppendOutcome {
        try Self.requireRoom(for: 1, waiting: pending.count, pendingMax: pendingMax)
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((transaction, signatureValid, .one(continuation)))
            startFlushing()
        }
    }

    /// Submits `transactions` together, in order; returns one outcome per transaction, in
    /// order, once every block holding them is durable. The whole batch is refused at once
    /// (nothing queued) when it does not fit below `pendingMax`. Signatures are checked
    /// before the batch queues (on every core for a large batch), as in ``submit(_:)``.
    public nonisolated func submitAll(_ transactions: [SignedTransaction]) async throws -> [AppendOutcome] {
        guard !transactions.isEmpty else { return [] }
        try refuseWhenFull(adding: transactions.count)
        return try await enqueueAll(transactions, signatureValid: OutletChainWriter.verifySignatures(transactions))
    }

    private func enqueueAll(_ transactions: [SignedTransaction], signatureValid: [Bool]) async throws -> [AppendOutcome] {
        try Self.requireRoom(for: transactions.count, waiting: pending.count, pendingMax: pendingMax)
        return try await withCheckedThrowingContinuation { continuation in
            let batch = BatchWaiter(count: transactions.count, continuation: continuation)
            for (position, transaction) in transactions.enumerated() {
                pending.append((transaction, signatureValid[position], .batch(batch, position)))
            }
            startFlushing()
        }
    }

    private func startFlushing() {
        if !flushing {
            flushing = true
            Task { await self.flush() }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(blockMax))
            pending.removeFirst(batch.count)
            let transactions = batch.map(\.transaction)
            let signatureValid = batch.map(\.signatureValid)
            let started = DispatchTime.now()
            let result: Result<[AppendOutcome], any Error> = await withCheckedContinuation { done in
                writeQueue.async { [writer, clock] in
                    done.resume(returning: Result { try writer.append(transactions, signatureValid: signatureValid, timestampMs: clock()) })
                }
            }
            commitTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds))
            switch result {
            case .success(let outcomes):
                assert(outcomes.count == batch.count, "one outcome per transaction")
                var committed = false
                for (entry, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case .committed: transactionsCommitted.increment(); committed = true
                    case .duplicate: transactionsDuplicate.increment()
                    case .rejected: transactionsRejected.increment()
                    }
                    entry.waiter.resume(returning: outcome)
                }
                if committed { blocksCommitted.increment() }
                onCommit(transactions, outcomes)
            case .failure(let error):
                for entry in batch { entry.waiter.resume(throwing: error) }
            }
        }
        flushing = false
    }
}

/// A submission the committer refused before queueing it; nothing was written.
public struct GroupCommitError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case overloaded = 401
    }

    private let kind: Kind
    public let message: String

    /// Stable code: 401 overloaded (too many submissions waiting; retry the same bytes later).
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    public static func overloaded(_ message: String) -> GroupCommitError { .init(kind: .overloaded, message: message) }
    public var isOverloaded: Bool { kind == .overloaded }
}

/// Who waits for a queued transaction's outcome: one submitter, or a position in a batch.
private enum Waiter {
    case one(CheckedContinuation<AppendOutcome, any Error>)
    case batch(BatchWaiter, Int)

    func resume(returning outcome: AppendOutcome) {
        switch self {
        case .one(let continuation): continuation.resume(returning: outcome)
        case .batch(let batch, let position): batch.record(outcome, at: position)
        }
    }

    func resume(throwing error: any Error) {
        switch self {
        case .one(let continuation): continuation.resume(throwing: error)
        case .batch(let batch, _): batch.fail(error)
        }
    }
}

/// A batch's outcomes as its blocks commit; resumes its submitter exactly once: with every
/// outcome after the last one arrives, or with the first error (later outcomes of the
/// batch are dropped; a retry with the same bytes gets them as duplicates). Only touched
/// from the committer actor.
private final class BatchWaiter {
    private var outcomes: [AppendOutcome?]
    private var missing: Int
    private var continuation: CheckedContinuation<[AppendOutcome], any Error>?

    init(count: Int, continuation: CheckedContinuation<[AppendOutcome], any Error>) {
        outcomes = Array(repeating: nil, count: count)
        missing = count
        self.continuation = continuation
    }

    func record(_ outcome: AppendOutcome, at position: Int) {
        guard let continuation, outcomes[position] == nil else { return }
        outcomes[position] = outcome
        missing -= 1
        if missing == 0 {
            self.continuation = nil
            continuation.resume(returning: outcomes.map { $0! })
        }
    }

    func fail(_ error: any Error) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(throwing: error)
    }
}
