import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSSimulator

/// `sgpos sim`: the seeded consensus fault simulator (docs/CONSENSUS.md §7).
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the checkpoint consensus under seeded faults (loss, delay, duplication, partitions, crashes, lost disks, twins) and check safety and liveness.",
        discussion: "Each seed replays exactly. A failing seed prints what it violated; rerun it alone with --from SEED --seeds 1 --trace.")

    @Option(help: "Number of seeds.") var seeds: UInt64 = 1_000
    @Option(help: "First seed.") var from: UInt64 = 1
    @Option(help: "Validators (default: 4-7, drawn from each seed).") var validators: Int?
    @Flag(help: "A reliable network: no faults (a baseline).") var noFaults = false
    @Flag(help: "Print every seed's faults and outcome, not only failures.") var verbose = false
    @Flag(help: "Print the story of the run (one seed): crashes, restarts, decisions, the end state.") var trace = false

    func run() async throws {
        guard seeds >= 1, from <= UInt64.max - seeds else { throw CLIError("--seeds must be at least 1") }
        if let validators, !(4...64).contains(validators) { throw CLIError("--validators must be 4...64") }
        var options = SimulationOptions()
        options.validators = validators
        options.faults = !noFaults
        if trace {
            let simulation = Simulation(seed: from, options: options)
            simulation.trace = { print("  " + $0) }
            print(simulation.run())
            return
        }
        let started = ContinuousClock.now
        let progress = ProgressLine(label: "sim", unit: "seeds", total: seeds)
        let report: (@Sendable (UInt64) -> Void)? = progress.isShown ? { @Sendable done in progress.update(done: done) } : nil
        let reports = await SimulationRunner.run(seeds: from...(from + seeds - 1), options: options, progress: report)
        progress.finish()
        var failed = 0
        for report in reports where verbose || !report.passed {
            print(report)
            if !report.passed { failed += 1 }
        }
        let checkpoints = reports.reduce(0) { $0 + $1.decidedHeight }
        let crashes = reports.reduce(0) { $0 + $1.crashes }, wipes = reports.reduce(0) { $0 + $1.wipes }
        let lost = reports.reduce(0) { $0 + $1.dropped }, evidence = reports.reduce(0) { $0 + $1.evidence }
        let twins = reports.filter { $0.faults.contains("twins") }.count
        print("\(seeds) seeds from \(from) in \(started.duration(to: .now)): \(reports.count - failed) passed, \(failed) failed; "
            + "\(checkpoints) checkpoints, \(crashes) crashes (\(wipes) disks lost), \(twins) seeds with twins, "
            + "\(lost) messages lost, \(evidence) double votes caught")
        if failed > 0 { throw ExitCode(1) }
    }
}
