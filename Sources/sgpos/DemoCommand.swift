import ArgumentParser
import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill

/// `sgpos demo`: a local network's outlet ledgers built end to end and verified.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a demo network, run a retail day on every outlet chain (signed sales, refunds, shifts, Z-report), verify and prove it.",
        discussion: "Until the node issue lands this runs in one process: one LMDB ledger per outlet under --dir.")

    @Option(help: "Directory for the demo network (replaced if it holds an earlier demo).") var dir: String = "demo-data"
    @Option(help: "Number of outlets (1...16).") var outlets: Int = 4
    @Option(help: "Tills registered per outlet.") var tills: Int = 3
    @Option(help: "Blocks of trading appended per outlet after the setup.") var blocks: Int = 10
    @Option(help: "Transactions (sales and refunds) per trading block.") var blockSize: Int = 50
    @Option(help: "Loyalty members enrolled per outlet.") var members: Int = 20

    func validate() throws {
        guard (1...16).contains(outlets) else { throw ValidationError("--outlets must be 1...16") }
        guard (2...50).contains(tills) else { throw ValidationError("--tills must be 2...50") }
        guard (1...1_000).contains(members) else { throw ValidationError("--members must be 1...1000") }
        guard (0...10_000).contains(blocks), (1...8_190).contains(blockSize) else {
            throw ValidationError("--blocks must be 0...10000 and --block-size 1...8190")
        }
    }

    func run() throws {
        let network = try DemoNetwork.create(directory: dir, outlets: outlets)
        print("== genesis \(network.genesis.id) chain \(network.genesis.chainID): \(outlets) outlets, keys in \(dir)/keys")
        var failures = 0
        var summaries: [String] = []
        for outlet in network.genesis.outlets {
            let run = try DemoOutlet(network: network, outletID: outlet.id)
            let tillKeys = try run.setUp(tills: tills)
            try run.showRules()
            var shop = try DemoShop(outlet: run, tillKeys: tillKeys)
            try shop.open(members: members)
            let latencies = try run.trade(&shop, blocks: blocks, blockSize: blockSize, members: members)
            try shop.voidLastSale()
            let z = try shop.close()
            print("   Z-report 1: \(z.salesCount) sales \(money(z.salesTotal)), \(z.refundsCount) refunds \(money(z.refundsTotal)), \(z.voidsCount) void \(money(z.voidsTotal)), net \(money(z.netSales)), GST \(money(z.gstByRate.reduce(0) { $0 + $1.gst })), grand total \(money(z.grandTotalSales))")
            print("   tenders: " + z.tenders.map { "\($0.kind.name) \(money($0.amount))" }.joined(separator: ", "))
            let report = try AuditVerifier().verify(store: run.store, trustedGenesis: network.genesis)
            let chain = report.chains.first { $0.outletID == outlet.id }!
            let verdict = report.isValid ? "verified" : "INVALID"
            if !report.isValid { failures += 1; report.findings.forEach { print("   FAIL \($0)") } }
            let name = outlet.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            summaries.append(String(format: "outlet %2d ", outlet.id) + name
                             + String(format: " height %5llu  txs %6d  sales %5d  append p50 %6.2f ms p99 %6.2f ms  ",
                                      chain.verifiedHeight, chain.transactions, shop.sales.count, latencies.p50, latencies.p99) + verdict)
            if try !run.proveOneTransaction() { failures += 1 }
            if outlet.id == 1, let first = shop.sales.first { try run.printReceipt(first.0, first.1, till: shop.tills[first.2].principal) }
        }
        print("== summary")
        summaries.forEach { print("   " + $0) }
        print("== durable: every block above was fsynced by LMDB before it was reported; rerun `sgpos audit verify \(dir)/outlet-1` to check again")
        if failures > 0 {
            print("demo FAILED: \(failures) problem(s)")
            throw ExitCode(1)
        }
        print("demo OK")
    }
}

/// Genesis and keys of a demo network.
struct DemoNetwork {
    let directory: String
    let genesis: Genesis
    let admin: SigningKey
    let nodeKeys: [OutletID: SigningKey]

    static let names = ["Tampines Mall", "Jurong Point", "Causeway Point", "VivoCity", "Northpoint City", "Bugis Junction",
                        "Bedok Mall", "Jewel Changi", "Nex", "Waterway Point", "Plaza Singapura", "ION Orchard",
                        "Westgate", "Compass One", "Hougang Mall", "Parkway Parade"]

    static func create(directory: String, outlets: Int) throws -> DemoNetwork {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory) {
            guard fileManager.fileExists(atPath: directory + "/.sgpos-demo") else {
                throw CLIError("\(directory) exists and is not a demo directory; choose another --dir")
            }
            try fileManager.removeItem(atPath: directory)
        }
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeFile(Data("sgpos demo network\n".utf8), to: directory + "/.sgpos-demo")
        let admin = SigningKey.generate()
        try KeyFile(label: "admin hq-admin", key: admin).write(to: "\(directory)/keys/admin-hq-admin.key")
        var nodeKeys: [OutletID: SigningKey] = [:]
        var genesisOutlets: [Genesis.Outlet] = []
        for index in 0..<outlets {
            let id = OutletID(index + 1)
            let key = SigningKey.generate()
            try KeyFile(label: "node of outlet \(id)", key: key).write(to: "\(directory)/keys/outlet-\(id).key")
            nodeKeys[id] = key
            genesisOutlets.append(Genesis.Outlet(id: id, name: names[index], nodeKey: key.publicKey))
        }
        let validators = (1...4).map { Genesis.Validator(name: "validator-\($0)", publicKey: SigningKey.generate().publicKey, power: 1) }
        let genesis = try Genesis(
            chainID: ChainID("sgpos-demo-1")!, genesisTimeMs: 1_767_196_800_000, blockTransactionsMax: 8_190,
            keyRotationOverlapMsMax: 7 * 86_400_000, gstPricesIncludeTax: true, gstMethod: .perInvoice,
            gstRates: [.init(effectiveFrom: "2007-07-01", basisPoints: 700), .init(effectiveFrom: "2023-01-01", basisPoints: 800),
                       .init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "hq-admin", publicKey: admin.publicKey)], outlets: genesisOutlets, validators: validators)
        try writeFile(try JSON.encode(GenesisDocument(genesis)), to: directory + "/genesis.json")
        return DemoNetwork(directory: directory, genesis: genesis, admin: admin, nodeKeys: nodeKeys)
    }
}

/// One outlet of the demo: its store, writer and the keys it registers.
struct DemoOutlet {
    let network: DemoNetwork
    let outletID: OutletID
    let store: LedgerStore
    let writer: OutletChainWriter
    let manager = SigningKey.generate()
    private let sequences = SequenceBook()

    init(network: DemoNetwork, outletID: OutletID) throws {
        self.network = network
        self.outletID = outletID
        let data = "\(network.directory)/outlet-\(outletID)"
        store = try LedgerStore.create(dataDirectory: data, genesis: network.genesis)
        try writeFile(try JSON.encode(NodeFile(outletId: outletID)), to: data + "/node.json")
        writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[outletID]!, rules: POSRules.chainRules)
    }

    func transaction(_ signer: SigningKey, _ body: TransactionBody, sequence: UInt64? = nil,
                     idempotency: IdempotencyID? = nil) -> SignedTransaction {
        TransactionEnvelope(
            chainID: network.genesis.chainID, outletID: outletID, signer: signer.publicKey,
            sequence: sequence ?? sequences.next(signer.publicKey),
            idempotencyID: idempotency ?? IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: wallClockMs(), body: body
        ).signed(by: signer)
    }

    func append(_ transactions: [SignedTransaction]) throws -> [AppendOutcome] {
        try writer.append(transactions, timestampMs: wallClockMs())
    }

    /// Registers the outlet manager and its tills, then rotates and revokes till keys.
    /// Returns the till keys that may still sign (till-01's new key, till-03…).
    func setUp(tills: Int) throws -> [SigningKey] {
        let register = transaction(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager-\(outletID)")))
        let tillKeys = (1...tills).map { _ in SigningKey.generate() }
        var batch = [register]
        for (index, key) in tillKeys.enumerated() {
            batch.append(transaction(manager, .registerKey(RegisterKey(key: key.publicKey, role: .till, principal: String(format: "till-%02d", index + 1)))))
        }
        let outcomes = try append(batch)
        try expectCommitted(outcomes, "register manager and \(tills) tills")
        print("-- outlet \(outletID): registered manager-\(outletID) and \(tills) tills in block \(try height())")
        let replacement = SigningKey.generate()
        let rotation = transaction(tillKeys[0], .rotateKey(RotateKey(oldKey: tillKeys[0].publicKey, newKey: replacement.publicKey,
                                                                      oldKeyValidUntilMs: wallClockMs() + 3_600_000)))
        let revocation = transaction(manager, .revokeKey(RevokeKey(key: tillKeys[1].publicKey, reason: .staffLeft)))
        try expectCommitted(try append([rotation, revocation]), "rotate till-01, revoke till-02")
        print("   till-01 rotated its own key (old key valid 1 h more); till-02 revoked (staff left) in block \(try height())")
        let active = [replacement] + tillKeys.dropFirst(2)
        let keys = "\(network.directory)/keys/outlet-\(outletID)"
        try KeyFile(label: "manager-\(outletID)", key: manager).write(to: "\(keys)-manager.key")
        for (index, key) in active.enumerated() {
            let number = index == 0 ? 1 : index + 2
            try KeyFile(label: String(format: "till-%02d of outlet \(outletID)", number), key: key)
                .write(to: String(format: "\(keys)-till-%02d.key", number))
        }
        return active
    }

    /// Shows the rules refusing bad transactions and idempotent retries.
    func showRules() throws {
        let stranger = SigningKey.generate()
        let unknown = transaction(stranger, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "rogue")), sequence: 1)
        let escalation = transaction(manager, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .operator, principal: "manager-2nd")))
        let replay = transaction(manager, .revokeKey(RevokeKey(key: manager.publicKey, reason: .other)), sequence: 1)
        let good = transaction(manager, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "till-spare")))
        let outcomes = try append([unknown, escalation, replay, good])
        let retry = try append([good])
        for (label, outcome) in zip(["unregistered key", "manager registering an operator", "replayed sequence 1", "valid spare till"], outcomes) {
            print("   \(label): \(render(outcome))")
        }
        print("   retry of the spare till with the same idempotency id: \(render(retry[0]))")
        guard case .duplicate = retry[0], case .committed = outcomes[3] else { throw CLIError("idempotent retry did not return the first result") }
    }

    /// Appends `blocks` trading blocks; returns append latency percentiles (ms).
    func trade(_ shop: inout DemoShop, blocks: Int, blockSize: Int, members: Int) throws -> (p50: Double, p99: Double) {
        var latencies: [Double] = []
        for _ in 0..<blocks {
            let started = DispatchTime.now()
            _ = try shop.trade(count: blockSize, members: members)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6)
        }
        print("   traded \(blocks) blocks of \(blockSize): \(shop.sales.count) sales, \(shop.refunds) refunds; head is height \(try height())")
        latencies.sort()
        guard !latencies.isEmpty else { return (0, 0) }
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    /// Prints a sale's receipt (42 columns) and checks its QR payload against the store.
    func printReceipt(_ transaction: SignedTransaction, _ sale: Sale, till: String) throws {
        let location = try store.environment.read { try store.location(of: transaction.id, $0) }!
        let receipt = ReceiptDocument.sale(sale, transaction: transaction, height: location.height, merchant: DemoShop.merchant,
                                           outletName: network.genesis.outlet(outletID)!.name, till: till)
        print("== receipt of the first sale (42 columns)")
        ReceiptTextRenderer(columns: 42).render(receipt).forEach { print("   " + $0) }
        let check = try ReceiptCheck(store: store, genesis: network.genesis).check(receipt.qr)
        print("   check-receipt: \(check)")
    }

    /// Proves the first transaction and checks the proof against the genesis alone.
    func proveOneTransaction() throws -> Bool {
        let first = try store.environment.read { try store.block(outletID, height: 1, $0) }!.transactions[0]
        let proof = try ProofBuilder(store: store).transactionProof(first.id)
        let facts = try ProofVerifier(genesis: network.genesis).verify(proof)
        print("   proof: tx \(facts.transactionID.hex.prefix(16))… in block \(facts.height), covered by head \(facts.headHeight): checked against genesis only")
        return facts.transactionID == first.id
    }

    func height() throws -> UInt64 {
        try store.environment.read { try store.head(outletID, $0) }.height
    }

    private func expectCommitted(_ outcomes: [AppendOutcome], _ what: String) throws {
        for outcome in outcomes {
            guard case .committed = outcome else { throw CLIError("demo step \"\(what)\" failed: \(render(outcome))") }
        }
    }
}

/// Cents as `S$12.30`.
func money(_ cents: Int64) -> String {
    let magnitude = cents.magnitude
    return (cents < 0 ? "-" : "") + "S$\(magnitude / 100)." + (magnitude % 100 < 10 ? "0" : "") + "\(magnitude % 100)"
}

func render(_ outcome: AppendOutcome) -> String {
    switch outcome {
    case .committed(let location): "committed at height \(location.height)"
    case .duplicate(let location): "duplicate: first result was height \(location.height) index \(location.index)"
    case .rejected(let rejection): "rejected, \(rejection)"
    }
}

/// Next sequence number per signer for the demo's own keys.
final class SequenceBook: @unchecked Sendable {
    // @unchecked: used from one thread (the demo runs sequentially).
    private var last: [PublicKey: UInt64] = [:]
    func next(_ key: PublicKey) -> UInt64 {
        let value = (last[key] ?? 0) + 1
        last[key] = value
        return value
    }
}
