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

/// The API against its own description: every operation in docs/openapi.json, every
/// case listed there (good and bad input: `body` JSON, `raw` text, `raw-bytes` a size,
/// `hex` bytes, with `content-type` and `query` when given) is run against a real node process; statuses
/// must be documented ones, bodies must carry the schema's required fields, errors must
/// be Problem documents, and bad input changes nothing.
@Suite(.serialized) struct OpenAPITests {
    @Test func everyDocumentedCaseAgainstARealNode() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 6).status == 0)
        let nodes = [try NodeProcess.start(demo: demo, outlet: 1), try NodeProcess.start(demo: demo, outlet: 2)]
        defer { nodes.forEach { $0.stop() } }
        try await nodes[0].waitHealthy(peers: 1)
        let base = nodes[0].client.baseURL
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.packageRoot + "/docs/openapi.json"))) as! [String: Any]
        let schemas = ((spec["components"] as! [String: Any])["schemas"] as! [String: Any])
        let placeholders = try await makePlaceholders(demo: demo, node: nodes[0].client)
        let headsBefore = try await nodes[0].client.heads()
        // The signers a case may name (docs/openapi.json: admin unless given).
        let signers: [String: SigningKey] = [
            "admin": nodes[0].admin,
            "till-1": try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key"),
            "manager-1": try NodeTests().loadKey(demo + "/keys/outlet-1-manager.key"),
            "manager-2": try NodeTests().loadKey(demo + "/keys/outlet-2-manager.key"),
            "stranger": SigningKey.generate(),
        ]
        var ran = 0
        for (path, item) in (spec["paths"] as! [String: Any]).sorted(by: { $0.key < $1.key }) {
            for (method, operation) in item as! [String: Any] {
                let operation = operation as! [String: Any]
                let documented = Set((operation["responses"] as! [String: Any]).keys)
                let cases = operation["x-sgpos-cases"] as? [[String: Any]] ?? []
                #expect(!cases.isEmpty, "\(method) \(path) has no cases")
                for testCase in cases {
                    var url = path
                    for (name, value) in testCase["path"] as? [String: String] ?? [:] {
                        url = url.replacingOccurrences(of: "{\(name)}", with: substitute(value, placeholders))
                    }
                    if let query = testCase["query"] as? String { url += "?" + query }
                    var body: Data?
                    if let json = testCase["body"] {
                        body = Data(substitute(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self), placeholders).utf8)
                    } else if let raw = testCase["raw"] as? String {
                        body = Data(raw.utf8)
                    } else if let size = testCase["raw-bytes"] as? Int {
                        body = Data(repeating: UInt8(ascii: "a"), count: size)
                    } else if let hex = testCase["hex"] as? String {
                        body = Data(try #require(Hex.decode(substitute(hex, placeholders)), "\(hex) is not hex"))
                    }
                    let contentType = testCase["content-type"] as? String ?? "application/json"
                    let signer = testCase["signer"] as? String ?? "admin"
                    var headers: [(name: String, value: String)] = []
                    if signer == "tampered" {
                        // An admin's signature over another path.
                        headers = RequestSigner(key: nodes[0].admin).headers(method: method.uppercased(), target: url + "x", body: body.map { Array($0) })
                    } else if signer != "none" {
                        let key = try #require(signers[signer], "unknown signer \(signer)")
                        headers = RequestSigner(key: key).headers(method: method.uppercased(), target: url, body: body.map { Array($0) })
                    }
                    let (status, data) = try await request(method.uppercased(), base + url, body: body, contentType: contentType, headers: headers)
                    let label = "\(method.uppercased()) \(url) signed by \(signer) \(body.map { String(decoding: $0.prefix(80), as: UTF8.self) } ?? "")"
                    #expect(status == testCase["status"] as? Int, "\(label): status \(status), body \(String(decoding: data.prefix(300), as: UTF8.self))")
                    #expect(documented.contains(String(status)), "\(label): status \(status) is not documented")
                    let text = String(decoding: data, as: UTF8.self)
                    if let needle = testCase["contains"] as? String {
                        #expect(text.contains(needle), "\(label): body lacks \(needle): \(text.prefix(300))")
                    }
                    if let responses = operation["responses"] as? [String: Any], let response = responses[String(status)] as? [String: Any],
                        let content = (response["content"] as? [String: Any])?["application/json"] as? [String: Any],
                        let schema = content["schema"] as? [String: Any] {
                        let value = try JSONSerialization.jsonObject(with: data)
                        let missing = missingRequired(value, schema, schemas)
                        #expect(missing.isEmpty, "\(label): response lacks \(missing)")
                    }
                    ran += 1
                }
            }
        }
        #expect(ran >= 30)
        // Bad input changed nothing: only the one fresh transaction (and its retry) were added.
        let headsAfter = try await nodes[0].client.heads()
        let mine = headsAfter.first { $0.outletId == 1 }!.height
        #expect(mine == headsBefore.first { $0.outletId == 1 }!.height + 1, "exactly one new block (the fresh transaction)")
    }

    /// Values for the `{…}` placeholders of the cases.
    func makePlaceholders(demo: String, node: NodeClient) async throws -> [String: String] {
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let genesis = store.genesis
        let till = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        let sequence = try store.environment.read { txn in
            try KeyRecord(canonicalBytes: try store.stateReader(1, txn).read(.key(till.publicKey))!).lastSequence
        }
        let (saleID, saleHeight): (Hash256, UInt64) = try store.environment.read { txn in
            var height: UInt64 = 1
            var last: (Hash256, UInt64)?
            while let block = try store.block(1, height: height, txn) {
                for transaction in block.transactions {
                    if case .application(let type, let payload) = transaction.envelope.body,
                        case .sale(let sale) = try POSBody.decode(type: type, payload: payload), !sale.training {
                        last = (transaction.id, height)
                    }
                }
                height += 1
            }
            guard let last else { throw CLIFailure("no sale in the demo") }
            return last
        }
        var session = TillSession(genesis: genesis, outlet: 1, key: till, principal: "till-03", lastSequence: sequence)
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        // The demo closes every shift; till-03 prepares sales and refunds in an open one.
        let open = try await node.submit(session.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: now))
        guard open.status == "committed" else { throw CLIFailure("till-03's shift did not open: \(open.status)") }
        let fresh = session.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "API-TEST-1")), atMs: now)
        var stranger = TillSession(genesis: genesis, outlet: 1, key: SigningKey.generate(), principal: "x", lastSequence: 0)
        var otherOutlet = TillSession(genesis: genesis, outlet: 2, key: till, principal: "till-03", lastSequence: sequence)
        let unknownSigner = stranger.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "X")), atMs: now)
        let batch = TransactionBatch([fresh, unknownSigner]).encoded
        return [
            "{same-and-unknown-batch}": Hex.encode(batch),
            "{truncated-batch}": Hex.encode(Array(batch.dropLast(3))),
            "{txid}": saleID.hex,
            "{sale-height}": String(saleHeight),
            "{fresh-transaction}": Hex.encode(fresh.encoded),
            "{same-transaction}": Hex.encode(fresh.encoded),
            "{unknown-signer-transaction}": Hex.encode(unknownSigner.encoded),
            "{other-outlet-transaction}": Hex.encode(otherOutlet.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "Y")), atMs: now).encoded),
            // Signed by a registered till, valid by every ledger rule, but the member id is a phone number.
            "{personal-enrol-transaction}": Hex.encode(session.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "+65 9123 4567")), atMs: now).encoded),
        ]
    }

    func substitute(_ text: String, _ placeholders: [String: String]) -> String {
        placeholders.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    func request(_ method: String, _ url: String, body: Data?, contentType: String,
                 headers: [(name: String, value: String)]) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 10)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Required properties of `schema` (following `$ref` and array items) absent from `value`.
    func missingRequired(_ value: Any, _ schema: [String: Any], _ schemas: [String: Any]) -> [String] {
        var schema = schema
        if let reference = schema["$ref"] as? String {
            schema = schemas[String(reference.split(separator: "/").last!)] as! [String: Any]
        }
        if schema["type"] as? String == "array", let items = schema["items"] as? [String: Any], let array = value as? [Any] {
            return array.flatMap { missingRequired($0, items, schemas) }
        }
        guard let object = value as? [String: Any] else { return [] }
        return (schema["required"] as? [String] ?? []).filter { object[$0] == nil }
    }
}
