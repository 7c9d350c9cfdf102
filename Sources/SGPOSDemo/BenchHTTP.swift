import Foundation
import NIOCore
import NIOPosix
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import SGPOSClient

/// Submissions over HTTP to one real `sgpos node run` process (issue: node API): the tills'
/// throughput with many tills at once (one request per transaction, and backlogs uploaded
/// in batches), and submit → durable latency at a fixed rate. The till clients run on the
/// same machine and share its cores with the node unless `nodeCPUs` pins the node.
struct HTTPBench {
    struct Result {
        var throughput: Double
        var tills: Int
        var batchThroughput: Double
        /// Requests per second of the same tills each sending `GET /v1/health` as often.
        var floorThroughput: Double
        /// One entry per paced run: submit → durable p50 and p99, milliseconds.
        var paced: [(p50Ms: Double, p99Ms: Double)]
        var pacedRate: Int
        var pacedCount: Int
    }

    let directory: String
    let tills: Int
    let perTill: Int
    let pacedRate: Int
    let pacedSeconds: Int
    /// Paced runs, one after another on the same node (each with its own transactions).
    var pacedRuns = 1
    /// Tills uploading backlogs at once, transactions per till, transactions per batch.
    let batchTills: Int
    let batchPerTill: Int
    let batchSize: Int
    /// A `taskset` CPU list for the node process (nil: not pinned).
    let nodeCPUs: String?
    /// What the tills submit.
    let body: Body

    /// The transactions of the run.
    enum Body: String {
        /// 5-line card sales (priced, GST, stock, shift and books: what a till mostly sends).
        case sale
        /// Loyalty enrolments (one small state record each: the body measured before 2026-12-06).
        case enrolment

        var described: String { self == .sale ? "a 5-line card sale" : "a loyalty enrolment" }
    }

    func run() async throws -> Result {
        let network = try DemoNetwork.create(directory: directory, outlets: 2)
        // A manager, the tills with open shifts and the price list, written straight into the
        // store before the node starts (the outlets' writers, and with them the ledgers'
        // writer locks, are gone by then); the baskets are priced there too.
        let manager = SigningKey.generate()
        let keys = (0..<tills).map { _ in SigningKey.generate() }
        var sessions = keys.enumerated().map { TillSession(genesis: network.genesis, outlet: 1, key: $1, principal: "bench-\($0)", lastSequence: 0) }
        var tillSales: [TillSales]
        do {
            let outlet = try DemoOutlet(network: network, outletID: 1)
            _ = try DemoOutlet(network: network, outletID: 2)
            var batch = [outlet.transaction(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager-1")))]
            for (index, key) in keys.enumerated() {
                batch.append(outlet.transaction(manager, .registerKey(RegisterKey(key: key.publicKey, role: .till, principal: "bench-\(index)"))))
            }
            batch.append(outlet.transaction(manager, POSBody.setPrices(SetPrices(entries: BenchShop.prices)).transactionBody))
            try await expectAllCommitted(outlet.append(batch))
            let now = Int64(wallClockMs())
            try await expectAllCommitted(outlet.append(sessions.indices.map { sessions[$0].sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: now) }))
            let baskets = try outlet.store.environment.read { transaction in
                let state = outlet.store.stateReader(1, transaction)
                return try (0..<TillSales.baskets).map { basket in
                    try sessions[0].buildSale((0..<5).map { StockLine(sku: "SKU-\((basket * 5 + $0 * 13) % 200)", quantity: 1 + Int64($0 % 3)) },
                                              payment: BenchShop.card, atMs: now, state: state)
                }
            }
            tillSales = sessions.indices.map { TillSales(till: $0, baskets: baskets, body: body) }
        }
        let nodes = try DemoNodes(directory: directory, outlets: [1], reader: network.admin, cpus: nodeCPUs)
        defer { nodes.stop() }
        try await nodes.waitUntilConnected(seconds: 30)
        let (host, port) = try BenchHTTPClient.endpoint(nodes.nodes[0].client.baseURL)
        let group = MultiThreadedEventLoopGroup.singleton

        // Throughput: every till submits its (pre-signed) sales (or enrolments) one after another.
        var signed: [[SignedTransaction]] = []
        for index in sessions.indices {
            signed.append((0..<perTill).map { _ in tillSales[index].next(&sessions[index]) })
        }
        let bodies = signed.map { $0.map { BenchHTTPClient.submitBody($0.encoded) } }
        let started = DispatchTime.now()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for tillBodies in bodies {
                tasks.addTask {
                    let answers = try await BenchHTTPClient.post(tillBodies, path: "/v1/transactions", host: host, port: port, group: group)
                    guard answers.allSatisfy({ $0.status == 200 }) else { throw CLIError("a submission was refused: \(answers.first { $0.status != 200 }!.status)") }
                }
            }
            try await tasks.waitForAll()
        }
        let throughput = Double(tills * perTill) / (Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)

        // The floor under that figure: as many requests, each `GET /v1/health` (the HTTP
        // round trip, routing, one store read and a JSON answer; no signature, no block).
        let floorStarted = DispatchTime.now()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for _ in sessions.indices {
                tasks.addTask {
                    let answers = try await BenchHTTPClient.get("/v1/health", count: perTill, host: host, port: port, group: group)
                    guard answers.allSatisfy({ $0.status == 200 }) else { throw CLIError("a health request failed: \(answers.first { $0.status != 200 }!.status)") }
                }
            }
            try await tasks.waitForAll()
        }
        let floorThroughput = Double(tills * perTill) / seconds(since: floorStarted)

        // Latency at a fixed rate: each till sends on its own schedule; latency counts from
        // the scheduled time, so a till that falls behind is charged for it.
        var pacedResults: [(p50Ms: Double, p99Ms: Double)] = []
        var pacedCount = 0
        for run in 0..<pacedRuns {
            let latencies = try await pacedRun(sessions: &sessions, sales: &tillSales, host: host, port: port, group: group)
            guard !latencies.isEmpty else { throw CLIError("no paced submissions") }
            pacedCount = latencies.count
            pacedResults.append((latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)]))
        }

        // Backlogs, last (a node that has just absorbed 20,000 transactions in bursts is not
        // the steady state the paced figure is about): the first `batchTills` tills each
        // upload pre-signed transactions in binary batches (POST /v1/transactions/batch), one
        // batch at a time, answered once durable.
        let batchThroughput = try await batchRun(sessions: &sessions, sales: &tillSales, host: host, port: port, group: group)
        return Result(throughput: throughput, tills: tills, batchThroughput: batchThroughput, floorThroughput: floorThroughput, paced: pacedResults,
                      pacedRate: pacedRate, pacedCount: pacedCount)
    }

    /// One paced run: `pacedRate` tx/s over all tills for `pacedSeconds`; the sorted
    /// submit → durable latencies in milliseconds.
    private func pacedRun(sessions: inout [TillSession], sales: inout [TillSales], host: String, port: Int,
                          group: any EventLoopGroup) async throws -> [Double] {
        let perTillRate = Double(pacedRate) / Double(tills)
        let count = Int(perTillRate * Double(pacedSeconds))
        var paced: [[SignedTransaction]] = []
        for index in sessions.indices {
            paced.append((0..<count).map { _ in sales[index].next(&sessions[index]) })
        }
        let origin = DispatchTime.now().uptimeNanoseconds + 100_000_000
        return try await withThrowingTaskGroup(of: [Double].self) { tasks in
            for (index, transactions) in paced.enumerated() {
                tasks.addTask {
                    let offset = Double(index) / Double(pacedRate) * 1e9
                    let due: @Sendable (Int) -> UInt64 = { number in origin + UInt64(offset + Double(number) / perTillRate * 1e9) }
                    let answers = try await BenchHTTPClient.post(transactions.map { BenchHTTPClient.submitBody($0.encoded) },
                                                                 path: "/v1/transactions", host: host, port: port, group: group, due: due)
                    guard answers.allSatisfy({ $0.status == 200 }) else { throw CLIError("a paced submission was refused") }
                    return answers.enumerated().map { Double($1.at - min($1.at, due($0))) / 1e6 }
                }
            }
            var all: [Double] = []
            for try await part in tasks { all += part }
            return all.sorted()
        }
    }

    /// Transactions per second of `batchTills` tills uploading `batchPerTill` each in batches
    /// of `batchSize`; every answer is checked (all committed) after the clock stops.
    private func batchRun(sessions: inout [TillSession], sales: inout [TillSales], host: String, port: Int,
                          group: any EventLoopGroup) async throws -> Double {
        var bodies: [[[UInt8]]] = []
        for index in 0..<batchTills {
            let transactions = (0..<batchPerTill).map { _ in sales[index].next(&sessions[index]) }
            bodies.append(stride(from: 0, to: transactions.count, by: batchSize).map { start in
                TransactionBatch(Array(transactions[start..<min(start + batchSize, transactions.count)])).encoded
            })
        }
        let started = DispatchTime.now()
        let answers = try await withThrowingTaskGroup(of: [BenchHTTPClient.Answer].self) { tasks in
            for till in bodies {
                tasks.addTask {
                    try await BenchHTTPClient.post(till, path: "/v1/transactions/batch", host: host, port: port, group: group,
                                                   contentType: "application/octet-stream")
                }
            }
            var all: [BenchHTTPClient.Answer] = []
            for try await part in tasks { all += part }
            return all
        }
        let rate = Double(batchTills * batchPerTill) / seconds(since: started)
        var committed = 0
        for answer in answers {
            guard answer.status == 200 else { throw CLIError("a batch was refused: HTTP \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))") }
            committed += try JSONDecoder().decode(API.BatchSubmitResponse.self, from: Data(answer.body)).committed
        }
        guard committed == batchTills * batchPerTill else {
            throw CLIError("\(committed) of \(batchTills * batchPerTill) batched transactions were committed")
        }
        return rate
    }
}

/// One till's transactions for the HTTP bench. Sales: baskets priced once against the
/// outlet's price list (a sale body holds no time), each numbered after the till's last
/// receipt and signed when it is made. Enrolments: a new member id each.
struct TillSales {
    /// Distinct baskets the tills cycle through.
    static let baskets = 64
    let till: Int
    let baskets: [Sale]
    let body: HTTPBench.Body
    private var made = 0

    init(till: Int, baskets: [Sale], body: HTTPBench.Body) {
        self.till = till
        self.baskets = baskets
        self.body = body
    }

    /// The till's next transaction: a sale with receipt number 1, 2, … of its open shift,
    /// or an enrolment of member `T<till>-<n>`.
    mutating func next(_ session: inout TillSession) -> SignedTransaction {
        made += 1
        switch body {
        case .enrolment:
            return session.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "T\(till)-\(made)")), atMs: Int64(wallClockMs()))
        case .sale:
            var sale = baskets[(till * 7 + made) % baskets.count]
            sale.receiptNumber = UInt64(made)
            return session.sign(.sale(sale), atMs: Int64(wallClockMs()))
        }
    }
}

private func expectAllCommitted(_ outcomes: [AppendOutcome]) throws {
    for outcome in outcomes {
        if case .committed = outcome { continue }
        throw CLIError("bench set-up refused: \(render(outcome))")
    }
}
