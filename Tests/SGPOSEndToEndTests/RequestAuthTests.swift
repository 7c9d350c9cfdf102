import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// Request signatures and roles against real node processes (docs/API.md, "Request
/// signatures"; issue 13): no, a malformed, a stale, a replayed, a wrong-digest or an
/// unknown-key signature is 401 with its code; a role that may not is 403; an auditor
/// registered on one outlet's chain reads every outlet at another outlet's node, signs
/// no transaction, and once revoked reads nothing.
@Suite(.serialized) struct RequestAuthTests {
    @Test func signaturesAndRolesDecideWhoReadsWhat() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let nodes = [try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false),
                     try NodeProcess.start(demo: demo, outlet: 2, faultInjection: false)]
        defer { nodes.forEach { $0.stop() } }
        try await nodes[0].waitHealthy(peers: 1)
        try await nodes[1].waitHealthy(peers: 1)
        let admin = nodes[0].admin
        let till = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        let manager2 = try NodeTests().loadKey(demo + "/keys/outlet-2-manager.key")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }

        /// One request to `node`; `headers` are sent as given (a signature or none).
        func send(_ node: Int, _ method: HTTPMethod, _ target: String, body: String? = nil,
                  headers: [(name: String, value: String)] = []) async throws -> (status: Int, code: Int, text: String) {
            var request = HTTPClientRequest(url: nodes[node].client.baseURL + target)
            request.method = method
            if let body {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await http.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let code = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["code"] as? Int ?? 0
            return (Int(response.status.code), code, text)
        }
        func signed(_ key: SigningKey, _ method: HTTPMethod, _ target: String, body: String? = nil, created: Int64? = nil)
            -> [(name: String, value: String)] {
            RequestSigner(key: key).headers(method: method.rawValue, target: target, body: body.map { Array($0.utf8) }, createdSeconds: created)
        }

        // Public: health and a receipt's proof, unsigned.
        #expect(try await send(0, .GET, "/v1/health").status == 200)
        let heads = try await nodes[0].client.heads()
        let firstBlock = try #require(heads.first { $0.outletId == 1 })
        #expect(try await send(0, .GET, "/v1/outlets/1/blocks/1").status == 401 && firstBlock.height >= 1)

        // No signature: 401 naming the headers, on every route that needs one.
        for (method, target) in [(HTTPMethod.GET, "/v1/heads"), (.GET, "/v1/outlets/1/books"), (.GET, "/v1/outlets/1/stock/PEN-BLUE"),
                                 (.GET, "/v1/network/transfers"), (.GET, "/v1/validators"), (.GET, "/metrics"),
                                 (.GET, "/v1/members/M01-0001"), (.POST, "/v1/admin/isolate")] {
            let answer = try await send(0, method, target, body: method == .POST ? #"{"isolated":true}"# : nil)
            #expect(answer.status == 401 && answer.code == 703 && answer.text.contains("Signature-Input"), "\(target): \(answer)")
        }
        // A good admin signature reads; the same headers again are a replay.
        let once = signed(admin, .GET, "/v1/heads")
        #expect(try await send(0, .GET, "/v1/heads", headers: once).status == 200)
        let replay = try await send(0, .GET, "/v1/heads", headers: once)
        #expect(replay.status == 401 && replay.code == 709, "\(replay)")
        // Signed for another path, too old, by an unknown key, with a body it did not sign.
        let otherPath = try await send(0, .GET, "/v1/heads", headers: signed(admin, .GET, "/v1/heads?all"))
        #expect(otherPath.status == 401 && otherPath.code == 706, "\(otherPath)")
        let stale = try await send(0, .GET, "/v1/heads", headers: signed(admin, .GET, "/v1/heads", created: Int64(Date().timeIntervalSince1970) - 1_000))
        #expect(stale.status == 401 && stale.code == 705, "\(stale)")
        let stranger = try await send(0, .GET, "/v1/heads", headers: signed(SigningKey.generate(), .GET, "/v1/heads"))
        #expect(stranger.status == 401 && stranger.code == 707, "\(stranger)")
        let quote = #"{"lines":[{"sku":"PEN-BLUE","qty":1}]}"#
        let swapped = try await send(0, .POST, "/v1/quote", body: quote.replacingOccurrences(of: "1}", with: "9}"),
                                     headers: signed(till, .POST, "/v1/quote", body: quote))
        #expect(swapped.status == 401 && swapped.code == 708, "\(swapped)")
        let garbage = try await send(0, .GET, "/v1/heads", headers: [("Signature-Input", "sgpos=(\"@method\""), ("Signature", "sgpos=:AA==:")])
        #expect(garbage.status == 401 && garbage.code == 704, "\(garbage)")

        // Path parameters are percent-decoded: PEN%2DBLUE is PEN-BLUE (signed as sent).
        let plainStock = try await send(0, .GET, "/v1/outlets/1/stock/PEN-BLUE", headers: signed(admin, .GET, "/v1/outlets/1/stock/PEN-BLUE"))
        let encodedStock = try await send(0, .GET, "/v1/outlets/1/stock/PEN%2DBLUE", headers: signed(admin, .GET, "/v1/outlets/1/stock/PEN%2DBLUE"))
        #expect(plainStock.status == 200 && encodedStock.text == plainStock.text, "\(encodedStock) vs \(plainStock)")

        // Roles: a till quotes and reads its own shift and stock, not the books, blocks, another till's shift or the admin acts.
        #expect(try await send(0, .POST, "/v1/quote", body: quote, headers: signed(till, .POST, "/v1/quote", body: quote)).status == 200)
        #expect(try await send(0, .GET, "/v1/outlets/1/shifts/till-03", headers: signed(till, .GET, "/v1/outlets/1/shifts/till-03")).status == 200)
        #expect(try await send(0, .GET, "/v1/outlets/1/stock/PEN-BLUE", headers: signed(till, .GET, "/v1/outlets/1/stock/PEN-BLUE")).status == 200)
        for target in ["/v1/outlets/1/books", "/v1/outlets/1/blocks/1", "/v1/outlets/1/shifts/till-01", "/v1/network/transfers"] {
            let answer = try await send(0, .GET, target, headers: signed(till, .GET, target))
            #expect(answer.status == 403 && answer.code == 710, "till reads \(target): \(answer)")
        }
        let foreignPrepare = #"{"kind":"shift-close","till":"till-01","counted":"1.00"}"#
        let prepared = try await send(0, .POST, "/v1/prepare", body: foreignPrepare, headers: signed(till, .POST, "/v1/prepare", body: foreignPrepare))
        #expect(prepared.status == 403, "a till prepares for itself only: \(prepared)")
        // Outlet 2's manager reads outlet 2 (here at outlet 1's node) and the network, not outlet 1.
        #expect(try await send(0, .GET, "/v1/outlets/2/books", headers: signed(manager2, .GET, "/v1/outlets/2/books")).status == 200)
        #expect(try await send(0, .GET, "/v1/network/transfers", headers: signed(manager2, .GET, "/v1/network/transfers")).status == 200)
        #expect(try await send(0, .GET, "/v1/outlets/1/books", headers: signed(manager2, .GET, "/v1/outlets/1/books")).status == 403)
        let isolate = #"{"isolated":true}"#
        #expect(try await send(0, .POST, "/v1/admin/isolate", body: isolate, headers: signed(manager2, .POST, "/v1/admin/isolate", body: isolate)).status == 403)

        // An auditor, registered by the admin on outlet 1's chain, reads everything at outlet 2's node.
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let genesis = store.genesis
        var adminSequence = try NodeTests().lastSequence(demo + "/outlet-1", admin.publicKey)
        let now = { Int64(Date().timeIntervalSince1970 * 1_000) }
        func byAdmin(_ body: TransactionBody) -> SignedTransaction {
            adminSequence += 1
            return TransactionEnvelope(chainID: genesis.chainID, outletID: 1, signer: admin.publicKey, sequence: adminSequence,
                                       idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: UInt64(now()), body: body)
                .signed(by: admin)
        }
        let auditor = SigningKey.generate()
        let registered = try await nodes[0].client.submit(byAdmin(
            .registerKey(RegisterKey(key: auditor.publicKey, role: .auditor, principal: "auditor-iras"))))
        #expect(registered.status == "committed")
        var patience = Patience(seconds: 30, checks: 150)
        var books = (status: 0, code: 0, text: "")
        while patience.keepWaiting() {
            books = try await send(1, .GET, "/v1/outlets/1/books", headers: signed(auditor, .GET, "/v1/outlets/1/books"))
            if books.status == 200 { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(books.status == 200, "the auditor reads outlet 1's books at outlet 2's node once replicated: \(books)")
        #expect(try await send(1, .GET, "/v1/outlets/2/blocks/1", headers: signed(auditor, .GET, "/v1/outlets/2/blocks/1")).status == 200)
        #expect(try await send(0, .GET, "/metrics", headers: signed(auditor, .GET, "/metrics")).status == 200)
        let auditorIsolates = try await send(0, .POST, "/v1/admin/isolate", body: isolate, headers: signed(auditor, .POST, "/v1/admin/isolate", body: isolate))
        #expect(auditorIsolates.status == 403, "\(auditorIsolates)")
        // It signs no transaction: rule 10.
        var auditorSession = TillSession(genesis: genesis, outlet: 1, key: auditor, principal: "auditor-iras", lastSequence: 0)
        do {
            _ = try await nodes[0].client.submit(auditorSession.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "AUDITOR-1")), atMs: now()))
            Issue.record("an auditor's transaction was accepted")
        } catch let failure as NodeClient.Failure {
            #expect(failure.status == 422 && failure.problem?.code == Int(LedgerRejection.Reason.notAuthorized.rawValue), "\(failure)")
        }
        // Revoked, it reads nothing.
        let revoked = try await nodes[0].client.submit(byAdmin(.revokeKey(RevokeKey(key: auditor.publicKey, reason: .staffLeft))))
        #expect(revoked.status == "committed")
        let afterRevoke = try await send(0, .GET, "/v1/heads", headers: signed(auditor, .GET, "/v1/heads"))
        #expect(afterRevoke.status == 401 && afterRevoke.code == 707 && afterRevoke.text.contains("revoked"), "\(afterRevoke)")
    }
}
