import SGPOSConsensus
import SGPOSSimulator
import Testing

/// The seeded fault simulator over the real consensus core (docs/CONSENSUS.md §7).
@Suite("Consensus simulation")
struct SimulationTests {
    /// `make test` runs this many seeds; `make sim SEEDS=N` runs more.
    static let seeds: UInt64 = 1_000

    @Test func everySeedKeepsSafetyAndLiveness() async {
        var failures: [String] = []
        var evidence = 0, crashes = 0, wipes = 0, torn = 0, dropped = 0, checkpoints: UInt64 = 0
        // One core is left to the rest of the suite (node processes, demos) on small machines.
        let workers = max(1, SimulationRunner.defaultWorkers - 1)
        for report in await SimulationRunner.run(seeds: 1...Self.seeds, workers: workers) {
            if !report.passed { failures.append(report.description) }
            evidence += report.evidence
            crashes += report.crashes
            wipes += report.wipes
            torn += report.tornDecisions
            dropped += report.dropped
            checkpoints += report.decidedHeight
        }
        #expect(failures.isEmpty, "\(failures.count) seeds failed; first: \(failures.prefix(3).joined(separator: "\n"))")
        // The faults must actually happen, or the run proves little.
        #expect(crashes > 100 && wipes > 20 && torn > 20 && dropped > 10_000 && evidence > 0, "crashes \(crashes), wipes \(wipes), torn \(torn), dropped \(dropped), evidence \(evidence)")
        print("simulation: \(Self.seeds) seeds, \(checkpoints) checkpoints, \(crashes) crashes (\(wipes) disks lost, \(torn) between a decision's two writes), \(dropped) messages lost, \(evidence) double votes caught")
    }

    @Test func aSeedReplaysExactly() async {
        let seeds: ClosedRange<UInt64> = 4_240...4_243
        let first = await SimulationRunner.run(seeds: seeds, workers: 1)
        let second = await SimulationRunner.run(seeds: seeds, workers: 1)
        #expect(first.map(\.description) == second.map(\.description))
    }

    @Test func aReliableNetworkCheckpointsEverything() async {
        var options = SimulationOptions()
        options.faults = false
        for report in await SimulationRunner.run(seeds: 1...20, options: options, workers: 1) {
            #expect(report.passed, "\(report)")
            #expect(report.evidence == 0 && report.decidedHeight >= 3, "\(report)")
        }
    }
}
