#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Metrics
import SGPOSChain
import SGPOSStore

/// Group commit: transactions submitted concurrently wait a moment and share one
/// durable block. One block is written at a time, on a dedicated thread (LMDB commits
/// block on fsync, which must not stall the concurrency pool); whatever arrived while
/// it was written becomes the next block. Bounded: beyond `pendingMax` waiting
/// submissions new ones are refused at once (backpressure to the tills).
public actor GroupCommitter {
    private let writer: OutletChainWriter
    private let blockMax: Int
    private let pendingMax: Int
    private let writeQueue = DispatchQueue(label: "sgpos.node.commit")
    private var pending: [(transaction: SignedTransaction, continuation: CheckedContinuation<AppendOutcome, any Error>)] = []
    private var flushing = false
    private let onCommit: @Sendable ([SignedTransaction], [AppendOutcome]) -> Void
    private let blocksCommitted = Counter(label: "sgpos_blocks_committed_total")
    private let transactionsCommitted = Counter(label: "sgpos_transactions_total", dimensions: [("result", "committed")])
    private let transactionsRejected = Counter(label: "sgpos_transactions_total", dimensions: [("result", "rejected")])
    private let transactionsDuplicate = Counter(label: "sgpos_transactions_total", dimensions: [("result", "duplicate")])
    private let commitTimer = Timer(label: "sgpos_block_commit_seconds")

    public init(writer: OutletChainWriter, blockMax: Int, pendingMax: Int,
                onCommit: @escaping @Sendable ([SignedTransaction], [AppendOutcome]) -> Void) {
        precondition(blockMax >= 1 && pendingMax >= blockMax, "group commit bounds")
        self.writer = writer
        self.blockMax = blockMax
        self.pendingMax = pendingMax
        self.onCommit = onCommit
    }

    /// Submits one transaction; returns once its block is durable (or it was refused).
    public func submit(_ transaction: SignedTransaction) async throws -> AppendOutcome {
        guard pending.count < pendingMax else {
            throw NodeError.overloaded("\(pending.count) transactions are waiting to be committed; retry with the same idempotency id")
        }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((transaction, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(blockMax))
            pending.removeFirst(batch.count)
            let transactions = batch.map(\.transaction)
            let started = DispatchTime.now()
            let result: Result<[AppendOutcome], any Error> = await withCheckedContinuation { done in
                writeQueue.async { [writer] in
                    done.resume(returning: Result { try writer.append(transactions, timestampMs: wallClockMs()) })
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
                    entry.continuation.resume(returning: outcome)
                }
                if committed { blocksCommitted.increment() }
                onCommit(transactions, outcomes)
            case .failure(let error):
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}

/// Milliseconds since the epoch, from the system clock: the block timestamp, chosen at
/// the edge (the state machine only ever sees it as an input).
func wallClockMs() -> TimestampMs {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return TimestampMs(now.tv_sec) * 1_000 + TimestampMs(now.tv_nsec / 1_000_000)
}
