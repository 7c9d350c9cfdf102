import ArgumentParser
import Dispatch
import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCommandSupport
import SGPOSStore
import SGPOSState

/// `sgpos bench catch-up` (issue 17 item 3): a fresh node joins a network and fetches and
/// verifies an outlet chain of `--sales` sales from its peer, as two real node processes
/// on loopback. Outlet 1's chain is built first by the real writer (the scale set's mix of
/// bodies); outlet 2's node starts with only the genesis. Measured: its catch-up rate
/// (transactions verified and stored per second, from its first replica block to the
/// last) against the all-core Ed25519 verify rate, median of `--rounds` fresh joins; then
/// a join killed with SIGKILL half way and restarted, which must resume from what it had
/// committed (its log's catch-up lines say from where and how many blocks it applied).
struct CatchUpBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catch-up", abstract: "Measure a fresh node catching up a long chain from its peer, and resuming after kill -9.")

    @Option(help: "Sales in the chain to catch up.") var chainSales: Int = 100_000
    @Option(help: "Fresh joins timed (the median is reported).") var rounds: Int = 3
    @Option(help: "Work directory (default: a new temporary one, removed afterwards).") var workDir: String?

    func validate() throws {
        guard (1_000...10_000_000).contains(chainSales), (1...20).contains(rounds) else {
            throw ValidationError("--chain-sales 1000...10000000, --rounds 1...20")
        }
    }

    func run() async throws {
        #if DEBUG
        print("warning: debug build; run `make bench` (release) for meaningful numbers")
        #endif
        let directory = workDir ?? NSTemporaryDirectory() + "sgpos-bench-catch-up-\(getpid())"
        defer { if workDir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let network = try DemoNetwork.create(directory: directory, outlets: 2, genesisTimeMs: 0)
        let chain = try buildChain(network)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print(String(format: "catch-up: outlet 1's chain of %d sales (%d transactions, %d blocks); %d cores, both nodes on this machine",
                     chainSales, chain.transactionsUpTo.last!, chain.transactionsUpTo.count - 1, cores))

        var rates: [Double] = []
        var verifies: [Double] = []
        for round in 1...rounds {
            try freshOutlet2(network)
            verifies.append(measureVerify(threads: cores))
            let nodes = try DemoNodes(directory: directory, outlets: [1, 2], reader: network.admin)
            defer { nodes.stop() }
            let (first, firstAt, endAt) = try await follow(nodes, target: chain.height, from: 0, timeoutSeconds: 1_800)
            nodes.stop()
            let transactions = chain.transactionsUpTo.last! - chain.transactionsUpTo[Int(first)]
            let rate = Double(transactions) / endAt.timeIntervalSince(firstAt)
            rates.append(rate)
            print(String(format: "  round %d: blocks %d…%d (%d transactions) in %.2f s = %.0f tx/s = %.2f of all-core verify (%.0f/s)",
                         round, first + 1, chain.height, transactions, endAt.timeIntervalSince(firstAt), rate, rate / verifies.last!, verifies.last!))
        }
        let rate = rates.sorted()[rates.count / 2]
        let verify = verifies.sorted()[verifies.count / 2]
        print(String(format: "  catch-up rate, median of %d: %.0f tx/s = %.2f of all-core verify (limit 0.80)", rounds, rate, rate / verify))

        // Killed half way, restarted: it must go on from its committed height.
        try freshOutlet2(network)
        let nodes = try DemoNodes(directory: directory, outlets: [1, 2], reader: network.admin)
        defer { nodes.stop() }
        _ = try await follow(nodes, target: chain.height / 2, from: 0, timeoutSeconds: 1_800)
        nodes.killHard(2)
        let committed = try { () throws -> UInt64 in
            let store = try LedgerStore.open(dataDirectory: directory + "/outlet-2", options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            return try store.environment.read { try store.head(1, $0).height }
        }()
        let logBefore = (try? String(contentsOfFile: directory + "/node-2.log", encoding: .utf8)) ?? ""
        try nodes.restart(2)
        let (resumedAt, _, _) = try await follow(nodes, target: chain.height, from: 0, timeoutSeconds: 1_800)
        nodes.stop()
        let logAfter = String(((try? String(contentsOfFile: directory + "/node-2.log", encoding: .utf8)) ?? "").dropFirst(logBefore.count))
        let progress = logAfter.split(separator: "\n").filter { $0.contains("catching up outlet 1") || $0.contains("caught up outlet 1") }
        guard resumedAt >= committed else {
            throw BenchError("after kill -9 at committed height \(committed) the node was first seen at height \(resumedAt): it lost blocks")
        }
        print("  kill -9 at outlet 1 height \(committed) (committed); after the restart first seen at \(resumedAt), caught up to \(chain.height)")
        for line in progress.prefix(1) + progress.suffix(progress.count > 1 ? 1 : 0) {
            print("    node 2 log: " + (line.range(of: "catch").map { String(line[$0.lowerBound...]) } ?? String(line)))
        }
    }

    /// Outlet 1's chain, written by the real writer: per day a shift, a delivery, 5,000
    /// sales (a third to 1,000 members, a quarter cash), refunds, voids and a day-close.
    /// Returns its height and the transactions in blocks 1…h for each h (index 0: none).
    private func buildChain(_ network: DemoNetwork) throws -> (height: UInt64, transactionsUpTo: [Int]) {
        let data = network.directory + "/outlet-1"
        let store = try LedgerStore.create(dataDirectory: data, genesis: network.genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        try writeFile(try JSON.encode(NodeFile(outletId: 1)), to: data + "/node.json")
        var shop = try BenchShop(store: store, genesis: network.genesis, admin: network.admin, nodeKey: network.nodeKeys[1]!, outlet: 1)
        let members = 1_000, perDay = 5_000
        try shop.enrol(members: members, at: BenchShop.startMs - BenchShop.dayMs)
        for day in 0..<((chainSales + perDay - 1) / perDay) {
            try shop.tradeMixed(day: day, sales: min(perDay, chainSales - day * perDay), members: members)
        }
        return try store.environment.read { transaction in
            let height = try store.head(1, transaction).height
            var upTo = [0]
            for h in 1...height { upTo.append(upTo.last! + Int(try store.block(1, height: h, transaction)!.header.transactionCount)) }
            return (height, upTo)
        }
    }

    /// Outlet 2's store with nothing but the genesis (a new node joining).
    private func freshOutlet2(_ network: DemoNetwork) throws {
        let data = network.directory + "/outlet-2"
        try? FileManager.default.removeItem(atPath: data)
        _ = try LedgerStore.create(dataDirectory: data, genesis: network.genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        try writeFile(try JSON.encode(NodeFile(outletId: 2)), to: data + "/node.json")
    }

    /// Polls node 2's view of outlet 1 every 50 ms until it holds `target` blocks.
    /// Returns the first height it was seen holding (> `from`), when, and when it reached the target.
    private func follow(_ nodes: DemoNodes, target: UInt64, from: UInt64, timeoutSeconds: Double) async throws -> (UInt64, Date, Date) {
        let client = nodes.nodes[1].client
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var first: (UInt64, Date)?
        while Date() < deadline {
            if let held = try? await client.heads().first(where: { $0.outletId == 1 })?.height, held > from {
                if first == nil { first = (held, Date()) }
                if held >= target { return (first!.0, first!.1, Date()) }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw BenchError("node 2 did not catch up to height \(target) of outlet 1 within \(Int(timeoutSeconds)) s; see its log")
    }
}
