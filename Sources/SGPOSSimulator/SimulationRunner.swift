/// Runs many seeds on every core. Each seed is independent and single-threaded, so the
/// results are the same whatever the parallelism; they come back in seed order.
public enum SimulationRunner {
    public static func run(seeds: ClosedRange<UInt64>, options: SimulationOptions = SimulationOptions(),
                           workers: Int = SimulationRunner.defaultWorkers) async -> [SimulationReport] {
        precondition(workers >= 1, "at least one worker")
        return await withTaskGroup(of: [SimulationReport].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var reports: [SimulationReport] = []
                    var seed = seeds.lowerBound + UInt64(worker)
                    while seed <= seeds.upperBound {
                        reports.append(Simulation(seed: seed, options: options).run())
                        seed += UInt64(workers)
                    }
                    return reports
                }
            }
            var all: [SimulationReport] = []
            for await reports in group { all += reports }
            return all.sorted { $0.seed < $1.seed }
        }
    }

    public static var defaultWorkers: Int { max(1, min(8, System.coreCount)) }
}

#if canImport(Glibc)
import Glibc
#endif

enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
