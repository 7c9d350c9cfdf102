import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSClient
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSStore
import SGPOSTill
import Testing

/// Issue 22, item 4: the simulator's liveness-after-crashes scenario (docs/CONSENSUS.md §6)
/// across 4 real node processes. While tills of outlets 1 and 3 keep selling:
///
/// - validator A (outlet 4) loses its disk: SIGKILL, then its whole data directory is
///   deleted; the operator replaces the lost node as docs/OPERATIONS.md §6 says
///   ("Replacing a lost node"): `sgpos chain init`, `sgpos node recover`, `sgpos node run`,
///   with outlet 4's tills kept off;
/// - validator B (outlet 2) is killed with SIGKILL mid-round (while the height it works on
///   has been undecided past the commit pause and a propose timeout) and restarted with
///   its disk kept.
///
/// With A gone and B down, 2 of 4 validators remain: checkpoints stop, selling does not.
/// Once both are back, checkpoints must resume: within 60 s of the last restart every
/// node's newest checkpoint covers every block acknowledged during the faults, and the
/// checkpoint height keeps increasing; no validator signs two different votes at one
/// position (no double-vote evidence anywhere, none carried in a checkpoint).
@Suite(.serialized) struct CheckpointRecoveryTests {
    /// From the last restart until every node's newest checkpoint covers every block
    /// acknowledged during the faults. Loopback needs a few seconds (3–5 s measured on 2
    /// cores, debug build: B's start, its round catching up, the recovered validator taking
    /// the checkpoints it lost from the others' certificates); 60 s is generous for a loaded
    /// CI machine and still fails a network that never resumes.
    static let resumeBoundSeconds = 60.0

    @Test func checkpointsResumeAfterALostDiskAndAKillMidRoundUnderLoad() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let started = Date()
        try #require(try await CLI.demo(demo, outlets: 4, sales: 6, timeoutSeconds: 300).status == 0)
        let demoSeconds = Date().timeIntervalSince(started)
        var nodes = try (1...4).map { try Self.start(demo: demo, outlet: $0) }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 3) }
        let genesis = try LedgerStore.open(dataDirectory: demo + "/outlet-1").genesis
        let a = 3, b = 1  // indexes into `nodes`: A is outlet 4 (lost disk), B is outlet 2 (killed mid-round)

        // Load: till-03 of outlets 1 and 3 sell one item at a time, as fast as the nodes answer.
        let sales = SalesLog()
        var sellers: [Task<Void, Never>] = []
        for outlet in [1, 3] {
            let till = try await Self.openTill(demo: demo, outlet: UInt32(outlet), genesis: genesis, client: nodes[outlet - 1].client)
            sellers.append(Self.sell(till, key: try Self.loadKey("\(demo)/keys/outlet-\(outlet)-till-03.key"),
                                     baseURL: nodes[outlet - 1].client.baseURL, outlet: UInt32(outlet), log: sales))
        }
        defer { sellers.forEach { $0.cancel() } }
        var warm = Patience(seconds: 30, checks: 150)
        while warm.keepWaiting() {
            let one = await sales.highest(1), three = await sales.highest(3)
            if one > 0 && three > 0 { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let warmHeights = [1: await sales.highest(1), 3: await sales.highest(3)]
        try #require(warmHeights.values.allSatisfy { $0 > 0 }, "both tills sell: \(warmHeights)")
        for (outlet, height) in warmHeights {
            try await Self.waitCovered(outlet: UInt32(outlet), height: height, on: nodes, seconds: 30, what: "before any fault")
        }

        // A's disk is lost: SIGKILL, and its data directory (ledger, signing state,
        // checkpoints, evidence) is gone. Whatever A signed was at or below the height it
        // worked on.
        let aWorking = try await nodes[a].client.checkpointStatus().working
        kill(nodes[a].process.processIdentifier, SIGKILL)
        nodes[a].process.waitUntilExit()
        #expect(nodes[a].process.terminationReason == .uncaughtSignal)
        try FileManager.default.removeItem(atPath: "\(demo)/outlet-4")
        let faultsFrom = Date()
        let heightAtFault = try await Self.statuses(nodes, skip: [a]).compactMap { $0.status?.checkpointHeight }.max() ?? 0

        // With 3 of 4 the others still finalise (a round that A would propose waits for its
        // propose timeout first).
        try await Self.waitHeight(above: heightAtFault, on: nodes, skip: [a], seconds: 30, what: "with A's disk lost")

        // B is killed mid-round: once the height it works on has been undecided for 650 ms
        // (the 300 ms commit pause, then a round past its 300 ms propose timeout, which
        // happens when A should propose), or it is in round 1 or later.
        var atKill = "B killed without having been seen mid-round (no status answered)"
        var killedMidRound = false
        var aim = Patience(seconds: 15, checks: 300)
        while aim.keepWaiting() {
            guard let status = try? await nodes[b].client.checkpointStatus() else { continue }
            let sinceDecision = status.decidedAtMs.map { Int64(Self.nowMs()) - Int64($0) } ?? 0
            atKill = "B at kill: working \(status.working) round \(status.round) checkpoint \(status.checkpointHeight), \(sinceDecision) ms since its last decision"
            if status.round >= 1 || sinceDecision >= 650 {
                killedMidRound = true
                break
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        kill(nodes[b].process.processIdentifier, SIGKILL)
        nodes[b].process.waitUntilExit()
        #expect(nodes[b].process.terminationReason == .uncaughtSignal)
        let stalledAt = try await Self.statuses(nodes, skip: [a, b])
        // What B had signed when it died (its disk is kept: the restart resumes from this).
        let bState = try Self.signingState("\(demo)/outlet-2")
        atKill += "; B's saved signing state: \(Self.describe(bState))"

        // 2 of 4 validators: no quorum. Selling goes on.
        try await Task.sleep(nanoseconds: 3_000_000_000)
        let stalled = try await Self.statuses(nodes, skip: [a, b])

        // The operator replaces A's lost node (docs/OPERATIONS.md §6): a ledger from the
        // genesis, marked recovering, then `node run` (outlet 4's tills stay off). While B is
        // down, A hears C and D and takes their height as its horizon: it signs only above it.
        let initialised = try await CLI.run(["chain", "init", "--data", "\(demo)/outlet-4", "--genesis", "\(demo)/genesis.json", "--outlet", "4"])
        try #require(initialised.status == 0, "chain init: \(initialised.output)\(initialised.error)")
        let recovered = try await CLI.run(["node", "recover", "--data", "\(demo)/outlet-4"])
        try #require(recovered.status == 0, "node recover: \(recovered.output)\(recovered.error)")
        nodes[a] = try Self.start(demo: demo, outlet: 4)
        try await nodes[a].waitHealthy(peers: 2)
        // It listens (working height 0) until it has heard C and D, then starts its core.
        var listening = Patience(seconds: 30, checks: 150)
        var aListens = "no status", aHeard = false
        while !aHeard && listening.keepWaiting() {
            let status = try? await nodes[a].client.checkpointStatus()
            aListens = status.map { "working \($0.working) checkpoint \($0.checkpointHeight)" } ?? "no status"
            aHeard = (status?.working ?? 0) > 0
            if !aHeard { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(aHeard, "A took its horizon from C and D within 30 s: \(aListens)\n\(Self.logTails(nodes))")

        // B restarts with its disk kept: the last restart. Blocks acknowledged until now
        // were acknowledged during the faults.
        nodes[b] = try Self.start(demo: demo, outlet: 2)
        let lastRestart = Date()
        let during = [1: await sales.highest(1), 3: await sales.highest(3)]
        let soldDuring = await sales.count(since: faultsFrom)
        #expect(soldDuring >= 5, "the tills sold while the validators were down: \(soldDuring) sales")
        try await nodes[b].waitHealthy(peers: 3)

        // Checkpoints resume: every node covers every block acknowledged during the faults,
        // within the bound from the last restart.
        var firstResumed: Double?
        var covered = false
        // (Each check asks all 4 nodes, then sleeps 200 ms: 120 checks take at least 24 s of
        // sleep, so a machine too loaded to schedule the test does not fail it unseen.)
        var patience = Patience(seconds: Self.resumeBoundSeconds, checks: Int(Self.resumeBoundSeconds * 2))
        var last: [NodeReport] = []
        while patience.keepWaiting() {
            last = try await Self.statuses(nodes)
            if firstResumed == nil, last.contains(where: { ($0.status?.checkpointHeight ?? 0) > (stalled.compactMap { $0.status?.checkpointHeight }.max() ?? 0) }) {
                firstResumed = Date().timeIntervalSince(lastRestart)
            }
            covered = last.allSatisfy { report in
                during.allSatisfy { outlet, height in (report.status?.covered[String(outlet)] ?? 0) >= height }
            }
            if covered { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let resumeSeconds = Date().timeIntervalSince(lastRestart)
        #expect(covered, """
            checkpoints did not resume within \(Self.resumeBoundSeconds) s of the last restart (waited \(Int(resumeSeconds)) s, \
            \(patience.checks) checks): blocks acknowledged during the faults \(during) not covered on every node.
            \(atKill)
            stalled (C, D) right after B's kill: \(stalledAt.map(\.line).joined(separator: "; "))
            stalled 3 s later: \(stalled.map(\.line).joined(separator: "; "))
            now: \(last.map(\.line).joined(separator: "; "))
            \(Self.logTails(nodes))
            """)

        // And they keep going: every node decides past the highest height any node held
        // when the blocks were covered (the tills still sell).
        let coveredAt = last.compactMap { $0.status?.checkpointHeight }.max() ?? 0
        #expect(last.allSatisfy { ($0.status?.checkpointHeight ?? 0) > heightAtFault }, "every node decided past \(heightAtFault): \(last.map(\.line))")
        try await Self.waitHeight(above: coveredAt, on: nodes, skip: [], seconds: 30, what: "after the recovery")

        // A, which took the checkpoints it lost from the others' certificates, reaches the
        // height the others work on while the tills sell, and two more heights are decided
        // from there: A votes in them (checked on its signing state below).
        var live = Patience(seconds: 45, checks: 150)
        var liveAt: UInt64?
        while liveAt == nil && live.keepWaiting() {
            last = try await Self.statuses(nodes)
            let others = last.enumerated().filter { $0.offset != a }.compactMap { $0.element.status?.checkpointHeight }.max() ?? 0
            if (last[a].status?.checkpointHeight ?? 0) >= others { liveAt = others } else { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(liveAt != nil, "A caught up with the others within 45 s: \(last.map(\.line))\n\(Self.logTails(nodes))")
        if let liveAt { try await Self.waitHeight(above: liveAt + 1, on: nodes, skip: [], seconds: 30, what: "with A caught up") }

        // The replaced node got its own chain back from the peers (docs/OPERATIONS.md §6:
        // only then may its tills sell again).
        sellers.forEach { $0.cancel() }
        for seller in sellers { await seller.value }
        var ownChain = Patience(seconds: 30, checks: 150)
        var heads = ""
        var restored = false
        while !restored && ownChain.keepWaiting() {
            let mine = try await nodes[a].client.heads().first { $0.outletId == 4 }
            let theirs = try await nodes[0].client.heads().first { $0.outletId == 4 }
            heads = "outlet 4 head on A: \(mine.map { "\($0.height)" } ?? "none"), on outlet 1: \(theirs.map { "\($0.height)" } ?? "none")"
            restored = mine != nil && mine?.blockId == theirs?.blockId
            if !restored { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(restored, "A's own chain came back from its peers: \(heads)")
        let final = try await Self.statuses(nodes)
        #expect(final[a].status?.validatorIndex != nil, "A is a validator again: \(final[a].line)")

        // No validator signed twice: no node saw a double vote, no evidence file, and no
        // checkpoint carries validator evidence (the demo's outlet-2 drill is outlet evidence).
        for report in final { #expect(report.status?.doubleVotes == 0, "\(report.line)") }
        nodes.forEach { $0.stop() }
        let finalHeight = final.compactMap { $0.status?.checkpointHeight }.min() ?? 0
        // A recovered with a horizon at or above the height the network worked on when its
        // disk was lost (nothing it signed before can be above it), and signed again above it.
        let aState = try Self.signingState("\(demo)/outlet-4")
        let horizon = aState?.signFromHeight ?? 0
        #expect(horizon >= aWorking && horizon > heightAtFault,
                "A's horizon \(horizon) covers the height it worked on (\(aWorking)) and checkpoint \(heightAtFault), decided when its disk was lost")
        #expect((aState?.lastSigned?.height ?? 0) > horizon, "A votes again above its horizon: \(Self.describe(aState))")
        let aStarts = ((try? String(contentsOfFile: nodes[a].log, encoding: .utf8)) ?? "").split(separator: "\n")
            .last { $0.contains("validator starts at checkpoint height") }.map(String.init) ?? "no horizon line in A's log"
        for outlet in 1...4 {
            let evidence = (try? FileManager.default.contentsOfDirectory(atPath: "\(demo)/outlet-\(outlet)/evidence")) ?? []
            #expect(!evidence.contains { $0.hasPrefix("double-vote") }, "outlet \(outlet): \(evidence)")
            let audit = try AuditVerifier().verify(dataDirectory: "\(demo)/outlet-\(outlet)", trustedGenesis: genesis)
            #expect(audit.isValid, "outlet \(outlet): \(audit.findings)")
            #expect(audit.checkpointsVerified >= finalHeight, "outlet \(outlet): \(audit.checkpointsVerified) of \(finalHeight) checkpoints")
            #expect(!audit.checkpointEvidence.contains { $0.contains("validator") }, "outlet \(outlet): \(audit.checkpointEvidence)")
            #expect(!audit.checkpointEvidence.contains { $0.contains("outlet 4 signed two blocks") }, "outlet \(outlet): \(audit.checkpointEvidence)")
        }
        print("""
            checkpoint recovery test: demo \(Int(demoSeconds)) s; \(await sales.count(since: .distantPast)) sales, \(soldDuring) during the faults; \
            checkpoint \(heightAtFault) at A's disk loss; \(killedMidRound ? "" : "NOT ")mid-round: \(atKill); \
            stalled at \(stalled.map { "\($0.outlet): \($0.status.map { "\($0.checkpointHeight) r\($0.round)" } ?? "-")" }); \
            A: \(Self.describe(aState)) (log: \(aStarts.suffix(160))); \
            first new checkpoint \(firstResumed.map { String(format: "%.1f", $0) } ?? "-") s and every node covering the faults' blocks \
            \(String(format: "%.1f", resumeSeconds)) s after the last restart (bound \(Int(Self.resumeBoundSeconds)) s); \
            at the end: \(final.map(\.line).joined(separator: "; "))
            """)
    }

    // MARK: Helpers

    /// `NodeProcess.start` with `--log-level debug` (a few KB per node in this test), so a
    /// failure's log tails show each decision ("checkpoint N final in round R"), peers
    /// connecting, and the recovering validator's horizon ("validator starts at …").
    static func start(demo: String, outlet: Int) throws -> NodeProcess {
        try NodeProcess.start(demo: demo, outlet: outlet, logLevel: "debug")
    }

    /// A validator's saved signing state, read from its data directory while its node is down.
    static func signingState(_ data: String) throws -> PersistedValidatorState? {
        let store = try LedgerStore.open(dataDirectory: data)
        return try ConsensusStorage(environment: store.environment).validatorState()
    }

    static func describe(_ state: PersistedValidatorState?) -> String {
        guard let state else { return "none" }
        let last = state.lastSigned.map { "\($0.height)/\($0.round)/\(["proposal", "prevote", "precommit"][Int(min($0.step, 2))])" } ?? "nothing"
        return "at height \(state.height) round \(state.round), last signed \(last), locked round \(state.lockedRound), signs above \(state.signFromHeight)"
    }

    static func loadKey(_ path: String) throws -> SigningKey {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        return try #require(SigningKey(seed: Hex.decode(json["seed"] as? String ?? "") ?? []))
    }

    static func nowMs() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    /// Reopens till-03's shift of `outlet` (the demo closed it).
    static func openTill(demo: String, outlet: UInt32, genesis: Genesis, client: NodeClient) async throws -> TillSession {
        let key = try loadKey("\(demo)/keys/outlet-\(outlet)-till-03.key")
        let store = try LedgerStore.open(dataDirectory: "\(demo)/outlet-\(outlet)")
        let sequence = try store.environment.read { txn in
            try KeyRecord(canonicalBytes: try store.stateReader(outlet, txn).read(.key(key.publicKey))!).lastSequence
        }
        var till = TillSession(genesis: genesis, outlet: outlet, key: key, principal: "till-03", lastSequence: sequence)
        let reopen = till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: Int64(nowMs()))
        #expect(try await client.submit(reopen).status == "committed", "outlet \(outlet): till-03's shift reopens")
        return till
    }

    /// Sells one pen at a time (prepare signed by the till's key, then submit) until
    /// cancelled; logs every acknowledged sale. A failed call is retried, not counted.
    static func sell(_ till: TillSession, key: SigningKey, baseURL: String, outlet: UInt32, log: SalesLog) -> Task<Void, Never> {
        Task {
            var till = till
            let client = NodeClient(baseURL: baseURL, timeoutSeconds: 2, attemptsMax: 1)
            let signed = client.signed(by: key)
            while !Task.isCancelled {
                do {
                    let prepared = try await signed.prepare(.init(kind: "sale", till: "till-03", lines: [.init(sku: "PEN-BLUE", qty: 1)],
                                                                  payment: .init(kind: "cash")))
                    let body = try POSBody.decode(type: prepared.bodyType, payload: Hex.decode(prepared.body)!)
                    let response = try await client.submit(till.sign(body, atMs: Int64(nowMs())))
                    await log.acknowledged(outlet: outlet, height: response.height)
                } catch {
                    try? await Task.sleep(nanoseconds: 50_000_000)
                }
            }
        }
    }

    /// What one node answered to `GET /v1/checkpoints/status` (or why it did not).
    struct NodeReport {
        let outlet: Int
        let status: API.CheckpointStatus?
        let error: String?
        let fetchedAtMs = CheckpointRecoveryTests.nowMs()

        var line: String {
            guard let s = status else { return "outlet \(outlet): no status (\(error ?? "-"))" }
            let since = s.decidedAtMs.map { "\(Int64(fetchedAtMs) - Int64($0)) ms before this answer" } ?? "never"
            let covered = s.covered.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")
            return "outlet \(outlet): working \(s.working) round \(s.round) checkpoint \(s.checkpointHeight) (decided \(since)) "
                + "covers \(covered) validator \(s.validatorIndex.map { "\($0)" } ?? "none") doubleVotes \(s.doubleVotes) network \(s.networkHeight)"
        }
    }

    static func statuses(_ nodes: [NodeProcess], skip: Set<Int> = []) async throws -> [NodeReport] {
        var reports: [NodeReport] = []
        for (index, node) in nodes.enumerated() where !skip.contains(index) {
            do {
                reports.append(NodeReport(outlet: index + 1, status: try await node.client.checkpointStatus(), error: nil))
            } catch {
                reports.append(NodeReport(outlet: index + 1, status: nil, error: "\(error)"))
            }
        }
        return reports
    }

    static func logTails(_ nodes: [NodeProcess]) -> String {
        nodes.enumerated().map { "-- node \($0.offset + 1) log: \($0.element.logTail(lines: 15))" }.joined(separator: "\n")
    }

    /// Waits until every node's newest checkpoint covers `outlet` at `height`.
    static func waitCovered(outlet: UInt32, height: UInt64, on nodes: [NodeProcess], seconds: Double, what: String) async throws {
        var patience = Patience(seconds: seconds, checks: Int(seconds * 5))
        var reports: [NodeReport] = []
        while patience.keepWaiting() {
            reports = try await statuses(nodes)
            if reports.allSatisfy({ ($0.status?.covered[String(outlet)] ?? 0) >= height }) { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        Issue.record("\(what): outlet \(outlet) block \(height) not checkpointed on every node within \(seconds) s: \(reports.map(\.line))\n\(logTails(nodes))")
    }

    /// Waits until every node but `skip` has decided a checkpoint above `height`.
    static func waitHeight(above height: UInt64, on nodes: [NodeProcess], skip: Set<Int>, seconds: Double, what: String) async throws {
        var patience = Patience(seconds: seconds, checks: Int(seconds * 5))
        var reports: [NodeReport] = []
        while patience.keepWaiting() {
            reports = try await statuses(nodes, skip: skip)
            if reports.allSatisfy({ ($0.status?.checkpointHeight ?? 0) > height }) { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        Issue.record("\(what): not every node decided a checkpoint above \(height) within \(seconds) s: \(reports.map(\.line))\n\(logTails(nodes))")
    }
}

extension CheckpointRecoveryTests {
    /// Every sale the tills had acknowledged: the outlet block it landed in, and when.
    actor SalesLog {
        private var sales: [(outlet: UInt32, height: UInt64, at: Date)] = []

        func acknowledged(outlet: UInt32, height: UInt64) { sales.append((outlet, height, Date())) }
        func highest(_ outlet: UInt32) -> UInt64 { sales.filter { $0.outlet == outlet }.map(\.height).max() ?? 0 }
        func count(since: Date) -> Int { sales.filter { $0.at >= since }.count }
    }
}
