import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// Strict, honest answers from a real node (issue 13): what the submit would refuse,
/// prepare refuses; a different transaction reusing an idempotency id is 409, never a
/// success; unknown and null JSON fields and upper-case hex are 400. Nothing is written.
@Suite(.serialized) struct StrictAnswersTests {
    @Test func prepareAndSubmitRefuseWhatTheyMustAndWriteNothing() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        func post(_ path: String, _ body: String) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: node.client.baseURL + path)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            request.sign(with: node.admin, body: Array(body.utf8))
            let response = try await client.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), text)
        }
        let heightBefore = try await node.client.health().height
        // The demo's configuration allows fault drills, but without --demo-fault-injection they are off.
        let drill = try await post("/v1/admin/isolate", #"{"isolated":true}"#)
        #expect(drill.0 == 403 && drill.1.contains("--demo-fault-injection"), "\(drill)")

        // The demo closed every shift: a sale, a refund and a shift close prepare nothing.
        let sale = #"{"kind":"sale","till":"till-03","lines":[{"sku":"PEN-BLUE","qty":1}],"payment":{"kind":"cash"}}"#
        let closed = try await post("/v1/prepare", sale)
        #expect(closed.0 == 422 && closed.1.contains("no open shift"), "\(closed)")
        for till in ["", "nope", "manager-1"] {
            let unknown = try await post("/v1/prepare", #"{"kind":"sale","till":"\#(till)","lines":[{"sku":"PEN-BLUE","qty":1}],"payment":{"kind":"cash"}}"#)
            #expect(unknown.0 == 422 && unknown.1.contains("not a registered till"), "till \"\(till)\": \(unknown)")
        }
        // Open till-03's shift again, then the counted cash must be in range.
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let key = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        var till = TillSession(genesis: genesis, outlet: 1, key: key, principal: "till-03",
                               lastSequence: try NodeTests().lastSequence(demo + "/outlet-1", key.publicKey))
        let now = { Int64(Date().timeIntervalSince1970 * 1_000) }
        #expect(try await node.client.submit(till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: now())).status == "committed")
        for counted in ["-0.01", "1000000.01"] {
            let out = try await post("/v1/prepare", #"{"kind":"shift-close","till":"till-03","counted":"\#(counted)"}"#)
            #expect(out.0 == 422 && out.1.contains("counted cash"), "counted \(counted): \(out)")
        }
        #expect(try await post("/v1/prepare", #"{"kind":"shift-close","till":"till-03","counted":"100.00"}"#).0 == 200)

        // Unknown and null fields, upper-case hex: 400 naming what was wrong.
        let typo = try await post("/v1/quote", #"{"lines":[{"sku":"PEN-BLUE","qty":1}],"memberID":"M01-0001"}"#)
        #expect(typo.0 == 400 && typo.1.contains(#"unknown field \"memberID\""#), "\(typo)")
        let nested = try await post("/v1/quote", #"{"lines":[{"sku":"PEN-BLUE","qty":1,"skew":2}]}"#)
        #expect(nested.0 == 400 && nested.1.contains("lines[0].skew"), "\(nested)")
        let null = try await post("/v1/quote", #"{"lines":[{"sku":"PEN-BLUE","qty":1}],"memberId":null}"#)
        #expect(null.0 == 400 && null.1.contains("null"), "\(null)")
        let enrol = till.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "M-STRICT")), atMs: now())
        let upper = try await post("/v1/transactions", #"{"transaction":"\#(Hex.encode(enrol.encoded).uppercased())"}"#)
        #expect(upper.0 == 400, "upper-case hex: \(upper)")

        // The same bytes twice: the first result. Other content under the same idempotency id: 409.
        #expect(try await node.client.submit(enrol).status == "committed")
        #expect(try await node.client.submit(enrol).status == "duplicate")
        let heightAfterEnrol = try await node.client.health().height
        // A retry that re-signed the same body (new time, next sequence) is the same transaction.
        let resigned = TransactionEnvelope(
            chainID: genesis.chainID, outletID: 1, signer: key.publicKey, sequence: enrol.envelope.sequence + 1,
            idempotencyID: enrol.envelope.idempotencyID, timestampMs: TimestampMs(now() + 1),
            body: enrol.envelope.body
        ).signed(by: key)
        #expect(try await node.client.submit(resigned).status == "duplicate")
        let reuse = TransactionEnvelope(
            chainID: genesis.chainID, outletID: 1, signer: key.publicKey, sequence: enrol.envelope.sequence + 1,
            idempotencyID: enrol.envelope.idempotencyID, timestampMs: TimestampMs(now()),
            body: POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "M-OTHER")).transactionBody
        ).signed(by: key)
        let conflict = try await post("/v1/transactions", #"{"transaction":"\#(Hex.encode(reuse.encoded))"}"#)
        #expect(conflict.0 == 409 && conflict.1.contains(enrol.id.hex), "\(conflict)")
        #expect(try await node.client.health().height == heightAfterEnrol, "nothing was written for the conflict")
        #expect(heightAfterEnrol == heightBefore + 2, "only the shift open and the enrolment were written")
    }
}
