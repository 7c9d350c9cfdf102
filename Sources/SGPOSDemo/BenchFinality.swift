import Foundation
import Synchronization
import NIOPosix
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import SGPOSClient

/// Submit → finalised on a 4-node loopback cluster (docs/CONSENSUS.md): tills on every
/// outlet submit at `rate` tx/s in all (or, with no rate, as fast as each till gets its
/// answers: cluster throughput); for each transaction the time from its scheduled
/// submission until a checkpoint on its own node covers its block.
struct FinalityBench {
    struct Result {
        var p50Ms: Double
        var p99Ms: Double
        var count: Int
        var checkpoints: UInt64
        /// Scheduled submission → durable answer (the tills' own wait).
        var durableP50Ms: Double
        var durableP99Ms: Double
        /// Submitted transactions per second over the submission phase, all nodes together.
        var throughput: Double
        /// From the last answer until every node's checkpoints covered its last block.
        var lastFinalMs: Double
        /// Each transaction's scheduled submission → the first time its own node reported a
        /// checkpoint covering its block (polled every 50 ms, so up to 50 ms late).
        var submitFinalP50Ms: Double
        var submitFinalP99Ms: Double
    }

    let directory: String
    /// Transactions per second in all; nil: every till submits back to back.
    let rate: Int?
    let seconds: Int
    /// Transactions per till when `rate` is nil.
    var perTill = 150
    /// With `rate` nil: each till uploads its transactions in batches of this many
    /// (`POST /v1/transactions/batch`, binary, one batch at a time) instead of one request each.
    var batchSize: Int?

    func run() async throws -> Result {
        let outlets: [OutletID] = [1, 2, 3, 4]
        let network = try DemoNetwork.create(directory: directory, outlets: outlets.count)
        let tillsPerOutlet = 8
        var sessions: [OutletID: [TillSession]] = [:]
        for id in outlets {
            let outlet = try DemoOutlet(network: network, outletID: id)
            let manager = SigningKey.generate()
            let keys = (0..<tillsPerOutlet).map { _ in SigningKey.generate() }
            var batch = [outlet.transaction(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager-\(id)")))]
            for (index, key) in keys.enumerated() {
                batch.append(outlet.transaction(manager, .registerKey(RegisterKey(key: key.publicKey, role: .till, principal: "bench-\(index)"))))
            }
            for result in try await outlet.append(batch) {
                if case .committed = result { continue }
                throw CLIError("bench set-up refused: \(render(result))")
            }
            sessions[id] = keys.enumerated().map { TillSession(genesis: network.genesis, outlet: id, key: $1, principal: "bench-\($0)", lastSequence: 1) }
        }
        let nodes = try DemoNodes(directory: directory, outlets: outlets, reader: network.admin)
        defer { nodes.stop() }
        try await nodes.waitUntilConnected(seconds: 60)

        let tills = outlets.count * tillsPerOutlet
        let perTillRate = Double(rate ?? 1) / Double(tills)
        let count = rate == nil ? perTill : Int(perTillRate * Double(seconds))
        var work: [(endpoint: (host: String, port: Int), outlet: OutletID, transactions: [SignedTransaction])] = []
        for (nodeIndex, id) in outlets.enumerated() {
            let endpoint = try BenchHTTPClient.endpoint(nodes.nodes[nodeIndex].client.baseURL)
            for index in 0..<tillsPerOutlet {
                let transactions = (0..<count).map { number in
                    sessions[id]![index].sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "F\(id)-\(index)-\(number)")), atMs: Int64(wallClockMs()))
                }
                work.append((endpoint, id, transactions))
            }
        }
        // Each submission: (outlet, block height, scheduled time, answered time), in ns.
        // Saturated tills send at once, so their scheduled time is the start.
        let origin = DispatchTime.now().uptimeNanoseconds + 200_000_000
        let group = MultiThreadedEventLoopGroup.singleton
        // Each node's own coverage over time: (uptime ns, outlet, covered height).
        let watched = zip(outlets, nodes.nodes.map(\.client)).map { ($0, $1) }
        // Stopped by a flag, not by cancellation: a cancelled URLSession request can hang on Linux.
        let stop = Mutex(false)
        let watcher = Task { () -> [(UInt64, OutletID, UInt64)] in
            var samples: [(UInt64, OutletID, UInt64)] = []
            var last: [OutletID: UInt64] = [:]
            while !stop.withLock({ $0 }), samples.count < 1_000_000 {
                for (outlet, client) in watched {
                    guard let covered = try? await client.checkpointStatus().covered[String(outlet)] else { continue }
                    if covered > last[outlet] ?? 0 {
                        last[outlet] = covered
                        samples.append((DispatchTime.now().uptimeNanoseconds, outlet, covered))
                    }
                }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            return samples
        }
        let batchSize = rate == nil ? self.batchSize : nil
        let answered = try await withThrowingTaskGroup(of: [(OutletID, BenchHTTPClient.Answer, UInt64)].self) { tasks in
            for (index, till) in work.enumerated() {
                if let batchSize {
                    tasks.addTask {
                        let bodies = stride(from: 0, to: till.transactions.count, by: batchSize).map { start in
                            TransactionBatch(Array(till.transactions[start..<min(start + batchSize, till.transactions.count)])).encoded
                        }
                        let answers = try await BenchHTTPClient.post(bodies, path: "/v1/transactions/batch", host: till.endpoint.host,
                                                                     port: till.endpoint.port, group: group, contentType: "application/octet-stream")
                        return answers.map { (till.outlet, $0, origin) }
                    }
                    continue
                }
                tasks.addTask {
                    let offset = Double(index) / Double(rate ?? 1) * 1e9
                    let due: @Sendable (Int) -> UInt64 = { number in
                        rate == nil ? origin : origin + UInt64(offset + Double(number) / perTillRate * 1e9)
                    }
                    let answers = try await BenchHTTPClient.post(till.transactions.map { BenchHTTPClient.submitBody($0.encoded) },
                                                                 path: "/v1/transactions", host: till.endpoint.host, port: till.endpoint.port,
                                                                 group: group, due: due)
                    return answers.enumerated().map { (till.outlet, $1, due($0)) }
                }
            }
            var all: [(OutletID, BenchHTTPClient.Answer, UInt64)] = []
            for try await part in tasks { all += part }
            return all
        }
        let decoder = JSONDecoder()
        // (outlet, block height, scheduled, answered) per transaction; a batch answers for all of its own.
        var submitted: [(OutletID, UInt64, UInt64, UInt64)] = []
        for (outlet, answer, due) in answered {
            guard answer.status == 200 else { throw CLIError("a submission was refused: HTTP \(answer.status)") }
            guard batchSize != nil else {
                submitted.append((outlet, try decoder.decode(API.SubmitResponse.self, from: Data(answer.body)).height, due, answer.at))
                continue
            }
            for result in try decoder.decode(API.BatchSubmitResponse.self, from: Data(answer.body)).results {
                guard result.status == API.BatchResult.committed, let height = result.height else {
                    throw CLIError("a batched transaction was not committed: \(result.status) \(result.message ?? "")")
                }
                submitted.append((outlet, height, due, answer.at))
            }
        }
        // Wait (≤ 60 s) until every node's checkpoints cover its own last block; each node
        // measures its own blocks' finality (committed → covered by a final checkpoint).
        let lastAnswer = submitted.map(\.3).max() ?? origin
        let throughput = Double(submitted.count) / (Double(lastAnswer - min(lastAnswer, origin)) / 1e9)
        let target = Dictionary(grouping: submitted, by: \.0).mapValues { $0.map(\.1).max() ?? 0 }
        let clients = nodes.nodes.map(\.client)
        let until = DispatchTime.now().uptimeNanoseconds + 60_000_000_000
        var statuses: [CheckpointService.Status] = []
        while DispatchTime.now().uptimeNanoseconds < until {
            statuses = []
            for client in clients { statuses.append(try await client.checkpointStatus()) }
            if zip(outlets, statuses).allSatisfy({ ($1.covered[String($0)] ?? 0) >= target[$0] ?? 0 }) { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        guard zip(outlets, statuses).allSatisfy({ ($1.covered[String($0)] ?? 0) >= target[$0] ?? 0 }) else {
            throw CLIError("not every submitted block was checkpointed within 60 s")
        }
        let lastFinalMs = Double(DispatchTime.now().uptimeNanoseconds - lastAnswer) / 1e6
        try await Task.sleep(nanoseconds: 100_000_000)  // one more poll of the watcher
        stop.withLock { $0 = true }
        let coverage = Dictionary(grouping: await watcher.value, by: \.1)
        var submitFinal: [Double] = []
        for (outlet, height, due, _) in submitted {
            guard let reached = coverage[outlet]?.first(where: { $0.2 >= height }) else { continue }
            submitFinal.append(Double(reached.0 - min(reached.0, due)) / 1e6)
        }
        submitFinal.sort()
        guard submitFinal.count == submitted.count else {
            throw CLIError("the coverage watcher missed \(submitted.count - submitFinal.count) transactions")
        }
        var durable = submitted.map { Double($0.3 - min($0.3, $0.2)) / 1e6 }
        durable.sort()
        func p(_ values: [Double], _ percent: Int) -> Double { values[min(values.count - 1, values.count * percent / 100)] }
        return Result(p50Ms: Double(statuses.compactMap(\.finalityP50Ms).max() ?? 0), p99Ms: Double(statuses.compactMap(\.finalityP99Ms).max() ?? 0),
                      count: submitted.count, checkpoints: statuses.map(\.checkpointHeight).max() ?? 0,
                      durableP50Ms: p(durable, 50), durableP99Ms: p(durable, 99), throughput: throughput, lastFinalMs: lastFinalMs,
                      submitFinalP50Ms: p(submitFinal, 50), submitFinalP99Ms: p(submitFinal, 99))
    }
}
