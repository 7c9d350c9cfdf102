import Foundation
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSClient
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSOperations
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// A node whose clock is set back across a GST rate change (docs/CONSENSUS.md §11): the
/// demo's genesis raises GST from 9 % to 10 % at midnight of a day three days ahead. Every
/// node then runs a clock drill (`node run --drill-clock-offset-ms`): outlets 1, 3 and 4 at
/// 00:45 that day (after the rise), outlet 2's node at 23:15 the evening before — 90
/// minutes behind, more than the genesis's one-hour lag threshold. (libfaketime, which
/// ClockEvidenceTests uses for a 30 s step back, cannot shift a Swift process by days: its
/// Task.sleep then never wakes, and with it the node's timers.)
/// Outlet 2 acknowledges the checkpoints it receives and then sells at 9 %, its sale
/// stamped before the agreed time it acknowledged. The other nodes turn that into
/// evidence, a checkpoint carries it, both verifiers prove it from the genesis keys, the
/// audit flags outlet 2's late blocks, and the GST return of the evening before names the
/// sale as covered late — in the Swift report and in the Python one alike.
@Suite struct GSTRateClockDrillTests {
    @Test func aClockSetBackAcrossAGSTRateChangeBecomesEvidence() async throws {
        // The rise: Singapore midnight three days ahead; the evening before, Singapore date.
        let now = Int64(Date().timeIntervalSince1970)
        let riseDays = (now + 8 * 3_600) / 86_400 + 3
        let rise = CivilTime.date(fromDays: riseDays), eve = CivilTime.date(fromDays: riseDays - 1)
        let riseEpoch = riseDays * 86_400 - 8 * 3_600
        let honestOffset = riseEpoch + 45 * 60 - now, behindOffset = honestOffset - 90 * 60

        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 4, options: ["--gst-rate", "\(rise):1000"]).status == 0)
        // The demo cut outlet 4 off and reconnected it while the others checkpointed: an
        // honest outlet offline acknowledges nothing it later contradicts — no clock evidence.
        for outlet in 1...4 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!files.contains { $0.hasPrefix("clock-") }, "outlet \(outlet)'s node holds clock evidence after the demo: \(files)")
        }
        let (genesis, checkpointsBefore) = try {
            let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
            return (store.genesis, try ConsensusStorage(environment: store.environment).latest()?.height ?? 0)
        }()
        let offsets = [1: honestOffset, 2: behindOffset, 3: honestOffset, 4: honestOffset]
        let nodes = try (1...4).map {
            try NodeProcess.start(demo: demo, outlet: $0, arguments: ["--drill-clock-offset-ms", "\(offsets[$0]! * 1_000)"])
        }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 3) }

        // A sale at outlet 1 after the rise: 10 %. It gives the network something new to
        // checkpoint at 00:45; node 2 decides that checkpoint and acknowledges it.
        let honestSale = try await sell(nodes[0], outlet: 1, demo: demo, genesis: genesis, offset: honestOffset)
        #expect(honestSale.sale.gstBasisPoints == 1_000, "sold after the rise")

        // Node 1 holds outlet 2's acknowledgement of a checkpoint decided after the restart.
        var patience = Patience(seconds: 60, checks: 300)
        var acknowledged: CheckpointAck?
        while patience.keepWaiting() {
            let data = FileManager.default.contents(atPath: "\(demo)/outlet-1/acks/outlet-2.bin")
            if let data, let ack = try? CheckpointAck(canonicalBytes: Array(data)), ack.checkpointHeight > checkpointsBefore {
                acknowledged = ack
                break
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let ack = try #require(acknowledged, "node 1 keeps an acknowledgement by outlet 2 of a checkpoint after \(checkpointsBefore)")

        // Outlet 2's till opens a shift and sells through node 2, whose clock says 23:15 the
        // evening before: 9 %, in blocks sealed after the acknowledgement with earlier times.
        let behindSale = try await sell(nodes[1], outlet: 2, demo: demo, genesis: genesis, offset: behindOffset)
        #expect(behindSale.sale.gstBasisPoints == 900, "sold before the rise by node 2's clock")
        #expect(behindSale.firstHeight > ack.headHeight)

        // Node 1 records the evidence (against the first such block); a checkpoint carries it.
        patience = Patience(seconds: 60, checks: 300)
        var carried: [CheckpointJSON.Evidence] = []
        while patience.keepWaiting() {
            carried = try await nodes[0].client.checkpointEvidence(from: checkpointsBefore + 1).filter { $0.summary.contains("clock went back") }
            if !carried.isEmpty { break }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        #expect(carried.count == 1 && carried[0].summary.hasPrefix("outlet 2 stamped block \(behindSale.firstHeight)"), "\(carried)")
        // The sale's block, once node 1 holds it and a checkpoint covers it, adds no second
        // file: one item per outlet proves it.
        patience = Patience(seconds: 60, checks: 300)
        while patience.keepWaiting() {
            if try await nodes[0].client.checkpointStatus().covered["2"] ?? 0 >= behindSale.response.height { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let clockFiles = ((try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-1/evidence")) ?? []).filter { $0.hasPrefix("clock-") }
        #expect(clockFiles == ["clock-outlet-2-height-\(behindSale.firstHeight).bin"], "\(clockFiles)")
        nodes.forEach { $0.stop() }

        // Both verifiers prove it from the genesis; no honest outlet has evidence against it;
        // the audit flags outlet 2's blocks as late (90 minutes, beyond the one-hour threshold).
        let audit = try await CLI.run(["audit", "verify", demo + "/outlet-1"])
        #expect(audit.status == 0, "\(audit.output)\(audit.error)")
        let clockLines = audit.output.split(separator: "\n").filter { $0.hasPrefix("EVIDENCE IN CHECKPOINT") && $0.contains("clock went back") }
        #expect(clockLines.count == 1 && clockLines[0].contains("outlet 2 stamped block \(behindSale.firstHeight)"), "\(audit.output)")
        // (A window may start earlier if the demo left outlet 2's last blocks to a checkpoint after the restart.)
        let lateWindows = audit.output.split(separator: "\n").compactMap { Self.window(String($0), prefix: "LATE: outlet 2 blocks ", dash: "–") }
        #expect(lateWindows.contains { $0.contains(behindSale.firstHeight) && $0.contains(behindSale.response.height) }, "\(audit.output)")
        let python = try await ShellScript.run("""
            cd '\(CLI.packageRoot)' && python=$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python \
              && exec "$python" scripts/pyverify/verify.py '\(demo)/outlet-1'
            """)
        #expect(python.status == 0, "\(python.output)")
        #expect(python.output.contains("outlet 2 stamped block \(behindSale.firstHeight) before the agreed time it had acknowledged"), "\(python.output)")
        let pythonWindows = python.output.split(separator: "\n").compactMap { Self.window(String($0), prefix: "LATE: outlet 2 blocks ", dash: "-") }
        #expect(pythonWindows == lateWindows, "\(python.output)")

        // The GST return of the evening before: the sale at 9 %, covered late; the Python
        // report agrees to the cent. The day of the rise: outlet 1's sale at 10 %, none late.
        let eveReport = try await CLI.run(["report", "gst", "--data", demo + "/outlet-1", "--from", eve.description, "--to", eve.description, "--format", "json"])
        #expect(eveReport.status == 0, "\(eveReport.error)")
        let eveGST = try JSONDecoder().decode(ReportDocument.GST.self, from: Data(eveReport.output.utf8))
        #expect(eveGST.byRate.map(\.basisPoints) == [900] && eveGST.coveredLate.transactions == 1, "\(eveReport.output)")
        #expect(eveGST.coveredLate.blocks.count == 1 && eveGST.coveredLate.blocks[0].outletId == 2
                && (eveGST.coveredLate.blocks[0].fromHeight...eveGST.coveredLate.blocks[0].toHeight).contains(behindSale.response.height)
                && eveGST.coveredLate.blocks[0].largestLagMs > 3_600_000, "\(eveReport.output)")
        #expect(eveGST.coveredLate.gst == ReportMoney.text(behindSale.sale.gst))
        let compared = try await ShellScript.run("""
            cd '\(CLI.packageRoot)' && python=$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python \
              && printf '%s' '\(eveReport.output)' > '\(scratch.path)/eve-gst.json' \
              && exec "$python" scripts/pyverify/reports.py '\(demo)/outlet-1' --from \(eve) --to \(eve) --report gst --compare '\(scratch.path)/eve-gst.json'
            """)
        #expect(compared.status == 0 && compared.output.hasPrefix("REPORT OK: gst"), "\(compared.output)")
        let riseReport = try await CLI.run(["report", "gst", "--data", demo + "/outlet-1", "--from", rise.description, "--to", rise.description, "--format", "json"])
        let riseGST = try JSONDecoder().decode(ReportDocument.GST.self, from: Data(riseReport.output.utf8))
        #expect(riseGST.byRate.map(\.basisPoints) == [1_000] && riseGST.coveredLate.transactions == 0, "\(riseReport.output)")
    }

    /// An honest outlet cut off for a day (CONSENSUS.md §11, "What remains possible"):
    /// outlet 4's node trades alone twelve hours on, while the others are a day on; it
    /// reconnects a day on. Its offline blocks reach a checkpoint twelve hours after their
    /// time — LATE in both verifiers, the sale covered late in the GST return — but it
    /// acknowledged nothing it then contradicted: no clock evidence anywhere.
    @Test func anHonestOutletCutOffForADayProducesNoEvidence() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 4).status == 0)
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let halfDay: Int64 = 12 * 3_600, day: Int64 = 24 * 3_600
        func start(_ outlet: Int, offset: Int64) throws -> NodeProcess {
            try NodeProcess.start(demo: demo, outlet: outlet, arguments: ["--drill-clock-offset-ms", "\(offset * 1_000)"])
        }

        // Cut off: outlet 4's node alone, twelve hours on, opens a shift and sells.
        let alone = try start(4, offset: halfDay)
        try await alone.waitHealthy(peers: 0)
        let offline = try await sell(alone, outlet: 4, demo: demo, genesis: genesis, offset: halfDay)
        alone.stop()

        // The rest of the network a day on: a sale at outlet 1, a checkpoint of that time.
        var nodes = try (1...3).map { try start($0, offset: day) }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 2) }
        let before = try await nodes[0].client.checkpointStatus().checkpointHeight
        _ = try await sell(nodes[0], outlet: 1, demo: demo, genesis: genesis, offset: day)

        // Outlet 4 reconnects a day on; its blocks reach a checkpoint and it acknowledges it.
        nodes.append(try start(4, offset: day))
        try await nodes[3].waitHealthy(peers: 3)
        var patience = Patience(seconds: 60, checks: 300)
        while patience.keepWaiting() {
            let status = try await nodes[0].client.checkpointStatus()
            if status.checkpointHeight > before, status.covered["4"] ?? 0 >= offline.response.height,
               let data = FileManager.default.contents(atPath: "\(demo)/outlet-1/acks/outlet-4.bin"),
               let ack = try? CheckpointAck(canonicalBytes: Array(data)), ack.headHeight >= offline.response.height { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(try await nodes[0].client.checkpointStatus().covered["4"] ?? 0 >= offline.response.height)
        nodes.forEach { $0.stop() }

        for outlet in 1...4 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!files.contains { $0.hasPrefix("clock-") }, "outlet \(outlet)'s node holds clock evidence: \(files)")
        }
        let audit = try await CLI.run(["audit", "verify", demo + "/outlet-1"])
        #expect(audit.status == 0, "\(audit.output)\(audit.error)")
        #expect(!audit.output.contains("clock went back"), "\(audit.output)")
        let late = audit.output.split(separator: "\n").compactMap { Self.window(String($0), prefix: "LATE: outlet 4 blocks ", dash: "–") }
        #expect(late.contains { $0.contains(offline.firstHeight) && $0.contains(offline.response.height) }, "\(audit.output)")
        let python = try await ShellScript.run("""
            cd '\(CLI.packageRoot)' && python=$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python \
              && exec "$python" scripts/pyverify/verify.py '\(demo)/outlet-1'
            """)
        #expect(python.status == 0 && !python.output.contains("clock went back"), "\(python.output)")
        #expect(python.output.split(separator: "\n").compactMap { Self.window(String($0), prefix: "LATE: outlet 4 blocks ", dash: "-") } == late,
                "\(python.output)")
        let store = try LedgerStore.open(dataDirectory: demo + "/outlet-1")
        let block = try #require(try store.environment.read { try store.block(4, height: offline.response.height, $0) })
        let date = CivilTime.singaporeDate(epochMs: Int64(block.header.timestampMs))
        let report = try await CLI.run(["report", "gst", "--data", demo + "/outlet-1", "--from", date.description, "--to", date.description, "--outlet", "4", "--format", "json"])
        let gst = try JSONDecoder().decode(ReportDocument.GST.self, from: Data(report.output.utf8))
        #expect(gst.coveredLate.transactions == 1 && gst.coveredLate.gst == ReportMoney.text(offline.sale.gst), "\(report.output)")
    }

    /// Outlet `outlet`'s till-03 opens a shift and sells one RICE-5KG for cash through
    /// `node` (prepare, sign, submit), its transactions dated `offset` seconds from this
    /// machine's clock, as the node's ledger clock is. Returns the sale, the height of the
    /// shift's opening and the sale's submission.
    func sell(_ node: NodeProcess, outlet: Int, demo: String, genesis: Genesis,
              offset: Int64) async throws -> (sale: Sale, firstHeight: UInt64, response: API.SubmitResponse) {
        let till = try NodeTests().loadKey("\(demo)/keys/outlet-\(outlet)-till-03.key")
        let client = node.client.signed(by: till)
        var session = TillSession(genesis: genesis, outlet: UInt32(outlet), key: till, principal: "till-03",
                                  lastSequence: UInt64(Date().timeIntervalSince1970 * 1_000_000))
        func submit(_ request: API.PrepareRequest) async throws -> (POSBody, API.SubmitResponse) {
            let prepared = try await client.prepare(request)
            let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
            let atMs = (Int64(Date().timeIntervalSince1970) + offset) * 1_000
            return (body, try await client.submit(session.sign(body, atMs: atMs)))
        }
        let (_, opened) = try await submit(.init(kind: "shift-open", till: "till-03", float: "100.00"))
        #expect(opened.status == "committed")
        let (body, sold) = try await submit(.init(kind: "sale", till: "till-03", lines: [.init(sku: "RICE-5KG", qty: 1)], payment: .init(kind: "cash")))
        #expect(sold.status == "committed")
        guard case .sale(let sale) = body else { throw CLIFailure("prepare answered a \(body) for a sale") }
        return (sale, opened.height, sold)
    }

    /// The heights of an audit line `<prefix>A<dash>B …`.
    static func window(_ line: String, prefix: String, dash: Character) -> ClosedRange<UInt64>? {
        guard line.hasPrefix(prefix) else { return nil }
        let numbers = line.dropFirst(prefix.count).prefix { $0.isNumber || $0 == dash }.split(separator: dash).compactMap { UInt64($0) }
        return numbers.count == 2 && numbers[0] <= numbers[1] ? numbers[0]...numbers[1] : nil
    }
}
