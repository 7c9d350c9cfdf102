import Dispatch
import Foundation
import SGPOSChain
import SGPOSStore
import SGPOSTestSupport
import Testing

/// The committer checks each signature before the transaction queues (on the submitter's
/// task, not the block-writing thread): a forged one is refused there with the same
/// rejection the writer gives, whichever way it arrives, and its neighbours still commit.
@Suite struct GroupCommitterTests {
    let network = TestNetwork()

    private func forged(_ transaction: SignedTransaction) throws -> SignedTransaction {
        var bytes = transaction.encoded
        bytes[bytes.count - 5] ^= 1
        return try SignedTransaction(encoded: bytes)
    }

    private func reason(_ outcome: AppendOutcome) -> LedgerRejection.Reason? {
        if case .rejected(let rejection) = outcome { return rejection.reason }
        return nil
    }

    @Test func forgedSignaturesAreRefusedOneAtATimeAndInBatches() async throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 1, perBlock: 1)
        let committer = GroupCommitter(writer: try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0]),
                                       blockMax: 1_000, pendingMax: 2_000)

        // One at a time, concurrently: the forged one is refused, the good ones commit.
        let good = network.registerTill(TestNetwork.key("single-good"), principal: "single-good", sequence: 2)
        let bad = try forged(network.registerTill(TestNetwork.key("single-bad"), principal: "single-bad", sequence: 3))
        async let first = committer.submit(good)
        async let second = committer.submit(bad)
        let (goodOutcome, badOutcome) = try await (first, second)
        #expect(reason(badOutcome) == .badSignature)
        guard case .committed = goodOutcome else { Issue.record("good transaction not committed: \(goodOutcome)"); return }
        // A forged copy of a committed transaction (its idempotency id) is refused for its
        // signature, not answered as a duplicate saying where the first one is.
        #expect(reason(try await committer.submit(try forged(good))) == .badSignature)

        // A batch large enough to be checked on every core: every tenth is forged.
        var batch: [SignedTransaction] = []
        for index in 0..<100 {
            let transaction = network.registerTill(TestNetwork.key("batch-\(index)"), principal: "batch-\(index)", sequence: UInt64(10 + index))
            batch.append(index % 10 == 3 ? try forged(transaction) : transaction)
        }
        #expect(batch.count >= OutletChainWriter.parallelVerifyThreshold)
        let outcomes = try await committer.submitAll(batch)
        #expect(outcomes.count == batch.count)
        for (index, outcome) in outcomes.enumerated() {
            if index % 10 == 3 {
                #expect(reason(outcome) == .badSignature, "transaction \(index)")
            } else if case .committed = outcome {
                continue
            } else {
                Issue.record("transaction \(index) not committed: \(outcome)")
            }
        }
        // The forged ones are nowhere in the chain.
        let held = try store.environment.read { transaction in
            try (1...store.head(1, transaction).height).flatMap { try store.block(1, height: $0, transaction)!.transactions.map(\.id) }
        }
        for index in stride(from: 3, to: 100, by: 10) { #expect(!held.contains(batch[index].id)) }
        #expect(!held.contains(bad.id))
        #expect(held.contains(good.id))
    }

    /// Backpressure: while the writer is stuck (here: another thread holds LMDB's write
    /// lock), submissions queue up to `pendingMax`; beyond it one transaction and a whole
    /// batch are refused at once with error 401, nothing of them queued, and what queued
    /// before commits once the writer moves again.
    @Test func aFullQueueRefusesAtOnceAndWhatQueuedStillCommits() async throws {
        let directory = TemporaryDirectory()
        let store = try populatedStore(directory, network: network, blocks: 1, perBlock: 1)
        let committer = GroupCommitter(writer: try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0]),
                                       blockMax: 1, pendingMax: 4)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? store.environment.write { _ in
                holding.signal()
                release.wait()
            }
        }
        holder.start()
        holding.wait()
        defer { release.signal() }  // never leave the lock held, whatever fails below
        // A batch of four joins the queue at once; the writer takes the first and is stuck.
        let first = (0..<4).map { network.registerTill(TestNetwork.key("queued-\($0)"), principal: "queued-\($0)", sequence: UInt64(2 + $0)) }
        let batchTask = Task { try await committer.submitAll(first) }
        try await waitUntil(committer, waits: 3)
        // One more fits, and then the queue is full.
        let last = network.registerTill(TestNetwork.key("queued-last"), principal: "queued-last", sequence: 10)
        let lastTask = Task { try await committer.submit(last) }
        try await waitUntil(committer, waits: 4)
        let one = network.registerTill(TestNetwork.key("refused-one"), principal: "refused-one", sequence: 20)
        await #expect(throws: GroupCommitError.self) { _ = try await committer.submit(one) }
        let batch = (0..<2).map { network.registerTill(TestNetwork.key("refused-\($0)"), principal: "refused-\($0)", sequence: UInt64(30 + $0)) }
        do {
            _ = try await committer.submitAll(batch)
            Issue.record("a batch was taken by a full queue")
        } catch let error as GroupCommitError {
            #expect(error.isOverloaded && error.code == 401, "\(error)")
            #expect(error.description.contains("limit 4"), "\(error)")
        }
        #expect(committer.waiting == 4)
        release.signal()
        for (index, outcome) in try await batchTask.value.enumerated() {
            guard case .committed = outcome else { Issue.record("queued transaction \(index) not committed: \(outcome)"); continue }
        }
        guard case .committed = try await lastTask.value else { Issue.record("the last queued transaction was not committed"); return }
        #expect(committer.waiting == 0)
        let held = try store.environment.read { transaction in
            try (1...store.head(1, transaction).height).flatMap { try store.block(1, height: $0, transaction)!.transactions.map(\.id) }
        }
        #expect(!held.contains(one.id) && !batch.contains { held.contains($0.id) })
    }

    private func waitUntil(_ committer: GroupCommitter, waits count: Int) async throws {
        var checks = 0
        while committer.waiting != count, checks < 10_000 {
            try await Task.sleep(nanoseconds: 1_000_000)
            checks += 1
        }
        #expect(committer.waiting == count)
    }
}
