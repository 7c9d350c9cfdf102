import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// The checkpoint chain across 4 real node processes (docs/CONSENSUS.md): a validator
/// killed with SIGKILL mid-stream and restarted never double-votes and checkpoints go on;
/// with one validator cut off the rest finalise; with two cut off finality stops but
/// selling does not, and resumes on the heal; every copy's certificates verify, and a
/// forged one is caught.
@Suite(.serialized) struct CheckpointNodeTests {
    @Test func validatorsSurviveKillsAndPartitionsAndAuditorsCheckTheCommits() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let setup = try await CLI.run(["demo", "--dir", demo, "--outlets", "4", "--sales", "6"], timeoutSeconds: 300)
        try #require(setup.status == 0, "\(setup.output)\(setup.error)")
        var nodes = try (1...4).map { try NodeProcess.start(demo: demo, outlet: $0) }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 3) }
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        var till = try await Self.openTill(demo: demo, genesis: genesis, client: nodes[0].client)

        // Sell on outlet 1 while validator 3 is killed with SIGKILL and restarted.
        let victim = nodes[2].process.processIdentifier
        let killer = Task {
            try await Task.sleep(nanoseconds: 600_000_000)
            kill(victim, SIGKILL)
        }
        var sold = 0
        let until = Date().addingTimeInterval(2)
        while Date() < until {
            _ = try await Self.sell(&till, client: nodes[0].client)
            sold += 1
        }
        _ = try await killer.value
        nodes[2].process.waitUntilExit()
        #expect(nodes[2].process.terminationReason == .uncaughtSignal)
        nodes[2] = try NodeProcess.start(demo: demo, outlet: 3)
        try await nodes[2].waitHealthy(peers: 3)
        var height = try await Self.sell(&till, client: nodes[0].client)
        try await Self.waitCovered(outlet: 1, height: height, on: nodes, seconds: 30)

        // One validator cut off: the other three finalise.
        try await nodes[3].client.isolate(true)
        height = try await Self.sell(&till, client: nodes[0].client)
        try await Self.waitCovered(outlet: 1, height: height, on: Array(nodes[0...2]), seconds: 30)

        // Two cut off: selling goes on, finality stops; after the heal it resumes.
        try await nodes[2].client.isolate(true)
        let before = try await nodes[0].client.checkpointStatus().checkpointHeight
        height = try await Self.sell(&till, client: nodes[0].client)
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(try await nodes[0].client.checkpointStatus().checkpointHeight == before, "no quorum, no checkpoint")
        try await nodes[2].client.isolate(false)
        try await nodes[3].client.isolate(false)
        try await Self.waitCovered(outlet: 1, height: height, on: nodes, seconds: 30)

        for node in nodes {
            #expect(try await node.client.checkpointStatus().doubleVotes == 0)
        }
        nodes.forEach { $0.stop() }
        for outlet in 1...4 {
            let evidence = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!evidence.contains { $0.hasPrefix("double-vote") }, "outlet \(outlet): \(evidence)")
            let report = try AuditVerifier().verify(dataDirectory: "\(demo)/outlet-\(outlet)", trustedGenesis: genesis)
            #expect(report.isValid, "\(report.findings)")
            #expect(report.checkpointsVerified >= 3, "outlet \(outlet): \(report.checkpointsVerified) checkpoints")
        }
        print("checkpoint test: \(sold) sales while validator 3 was killed and restarted; finality with 3 of 4; none with 2 of 4 until the heal")

        // An auditor catches a forged certificate: one precommit's signature changed.
        let copy = scratch.path + "/forged"
        try FileManager.default.copyItem(atPath: demo + "/outlet-2", toPath: copy)
        let store = try LedgerStore.open(dataDirectory: copy)
        let storage = try ConsensusStorage(environment: store.environment)
        let original = try #require(try storage.certificate(height: 1))
        var votes = original.precommits
        let first = votes[0]
        var signature = first.signature.bytes
        signature[0] ^= 1
        votes[0] = SignedVote(chainID: first.chainID, kind: first.kind, height: first.height, round: first.round, valueID: first.valueID,
                              validator: first.validator, signature: Signature(uncheckedBytes: signature))
        try storage.store(CommitCertificate(height: original.height, round: original.round, value: original.value, precommits: votes))
        let forged = try AuditVerifier().verify(store: store, trustedGenesis: genesis)
        #expect(forged.findings.contains { $0.rule == "checkpoints/commit" }, "\(forged.findings)")
    }

    /// Reopens till-03 of outlet 1 (its shift was closed at the end of the demo).
    static func openTill(demo: String, genesis: Genesis, client: NodeClient) async throws -> TillSession {
        let data = try Data(contentsOf: URL(fileURLWithPath: demo + "/keys/outlet-1-till-03.key"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let key = try #require(SigningKey(seed: Hex.decode(json["seed"] as? String ?? "") ?? []))
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let sequence = try store.environment.read { txn in
            try KeyRecord(canonicalBytes: try store.stateReader(1, txn).read(.key(key.publicKey))!).lastSequence
        }
        var till = TillSession(genesis: genesis, outlet: 1, key: key, principal: "till-03", lastSequence: sequence)
        let reopen = till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: Int64(Date().timeIntervalSince1970 * 1_000))
        #expect(try await client.submit(reopen).status == "committed")
        return till
    }

    /// One cash sale through the node; returns the outlet block height it landed in.
    static func sell(_ till: inout TillSession, client: NodeClient) async throws -> UInt64 {
        let prepared = try await client.prepare(.init(kind: "sale", till: "till-03", lines: [.init(sku: "PEN-BLUE", qty: 1)], payment: .init(kind: "cash")))
        let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
        let response = try await client.submit(till.sign(body, atMs: Int64(Date().timeIntervalSince1970 * 1_000)))
        return response.height
    }

    /// Waits until every node's newest checkpoint covers `outlet` at `height`.
    static func waitCovered(outlet: UInt32, height: UInt64, on nodes: [NodeProcess], seconds: Double) async throws {
        var patience = Patience(seconds: seconds, checks: Int(seconds * 5))
        while patience.keepWaiting() {
            var covered = true
            for node in nodes where (try await node.client.checkpointStatus().covered[String(outlet)] ?? 0) < height { covered = false }
            if covered { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        var states: [String] = []
        for node in nodes { states.append("\(try await node.client.checkpointStatus())") }
        Issue.record("outlet \(outlet) block \(height) not checkpointed on every node within \(seconds) s: \(states)")
    }
}
