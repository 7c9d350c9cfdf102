import Dispatch
import Synchronization

/// Runs many seeds on every core. Each seed is independent and single-threaded, so the
/// results are the same whatever the parallelism; they come back in seed order. The
/// workers are Dispatch threads, not Swift concurrency's cooperative pool, so a long run
/// never starves other async work in the same process (tests, a node).
public enum SimulationRunner {
    /// `progress`, when given, is called (from the workers' threads) with the number of
    /// seeds done after each one.
    public static func run(seeds: ClosedRange<UInt64>, options: SimulationOptions = SimulationOptions(),
                           workers: Int = SimulationRunner.defaultWorkers,
                           progress: (@Sendable (UInt64) -> Void)? = nil) async -> [SimulationReport] {
        precondition(workers >= 1, "at least one worker")
        let done = DoneCounter()
        return await withCheckedContinuation { continuation in
            let results = ResultBox(workers: workers)
            let group = DispatchGroup()
            for worker in 0..<workers {
                group.enter()
                DispatchQueue.global(qos: .userInitiated).async {
                    var reports: [SimulationReport] = []
                    var seed = seeds.lowerBound + UInt64(worker)
                    while seed <= seeds.upperBound {
                        reports.append(Simulation(seed: seed, options: options).run())
                        if let progress { progress(done.count.add(1, ordering: .relaxed).newValue) }
                        seed += UInt64(workers)
                    }
                    results.set(worker, reports)
                    group.leave()
                }
            }
            group.notify(queue: .global()) {
                continuation.resume(returning: results.all().sorted { $0.seed < $1.seed })
            }
        }
    }

    public static var defaultWorkers: Int { max(1, min(8, System.coreCount)) }
}

/// Per-worker results, each slot written by one worker before the group is left.
final class ResultBox: Sendable {
    private let slots: Mutex<[[SimulationReport]]>

    init(workers: Int) { slots = Mutex(Array(repeating: [], count: workers)) }

    func set(_ worker: Int, _ reports: [SimulationReport]) {
        slots.withLock { $0[worker] = reports }
    }

    func all() -> [SimulationReport] {
        slots.withLock { $0.flatMap { $0 } }
    }
}

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// Seeds finished so far, across the workers.
final class DoneCounter: Sendable {
    let count = Atomic<UInt64>(0)
}
