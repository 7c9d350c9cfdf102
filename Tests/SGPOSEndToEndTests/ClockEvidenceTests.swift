import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// A node whose clock is set back while it trades (docs/CONSENSUS.md §11): outlet 2's node
/// restarts under libfaketime 30 s behind, acknowledges the checkpoints it receives, and
/// seals a block stamped before the agreed time it acknowledged (its block time cannot go
/// below its last block's, so it stands still). The other nodes turn that into evidence,
/// a checkpoint carries it, and both verifiers — `sgpos audit verify` and the Python one —
/// prove it from the genesis keys; the honest outlets have none against them.
@Suite struct ClockEvidenceTests {
    static let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ClockEvidenceTests.libfaketime), "libfaketime (scripts/bootstrap installs it)"))
    func aClockSetBackAfterAnAcknowledgedCheckpointBecomesEvidence() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 4).status == 0)
        // The demo cut outlet 4 off and reconnected it while the others checkpointed: an
        // honest outlet offline acknowledges nothing it later contradicts — no clock evidence.
        for outlet in 1...4 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!files.contains { $0.hasPrefix("clock-") }, "outlet \(outlet)'s node holds clock evidence after the demo: \(files)")
        }
        var nodes = try (1...4).map { try NodeProcess.start(demo: demo, outlet: $0, faultInjection: false) }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 3) }

        // Outlet 2's node stops, and comes back 30 s behind (its monotonic clock untouched).
        let before = try await nodes[0].client.checkpointStatus().checkpointHeight
        nodes[1].stop()
        try await Task.sleep(nanoseconds: 3_000_000_000)
        nodes[1] = try NodeProcess.start(demo: demo, outlet: 2, faultInjection: false, environment: [
            "LD_PRELOAD": Self.libfaketime, "FAKETIME": "-30s", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1",
        ])
        try await nodes[1].waitHealthy(peers: 3)

        // A delivery at outlet 1 (an honest node) gives the network something new to
        // checkpoint; node 2 decides that checkpoint and acknowledges it.
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let first = try await receiveStock(nodes[0], outlet: 1, demo: demo, genesis: genesis, reference: "DO-NEW-CONTENT")
        #expect(first.status == "committed")

        // Node 1 holds outlet 2's acknowledgement of a checkpoint decided after the restart.
        var patience = Patience(seconds: 60, checks: 300)
        var acknowledged: CheckpointAck?
        while patience.keepWaiting() {
            let data = FileManager.default.contents(atPath: "\(demo)/outlet-1/acks/outlet-2.bin")
            if let data, let ack = try? CheckpointAck(canonicalBytes: Array(data)), ack.checkpointHeight > before {
                acknowledged = ack
                break
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let ack = try #require(acknowledged, "node 1 keeps an acknowledgement by outlet 2 of a checkpoint after \(before)")

        // Outlet 2's manager receives stock through node 2: a block sealed with the stopped clock.
        let submitted = try await receiveStock(nodes[1], outlet: 2, demo: demo, genesis: genesis, reference: "DO-CLOCK")
        #expect(submitted.status == "committed" && submitted.height > ack.headHeight)

        // The block replicates; node 1 records the evidence; a checkpoint carries it.
        patience = Patience(seconds: 60, checks: 300)
        var carried: [CheckpointJSON.Evidence] = []
        while patience.keepWaiting() {
            carried = try await nodes[0].client.checkpointEvidence(from: before + 1).filter { $0.summary.contains("clock went back") }
            if !carried.isEmpty { break }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        #expect(carried.count == 1 && carried[0].summary.hasPrefix("outlet 2 stamped block \(submitted.height)"), "\(carried)")
        // A second late block, once node 1 holds it, adds no second file: one item per outlet proves it.
        let second = try await receiveStock(nodes[1], outlet: 2, demo: demo, genesis: genesis, reference: "DO-CLOCK-2")
        patience = Patience(seconds: 30, checks: 150)
        while patience.keepWaiting() {
            if (try await nodes[0].client.heads().first { $0.outletId == 2 })?.height ?? 0 >= second.height { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let clockFiles = ((try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-1/evidence")) ?? []).filter { $0.hasPrefix("clock-") }
        #expect(clockFiles == ["clock-outlet-2-height-\(submitted.height).bin"], "\(clockFiles)")
        nodes.forEach { $0.stop() }

        // Both verifiers prove it from the genesis; no honest outlet has evidence against it.
        let audit = try await CLI.run(["audit", "verify", demo + "/outlet-1"])
        #expect(audit.status == 0, "\(audit.output)\(audit.error)")
        let clockLines = audit.output.split(separator: "\n").filter { $0.hasPrefix("EVIDENCE IN CHECKPOINT") && $0.contains("clock went back") }
        #expect(clockLines.count == 1 && clockLines[0].contains("outlet 2 stamped block \(submitted.height)"), "\(audit.output)")
        let python = try await ShellScript.run("""
            cd '\(CLI.packageRoot)' && python=$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python \
              && exec "$python" scripts/pyverify/verify.py '\(demo)/outlet-1'
            """)
        #expect(python.status == 0, "\(python.output)")
        #expect(python.output.contains("outlet 2 stamped block \(submitted.height) before the agreed time it had acknowledged"), "\(python.output)")
    }

    /// Outlet `outlet`'s manager receives one RICE-5KG through `node` (prepare, sign, submit).
    func receiveStock(_ node: NodeProcess, outlet: Int, demo: String, genesis: Genesis, reference: String) async throws -> API.SubmitResponse {
        let manager = try NodeTests().loadKey("\(demo)/keys/outlet-\(outlet)-manager.key")
        let prepared = try await node.client.signed(by: manager)
            .prepare(.init(kind: "stock-receive", lines: [.init(sku: "RICE-5KG", qty: 1)], reference: reference))
        var session = TillSession(genesis: genesis, outlet: UInt32(outlet), key: manager, principal: "manager-\(outlet)",
                                  lastSequence: UInt64(Date().timeIntervalSince1970 * 1_000_000))
        let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
        return try await node.client.submit(session.sign(body, atMs: Int64(Date().timeIntervalSince1970 * 1_000)))
    }
}
