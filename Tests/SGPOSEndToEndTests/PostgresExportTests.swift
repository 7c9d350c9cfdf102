import Foundation
import SGPOSExport
import Testing

/// The PostgreSQL mirror (docs/EXPORT.md) against a real server: the demo network
/// mirrored and verified; the exporter killed with SIGKILL and the server crashed and
/// restarted mid-stream, many times, and still no gap and no duplicate; a changed row
/// found by `export verify`; a mirror of another history refused.
@Suite(.serialized) struct PostgresExportTests {
    @Test func theMirrorSurvivesKillsAndServerCrashesAndAgreesWithTheChain() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 30).status == 0)
        let data = demo + "/outlet-1"
        let cluster = try PostgresCluster()
        // Interrupted exports: each PostgreSQL transaction holds 3 s with its rows in and
        // the watermark not yet moved (SGPOS_EXPORT_TEST_HOLD_MS); SIGKILL as soon as the
        // export has committed a transaction more than before, so while the next one holds:
        // mid-transaction, whatever the machine's speed. Every third time the server crashes too.
        func progress() -> Int { Int((try? cluster.sql("SELECT COALESCE(sum(height), 0) FROM sgpos_export_watermark")) ?? "") ?? 0 }
        var kills = 0
        var rounds: [String] = []
        for round in 0..<8 {
            let before = progress()
            let running = try CLI.Running(["export", "postgres", "--data", data, "--url", cluster.url], input: nil,
                                          wrapper: ["/usr/bin/env", "SGPOS_EXPORT_TEST_HOLD_MS=3000"])
            let deadline = Date().addingTimeInterval(60)
            while running.process.isRunning, progress() <= before, Date() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
            if running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                kills += 1
            }
            let result = try? running.finish(timeoutSeconds: 30)
            rounds.append("round \(round): progress \(before) -> \(progress()), status \(result.map { String($0.status) } ?? "?"): \(result?.error.suffix(300) ?? "")")
            if round % 3 == 2 { try cluster.crashAndRestart() }
        }
        let finished = try await CLI.run(["export", "postgres", "--data", data, "--url", cluster.url])
        #expect(finished.status == 0, "\(finished.output)\(finished.error)")
        #expect(kills >= 1, "exports killed mid-stream: \(kills) of 8\n\(rounds.joined(separator: "\n"))")
        let verified = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(verified.status == 0 && verified.output.contains("OK the mirror"), "\(verified.output)\(verified.error)")
        // No gap, no duplicate: every block of every chain once, every transaction once.
        let heads = try cluster.sql("SELECT string_agg(outlet_id || ':' || height, ',' ORDER BY outlet_id) FROM sgpos_export_watermark")
        let blockRows = try cluster.sql("SELECT count(*) || '/' || count(DISTINCT (outlet_id, height)) || '/' || sum(height) FROM blocks")
        let counts = try cluster.sql("SELECT outlet_id, max(height), count(*) FROM blocks GROUP BY outlet_id ORDER BY outlet_id")
        for line in counts.split(separator: "\n") {
            let parts = line.split(separator: "|").map { Int($0)! }
            #expect(parts[1] == parts[2], "outlet \(parts[0]): heights 1...\(parts[1]) are \(parts[2]) rows")
        }
        #expect(Int(try cluster.sql("SELECT count(*) FROM transactions"))! == Int(try cluster.sql("SELECT sum(transactions) FROM blocks"))!,
                "\(heads) \(blockRows)")
        // An analyst's questions of the demo's promotions: every re-priced return reconciles
        // (credit note = returned lines − kept lines' adjustments), the guest milks say why
        // the members' offer did not apply, and each outlet's gift card load is there.
        let unreconciled = try cluster.sql(
            "SELECT count(*) FROM refunds r WHERE r.amount <> (SELECT sum(amount) FROM refund_lines l WHERE l.tx_id = r.tx_id)"
                + " - coalesce((SELECT sum(amount) FROM refund_adjustments a WHERE a.tx_id = r.tx_id), 0)")
        let adjustments = Int(try cluster.sql("SELECT count(*) FROM refund_adjustments")) ?? 0
        let skips = Int(try cluster.sql("SELECT count(*) FROM rule_skips WHERE reason = 'S$3 off dairy for members'")) ?? 0
        let loads = try cluster.sql("SELECT count(*) || '/' || sum(amount) FROM gift_card_loads")
        #expect(unreconciled == "0" && adjustments > 0 && skips > 0, "\(unreconciled) \(adjustments) \(skips)")
        #expect(loads == "4/20000", "\(loads)")
        // The recall of the demo: who bought lot L2611A (5 units in 3 sales, 2 members), and
        // every outlet recorded the recall from the same checkpoint.
        let recalled = try cluster.sql("SELECT -sum(change) || '/' || count(DISTINCT m.tx_id) || '/' || count(DISTINCT s.member_id) FROM lot_movements m"
            + " JOIN sales s ON s.tx_id = m.tx_id WHERE m.lot = 'L2611A' AND m.kind = 'sale'")
        let recordings = try cluster.sql("SELECT count(*) || '/' || count(DISTINCT checkpoint) FROM recalls WHERE lot = 'L2611A'")
        #expect(recalled == "5/3/2" && recordings == "4/1", "\(recalled) \(recordings)")
        // A changed row is found and named.
        _ = try cluster.sql("UPDATE sales SET total = total + 5 WHERE tx_id = (SELECT tx_id FROM sales WHERE NOT training LIMIT 1)")
        let tampered = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(tampered.status == 1 && tampered.output.contains("DIFFERENT outlet"), "\(tampered.output)")
        _ = try cluster.sql("UPDATE sales SET total = total - 5 WHERE tx_id = (SELECT tx_id FROM sales WHERE NOT training LIMIT 1)")
        _ = try cluster.sql("UPDATE loyalty_events SET points = points + 1 WHERE tx_id = (SELECT tx_id FROM loyalty_events WHERE kind = 'adjust' LIMIT 1)")
        let points = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(points.status == 1 && points.output.contains(": points (earned"), "\(points.output)")
        // A mirror whose watermark names another block is refused, not extended.
        _ = try cluster.sql("UPDATE sgpos_export_watermark SET block_id = repeat('0', 64) WHERE outlet_id = 1")
        let refused = try await CLI.run(["export", "postgres", "--data", data, "--url", cluster.url])
        #expect(refused.status != 0 && refused.error.contains("902"), "\(refused.output)\(refused.error)")
    }

    /// A node with `exportPostgresURL` in its configuration mirrors the chains as they grow:
    /// the demo's first node, while the network trades.
    @Test func aNodeMirrorsTheChainsAsItRuns() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let cluster = try PostgresCluster()
        let result = try await CLI.demo(demo, outlets: 4, sales: 20, options: ["--export-postgres", cluster.url])
        #expect(result.status == 0)
        let marks = try cluster.sql("SELECT count(*) FROM sgpos_export_watermark WHERE height > 0")
        #expect(marks == "4", "the node mirrored every outlet's chain while it ran (\(marks) watermarks)")
        let log = try String(contentsOfFile: demo + "/node-1.log", encoding: .utf8)
        #expect(log.contains("mirroring the chains into postgres://sgpos@127.0.0.1"), "node-1.log says it mirrors")
        // Whatever the node had not mirrored when it stopped, a run finishes; then they agree.
        let finished = try await CLI.run(["export", "postgres", "--data", demo + "/outlet-1", "--url", cluster.url])
        #expect(finished.status == 0, "\(finished.output)\(finished.error)")
        let verified = try await CLI.run(["export", "verify", "--data", demo + "/outlet-1", "--url", cluster.url])
        #expect(verified.status == 0, "\(verified.output)\(verified.error)")
    }

    /// The server's processes inherit no descriptor of the test process: PostgreSQL counts
    /// inherited ones against `max_files_per_process`, and a restart under a busy parallel
    /// run once inherited ~950 sockets and refused to start.
    @Test func commandsStartWithOnlyTheirStandardDescriptors() throws {
        let held = open("/dev/null", O_RDONLY)
        #expect(held > 2)
        defer { close(held) }
        let seen = try PostgresCluster.shell(["/bin/sh", "-c", "if [ -e /proc/self/fd/\(held) ]; then echo inherited; else echo closed; fi"])
        #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == "closed")
    }
}
