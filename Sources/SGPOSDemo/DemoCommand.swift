import ArgumentParser
import Foundation
import Synchronization
import SGPOSCommandSupport
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSNode
import SGPOSRetail
import SGPOSTill
import SGPOSClient
import SGPOSProofs

/// `sgpos demo` (`make run`): a local network of outlet nodes as separate processes on
/// loopback. Each outlet's ledger is opened (keys, price list, stock, members, shifts),
/// then its node starts; simulated tills sell real signed transactions over HTTP while
/// one outlet is cut off from its peers for a while (it keeps selling) and reconnected;
/// shifts and days close; the demo waits for every node to hold every chain, stops the
/// nodes, audits every node's data and prints what happened.
public struct DemoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a network of outlet nodes on loopback: tills sell over HTTP, one outlet is cut off and reconnected, everything replicates and verifies.")

    @Option(help: "Directory for the demo network (replaced if it holds an earlier demo).") var dir: String = "demo-data"
    @Option(help: "Number of outlets, one node process each (2...16).") var outlets: Int = 4
    @Option(help: "Tills registered per outlet (two of them sell).") var tills: Int = 3
    @Option(help: "Sales per outlet.") var sales: Int = 120
    @Option(help: "Loyalty members enrolled per outlet.") var members: Int = 20
    @Option(help: "GST computed per invoice (IRAS's usual) or per line: the genesis parameter (docs/FORMAT.md §13).") var gstMethod: String = "per-invoice"
    @Option(help: "Adds a rate to the genesis's GST table from a date (YYYY-MM-DD:BASISPOINTS, after 2024-01-01's 900; repeatable): to rehearse a rate change.")
    var gstRate: [String] = []
    @Option(help: "The first node also mirrors the chains into this PostgreSQL database as it runs (postgres://user@host:port/db; docs/EXPORT.md).")
    var exportPostgres: String?
    @Flag(help: "After the demo, keep its nodes running (web till, back office, receipt checker) until Ctrl-C.") var serve = false

    public func validate() throws {
        guard (2...16).contains(outlets) else { throw ValidationError("--outlets must be 2...16") }
        guard (3...50).contains(tills) else { throw ValidationError("--tills must be 3...50") }
        guard (1...100_000).contains(sales) else { throw ValidationError("--sales must be 1...100000") }
        guard (1...1_000).contains(members) else { throw ValidationError("--members must be 1...1000") }
    }

    public init() {}

    public func run() async throws {
        // Each line as it is printed, also into a file or a pipe (`make run | tee`, a test
        // that kills a stuck demo and shows how far it got).
        lineBufferStandardOutput()
        guard let method = Genesis.GSTMethod.allCases.first(where: { $0.name == gstMethod }) else {
            throw ValidationError("--gst-method must be per-invoice or per-line")
        }
        var rates = DemoNetwork.gstRates
        for entry in gstRate {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, CivilTime.Date(iso: String(parts[0])) != nil, let basisPoints = UInt32(parts[1]), basisPoints <= 10_000,
                  let last = rates.last, String(parts[0]) > last.effectiveFrom else {
                throw ValidationError("--gst-rate must be YYYY-MM-DD:BASISPOINTS (0...10000), each date after the table's last (\(rates.last?.effectiveFrom ?? "")): \(entry)")
            }
            rates.append(.init(effectiveFrom: String(parts[0]), basisPoints: basisPoints))
        }
        let network = try DemoNetwork.create(directory: dir, outlets: outlets, gstMethod: method, gstRates: rates)
        print("== genesis \(network.genesis.id) chain \(network.genesis.chainID): \(outlets) outlets, keys in \(dir)/keys")
        var sellers: [OutletID: [TillSession]] = [:]
        var managers: [OutletID: TillSession] = [:]
        var memberIDs: [OutletID: [String]] = [:]
        for outlet in network.genesis.outlets {
            let run = try DemoOutlet(network: network, outletID: outlet.id)
            let tillKeys = try await run.setUp(tills: tills)
            try await run.showRules()
            var shop = try DemoShop(outlet: run, tillKeys: tillKeys)
            try await shop.open(members: members)
            print("   price list of \(DemoShop.catalogue.count) items, opening stock, \(members) members, \(shop.tills.count) shifts open; height \(try run.height())")
            sellers[outlet.id] = shop.tills
            managers[outlet.id] = shop.manager
            memberIDs[outlet.id] = (0..<members).map(shop.memberID)
        }
        let ids = network.genesis.outlets.map(\.id)
        let nodes = try DemoNodes(directory: dir, outlets: ids, reader: network.admin, exportPostgresURL: exportPostgres)
        defer { nodes.stop() }
        try await nodes.waitUntilConnected(seconds: 60)
        print("== \(ids.count) nodes running (sgpos node run), every peer connected; logs in \(dir)/node-N.log")
        print("   web pages while the demo runs (`sgpos demo --serve` keeps them after it; docs/WEB.md):")
        DemoServe.webLines(directory: dir, outlets: ids).forEach { print($0) }
        let keyChange = try await startValidatorKeyChange(network: network, nodes: nodes)
        try await grantAllowances(network: network, nodes: nodes)

        let progress = DemoProgress(target: sales * ids.count)
        let cutOff = ids.last!
        let results = try await trade(nodes: nodes, sellers: sellers, memberIDs: memberIDs, progress: progress, cutOff: cutOff)
        if try await nodes.nodes.first(where: { $0.outlet == cutOff })!.client.health().isolated {
            try await nodes.nodes.first { $0.outlet == cutOff }!.client.isolate(false)
            print("   -- outlet \(cutOff) reconnected after trading")
        }
        for problem in results.flatMap(\.result.failures).prefix(5) { print("   FAIL \(problem)") }
        var afterTrading: [OutletID: [TillSession]] = [:]
        for (outlet, result) in results { if let session = result.session { afterTrading[outlet, default: []].append(session) } }
        var redemptionFailures = 0
        if let member = memberIDs[ids[0]]?.first {
            redemptionFailures = try await showOfflineRedemption(nodes: nodes, sellers: &afterTrading, member: member, source: ids[0], outlet: cutOff)
        }
        redemptionFailures += try await showRecall(network: network, nodes: nodes, sellers: &afterTrading, members: memberIDs, cutOff: cutOff)
        try await closeDay(nodes: nodes, sellers: afterTrading, managers: managers)
        print("== shifts closed (till-01 counted 10 cents short) and a Z-report signed by each outlet's manager")
        let seconds = try await nodes.waitForReplication(seconds: 90)
        print(String(format: "== replication: every node holds every outlet's chain at its producer's head (%.1f s after the last block)", seconds))
        var heightViews: [OutletID: [API.Head]] = [:]
        for node in nodes.nodes { heightViews[node.outlet] = try await node.client.heads() }
        var checkpointFailures = try await showCheckpoints(nodes: nodes, heightViews: heightViews)
        checkpointFailures += try await showEquivocation(nodes: nodes, culprit: ids[1 % ids.count])
        checkpointFailures += try await showValidatorKeyChange(nodes: nodes, change: keyChange)
        let transfers = try await nodes.nodes[0].client.networkTransfers().transfers
        // Each outlet sends a second transfer that is never received (DemoShop): in transit.
        let sentOnly = Set(ids.map { Hex.encode(Array(Hash256.sha256(Array("demo-in-transit-\($0)".utf8)).bytes.prefix(16))) })
        let matched = transfers.filter { $0.status == "matched" }.count
        let inTransit = transfers.filter { sentOnly.contains($0.transferId) }
        print("== network view (outlets by id, each at its head): \(matched) of \(transfers.count) inter-outlet transfers matched, "
              + "\(inTransit.count) in transit as the demo leaves them "
              + "(" + transfers.map { "\($0.from)→\($0.to) \($0.status)" }.joined(separator: ", ") + ")")
        var networkFailures = matched + inTransit.count == transfers.count && !transfers.isEmpty
            && inTransit.allSatisfy { $0.status == "in-transit" } ? 0 : 1
        if nodes.nodes.count >= 4 {
            // The checkpointed view: the same transfers, as the network state records them.
            let final = transfers.filter { $0.checkpointedStatus == "matched" }.count
            print("   as of the last checkpoint: \(final) of \(transfers.count) matched")
            if final + inTransit.count != transfers.count { networkFailures += 1 }
            // A member's standing: provisional (each outlet at its head) and checkpointed
            // (the network state); everything is covered by now, so they must agree.
            if let memberID = memberIDs[ids[0]]?.first {
                let member = try await nodes.nodes[0].client.networkMember(memberID)
                if let agreed = member.checkpointed {
                    print("   member \(memberID): \(member.points) points now; as of checkpoint \(agreed.checkpointHeight): \(agreed.points) points "
                          + "(earned \(agreed.earned), redeemed \(agreed.redeemed)) over \(agreed.accounts.count) outlet(s)")
                    if agreed.points != member.points { networkFailures += 1 }
                }
            }
        }
        networkFailures += try await showRequestSignatures(nodes: nodes, network: network, tills: sellers)
        var receiptCheck: (ReceiptQRPayload, Sale, String)?
        if let first = results.first(where: { $0.outlet == ids[0] })?.result.firstSale {
            receiptCheck = try await receipt(of: first, nodes: nodes)
        }
        let stopProblems = nodes.stop()
        print("== nodes stopped (SIGTERM); auditing every node's data")
        for problem in stopProblems { print("   FAIL \(problem)") }
        let failures = try summarize(results: results, nodes: nodes, heightViews: heightViews, genesis: network.genesis,
                                     receipt: receiptCheck)
        if failures + networkFailures + checkpointFailures + redemptionFailures + stopProblems.count > 0 {
            print("demo FAILED: \(failures + networkFailures + checkpointFailures + redemptionFailures + stopProblems.count) problem(s)")
            throw ExitCode(1)
        }
        print("demo OK")
        if serve { try DemoServe(directory: dir, outlets: ids).run() }
    }

    /// Tills sell concurrently on every outlet; a third of the way in, the last outlet is
    /// cut off from its peers, and two thirds in it is reconnected.
    func trade(nodes: DemoNodes, sellers: [OutletID: [TillSession]], memberIDs: [OutletID: [String]],
               progress: DemoProgress, cutOff: OutletID) async throws -> [(outlet: OutletID, result: TillWorker.Result)] {
        let cutClient = nodes.nodes.first { $0.outlet == cutOff }!.client
        let target = sales * nodes.nodes.count
        // Stopped by a flag and awaited, never cancelled: the cut and the heal it may be in
        // the middle of must have landed before the caller looks at the outlet's state.
        let stop = Mutex(false)
        let reporter = Task {
            var cut = false
            var healed = false
            while !stop.withLock({ $0 }) {
                try await Task.sleep(nanoseconds: 250_000_000)
                let sold = await progress.total()
                if !cut && sold >= target / 3 {
                    cut = true
                    try await cutClient.isolate(true)
                    await progress.setPartitioned(cutOff)
                    print("   -- outlet \(cutOff) cut off from its peers at \(sold) sales")
                }
                if cut && !healed && sold >= target * 2 / 3 {
                    healed = true
                    try await cutClient.isolate(false)
                    await progress.setPartitioned(nil)
                    print("   -- outlet \(cutOff) reconnected at \(sold) sales")
                }
                print(await progress.line())
            }
        }
        defer { stop.withLock { $0 = true } }
        let results = try await withThrowingTaskGroup(of: (OutletID, TillWorker.Result).self) { group in
            for node in nodes.nodes {
                let tills = Array(sellers[node.outlet]!.prefix(2))
                for (index, session) in tills.enumerated() {
                    let share = sales / tills.count + (index < sales % tills.count ? 1 : 0)
                    var worker = TillWorker(outlet: node.outlet, session: session, client: node.client.signed(by: session.key),
                                            members: memberIDs[node.outlet]!, seed: UInt64(node.outlet) * 100 + UInt64(index))
                    group.addTask { (node.outlet, await worker.run(sales: share, progress: progress)) }
                }
            }
            var all: [(outlet: OutletID, result: TillWorker.Result)] = []
            for try await (outlet, result) in group { all.append((outlet, result)) }
            return all
        }
        stop.withLock { $0 = true }
        try await reporter.value
        print(await progress.line())
        return results
    }

    /// Closes every selling till's shift (till-01 is 10 cents short) and the day.
    func closeDay(nodes: DemoNodes, sellers: [OutletID: [TillSession]], managers: [OutletID: TillSession]) async throws {
        for node in nodes.nodes {
            for session in sellers[node.outlet] ?? [] {
                try await closeShift(session, client: node.client, outlet: node.outlet)
            }
            guard let manager = managers[node.outlet] else { continue }
            try await submitPrepared(.init(kind: "day-close"), signer: manager, client: node.client)
        }
    }

    /// Closes one till's shift if it is open (till-01 counts 10 cents short).
    func closeShift(_ session: TillSession, client: NodeClient, outlet: OutletID) async throws {
        let shift = try await client.signed(by: session.key).shift(outlet: outlet, till: session.principal)
        guard shift.open else { return }
        let shortBy: Int64 = session.principal == "till-01" ? 10 : 0
        let counted = try Money(decimal: shift.expectedCash).cents - shortBy
        let request = API.PrepareRequest(kind: "shift-close", till: session.principal, counted: try Money(cents: counted).decimal)
        try await submitPrepared(request, signer: session, client: client)
    }

    /// Asks the node to prepare a body, signs it with `signer`, submits it.
    func submitPrepared(_ request: API.PrepareRequest, signer: TillSession, client: NodeClient) async throws {
        var session = signer
        let prepared = try await client.signed(by: signer.key).prepare(request)
        let transaction = try signPrepared(prepared, with: &session)
        _ = try await client.submit(transaction)
    }

    /// The first sale's receipt from outlet 1's node, to check later against another node's data.
    func receipt(of sale: (transactionID: Hash256, height: UInt64), nodes: DemoNodes) async throws -> (ReceiptQRPayload, Sale, String) {
        let info = try await nodes.nodes[0].client.transaction(sale.transactionID.hex)
        let transaction = try SignedTransaction(encoded: Hex.decode(info.transaction)!)
        guard case .application(let type, let payload) = transaction.envelope.body, case .sale(let decoded) = try POSBody.decode(type: type, payload: payload) else {
            throw CLIError("the first sale is not a sale")
        }
        let document = ReceiptDocument.sale(decoded, transaction: transaction, height: info.height, merchant: DemoShop.merchant,
                                            outletName: "Tampines Mall", till: "till-01")
        print("== receipt of outlet \(info.outletId)'s first sale (42 columns)")
        ReceiptTextRenderer(columns: 42).render(document).forEach { print("   " + $0) }
        print("   qr payload on one line (sgpos audit check-receipt takes it): \(document.qr)")
        return (document.qr, decoded, nodes.nodes[1].data)
    }

    func summarize(results: [(outlet: OutletID, result: TillWorker.Result)], nodes: DemoNodes, heightViews: [OutletID: [API.Head]],
                   genesis: Genesis, receipt: (ReceiptQRPayload, Sale, String)?) throws -> Int {
        var failures = 0
        print("== summary")
        // Each outlet's takings as the sales report walks its chain, checked against its
        // books (the Z-reports it closed plus the open period, as the ledger accumulated them).
        var network = DemoBooks.Takings()
        for node in nodes.nodes {
            let mine = results.filter { $0.outlet == node.outlet }.map(\.result)
            let latencies = mine.flatMap(\.latenciesMs).sorted()
            let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
            let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
            let problems = mine.flatMap(\.failures)
            failures += problems.count
            problems.prefix(3).forEach { print("   FAIL \($0)") }
            let name = (genesis.outlet(node.outlet)?.name ?? "").padding(toLength: 16, withPad: " ", startingAt: 0)
            let (report, books) = try DemoBooks.takings(dataDirectory: node.data, outlet: node.outlet)
            if report != books {
                failures += 1
                print("   FAIL outlet \(node.outlet): the sales report (\(DemoBooks.describe(report))) differs from its books (\(DemoBooks.describe(books)))")
            }
            network.add(report)
            print(String(format: "   outlet %2d %@ %@ = its books  submit p50 %6.2f ms p99 %6.2f ms",
                         node.outlet, name, DemoBooks.describe(report), p50, p99))
        }
        print("   network             \(DemoBooks.describe(network))")
        print("== what the shipped rules (Contracts/) did across the network, from node \(nodes.nodes[0].outlet)'s copy")
        for line in try DemoRules.describe(dataDirectory: nodes.nodes[0].data, genesis: genesis) { print("   " + line) }
        for node in nodes.nodes {
            let view = heightViews[node.outlet]!.map { "o\($0.outletId)@\($0.height)" }.joined(separator: " ")
            let report = try AuditVerifier().verify(dataDirectory: node.data, trustedGenesis: genesis)
            if !report.isValid { failures += 1; report.findings.prefix(5).forEach { print("   FAIL \($0)") } }
            print("   node \(node.outlet) holds \(view): \(report.transactionCount) transactions, \(report.isValid ? "verified" : "INVALID")")
        }
        if let (payload, sale, otherNode) = receipt {
            do {
                let check = try ReceiptCheck(store: try openStore(otherNode), genesis: genesis).check(payload)
                print("   receipt \(sale.receiptNumber) checked against another node's replica: \(check)")
            } catch {
                failures += 1
                print("   FAIL receipt check: \(error)")
            }
        }
        return failures
    }
}

/// Signs a body the node prepared (after decoding it: a till signs only what it can read).
func signPrepared(_ prepared: API.PrepareResponse, with session: inout TillSession) throws -> SignedTransaction {
    guard let payload = Hex.decode(prepared.body) else { throw CLIError("prepared body is not hex") }
    let body = try POSBody.decode(type: prepared.bodyType, payload: payload)
    return session.sign(body, atMs: Int64(wallClockMs()))
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

    /// Singapore's GST rates since 2007.
    static let gstRates: [Genesis.GSTRate] = [.init(effectiveFrom: "2007-07-01", basisPoints: 700), .init(effectiveFrom: "2023-01-01", basisPoints: 800),
                                              .init(effectiveFrom: "2024-01-01", basisPoints: 900)]

    /// The demo's genesis time: 2026-01-01 00:00 SGT.
    static let genesisTimeMs: TimestampMs = 1_767_196_800_000

    static func create(directory: String, outlets: Int, gstMethod: Genesis.GSTMethod = .perInvoice,
                       gstRates: [Genesis.GSTRate] = DemoNetwork.gstRates, genesisTimeMs: TimestampMs = DemoNetwork.genesisTimeMs) throws -> DemoNetwork {
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
        // Validators: outlets 1–7 each vote with a validator key of its own (in its node's
        // configuration); outlet 3 also holds the key it changes to during the demo.
        var validators: [Genesis.Validator] = []
        if outlets >= Genesis.checkpointOutletsMin {
            for id in 1...min(outlets, 7) {
                let key = SigningKey.generate()
                try KeyFile(label: "validator of outlet \(id)", key: key).write(to: "\(directory)/keys/validator-\(id).key")
                validators.append(Genesis.Validator(name: "outlet-\(id)", publicKey: key.publicKey, power: 1))
            }
            try KeyFile(label: "next validator key of outlet 3", key: SigningKey.generate()).write(to: "\(directory)/keys/validator-3-next.key")
        }
        let genesis = try Genesis(
            chainID: ChainID("sgpos-demo-1")!, genesisTimeMs: genesisTimeMs, blockTransactionsMax: 8_190,
            keyRotationOverlapMsMax: 7 * 86_400_000, gstPricesIncludeTax: true, gstMethod: gstMethod,
            gstRates: gstRates,
            admins: [.init(name: "hq-admin", publicKey: admin.publicKey)], outlets: genesisOutlets, validators: validators,
            checkpointTime: .defaults)
        try writeFile(try JSON.encode(GenesisDocument(genesis)), to: directory + "/genesis.json")
        return DemoNetwork(directory: directory, genesis: genesis, admin: admin, nodeKeys: nodeKeys)
    }
}

/// One outlet of the demo before its node starts: its store, the committer every append
/// goes through (the node's own write path, ``GroupCommitter``) and the keys it registers.
struct DemoOutlet {
    let network: DemoNetwork
    let outletID: OutletID
    let store: LedgerStore
    let committer: GroupCommitter
    let manager = SigningKey.generate()
    private let sequences = SequenceBook()

    init(network: DemoNetwork, outletID: OutletID) throws {
        self.network = network
        self.outletID = outletID
        let data = "\(network.directory)/outlet-\(outletID)"
        store = try LedgerStore.create(dataDirectory: data, genesis: network.genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        try writeFile(try JSON.encode(NodeFile(outletId: outletID)), to: data + "/node.json")
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[outletID]!, rules: POSRules.chainRules)
        let blockMax = Int(network.genesis.blockTransactionsMax)
        committer = GroupCommitter(writer: writer, blockMax: blockMax, pendingMax: blockMax)
    }

    func transaction(_ signer: SigningKey, _ body: TransactionBody, sequence: UInt64? = nil,
                     idempotency: IdempotencyID? = nil) -> SignedTransaction {
        TransactionEnvelope(
            chainID: network.genesis.chainID, outletID: outletID, signer: signer.publicKey,
            sequence: sequence ?? sequences.next(signer.publicKey),
            idempotencyID: idempotency ?? IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: wallClockMs(), body: body
        ).signed(by: signer)
    }

    /// Appends through the committer: one block when they fit in one.
    func append(_ transactions: [SignedTransaction]) async throws -> [AppendOutcome] {
        try await committer.submitAll(transactions)
    }

    /// Registers the outlet manager and its tills, then rotates and revokes till keys.
    /// Returns the till keys that may still sign (till-01's new key, till-03…).
    func setUp(tills: Int) async throws -> [SigningKey] {
        let register = transaction(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager-\(outletID)")))
        let tillKeys = (1...tills).map { _ in SigningKey.generate() }
        var batch = [register]
        for (index, key) in tillKeys.enumerated() {
            batch.append(transaction(manager, .registerKey(RegisterKey(key: key.publicKey, role: .till, principal: String(format: "till-%02d", index + 1)))))
        }
        // The first outlet's chain also carries the network's auditor (role 5: reads every
        // outlet through the API with request signatures, signs no transaction).
        let auditor = outletID == network.genesis.outlets[0].id ? SigningKey.generate() : nil
        if let auditor {
            batch.append(transaction(network.admin, .registerKey(RegisterKey(key: auditor.publicKey, role: .auditor, principal: "auditor-hq"))))
            try KeyFile(label: "auditor-hq", key: auditor).write(to: "\(network.directory)/keys/auditor.key")
        }
        let outcomes = try await append(batch)
        try expectCommitted(outcomes, "register manager and \(tills) tills")
        print("-- outlet \(outletID): registered manager-\(outletID)\(auditor == nil ? "" : ", auditor-hq") and \(tills) tills in block \(try height())")
        let replacement = SigningKey.generate()
        let rotation = transaction(tillKeys[0], .rotateKey(RotateKey(oldKey: tillKeys[0].publicKey, newKey: replacement.publicKey,
                                                                      oldKeyValidUntilMs: wallClockMs() + 3_600_000)))
        let revocation = transaction(manager, .revokeKey(RevokeKey(key: tillKeys[1].publicKey, reason: .staffLeft)))
        try expectCommitted(try await append([rotation, revocation]), "rotate till-01, revoke till-02")
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
    func showRules() async throws {
        let stranger = SigningKey.generate()
        let unknown = transaction(stranger, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "rogue")), sequence: 1)
        let escalation = transaction(manager, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .operator, principal: "manager-2nd")))
        let replay = transaction(manager, .revokeKey(RevokeKey(key: manager.publicKey, reason: .other)), sequence: 1)
        let good = transaction(manager, .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "till-spare")))
        let outcomes = try await append([unknown, escalation, replay, good])
        let retry = try await append([good])
        for (label, outcome) in zip(["unregistered key", "manager registering an operator", "replayed sequence 1", "valid spare till"], outcomes) {
            print("   \(label): \(render(outcome))")
        }
        print("   retry of the spare till with the same idempotency id: \(render(retry[0]))")
        guard case .duplicate = retry[0], case .committed = outcomes[3] else { throw CLIError("idempotent retry did not return the first result") }
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
