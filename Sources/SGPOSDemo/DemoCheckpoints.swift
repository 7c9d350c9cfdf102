import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSNode
import SGPOSClient
import SGPOSRetail

extension DemoCommand {
    /// Waits until every node's newest checkpoint covers every outlet's last block (the
    /// whole trading day is final), then prints checkpoint heights and finality latency.
    /// Returns the number of problems (0, or 1 if finality was not reached in 60 s).
    func showCheckpoints(nodes: DemoNodes, heightViews: [OutletID: [API.Head]]) async throws -> Int {
        guard nodes.nodes.count >= 4 else {
            print("== checkpoints: none (the checkpoint chain needs at least 4 outlets)")
            return 0
        }
        // Each outlet's own head, as its producer reports it.
        var produced: [OutletID: UInt64] = [:]
        for (outlet, heads) in heightViews {
            for head in heads where head.outletId == outlet { produced[outlet] = head.height }
        }
        let started = ContinuousClock.now
        var statuses: [(OutletID, CheckpointService.Status)] = []
        while started.duration(to: .now) < .seconds(60) {
            statuses = []
            for node in nodes.nodes { statuses.append((node.outlet, try await node.client.checkpointStatus())) }
            let final = statuses.allSatisfy { _, status in
                produced.allSatisfy { outlet, height in (status.covered[String(outlet)] ?? 0) >= height }
            }
            if final {
                let waited = Double(started.duration(to: .now).components.attoseconds) / 1e18 + Double(started.duration(to: .now).components.seconds)
                print(String(format: "== checkpoints (Tendermint among %d validators): every outlet's last block final on every node %.1f s after replication",
                             statuses[0].1.validators, waited))
                for (outlet, status) in statuses {
                    let p50 = status.finalityP50Ms.map { "\($0) ms" } ?? "-", p99 = status.finalityP99Ms.map { "\($0) ms" } ?? "-"
                    let agreed = status.agreedTimeMs.map { " (agreed time \(CivilTime.singaporeDateTime(epochMs: Int64($0))).\(String(format: "%03d", Int($0 % 1_000))))" } ?? ""
                    print("   node \(outlet): checkpoint \(status.checkpointHeight)\(agreed), own blocks committed → final p50 \(p50), p99 \(p99) "
                        + "(\(status.finalitySamples) blocks), double votes seen \(status.doubleVotes)")
                }
                return try await showNetworkState(nodes: nodes)
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        print("   FAIL checkpoints did not cover every outlet's last block within 60 s:")
        for (outlet, status) in statuses {
            print("   node \(outlet): working on \(status.working) round \(status.round), covered \(status.covered.sorted { $0.key < $1.key })")
        }
        return 1
    }

    /// Every node's network state (the blocks applied in checkpoint order): at the same
    /// checkpoint every node must hold the same root, and none may have diverged.
    func showNetworkState(nodes: DemoNodes) async throws -> Int {
        var statuses: [(OutletID, CheckpointService.Status)] = []
        for _ in 0..<40 {
            statuses = []
            for node in nodes.nodes { statuses.append((node.outlet, try await node.client.checkpointStatus())) }
            if statuses.allSatisfy({ $0.1.networkHeight == $0.1.checkpointHeight }) { break }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        var problems = 0
        var rootAt: [UInt64: String] = [:]
        for (outlet, status) in statuses {
            if let divergence = status.networkDivergence {
                print("   FAIL node \(outlet): network state diverged: \(divergence)")
                problems += 1
            }
            if let root = rootAt[status.networkHeight], root != status.networkRoot {
                print("   FAIL node \(outlet): network root \(status.networkRoot) at checkpoint \(status.networkHeight) differs from another node's \(root)")
                problems += 1
            }
            rootAt[status.networkHeight] = status.networkRoot
        }
        let heights = statuses.map { "node \($0.0) at \($0.1.networkHeight)" }.joined(separator: ", ")
        let roots = Set(statuses.map(\.1.networkRoot))
        print("== network state (every outlet's blocks applied in checkpoint order): \(heights); "
              + (roots.count == 1 ? "one root \(roots.first!.prefix(16))… on every node" : "\(roots.count) roots (nodes at different checkpoints)"))
        return problems
    }

    /// Fault injection: one outlet signs a second block at its newest height and pushes it
    /// to its peers. They must catch it, and a checkpoint must carry the evidence so that
    /// every node (and every auditor) records it. Returns the number of problems.
    func showEquivocation(nodes: DemoNodes, culprit: OutletID) async throws -> Int {
        guard nodes.nodes.count >= 4, let node = nodes.nodes.first(where: { $0.outlet == culprit }),
              let observer = nodes.nodes.first(where: { $0.outlet != culprit }) else { return 0 }
        var from = try await observer.client.checkpointStatus().checkpointHeight + 1
        let signed = try await node.client.equivocate()
        print("== outlet \(culprit) signs a second block at height \(signed.height) on purpose (fault injection) and pushes it to its peers")
        let started = ContinuousClock.now
        while started.duration(to: .now) < .seconds(30) {
            let decided = try await observer.client.checkpointStatus().checkpointHeight
            while from <= decided {
                let checkpoint = try await observer.client.checkpoint(from)
                if let item = checkpoint.evidence.first(where: { $0.summary.hasPrefix("outlet \(culprit) ") }) {
                    let seconds = Double(started.duration(to: .now).components.attoseconds) / 1e18 + Double(started.duration(to: .now).components.seconds)
                    print(String(format: "   caught by its peers; checkpoint %llu carries the evidence %@… (%@) %.1f s later",
                                 from, String(item.id.prefix(16)), item.summary, seconds))
                    return 0
                }
                from += 1
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        print("   FAIL no checkpoint carried evidence of outlet \(culprit)'s second block within 30 s")
        return 1
    }
}
