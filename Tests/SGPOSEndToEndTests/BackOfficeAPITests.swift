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

/// The web till's and back office's endpoints against a real node (docs/API.md, "Items,
/// rules and printing"): item search, the rules and their checker, the back office's
/// prepare kinds signed and submitted, and a receipt printed through the node's durable
/// queue into a file printer.
@Suite struct BackOfficeAPITests {
    struct Items: Decodable {
        struct Item: Decodable {
            let sku: String
            let category: String
            let unitPrice: String
            let taxCategory: String
            let onHand: Int64
        }
        let outlet: UInt32
        let items: [Item]
    }

    struct Check: Decodable {
        struct Failure: Decodable {
            let code: Int
            let line: Int
            let column: Int
            let message: String
        }
        let ok: Bool
        let id: String?
        let version: Int64?
        let staticCost: UInt64?
        let deployable: Bool?
        let reason: String?
        let error: Failure?
    }

    struct Rules: Decodable {
        struct Rule: Decodable {
            let id: String
            let version: Int64
            let priority: Int64
            let activeFrom: String
            let staticCost: UInt64
            let source: String
        }
        let rules: [Rule]
    }

    /// A node of the demo with a file printer, and what the test signs with.
    struct Shop {
        let node: NodeProcess
        let demo: String
        let printerFile: String
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let genesis: Genesis

        func call(_ method: String, _ target: String, json: String? = nil, as key: SigningKey) async throws -> (status: Int, body: Data) {
            var request = HTTPClientRequest(url: node.client.baseURL + target)
            request.method = method == "POST" ? .POST : .GET
            let body = json.map { Array($0.utf8) }
            for (name, value) in RequestSigner(key: key).headers(method: method, target: target, body: body) {
                request.headers.add(name: name, value: value)
            }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView))
        }

        /// Prepares `request` as `key`'s principal, signs it and submits it.
        func commit(_ request: API.PrepareRequest, key: SigningKey, principal: String) async throws -> API.SubmitResponse {
            let prepared = try await node.client.signed(by: key).prepare(request)
            let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
            let nowUs = UInt64(Date().timeIntervalSince1970 * 1_000_000)
            var session = TillSession(genesis: genesis, outlet: 1, key: key, principal: principal, lastSequence: nowUs)
            return try await node.client.submit(session.sign(body, atMs: Int64(nowUs / 1_000)))
        }
    }

    func withShop(_ body: (Shop) async throws -> Void) async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 6).status == 0)
        let printerFile = scratch.path + "/printer.bin"
        let configPath = demo + "/node-1.json"
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as! [String: Any]
        config["printer"] = ["target": "file:" + printerFile, "profile": "tm-t88"]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let shop = Shop(node: node, demo: demo, printerFile: printerFile, genesis: genesis)
        defer { _ = shop.http.shutdown() }
        try await body(shop)
    }

    func key(_ shop: Shop, _ name: String) throws -> SigningKey { try NodeTests().loadKey("\(shop.demo)/keys/\(name).key") }

    @Test func itemSearchFindsBySKUAndCategoryPrefixFirstAndBounded() async throws {
        try await withShop { shop in
            let till = try key(shop, "outlet-1-till-01")
            let all = try JSONDecoder().decode(Items.self, from: try await shop.call("GET", "/v1/outlets/1/items?limit=50", as: till).body)
            #expect(all.outlet == 1 && all.items.count > 3)
            #expect(all.items.map(\.sku) == all.items.map(\.sku).sorted(), "an empty query lists every item in SKU order")
            let rice = try JSONDecoder().decode(Items.self, from: try await shop.call("GET", "/v1/outlets/1/items?q=rice", as: till).body)
            #expect(rice.items.first?.sku == "RICE-5KG", "\(rice.items.map(\.sku))")
            #expect(rice.items.allSatisfy { $0.sku.lowercased().contains("rice") || $0.category.lowercased().contains("rice") })
            let stock = try await shop.node.client.call("GET", "/v1/outlets/1/stock/RICE-5KG", retry: false) as API.Stock
            #expect(rice.items.first?.onHand == stock.onHand)
            // A category match that is no SKU prefix comes after the SKU prefixes.
            let category = all.items[0].category
            let byCategory = try JSONDecoder().decode(
                Items.self, from: try await shop.call("GET", "/v1/outlets/1/items?q=\(category.uppercased())&limit=50", as: till).body)
            #expect(Set(byCategory.items.map(\.sku)).isSuperset(of: all.items.filter { $0.category == category }.map(\.sku)))
            let two = try JSONDecoder().decode(Items.self, from: try await shop.call("GET", "/v1/outlets/1/items?limit=2", as: till).body)
            #expect(two.items.count == 2)
            for bad in ["limit=0", "limit=51", "q=" + String(repeating: "a", count: 65), "colour=red"] {
                #expect(try await shop.call("GET", "/v1/outlets/1/items?\(bad)", as: till).status == 400, "\(bad)")
            }
            let otherTill = try key(shop, "outlet-2-till-01")
            #expect(try await shop.call("GET", "/v1/outlets/1/items", as: otherTill).status == 403, "another outlet's till")
        }
    }

    @Test func theCheckerNamesTheErrorPositionAndADeploymentLands() async throws {
        try await withShop { shop in
            let manager = try key(shop, "outlet-1-manager")
            let admin = shop.node.admin
            func check(_ source: String) async throws -> Check {
                let body = String(decoding: try JSONEncoder().encode(API.RuleCheckRequest(source: source)), as: UTF8.self)
                let answer = try await shop.call("POST", "/v1/rules/check", json: body, as: manager)
                #expect(answer.status == 200)
                return try JSONDecoder().decode(Check.self, from: answer.body)
            }
            let good = """
                rule "promo.web-test" version 1 {
                  lang 1
                  priority 400
                  require basket.subtotal >= S$50.00 else skip
                  emit basket_discount(S$5.00, "WEB5")
                }
                """
            let bad = good.replacingOccurrences(of: "require basket.subtotal", with: "require basket.subtotl")
            let failed = try await check(bad)
            #expect(!failed.ok && failed.error?.line == 4, "\(String(describing: failed.error))")
            #expect((failed.error?.column ?? 0) > 0)
            let passed = try await check(good)
            #expect(passed.ok && passed.id == "promo.web-test" && passed.version == 1 && passed.deployable == true)
            #expect((passed.staticCost ?? 0) > 0)

            // An operator may prepare it, but only an admin's deployment takes.
            await #expect(throws: NodeClient.Failure.self) {
                _ = try await shop.commit(.init(kind: "deploy-rule", source: good), key: manager, principal: "manager-1")
            }
            let deployed = try await shop.commit(.init(kind: "deploy-rule", source: good, activeFrom: "2026-01-01T00:00:00+08:00"),
                                                 key: admin, principal: "hq-admin")
            #expect(deployed.status == "committed")
            let rules = try JSONDecoder().decode(Rules.self, from: try await shop.call("GET", "/v1/rules", as: manager).body)
            let rule = try #require(rules.rules.first { $0.id == "promo.web-test" })
            #expect(rule.version == 1 && rule.priority == 400 && rule.source == good && rule.activeFrom == "2026-01-01T00:00:00+08:00")
            #expect(rule.staticCost == passed.staticCost)
            let again = try await check(good)
            #expect(again.ok && again.deployable == false && (again.reason ?? "").contains("higher version"))
        }
    }

    @Test func stockMovesPrepareSignAndCommit() async throws {
        try await withShop { shop in
            let manager = try key(shop, "outlet-1-manager")
            func onHand() async throws -> Int64 {
                (try await shop.node.client.call("GET", "/v1/outlets/1/stock/RICE-5KG", retry: false) as API.Stock).onHand
            }
            let before = try await onHand()
            let line = API.QuoteRequest.Line(sku: "RICE-5KG", qty: 7)
            #expect(try await shop.commit(.init(kind: "stock-receive", lines: [line], reference: "DO-WEB-1"),
                                          key: manager, principal: "manager-1").status == "committed")
            #expect(try await onHand() == before + 7)
            #expect(try await shop.commit(.init(kind: "stock-adjust", reason: "damaged", sku: "RICE-5KG", delta: -1, note: "torn bag"),
                                          key: manager, principal: "manager-1").status == "committed")
            #expect(try await onHand() == before + 6)
            let out = try await shop.commit(.init(kind: "transfer-out", lines: [API.QuoteRequest.Line(sku: "RICE-5KG", qty: 2)], to: 2),
                                            key: manager, principal: "manager-1")
            #expect(out.status == "committed")
            #expect(try await onHand() == before + 4)
            let client = shop.node.client.signed(by: manager)
            for bad in [API.PrepareRequest(kind: "stock-adjust", reason: "lost\u{7}", sku: "RICE-5KG", delta: -1),
                        API.PrepareRequest(kind: "transfer-in", transfer: "XYZ")] {
                await #expect { _ = try await client.prepare(bad) } throws: { ($0 as? NodeClient.Failure)?.status == 400 }
            }
            // Well formed, but a kind's field missing: 422 (code 17).
            await #expect { _ = try await client.prepare(.init(kind: "stock-receive", reference: "DO-2")) }
                throws: { ($0 as? NodeClient.Failure)?.status == 422 && ($0 as? NodeClient.Failure)?.problem?.code == 17 }
            // Outlet 1 holds no outgoing half addressed to itself under this id.
            await #expect { _ = try await client.prepare(.init(kind: "transfer-in", transfer: String(repeating: "ab", count: 16))) }
                throws: { ($0 as? NodeClient.Failure)?.status == 422 }
        }
    }

    @Test func aReceiptPrintsThroughTheDurableQueue() async throws {
        try await withShop { shop in
            let till = try key(shop, "outlet-1-till-01")
            let store = try LedgerStore.open(dataDirectory: shop.demo + "/outlet-1")
            // The demo's first sale at outlet 1.
            let saleID: String = try store.environment.read { txn in
                for height in 1...(try store.head(1, txn).height) {
                    for transaction in try store.block(1, height: height, txn)?.transactions ?? [] {
                        if case .application(let type, _) = transaction.envelope.body, type == POSBodyType.sale { return transaction.id.hex }
                    }
                }
                return ""
            }
            let receipt = try JSONDecoder().decode(API.Receipt.self, from: try await shop.call("GET", "/v1/transactions/\(saleID)/receipt", as: till).body)
            let printed = try await shop.call("POST", "/v1/transactions/\(saleID)/print", json: "{}", as: till)
            #expect(printed.status == 202, "\(String(decoding: printed.body, as: UTF8.self))")
            let answer = try JSONDecoder().decode(API.PrintResponse.self, from: printed.body)
            #expect(answer.queued && answer.printer == "Epson TM-T88" && answer.pending >= 1)
            var patience = Patience(seconds: 15, checks: 150)
            var bytes = Data()
            while patience.keepWaiting() {
                bytes = (try? Data(contentsOf: URL(fileURLWithPath: shop.printerFile))) ?? Data()
                if bytes.range(of: Data(receipt.number.utf8)) != nil { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(bytes.range(of: Data(receipt.number.utf8)) != nil, "the printer file holds receipt \(receipt.number)")
            #expect(bytes.starts(with: [0x1B, 0x40]), "ESC @ initialises the printer first")
            #expect(try await shop.call("POST", "/v1/transactions/\(String(repeating: "0", count: 64))/print", json: "{}", as: till).status == 404)
            #expect(try await shop.call("POST", "/v1/transactions/\(saleID)/print", json: "{\"copies\":2}", as: till).status == 400)
            let auditorless = try key(shop, "outlet-2-till-01")
            #expect(try await shop.call("POST", "/v1/transactions/\(saleID)/print", json: "{}", as: auditorless).status == 403)
        }
    }
}
