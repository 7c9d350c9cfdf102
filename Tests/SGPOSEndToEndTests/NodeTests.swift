import Foundation
import SGPOSAudit
import SGPOSOperations
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing
import SGPOSClient

/// Real node processes on loopback: the demo network (with a partition), and a node
/// killed with SIGKILL under load that loses nothing it acknowledged and catches up.
@Suite(.serialized) struct NodeTests {
    @Test func theDemoNetworkSellsPartitionsHealsReplicatesAndVerifies() throws {
        let scratch = Scratch()
        let result = try CLI.demo(scratch.path + "/demo", outlets: 4, sales: 40, timeoutSeconds: 300)
        #expect(result.output.contains("outlet 4 cut off") && result.output.contains("outlet 4 reconnected"), "\(result.output)")
        #expect(result.output.contains("node 4 holds o1@") && result.output.contains("demo OK"), "\(result.output)")
        #expect(result.output.contains("checked against another node's replica: genuine"), "\(result.output)")
        // Every shipped rule is deployed and the multibuy, basket, member and reward rules
        // discount sales (the demo's seeded baskets trigger each); the reward's points are
        // in the sales' rule records.
        for rule in ["promo.basket-10pct", "promo.dairy-3off", "promo.snacks-b2g1", "promo.spend50-save5", "reward.tote-bag"] {
            #expect(result.output.contains("   \(rule) ") && !result.output.contains("   \(rule) 0 sales"), "\(rule): \(result.output)")
        }
        let tote = result.output.split(separator: "\n").first { $0.contains("rule records on the sales:") } ?? ""
        #expect(tote.contains("4 took 3200 points for rewards") || result.output.contains("the tote-bag reward was not sold"), "\(tote)")
    }

    @Test func aNodeKilledUnderLoadLosesNothingAcknowledgedAndCatchesUp() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 4).status == 0)
        // Restart both nodes from the demo's configurations; open till-03's shift again.
        var nodes = [try NodeProcess.start(demo: demo, outlet: 1), try NodeProcess.start(demo: demo, outlet: 2)]
        defer { nodes.forEach { $0.stop() } }
        try await nodes[0].waitHealthy(peers: 1)
        // One writer per ledger: a CLI write to the running node's data directory is
        // refused, naming the node's pid, and writes nothing.
        let before = try await CLI.run(["chain", "show", "--data", demo + "/outlet-1"]).output
        let second = try await CLI.run(["till", "enrol", "--data", demo + "/outlet-1", "--node-key", demo + "/keys/outlet-1.key",
                                        "--key", demo + "/keys/outlet-1-till-03.key", "--member", "M-SECOND-WRITER"])
        #expect(second.status != 0 && second.error.contains("another process (pid \(nodes[0].process.processIdentifier))"),
                "\(second.output)\(second.error)")
        #expect(try await CLI.run(["chain", "show", "--data", demo + "/outlet-1"]).output == before)
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let tillKey = try loadKey(demo + "/keys/outlet-1-till-03.key")
        let client = nodes[0].client
        let shift = try await client.shift(outlet: 1, till: "till-03")
        var till = TillSession(genesis: genesis, outlet: 1, key: tillKey, principal: "till-03",
                               lastSequence: try lastSequence(demo + "/outlet-1", tillKey.publicKey))
        let reopen = till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: Int64(Date().timeIntervalSince1970 * 1_000))
        #expect(try await client.submit(reopen).status == "committed", "shift \(shift.number) reopens")

        // Sell until the node is killed mid-stream; remember every acknowledged sale. The kill
        // comes 1 s after the third acknowledgement (not at a fixed time: a loaded machine may
        // take seconds for the first answers), or after 60 s if there are never three.
        var acknowledged: [String] = []
        let pid = nodes[0].process.processIdentifier
        var killer: Task<Void, any Error>?
        let giveUp = Date().addingTimeInterval(60)
        let process = nodes[0].process
        for _ in 0..<10_000 {
            if killer == nil, acknowledged.count >= 3 || Date() > giveUp {
                killer = Task {
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    kill(pid, SIGKILL)
                }
            }
            do {
                let prepared = try await NodeClient(baseURL: client.baseURL, timeoutSeconds: 1, attemptsMax: 1).signed(by: tillKey).prepare(
                    .init(kind: "sale", till: "till-03", lines: [.init(sku: "PEN-BLUE", qty: 1)], payment: .init(kind: "cash")))
                let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
                let transaction = till.sign(body, atMs: Int64(Date().timeIntervalSince1970 * 1_000))
                let response = try await NodeClient(baseURL: client.baseURL, timeoutSeconds: 1, attemptsMax: 1).submit(transaction)
                acknowledged.append(response.transactionId)
            } catch {
                // A call that failed while the node still runs (a slow machine's timeout, a
                // connection the node closed) is not the kill: sell on. A sale whose answer
                // was lost is not counted as acknowledged.
                guard process.isRunning else { break }  // the node is gone
            }
        }
        _ = try await killer?.value
        nodes[0].process.waitUntilExit()
        #expect(nodes[0].process.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 3, "the node acknowledged sales before the kill")

        // Restart: every acknowledged sale is there, the chain verifies, and the peer has it all.
        nodes[0] = try NodeProcess.start(demo: demo, outlet: 1)
        try await nodes[0].waitHealthy(peers: 1)
        for id in acknowledged {
            let info = try await nodes[0].client.transaction(id)
            #expect(info.outletId == 1)
        }
        var patience = Patience(seconds: 30, checks: 100)
        var converged = false
        while !converged && patience.keepWaiting() {
            let mine = try await nodes[0].client.heads().first { $0.outletId == 1 }
            let theirs = try await nodes[1].client.heads().first { $0.outletId == 1 }
            converged = mine?.blockId == theirs?.blockId
            if !converged { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(converged, "the peer caught up with outlet 1's chain")
        nodes.forEach { $0.stop() }
        for outlet in [1, 2] {
            let report = try AuditVerifier().verify(dataDirectory: "\(demo)/outlet-\(outlet)", trustedGenesis: genesis)
            #expect(report.isValid, "\(report.findings)")
        }
    }

    func loadKey(_ path: String) throws -> SigningKey {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let hex = json["seed"] as? String ?? ""
        return try #require(SigningKey(seed: Hex.decode(hex) ?? []))
    }

    func lastSequence(_ data: String, _ key: PublicKey) throws -> UInt64 {
        let store = try LedgerStore.open(dataDirectory: data)
        return try store.environment.read { txn in
            try KeyRecord(canonicalBytes: try store.stateReader(1, txn).read(.key(key))!).lastSequence
        }
    }
}

/// A `sgpos node run` child process.
struct NodeProcess {
    let process: Process
    /// Signs its requests with the demo's admin key (reads need a request signature).
    let client: NodeClient
    /// The demo's genesis admin key.
    let admin: SigningKey
    /// Where the node's standard error goes (`node-N.test.log` beside its config).
    let log: String

    /// Starts outlet `outlet`'s node from the demo's configuration; `faultInjection` passes
    /// `--demo-fault-injection` (the demo's configurations allow the drills).
    /// `environment`: added to the node's (e.g. libfaketime's `LD_PRELOAD` and `FAKETIME`);
    /// `arguments`: added to `node run`'s.
    static func start(demo: String, outlet: Int, faultInjection: Bool = true, logLevel: String = "warning",
                      environment: [String: String] = [:], arguments: [String] = []) throws -> NodeProcess {
        let config = "\(demo)/node-\(outlet).json"
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any] ?? [:]
        let port = (json["http"] as? [String: Any])?["port"] as? Int ?? 0
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["node", "run", "--data", "\(demo)/outlet-\(outlet)", "--config", config, "--log-level", logLevel]
            + (faultInjection ? ["--demo-fault-injection"] : []) + arguments
        if !environment.isEmpty {
            // Through env(1) and timeout(1): the node's own environment plus these. A Swift
            // binary exec'd straight into libfaketime's LD_PRELOAD loses its arguments
            // (it prints its usage); started by a preloaded parent it does not. timeout
            // relays SIGTERM to the node and exits with its status.
            process.arguments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                + ["timeout", "1d", CLI.binary] + process.arguments!
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        }
        let log = "\(demo)/node-\(outlet).test.log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        logHandle.seekToEndOfFile()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = logHandle
        let admin = try NodeTests().loadKey("\(demo)/keys/admin-hq-admin.key")
        try process.run()
        return NodeProcess(
            process: process, client: NodeClient(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: 2, attemptsMax: 3).signed(by: admin),
            admin: admin, log: log)
    }

    /// Waits until the node answers `/v1/health` with at least `peers` peers; fails at once,
    /// with the node's own last words, if the process exits first.
    func waitHealthy(peers: Int) async throws {
        var patience = Patience(seconds: 60, checks: 300)
        var lastHealth = "no answer"
        while patience.keepWaiting() {
            guard process.isRunning else {
                throw CLIFailure("node at \(client.baseURL) exited (status \(process.terminationStatus)): \(logTail())")
            }
            if let health = try? await client.health() {
                if health.peersConnected >= peers { return }
                lastHealth = "\(health.peersConnected) of \(peers) peers connected"
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw CLIFailure("node at \(client.baseURL) did not become healthy in 60 s and \(patience.checks) checks (\(lastHealth)): \(logTail())")
    }

    /// The last lines the node wrote to standard error.
    /// After a crash: the runtime's message and the crashed thread's frames first (the
    /// end of a backtrace is only the register dump and the image list).
    func logTail(lines: Int = 8) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let all = text.split(separator: "\n")
        var crash: [Substring] = all.filter {
            $0.contains("Fatal error") || $0.contains("Precondition failed") || $0.contains("Assertion failed") || $0.contains("rogram crashed")
        }
        if let crashed = all.firstIndex(where: { $0.hasSuffix(" crashed:") }) {
            crash += all[crashed..<min(all.count, crashed + 40)]
        }
        return (crash + ["--- last lines:"] + all.suffix(lines)).joined(separator: " | ")
    }

    /// SIGTERM and waits for the exit. A node that had already died by itself (a trap, a
    /// crash, a failed exit; not the SIGKILL a test sends) is a test failure that quotes
    /// the node's last words, whatever the test was waiting for when it noticed.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) {
        if process.isRunning {
            if process.executableURL?.path == "/usr/bin/env" {
                // Started through timeout(1), which inherits this test process's blocked
                // SIGTERM and cannot relay it: signal the node itself; timeout then exits
                // with its status.
                let pid = process.processIdentifier
                let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
                for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
            }
            process.terminate()
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus != 0 {
                Issue.record("node at \(client.baseURL) exited with status \(process.terminationStatus) on SIGTERM: \(logTail(lines: 30))",
                             sourceLocation: sourceLocation)
            }
            return
        }
        let status = process.terminationStatus
        let crashed = process.terminationReason == .exit ? status != 0 : status != SIGKILL && status != SIGTERM
        if crashed {
            Issue.record("node at \(client.baseURL) had died by itself (\(process.terminationReason == .exit ? "exit status" : "signal") \(status)): \(logTail(lines: 30))",
                         sourceLocation: sourceLocation)
        }
    }
}
