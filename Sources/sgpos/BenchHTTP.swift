import Foundation
import SGPOSChain
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill

/// Submissions over HTTP to one real `sgpos node run` process (issue: node API): the tills'
/// throughput with many tills at once, and submit → durable latency at a fixed rate.
/// The till clients run on the same machine and share its cores with the node.
struct HTTPBench {
    struct Result {
        var throughput: Double
        var tills: Int
        var p50Ms: Double
        var p99Ms: Double
        var pacedRate: Int
        var pacedCount: Int
    }

    let directory: String
    let tills: Int
    let perTill: Int
    let pacedRate: Int
    let pacedSeconds: Int

    func run() async throws -> Result {
        let network = try DemoNetwork.create(directory: directory, outlets: 2)
        let outlet = try DemoOutlet(network: network, outletID: 1)
        _ = try DemoOutlet(network: network, outletID: 2)
        // A manager and the tills, registered straight into the store before the node starts.
        let manager = SigningKey.generate()
        let keys = (0..<tills).map { _ in SigningKey.generate() }
        var batch = [outlet.transaction(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager-1")))]
        for (index, key) in keys.enumerated() {
            batch.append(outlet.transaction(manager, .registerKey(RegisterKey(key: key.publicKey, role: .till, principal: "bench-\(index)"))))
        }
        for result in try outlet.append(batch) {
            if case .committed = result { continue }
            throw CLIError("bench set-up refused: \(render(result))")
        }
        let nodes = try DemoNodes(directory: directory, outlets: [1])
        defer { nodes.stop() }
        try await nodes.waitUntilConnected(seconds: 30)
        let base = nodes.nodes[0].client.baseURL

        // Throughput: every till submits its (pre-signed) enrolments one after another.
        var sessions = keys.enumerated().map { TillSession(genesis: network.genesis, outlet: 1, key: $1, principal: "bench-\($0)", lastSequence: 1) }
        var signed: [[SignedTransaction]] = []
        for index in sessions.indices {
            signed.append((0..<perTill).map { number in
                sessions[index].sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "T\(index)-\(number)")), atMs: Int64(wallClockMs()))
            })
        }
        let started = DispatchTime.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for transactions in signed {
                group.addTask {
                    let client = NodeClient(baseURL: base, timeoutSeconds: 10, attemptsMax: 3)
                    for transaction in transactions { _ = try await client.submit(transaction) }
                }
            }
            try await group.waitForAll()
        }
        let throughput = Double(tills * perTill) / (Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)

        // Latency at a fixed rate: each till sends on its own schedule; latency counts from
        // the scheduled time, so a till that falls behind is charged for it.
        let perTillRate = Double(pacedRate) / Double(tills)
        let count = Int(perTillRate * Double(pacedSeconds))
        var paced: [[SignedTransaction]] = []
        for index in sessions.indices {
            paced.append((0..<count).map { number in
                sessions[index].sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "P\(index)-\(number)")), atMs: Int64(wallClockMs()))
            })
        }
        let origin = DispatchTime.now().uptimeNanoseconds + 100_000_000
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, transactions) in paced.enumerated() {
                group.addTask {
                    let client = NodeClient(baseURL: base, timeoutSeconds: 10, attemptsMax: 3)
                    var measured: [Double] = []
                    let offset = Double(index) / Double(pacedRate) * 1e9
                    for (number, transaction) in transactions.enumerated() {
                        let due = origin + UInt64(offset + Double(number) / perTillRate * 1e9)
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { try await Task.sleep(nanoseconds: due - now) }
                        _ = try await client.submit(transaction)
                        measured.append(Double(DispatchTime.now().uptimeNanoseconds - due) / 1e6)
                    }
                    return measured
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        guard !latencies.isEmpty else { throw CLIError("no paced submissions") }
        return Result(throughput: throughput, tills: tills, p50Ms: latencies[latencies.count / 2],
                      p99Ms: latencies[min(latencies.count - 1, latencies.count * 99 / 100)], pacedRate: pacedRate, pacedCount: latencies.count)
    }
}
