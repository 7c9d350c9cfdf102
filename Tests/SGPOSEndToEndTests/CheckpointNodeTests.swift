import Foundation
import SGPOSAudit
import SGPOSOperations
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
@testable import SGPOSConsensus
import SGPOSCrypto
@testable import SGPOSNode
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing
import SGPOSClient
import SGPOSProofs

/// The checkpoint chain across 4 real node processes (docs/CONSENSUS.md): a validator
/// killed with SIGKILL mid-stream and restarted never double-votes and checkpoints go on;
/// with one validator cut off the rest finalise; with two cut off finality stops but
/// selling does not, and resumes on the heal; every node computes the same network root
/// at each checkpoint; every copy's certificates and network roots verify, and a forged
/// certificate, a quorum signing a false network root and a changed network state are caught.
@Suite(.serialized) struct CheckpointNodeTests {
    @Test func validatorsSurviveKillsAndPartitionsAndAuditorsCheckTheCommits() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 4, sales: 6, timeoutSeconds: 300).status == 0)
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

        // Outlet 2's node key signs a second, different block 1: the peers' evidence files
        // become evidence in the next checkpoint, for everyone.
        let outlet2 = try LedgerStore.open(dataDirectory: demo + "/outlet-2")
        let held = try #require(try outlet2.environment.read { try outlet2.block(2, height: 1, $0) })
        var header = held.header
        header.timestampMs += 1
        let conflicting = Block.seal(header: header, transactions: held.transactions, key: try loadKey("\(demo)/keys/outlet-2.key"))
        for outlet in 1...4 {
            try EvidenceStore.record(held: held, conflicting: conflicting, directory: "\(demo)/outlet-\(outlet)/evidence")
        }
        let equivocation = CheckpointEvidence.outletEquivocation(held, conflicting)
        height = try await Self.sell(&till, client: nodes[0].client)
        try await Self.waitCovered(outlet: 1, height: height, on: nodes, seconds: 30)

        // The network state: applied up to the newest checkpoint, one root per height.
        var roots: [UInt64: String] = [:]
        for node in nodes {
            var status = try await node.client.checkpointStatus()
            var patience = Patience(seconds: 10, checks: 50)
            while status.networkHeight < status.checkpointHeight && patience.keepWaiting() {
                try await Task.sleep(nanoseconds: 200_000_000)
                status = try await node.client.checkpointStatus()
            }
            #expect(status.networkDivergence == nil)
            #expect(status.networkHeight == status.checkpointHeight, "network state at \(status.networkHeight) of \(status.checkpointHeight)")
            #expect(roots[status.networkHeight].map { $0 == status.networkRoot } ?? true, "two roots at checkpoint \(status.networkHeight)")
            roots[status.networkHeight] = status.networkRoot
        }
        nodes.forEach { $0.stop() }
        for outlet in 1...4 {
            let evidence = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!evidence.contains { $0.hasPrefix("double-vote") }, "outlet \(outlet): \(evidence)")
            let report = try AuditVerifier().verify(dataDirectory: "\(demo)/outlet-\(outlet)", trustedGenesis: genesis)
            #expect(report.isValid, "\(report.findings)")
            #expect(report.checkpointsVerified >= 3, "outlet \(outlet): \(report.checkpointsVerified) checkpoints")
            #expect(report.networkRootsVerified == report.checkpointsVerified, "outlet \(outlet): \(report.networkRootsVerified) roots")
            #expect(report.checkpointEvidence.filter { $0.contains(equivocation.id.hex) }.count == 1,
                    "outlet \(outlet): evidence carried once: \(report.checkpointEvidence)")
            // The same audit with every replay and every chain's network changes moved to
            // disk (4 KiB of memory per chain), chains verified three at a time: the same report.
            let spilling = AuditVerifier(chainsAtOnce: 3, replayMemoryBytes: 12 * 1024, scratchDirectory: scratch.path)
            let spilled = try spilling.verify(dataDirectory: "\(demo)/outlet-\(outlet)", trustedGenesis: genesis)
            #expect(spilled.replaySpills > 0 && spilled.findings == report.findings && spilled.chains == report.chains)
            #expect(spilled.networkRootsVerified == report.networkRootsVerified && spilled.checkpointsVerified == report.checkpointsVerified)
            #expect(spilled.pointsClaims == report.pointsClaims && spilled.checkpointEvidence == report.checkpointEvidence)
        }
        print("checkpoint test: \(sold) sales while validator 3 was killed and restarted; finality with 3 of 4; none with 2 of 4 until the heal")

        // The checkpoint log is append-only: checkpoint 1 is in the newest checkpoint's
        // history, proven from the genesis alone; a changed path is refused.
        let proof = try ProofBuilder(store: LedgerStore.open(dataDirectory: demo + "/outlet-3")).checkpointConsistencyProof(from: 1, to: nil)
        let (old, new) = try ProofVerifier(genesis: genesis).verify(proof)
        #expect(old == 1 && new >= 4)
        var bent = proof
        bent.oldCheckpointPath[0] = String(repeating: "0", count: 64)
        #expect(throws: ProofError.self) { try ProofVerifier(genesis: genesis).verify(bent) }

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

        // Three validators (a quorum) sign checkpoint 1 again with a false network root:
        // the signatures hold, the root does not.
        try storage.store(original)
        let checkpoint = try Checkpoint(canonicalBytes: original.value)
        var falseRoot = checkpoint.networkRoot.bytes
        falseRoot[31] ^= 0x80
        let lie = Checkpoint(heads: checkpoint.heads, evidence: checkpoint.evidence, validatorUpdates: checkpoint.validatorUpdates,
                             allowanceGrants: checkpoint.allowanceGrants, historyRoot: checkpoint.historyRoot,
                             networkRoot: Hash256(bytes: falseRoot)!, timeMs: checkpoint.timeMs).canonicalBytes
        let lieID = Hash256.tagged(.checkpointValueID, lie)
        let signers = try (1...3).map { try loadKey("\(demo)/keys/validator-\($0).key") }  // the genesis validators
        let lyingVotes = signers.enumerated().map { index, key in
            SignedVote(chainID: genesis.id, kind: .precommit, height: 1, round: 0, valueID: lieID, validator: UInt16(index),
                       signature: key.sign(SignedVote.signedBytes(chainID: genesis.id, kind: .precommit, height: 1, round: 0,
                                                                  valueID: lieID, validator: UInt16(index))))
        }
        try storage.store(CommitCertificate(height: 1, round: 0, value: lie, precommits: lyingVotes))
        let lying = try AuditVerifier().verify(store: store, trustedGenesis: genesis)
        #expect(!lying.findings.contains { $0.rule == "checkpoints/commit" }, "the lie is properly signed: \(lying.findings)")
        #expect(lying.findings.contains { $0.rule == "checkpoints/network-root" }, "\(lying.findings)")
        let lyingSpilled = try AuditVerifier(replayMemoryBytes: 8 * 1024, scratchDirectory: scratch.path).verify(store: store, trustedGenesis: genesis)
        #expect(lyingSpilled.replaySpills > 0 && lyingSpilled.findings == lying.findings, "\(lyingSpilled.findings)")

        // A changed network state entry in a node's own store.
        try storage.store(original)
        try store.environment.write { transaction in
            let network = try store.database(named: "network")
            var first: (key: [UInt8], value: [UInt8])?
            try transaction.scan(network, limit: 1) { key, value in first = (key, value); return false }
            let entry = try #require(first, "the network state has entries")
            var changed = entry.value
            changed[changed.count - 1] ^= 1
            try transaction.put(network, entry.key, changed)
        }
        let tampered = try AuditVerifier().verify(store: store, trustedGenesis: genesis)
        #expect(tampered.findings.contains { $0.rule == "store/network" }, "\(tampered.findings)")
    }

    func loadKey(_ path: String) throws -> SigningKey {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        return try #require(SigningKey(seed: Hex.decode(json["seed"] as? String ?? "") ?? []))
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
