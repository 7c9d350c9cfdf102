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
}
