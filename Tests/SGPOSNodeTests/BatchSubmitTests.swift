import Foundation
import Logging
@testable import SGPOSNode
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing
import SGPOSClient
import SGPOSProofs

/// `POST /v1/transactions/batch` through the node's own API code, in process: each
/// transaction takes the single submit's path, one bad transaction rejects only itself,
/// a resubmitted batch changes nothing, and a body that is not a batch is refused whole.
@Suite struct BatchSubmitTests {
    final class Directory {
        let path = NSTemporaryDirectory() + "sgpos-batch-test-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Outlet 1's node with one registered till, and a signer for that till's enrolments.
    struct Fixture {
        let network: TestNetwork
        let node: LedgerNode
        let api: NodeAPI
        let till = TestNetwork.key("batch-till")
        var sequence: UInt64 = 0

        init(_ directory: Directory, blockTransactionsMax: UInt32 = 8_190, pendingMax: Int? = nil) async throws {
            network = TestNetwork(blockTransactionsMax: blockTransactionsMax)
            let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                               options: .init(durability: .unsafeNoSyncForTests))
            let config = NodeConfig(outletId: 1, genesis: "g", nodeKey: "k", http: .init(host: "127.0.0.1", port: 1),
                                    peer: .init(host: "127.0.0.1", port: 2), peers: [], pendingMax: pendingMax)
            node = try LedgerNode(config: config, dataDirectory: directory.path, store: store, nodeKey: network.nodeKeys[0],
                                  logger: Logger(label: "test"))
            api = NodeAPI(node: node, replicator: nil, metrics: NodeMetrics())
            let registered = try await node.submit(network.registerTill(till, principal: "till-1", sequence: 1))
            guard case .committed = registered else { throw FixtureFailure("till registration: \(registered)") }
        }

        /// The till's next enrolment (sequence + 1), signed now.
        mutating func enrol(_ member: String, outlet: OutletID = 1) -> SignedTransaction {
            sequence += 1
            return network.transaction(till, sequence: sequence, outlet: outlet,
                                       body: POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: member)).transactionBody,
                                       timestampMs: TimestampMs(Date().timeIntervalSince1970 * 1_000))
        }

        func height() throws -> UInt64 { try node.heads().first { $0.outletID == 1 }!.height }
    }

    struct FixtureFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    /// The same transaction with one bit of its signature flipped (still canonical).
    func badSignature(_ transaction: SignedTransaction) throws -> SignedTransaction {
        var bytes = transaction.encoded
        bytes[bytes.count - 1] ^= 0x01
        return try SignedTransaction(encoded: bytes)
    }

    @Test func aBatchIsDurableInOrderAndFoundAndItsProofsVerify() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory)
        let before = try fixture.height()
        let batch = (0..<50).map { fixture.enrol("M\($0)") }
        let answer = try await fixture.api.submitBatch(batch, proofs: true)
        #expect(answer.committed == 50 && answer.duplicate == 0 && answer.rejected == 0)
        #expect(answer.results.map(\.transactionId) == batch.map(\.id.hex), "results in request order")
        #expect(try fixture.height() == before + 1, "the batch shares one block")
        #expect(answer.results.map(\.index) == (0..<50).map { UInt32($0) })
        let verifier = ProofVerifier(genesis: fixture.network.genesis)
        for (result, transaction) in zip(answer.results, batch) {
            let location = try fixture.node.read { try fixture.node.store.location(of: transaction.id, $0) }
            #expect(location?.height == result.height && location?.index == result.index)
            let proof = try #require(result.proof)
            #expect(try verifier.verify(proof).transactionID == transaction.id)
        }
        let withoutProofs = try await fixture.api.submitBatch([fixture.enrol("M-late")], proofs: false)
        #expect(withoutProofs.results[0].status == "committed" && withoutProofs.results[0].proof == nil)
    }

    @Test func aDifferentTransactionReusingAnIdempotencyIdIsAConflictNotASuccess() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory)
        let first = fixture.enrol("C-first")
        #expect(try await fixture.api.submitBatch([first], proofs: false).committed == 1)
        let height = try fixture.height()
        // Same signer, same idempotency id, other content (another member, the next sequence).
        fixture.sequence += 1
        let reuse = fixture.network.transaction(
            fixture.till, sequence: fixture.sequence, body: POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "C-second")).transactionBody,
            idempotency: first.envelope.idempotencyID, timestampMs: first.envelope.timestampMs)
        let answer = try await fixture.api.submitBatch([reuse, first], proofs: false)
        #expect(answer.results.map(\.status) == ["conflict", "duplicate"])
        #expect(answer.conflict == 1 && answer.duplicate == 1 && answer.committed == 0)
        #expect(answer.results[0].transactionId == reuse.id.hex)
        #expect(answer.results[0].message?.contains(first.id.hex) == true, "the conflict names the first transaction")
        #expect(answer.results[0].height == nil && answer.results[0].proof == nil, "a conflict carries no place of its own")
        #expect(try fixture.height() == height, "nothing was written")
    }

    @Test func resubmittingABatchAnswersDuplicatesAndWritesNothing() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory)
        let batch = (0..<20).map { fixture.enrol("D\($0)") }
        let first = try await fixture.api.submitBatch(batch, proofs: false)
        let height = try fixture.height()
        let heads = try fixture.node.heads()
        let again = try await fixture.api.submitBatch(batch, proofs: false)
        #expect(again.duplicate == 20 && again.committed == 0)
        #expect(again.results.map(\.status).allSatisfy { $0 == "duplicate" })
        #expect(again.results.map(\.height) == first.results.map(\.height) && again.results.map(\.index) == first.results.map(\.index),
                "a duplicate answers the first result")
        #expect(try fixture.height() == height && fixture.node.heads() == heads, "no new block")
        // The same transaction twice in one batch: committed once, then its duplicate.
        let fresh = fixture.enrol("D-twice")
        let twice = try await fixture.api.submitBatch([fresh, fresh], proofs: false)
        #expect(twice.results.map(\.status) == ["committed", "duplicate"])
        #expect(twice.results[0].height == twice.results[1].height && twice.results[0].index == twice.results[1].index)
    }

    @Test func oneBadTransactionRejectsOnlyItself() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory)
        var batch = (0..<40).map { fixture.enrol("B\($0)") }
        batch[17] = try badSignature(batch[17])
        batch[30] = fixture.enrol("elsewhere", outlet: 2)
        let before = try fixture.height()
        let answer = try await fixture.api.submitBatch(batch, proofs: false)
        #expect(answer.committed == 38 && answer.rejected == 2)
        #expect(answer.results[17].status == "rejected" && answer.results[17].code == 4, "bad signature: rule 4")
        #expect(answer.results[17].message?.contains("signature") == true && answer.results[17].height == nil)
        #expect(answer.results[30].status == "rejected" && answer.results[30].code == 3, "wrong outlet: rule 3")
        for position in answer.results.indices where ![17, 30].contains(position) {
            #expect(answer.results[position].status == "committed" && answer.results[position].height == before + 1)
        }
        #expect(try fixture.node.read { try fixture.node.store.location(of: batch[17].id, $0) } == nil)
    }

    @Test func aBatchLargerThanABlockSpansBlocksInRequestOrder() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory, blockTransactionsMax: 4)
        let before = try fixture.height()
        let batch = (0..<10).map { fixture.enrol("S\($0)") }
        let answer = try await fixture.api.submitBatch(batch, proofs: false)
        #expect(answer.committed == 10)
        #expect(answer.results.map(\.height) == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3].map { before + $0 })
        #expect(answer.results.map(\.index) == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1])
    }

    @Test func aBatchOverThePendingLimitIsRefusedWholeAndChangesNothing() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory, blockTransactionsMax: 4, pendingMax: 4)
        let height = try fixture.height()
        let batch = (0..<5).map { fixture.enrol("O\($0)") }
        await #expect { try await fixture.api.submitBatch(batch, proofs: false) } throws: {
            ($0 as? GroupCommitError)?.code == 401 && "\($0)".contains("retry")
        }
        #expect(try fixture.height() == height)
        #expect(try await fixture.api.submitBatch(Array(batch.prefix(4)), proofs: false).committed == 4, "a batch that fits is taken")
    }

    @Test func bodiesThatAreNotABatchAreRefusedNamingWhatAndWhere() async throws {
        let directory = Directory()
        var fixture = try await Fixture(directory)
        let batch = (0..<3).map { fixture.enrol("G\($0)") }
        let bytes = TransactionBatch(batch).encoded
        func refusal(_ data: [UInt8], _ format: NodeAPI.BatchBodyFormat = .binary) -> String {
            do {
                _ = try NodeAPI.decodeBatch(data, format: format)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(try NodeAPI.decodeBatch(bytes, format: .binary) == batch)
        #expect(refusal([0xde, 0xad]).contains("batch transaction count: needs 4 bytes"))
        #expect(refusal(Array(bytes.dropLast(10))).contains("transaction 2"), "truncated inside the last transaction")
        #expect(refusal(bytes + [0]).contains("trailing"))
        #expect(refusal([0, 0, 0x03, 0xe9]).contains("1001 elements exceed limit 1000"))
        #expect(refusal([0, 0, 0, 0]).contains("at least 1"))
        var corrupt = bytes
        corrupt[4 + 4] = 9  // the first transaction's version byte (after the count and its length)
        #expect(refusal(corrupt).contains("transaction 0") && refusal(corrupt).contains("at byte 8"))
        let hex = batch.map { "\"\(Hex.encode($0.encoded))\"" }
        #expect(try NodeAPI.decodeBatch(Array("{\"transactions\":[\(hex.joined(separator: ","))]}".utf8), format: .json) == batch)
        #expect(refusal(Array("{\"transactions\":[\(hex[0]),\"zz\"]}".utf8), .json).contains("transactions[1] must be hex"))
        #expect(refusal(Array("{\"transactions\":[\(hex[0]),\"00ff\"]}".utf8), .json).contains("transactions[1]: decode error"))
        #expect(refusal(Array("{\"transactions\":[]}".utf8), .json).contains("1...1000"))
        #expect(NodeAPI.BatchBodyFormat(contentType: "application/octet-stream") == .binary)
        #expect(NodeAPI.BatchBodyFormat(contentType: "Application/JSON; charset=utf-8") == .json)
        #expect(NodeAPI.BatchBodyFormat(contentType: "text/plain") == nil && NodeAPI.BatchBodyFormat(contentType: nil) == nil)
    }
}
