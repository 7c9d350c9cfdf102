import SGPOSChain
import SGPOSConsensus

/// What a seed does to the cluster before the heal; drawn from the seed alone.
struct FaultPlan {
    struct Partition { let side: Set<Int>; let from: UInt64; let until: UInt64 }
    struct Crash {
        let instance: Int
        let at: UInt64
        let downMs: UInt64
        let wipe: Bool
        /// Armed at `at`, the crash strikes when the validator next signs a prevote — after
        /// the signing state is saved, before the vote leaves — or, with no prevote by half
        /// of `downMs`, then. The restart is still at `at + downMs`.
        var atPrevote = false
    }

    var dropPercent: UInt64 = 0
    var duplicatePercent: UInt64 = 0
    var maxDelayMs: UInt64 = 10
    var healAt: UInt64 = 0
    var partitions: [Partition] = []
    var crashes: [Crash] = []
    /// A validator run twice with one key (Byzantine).
    var twin: UInt16?
    /// Each validator's clock skew (ms, by validator index): within ±precision/2 for
    /// correct validators, so any two differ by at most the precision; beyond it for
    /// ``skewedValidator``, a fault of that validator (docs/CONSENSUS.md §11).
    var clockSkewsMs: [Int64] = []
    var skewedValidator: UInt16?
    /// A validator (and its outlet) whose clock stops at ``frozenAtMs`` and stays there:
    /// its later blocks carry that time; a fault of that validator.
    var frozenValidator: UInt16?
    var frozenAtMs: UInt64 = 0
    /// Twins and lost disks are faults of a validator (a lost disk for the height it
    /// rejoins at); crashes with the disk kept are not. Liveness is only promised while
    /// these are at most f = ⌊(n − 1)/3⌋; beyond, the seed checks safety alone.
    var faultyValidators = 0
    var withinTolerance = true

    static func random(_ random: inout SimulationRandom, seed: UInt64, validators: Int, options: SimulationOptions) -> FaultPlan {
        var plan = FaultPlan()
        plan.healAt = UInt64.random(in: options.healMs, using: &random)
        guard options.faults else { return plan }
        plan.dropPercent = UInt64.random(in: 0...20, using: &random)
        plan.duplicatePercent = UInt64.random(in: 0...10, using: &random)
        plan.maxDelayMs = UInt64.random(in: 5...150, using: &random)
        if random.chance(25) { plan.twin = UInt16.random(in: 0..<UInt16(validators), using: &random) }
        let instances = validators + (plan.twin == nil ? 0 : 1)
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            var side = Set<Int>()
            if let twin = plan.twin, random.chance(60) {
                side.insert(Int(twin))  // the twins on two sides: they see different things and equivocate
            } else {
                for _ in 0..<Int.random(in: 1...(instances - 1), using: &random) { side.insert(Int.random(in: 0..<instances, using: &random)) }
            }
            let from = UInt64.random(in: 0..<plan.healAt, using: &random)
            plan.partitions.append(Partition(side: side, from: from, until: UInt64.random(in: from...plan.healAt, using: &random)))
        }
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let downMs = UInt64.random(in: 50...1_500, using: &random)
            guard plan.healAt > downMs + 1 else { continue }
            let crash = Crash(instance: Int.random(in: 0..<instances, using: &random),
                              at: UInt64.random(in: 1..<(plan.healAt - downMs), using: &random), downMs: downMs, wipe: random.chance(25))
            // One outage at a time per process.
            let overlaps = plan.crashes.contains {
                $0.instance == crash.instance && $0.at < crash.at + crash.downMs && crash.at < $0.at + $0.downMs
            }
            if !overlaps { plan.crashes.append(crash) }
        }
        plan.armAtPrevote(seed: seed, percent: options.crashAtPrevotePercent)
        plan.drawClocks(seed: seed, validators: validators, precisionMs: Int64(options.timeBounds.precisionMs), faults: options.faults)
        plan.faultyValidators = (plan.twin == nil ? 0 : 1) + plan.crashes.filter(\.wipe).count
            + (plan.skewedValidator == nil || plan.skewedValidator == plan.twin ? 0 : 1)
        // A frozen clock only where it keeps the faults within f: liveness is then still promised.
        if plan.faultyValidators + 1 <= (validators - 1) / 3 {
            plan.drawFreeze(seed: seed, validators: validators, faults: options.faults)
            if plan.frozenValidator != nil { plan.faultyValidators += 1 }
        }
        plan.withinTolerance = plan.faultyValidators <= (validators - 1) / 3
        return plan
    }

    /// Makes some kept-disk crashes strike at a prevote (a restart in a round where the
    /// validator had prevoted, its vote maybe unsent). Drawn from a stream of its own, so
    /// the rest of a seed's plan — and the seeds reported before this fault existed — are
    /// unchanged.
    mutating func armAtPrevote(seed: UInt64, percent: UInt64) {
        var random = SimulationRandom(seed: seed ^ 0x9E37_79B9_C4A5_7E01)
        for index in crashes.indices where !crashes[index].wipe {
            if random.chance(percent) { crashes[index].atPrevote = true }
        }
    }

    /// Draws the clocks from a stream of their own (the rest of a seed's plan is as before
    /// clocks existed): every validator within ±precision/2 of the simulated time, and in
    /// one seed in five (with faults) one validator 1–5 s beyond the precision, ahead or behind.
    mutating func drawClocks(seed: UInt64, validators: Int, precisionMs: Int64, faults: Bool) {
        var random = SimulationRandom(seed: seed ^ 0xC10C_C10C_5EED_0001)
        clockSkewsMs = (0..<validators).map { _ in faults ? Int64.random(in: -(precisionMs / 2)...(precisionMs / 2), using: &random) : 0 }
        guard faults, random.chance(20) else { return }
        let validator = Int.random(in: 0..<validators, using: &random)
        let beyond = precisionMs + Int64.random(in: 1_000...5_000, using: &random)
        clockSkewsMs[validator] = random.chance(50) ? beyond : -beyond
        skewedValidator = UInt16(validator)
    }

    /// In one seed in three (with faults) where it keeps the faults within f, freezes the
    /// clock of one validator that is neither skewed nor twinned, at a time before the
    /// heal; from a stream of its own.
    mutating func drawFreeze(seed: UInt64, validators: Int, faults: Bool) {
        var random = SimulationRandom(seed: seed ^ 0xF2EE_2E5E_ED00_0002)
        guard faults, random.chance(33), healAt > 600 else { return }
        let candidates = (0..<UInt16(validators)).filter { $0 != skewedValidator && $0 != twin }
        guard !candidates.isEmpty else { return }
        frozenValidator = candidates[Int.random(in: 0..<candidates.count, using: &random)]
        frozenAtMs = UInt64.random(in: 300...(healAt - 300), using: &random)
    }

    /// Validator `validator`'s clock at simulated time `now`.
    func clock(of validator: UInt16, at now: UInt64) -> UInt64 {
        let skew = clockSkewsMs.isEmpty ? 0 : clockSkewsMs[Int(validator)]
        let time = validator == frozenValidator ? min(now, frozenAtMs) : now
        return UInt64(max(0, Int64(time) + skew))
    }

    /// Delivery delay of one message, or nil when it is lost.
    func delay(_ random: inout SimulationRandom, from: Int, to: Int, at time: UInt64, instances: [Simulation.Instance]) -> UInt64? {
        if time < healAt {
            for partition in partitions where partition.from <= time && time < partition.until {
                if partition.side.contains(from) != partition.side.contains(to) { return nil }
            }
            if random.chance(dropPercent) { return nil }
        }
        return UInt64.random(in: 1...maxDelayMs, using: &random)
    }

    var summary: String {
        var parts = ["drop \(dropPercent)%", "dup \(duplicatePercent)%", "delay ≤\(maxDelayMs)ms", "heal @\(healAt)ms"]
        for partition in partitions { parts.append("partition \(partition.side.sorted()) \(partition.from)–\(partition.until)ms") }
        for crash in crashes {
            parts.append("\(crash.wipe ? "wipe" : "crash") #\(crash.instance) @\(crash.at)ms\(crash.atPrevote ? " at its prevote" : "") for \(crash.downMs)ms")
        }
        if let twin { parts.append("twins of validator \(twin)") }
        if let skewed = skewedValidator { parts.append("clock of validator \(skewed) off by \(clockSkewsMs[Int(skewed)]) ms") }
        if let frozen = frozenValidator { parts.append("clock of validator \(frozen) frozen @\(frozenAtMs)ms") }
        if !withinTolerance { parts.append("\(faultyValidators) faulty > f: safety only") }
        return parts.joined(separator: ", ")
    }
}

/// Knobs of a simulation run.
public struct SimulationOptions: Sendable {
    /// Validators (nil: 4–7, from the seed).
    public var validators: Int?
    /// Faults before the heal (off: a reliable network, for a baseline).
    public var faults = true
    public var healMs: ClosedRange<UInt64> = 2_000...5_000
    public var tickMs: UInt64 = 250
    public var saleEveryMs: UInt64 = 400
    /// Simulated time limit; liveness must be reached before it.
    public var runMs: UInt64 = 60_000
    public var eventsMax = 400_000
    /// Beyond the fault tolerance, how long after the heal safety is still watched.
    public var afterHealMs: UInt64 = 5_000
    /// Percent of kept-disk crashes that strike when the validator signs a prevote (0: every
    /// crash at its drawn time, as before this fault existed).
    public var crashAtPrevotePercent: UInt64 = 25
    /// The agreed-time bounds the validators apply (the genesis defaults).
    public var timeBounds: CheckpointTimeParameters = .defaults
    public var timeouts: ConsensusTimeouts = {
        var timeouts = ConsensusTimeouts()
        timeouts.commitMs = 200
        return timeouts
    }()

    public init() {}
}

/// What one seed did, and every violated check (empty when it passed).
public struct SimulationReport: Sendable, CustomStringConvertible {
    public let seed: UInt64
    public let validators: Int
    public var faults = ""
    public var messages = 0
    public var dropped = 0
    public var duplicated = 0
    public var crashes = 0
    public var wipes = 0
    /// Crashes between storing a decision and saving the move to the next height.
    public var tornDecisions = 0
    /// Crashes after a prevote was saved and before it was sent (``FaultPlan/Crash/atPrevote``).
    public var prevoteCrashes = 0
    public var evidence = 0
    /// Whether one validator's clock was off by more than the precision (a clock fault).
    public var clockFault = false
    /// Whether one validator's clock froze, and whether a block of its outlet broke one of
    /// its acknowledgements (the evidence its peers would record).
    public var clockFrozen = false
    public var freezeEvidence = false
    public var decidedHeight: UInt64 = 0
    public var acknowledged: [Int: UInt64] = [:]
    public var events = 0
    public var simulatedMs: UInt64 = 0
    public var violations: [String] = []
    /// For a failed seed: each process's last signature and what it was waiting for.
    public var validatorStates: [String] = []

    init(seed: UInt64, validators: Int) {
        self.seed = seed
        self.validators = validators
    }

    public var passed: Bool { violations.isEmpty }

    public var description: String {
        let outcome = passed ? "ok" : "FAIL: " + violations.joined(separator: "; ")
        return "seed \(seed): \(validators) validators, checkpoints \(decidedHeight), \(messages) messages (\(dropped) lost, \(duplicated) duplicated), "
            + "\(crashes) crashes (\(wipes) disks lost, \(tornDecisions) torn decisions, \(prevoteCrashes) at a prevote), \(evidence) evidence, \(simulatedMs) ms simulated [\(faults)] \(outcome)"
            + validatorStates.map { "\n  " + $0 }.joined()
    }
}

/// Events in time order (ties in insertion order): a binary heap.
struct EventQueue {
    struct Entry { let time: UInt64; let sequence: UInt64; let event: Simulation.Event }
    private var heap: [Entry] = []
    private var sequence: UInt64 = 0

    mutating func push(_ time: UInt64, _ event: Simulation.Event) {
        sequence += 1
        heap.append(Entry(time: time, sequence: sequence, event: event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: UInt64, event: Simulation.Event)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (top.time, top.event)
    }

    static func before(_ a: Entry, _ b: Entry) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
}

extension Simulation {
    enum Event {
        case deliver(to: Int, from: UInt16, ConsensusMessage)
        case heads(to: Int, [UInt64])
        case timeout(instance: Int, epoch: Int, ScheduledTimeout)
        case tick(instance: Int, epoch: Int)
        case sale(instance: Int)
        case crash(instance: Int, wipe: Bool)
        /// A crash at the next prevote is armed (until `deadline`), or its deadline came.
        case armCrash(instance: Int, deadline: UInt64)
        case armedDeadline(instance: Int)
        case restart(instance: Int, wipe: Bool)
    }
}
