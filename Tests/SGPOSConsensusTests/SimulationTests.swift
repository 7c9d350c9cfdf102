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
        var evidence = 0, crashes = 0, wipes = 0, torn = 0, dropped = 0, checkpoints: UInt64 = 0, atPrevote = 0, clockFaults = 0, freezes = 0, freezeEvidence = 0
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
            atPrevote += report.prevoteCrashes
            if report.clockFault { clockFaults += 1 }
            if report.clockFrozen { freezes += 1 }
            if report.freezeEvidence { freezeEvidence += 1 }
        }
        #expect(failures.isEmpty, "\(failures.count) seeds failed; first: \(failures.prefix(3).joined(separator: "\n"))")
        // The faults must actually happen, or the run proves little. (Torn decisions — a
        // crash between a decision's two writes — are rare: 19 in the 1,000 seeds since
        // clocks were drawn, 20-odd before; the bound checks they happen at all.)
        #expect(crashes > 100 && wipes > 20 && torn > 10 && dropped > 10_000 && evidence > 0 && atPrevote > 50 && clockFaults > 100
                && freezes > 50 && freezeEvidence > 5,
                "crashes \(crashes), wipes \(wipes), torn \(torn), dropped \(dropped), evidence \(evidence), crashes at a prevote \(atPrevote), clock faults \(clockFaults), freezes \(freezes) (\(freezeEvidence) with evidence)")
        print("simulation: \(Self.seeds) seeds, \(checkpoints) checkpoints, \(crashes) crashes (\(wipes) disks lost, \(torn) between a decision's two writes, \(atPrevote) at a prevote), \(dropped) messages lost, \(evidence) double votes caught, \(clockFaults) seeds with a validator's clock beyond the precision, \(freezes) with a frozen clock (\(freezeEvidence) of them caught by an acknowledgement)")
    }

    /// Issue 22: in 95,000 seeds these three never checkpointed again after the heal (a
    /// lost disk plus a crash, or twins plus two crashes): restarted validators forgot
    /// votes only they held. They replay the reported fault plans and must decide on, also
    /// when every kept-disk crash strikes at a prevote instead.
    static let reportedFaults: [UInt64: String] = [
        107_954: "partition [2, 3] 838–3224ms, crash #3 @2980ms for 400ms, wipe #2 @1708ms for 1340ms",
        176_624: "crash #2 @2604ms for 1152ms, wipe #0 @2061ms for 1239ms",
        197_626: "crash #3 @3203ms for 453ms, crash #2 @2180ms for 1432ms, twins of validator 1",
    ]

    @Test(arguments: [107_954, 176_624, 197_626] as [UInt64])
    func aFormerLivenessFailureCheckpointsAgain(seed: UInt64) {
        let report = Simulation(seed: seed).run()
        #expect(report.passed && report.decidedHeight >= 2, "\(report)")
        #expect(report.faults.contains(Self.reportedFaults[seed]!), "the fault plan of the issue: \(report.faults)")
        var options = SimulationOptions()
        options.crashAtPrevotePercent = 100
        let harder = Simulation(seed: seed, options: options).run()
        #expect(harder.passed, "\(harder)")
        #expect(harder.faults.contains("at its prevote"))
    }

    /// A failed seed reports, per process, its last signature and what it was waiting for.
    @Test func aFailedSeedSaysWhatEachValidatorWaitedFor() {
        var options = SimulationOptions()
        options.faults = false
        options.healMs = 1_000...1_000
        options.saleEveryMs = 20
        options.runMs = 1_001  // blocks acknowledged just before the heal cannot be checkpointed yet
        let report = Simulation(seed: 7, options: options).run()
        #expect(!report.passed && report.validatorStates.count == report.validators, "\(report)")
        #expect(report.validatorStates.allSatisfy { $0.contains("last signed") && $0.contains("waiting for") }, "\(report)")
        #expect(report.description.contains(report.validatorStates[0]))
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

