import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing
import SGPOSClient

/// A till's backlog uploaded to a real `sgpos node run` process with `NodeClient.uploadBacklog`
/// (`POST /v1/transactions/batch`): durable and found afterwards, idempotent on upload
/// again, one bad signature rejecting only itself, and bodies that are not a batch
/// refused with a 4xx that changes nothing.
@Suite(.serialized) struct BatchSubmitEndToEndTests {
    @Test func aTillUploadsItsBacklogInBatchesAndAgainWithoutSellingTwice() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 4).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let client = node.client

        // The backlog: 30 enrolments signed offline by till-03, one with a broken signature.
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let key = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        var till = TillSession(genesis: genesis, outlet: 1, key: key, principal: "till-03",
                               lastSequence: try NodeTests().lastSequence(demo + "/outlet-1", key.publicKey))
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        var backlog = (0..<30).map { till.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "OFFLINE-\($0)")), atMs: now + Int64($0)) }
        var broken = backlog[12].encoded
        broken[broken.count - 1] ^= 0x01
        backlog[12] = try SignedTransaction(encoded: broken)

        let results = try await client.uploadBacklog(backlog, batchSize: 8)
        #expect(results.count == 30 && results.map(\.transactionId) == backlog.map(\.id.hex), "one result per transaction, in order")
        #expect(results[12].status == "rejected" && results[12].code == 4, "\(results[12])")
        for (position, result) in results.enumerated() where position != 12 {
            #expect(result.status == "committed", "\(position): \(result)")
            let found = try await client.transaction(result.transactionId)
            #expect(found.height == result.height && found.index == result.index)
        }

        // The till is not sure the upload arrived and sends it again: nothing new.
        let heads = try await client.heads()
        let again = try await client.uploadBacklog(backlog, batchSize: 8)
        #expect(zip(again, results).allSatisfy { $0.height == $1.height && $0.index == $1.index })
        #expect(again.enumerated().allSatisfy { $0.element.status == ($0.offset == 12 ? "rejected" : "duplicate") })
        #expect(try await client.heads().map(\.blockId) == heads.map(\.blockId), "no new block")

        // The JSON form of the same batch: the same answers; proofs only when asked.
        let hex = backlog.prefix(3).map { Hex.encode($0.encoded) }
        let (status, data) = try await post(client.baseURL + "/v1/transactions/batch?proofs=true",
                                            Data(try JSONEncoder().encode(API.BatchSubmitRequest(transactions: hex))), "application/json")
        #expect(status == 200)
        let answer = try JSONDecoder().decode(API.BatchSubmitResponse.self, from: data)
        #expect(answer.duplicate == 3 && answer.results.allSatisfy { $0.proof != nil })

        // Bodies that are not a batch: a problem naming what was wrong, and nothing written.
        let bytes = TransactionBatch(Array(backlog.prefix(3))).encoded
        let refused: [(body: Data, type: String, status: Int, says: String)] = [
            (Data([0xde, 0xad, 0xbe, 0xef, 0x00]), "application/octet-stream", 422, "batch transaction count"),
            (Data(bytes.dropLast(5)), "application/octet-stream", 422, "transaction 2"),
            (Data([0, 0, 0x27, 0x10]), "application/octet-stream", 422, "exceed limit 1000"),
            (Data(bytes), "text/plain", 415, "Content-Type must be"),
            (Data("{\"transactions\": [\"zz\"]}".utf8), "application/json", 400, "transactions[0] must be hex"),
            (Data(repeating: 0, count: 5 << 20), "application/octet-stream", 413, "over"),
        ]
        for (body, type, expected, says) in refused {
            let (status, data) = try await post(client.baseURL + "/v1/transactions/batch", body, type)
            let text = String(decoding: data, as: UTF8.self)
            #expect(status == expected && text.contains(says) && text.contains("\"error\""), "\(status): \(text)")
        }
        #expect(try await client.heads().map(\.blockId) == heads.map(\.blockId), "refused bodies changed nothing")
    }

    @Test func anUploadToANodeThatIsNotThereFailsBoundedAndSaysWhatWasDone() async throws {
        let network = TestNetworkKeys()
        let client = NodeClient(baseURL: "http://127.0.0.1:1", timeoutSeconds: 1, attemptsMax: 2)
        let started = Date()
        do {
            _ = try await client.uploadBacklog(network.backlog, batchSize: 2)
            Issue.record("an upload to a closed port succeeded")
        } catch {
            #expect(error.results.isEmpty && error.failure.status == 0)
            #expect(error.description.contains("again with the same signed bytes"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 10, "bounded: 2 attempts of at most 1 s each, plus backoff")
    }

    /// A few signed transactions of a throwaway network (never committed anywhere).
    struct TestNetworkKeys {
        let backlog: [SignedTransaction]
        init() {
            let key = SigningKey.generate()
            backlog = (1...3).map { sequence in
                TransactionEnvelope(
                    chainID: ChainID("sgpos-nowhere")!, outletID: 1, signer: key.publicKey, sequence: UInt64(sequence),
                    idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: 0,
                    body: POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "N\(sequence)")).transactionBody
                ).signed(by: key)
            }
        }
    }

    func post(_ url: String, _ body: Data, _ contentType: String) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
