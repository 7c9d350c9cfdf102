import SGPOSCodec
import SGPOSChain
import SGPOSConsensus
import SGPOSCrypto

/// A seeded, deterministic run of the real consensus core (``TendermintCore``) over a
/// simulated network and clock, in the style of TigerBeetle's VOPR: messages are dropped,
/// delayed, duplicated and reordered; validators are partitioned and healed, crashed and
/// restarted with their storage kept or lost; one validator may have a twin (two
/// processes, one key: a Byzantine equivocator, as in Twins). After the heal the network
/// is reliable and the checks run (docs/CONSENSUS.md §7).
public final class Simulation {
    public let seed: UInt64
    public let options: SimulationOptions
    var random: SimulationRandom
    var now: UInt64 = 0
    var queue = EventQueue()
    var instances: [Instance] = []
    /// The validator sets of every height (changing every third checkpoint).
    let sets: SimulatedValidators
    let chainID: Hash256
    var faults = FaultPlan()
    /// Each outlet's block times (index = height − 1), and the acknowledgements it signed:
    /// each decided checkpoint's agreed time with the outlet's height then
    /// (docs/CONSENSUS.md §11).
    var outletBlockTimes: [[UInt64]] = []
    var outletAcks: [[(timeMs: UInt64, headHeight: UInt64)]] = []
    /// Crashes armed to strike at a prevote that struck (at one or at their deadline).
    var armedCrashes = 0
    public internal(set) var report: SimulationReport
    /// Where a run's story goes when someone asks for it (`sgpos sim --trace`).
    public var trace: ((String) -> Void)?

    /// One process: a validator, or the twin of one.
    final class Instance {
        let validator: UInt16
        let isTwin: Bool
        let store = MemoryValidatorStateStore()
        var app: SimulatedCheckpoints
        var core: TendermintCore?
        /// Bumped on crash: timeouts of an earlier life are ignored.
        var epoch = 0
        var decisions: [UInt64: Hash256] = [:]
        /// Agreed time of each decided height.
        var times: [UInt64: UInt64] = [:]
        var roots: [UInt64: Hash256] = [:]
        var lastRoot = Hash256.zero
        /// The checkpoint store: every certificate this validator decided (served to laggards).
        var certificates: [UInt64: CommitCertificate] = [:]
        /// First height this life decided in order (after a lost disk, later than 1).
        var firstHeight: UInt64 = 1
        /// The last signed position seen in the store, and that signature in words with its time.
        var lastSignedSeen: SignedPosition?
        var lastSignature: String?
        /// Until then, the next prevote this process signs crashes it (``FaultPlan/Crash/atPrevote``).
        var armedUntil: UInt64?

        init(validator: UInt16, isTwin: Bool, sets: SimulatedValidators) {
            self.validator = validator
            self.isTwin = isTwin
            app = SimulatedCheckpoints(sets: sets)
        }
    }

    public init(seed: UInt64, options: SimulationOptions = SimulationOptions()) {
        self.seed = seed
        self.options = options
        random = SimulationRandom(seed: seed)
        let count = options.validators ?? Int.random(in: 4...7, using: &random)
        var seedRandom = SimulationRandom(seed: seed ^ 0x5EED)
        sets = SimulatedValidators(count: count, random: &seedRandom)
        chainID = Hash256.tagged(DomainTag("SGPOS/sim-chain/v1"), Array("seed-\(seed)".utf8))
        report = SimulationReport(seed: seed, validators: count)
    }

    // MARK: Running

    /// Runs the seed to the end and returns what happened and what was violated.
    public func run() -> SimulationReport {
        faults = FaultPlan.random(&random, seed: seed, validators: sets.count, options: options)
        report.faults = faults.summary
        report.clockFault = faults.skewedValidator != nil
        report.clockFrozen = faults.frozenValidator != nil
        outletBlockTimes = Array(repeating: [], count: sets.count)
        outletAcks = Array(repeating: [], count: sets.count)
        for index in 0..<sets.count {
            instances.append(Instance(validator: UInt16(index), isTwin: false, sets: sets))
        }
        if let twin = faults.twin {
            instances.append(Instance(validator: twin, isTwin: true, sets: sets))
        }
        for instance in instances { instance.app = application(of: instance.validator) }
        for index in instances.indices { boot(index, at: 0) }
        for crash in faults.crashes {
            queue.push(crash.at, crash.atPrevote ? .armCrash(instance: crash.instance, deadline: crash.at + crash.downMs / 2)
                                                 : .crash(instance: crash.instance, wipe: crash.wipe))
            queue.push(crash.at + crash.downMs, .restart(instance: crash.instance, wipe: crash.wipe))
        }
        for index in instances.indices where !instances[index].isTwin {
            queue.push(UInt64.random(in: 1...options.saleEveryMs, using: &random), .sale(instance: index))
        }
        var steps = 0
        while let event = queue.pop() {
            steps += 1
            guard steps <= options.eventsMax, event.time <= options.runMs else { break }
            now = event.time
            handle(event.event)
            if now >= faults.healAt, livenessReached() { break }
            if now >= faults.healAt + options.afterHealMs, !faults.withinTolerance { break }
        }
        check(steps: steps)
        if !report.passed { report.validatorStates = instances.indices.map(validatorState) }
        if let trace {
            for (index, instance) in instances.enumerated() {
                let core = instance.core.map { "height \($0.height) round \($0.round) step \($0.stepName) locked \($0.lockedRound)" } ?? "down"
                trace("end #\(index) v\(instance.validator)\(instance.isTwin ? " twin" : ""): \(core), known \(instance.app.known), decided \(instance.app.decided)")
                trace("    \(validatorState(index))")
            }
        }
        return report
    }

    /// The checkpoint application of `validator`, reading its own (skewed or frozen) clock.
    func application(of validator: UInt16) -> SimulatedCheckpoints {
        SimulatedCheckpoints(sets: sets, bounds: options.timeBounds) { [unowned self] in
            self.faults.clock(of: validator, at: self.now)
        }
    }

    func boot(_ index: Int, at time: UInt64) {
        let instance = instances[index]
        instance.lastSignedSeen = instance.store.state?.lastSigned
        // Every key generation of its validator: it votes with the one in the set.
        // As the node: the first height not decided in the stored checkpoints.
        var core = TendermintCore(chainID: chainID, schedule: sets.set(at:), keys: sets.keys[Int(instance.validator)],
                                  store: instance.store, timeouts: options.timeouts,
                                  firstHeight: (instance.certificates.keys.max() ?? 0) + 1)
        instance.firstHeight = core.height
        let outputs = core.start(instance.app)
        instance.core = core
        apply(outputs, of: index)
        queue.push(time + options.tickMs, .tick(instance: index, epoch: instance.epoch))
    }

    func handle(_ event: Event) {
        switch event {
        case .deliver(let to, let from, let message):
            guard instances[to].core != nil else { return }
            let outputs = instances[to].core!.receive(message, from: from, instances[to].app)
            apply(outputs, of: to)
        case .heads(let to, let heads):
            guard instances[to].core != nil else { return }
            let app = instances[to].app
            var changed = false
            for (outlet, head) in heads.enumerated() where head > app.known[outlet] {
                app.known[outlet] = head
                changed = true
            }
            if changed { apply(instances[to].core!.reevaluate(app), of: to) }
        case .timeout(let index, let epoch, let timeout):
            guard instances[index].epoch == epoch, instances[index].core != nil else { return }
            apply(instances[index].core!.timeout(timeout, instances[index].app), of: index)
        case .tick(let index, let epoch):
            guard instances[index].epoch == epoch, instances[index].core != nil else { return }
            apply(instances[index].core!.tick(), of: index)
            gossipHeads(from: index)
            queue.push(now + options.tickMs, .tick(instance: index, epoch: epoch))
        case .sale(let index):
            // The outlet acknowledged a block (durable locally, online or not).
            if now < faults.healAt, instances[index].core != nil {
                let outlet = Int(instances[index].validator)
                instances[index].app.known[outlet] += 1
                report.acknowledged[outlet, default: 0] = instances[index].app.known[outlet]
                // The block's time, as the node stamps it: its clock, never below the previous block's.
                let stamp = max(outletBlockTimes[outlet].last ?? 0, faults.clock(of: UInt16(outlet), at: now))
                while outletBlockTimes[outlet].count < Int(instances[index].app.known[outlet]) { outletBlockTimes[outlet].append(stamp) }
            }
            if now < faults.healAt { queue.push(now + UInt64.random(in: 1...options.saleEveryMs, using: &random), .sale(instance: index)) }
        case .crash(let index, let wipe):
            crash(index, wipe: wipe)
        case .armCrash(let index, let deadline):
            guard instances[index].core != nil else { return }
            instances[index].armedUntil = deadline
            queue.push(deadline, .armedDeadline(instance: index))
        case .armedDeadline(let index):
            guard instances[index].armedUntil != nil else { return }
            instances[index].armedUntil = nil
            crash(index, wipe: false, armed: true)
        case .restart(let index, let wipe):
            let instance = instances[index]
            guard instance.core == nil else { return }
            trace?("\(now)ms #\(index) restarts")
            // A validator whose disk was lost does not vote until recovered (`sgpos node
            // recover`); one that crashed before its first signature restarts as new.
            if wipe {
                // `sgpos node recover`: the horizon is one above the highest height the others
                // work on, and the validator signs nothing at or below it (it may have signed
                // one height above what a quorum had reached); it observes from that height.
                let top = instances.compactMap { $0.core?.height }.max() ?? 1
                let horizon = TendermintCore.recoveryHorizon(heard: [top], storedCheckpoint: 0)
                instance.store.save(TendermintCore.recoveredState(horizon: horizon, from: top))
                instance.app = application(of: instance.validator)
                instance.app.known[Int(instance.validator)] = report.acknowledged[Int(instance.validator)] ?? 0
                instance.decisions = [:]
                instance.certificates = [:]
                instance.roots = [:]
                instance.lastRoot = .zero
            }
            boot(index, at: now)
        }
    }

    /// A process dies; `armed`: the crash armed to strike at a prevote (never torn).
    func crash(_ index: Int, wipe: Bool, armed: Bool = false) {
        trace?("\(now)ms #\(index) \(wipe ? "disk lost" : "crashed")")
        instances[index].core = nil
        instances[index].epoch += 1
        report.crashes += 1
        if armed { armedCrashes += 1 }
        if wipe { instances[index].store.wipe(); report.wipes += 1 }
        // Every other kept-disk crash (not counting armed ones, so seeds without them replay
        // as before) lands between the two durable writes of a decision (the checkpoint
        // stored, the move to the next height not yet saved), when the validator has signed
        // nothing since: it restarts at the decided height.
        let decided = instances[index].certificates.keys.max() ?? 0
        if !wipe, !armed, (report.crashes - armedCrashes) % 2 == 0, decided >= 1, var state = instances[index].store.state,
           state.height == decided + 1, (state.lastSigned?.height ?? 0) <= decided {
            state.height = decided
            instances[index].store.save(state)
            report.tornDecisions += 1
            trace?("\(now)ms #\(index) torn: the move past decided height \(decided) was not saved")
        }
    }

    func apply(_ outputs: [ConsensusOutput], of index: Int) {
        let instance = instances[index]
        let seenBefore = instance.lastSignedSeen
        noteSignatures(outputs, of: index)
        for (position, output) in outputs.enumerated() {
            if instance.armedUntil != nil, case .broadcast(.vote(let vote)) = output, vote.kind == .prevote,
               vote.validator == instance.validator, Self.position(of: vote) > seenBefore ?? SignedPosition(height: 0, round: 0, step: 0) {
                crashAtPrevote(index, rest: outputs[position...])
                return
            }
            switch output {
            case .broadcast(let message):
                for target in instances.indices where instances[target].validator != instance.validator {
                    send(message, from: index, to: target)
                }
            case .send(let validator, let message):
                for target in instances.indices where instances[target].validator == validator { send(message, from: index, to: target) }
            case .schedule(let timeout, let afterMs):
                queue.push(now + afterMs, .timeout(instance: index, epoch: instance.epoch, timeout))
            case .decided(let certificate):
                record(certificate, at: index)
            case .peerBehind(let validator, let height):
                if let certificate = instance.certificates[height] {
                    for target in instances.indices where instances[target].validator == validator {
                        send(.commit(certificate), from: index, to: target)
                    }
                }
            case .evidence(let evidence):
                report.evidence += 1
                let culprit = evidence.first.validator
                if faults.twin != culprit {
                    let (a, b) = (evidence.first, evidence.second)
                    report.violations.append("evidence against honest validator \(culprit) at height \(a.height): "
                        + "\(a.kind) r\(a.round) \(a.valueID?.hex.prefix(8) ?? "nil") vs \(b.kind) r\(b.round) \(b.valueID?.hex.prefix(8) ?? "nil") seen by \(instance.validator)")
                }
            }
        }
    }

    func send(_ message: ConsensusMessage, from: Int, to: Int) {
        report.messages += 1
        let delay = faults.delay(&random, from: from, to: to, at: now, instances: instances)
        guard let delay else { report.dropped += 1; return }
        queue.push(now + delay, .deliver(to: to, from: instances[from].validator, message))
        if now < faults.healAt, random.chance(faults.duplicatePercent) {
            report.duplicated += 1
            queue.push(now + delay + UInt64.random(in: 1...50, using: &random), .deliver(to: to, from: instances[from].validator, message))
        }
    }

    func gossipHeads(from index: Int) {
        let heads = instances[index].app.known
        for target in instances.indices where target != index {
            guard let delay = faults.delay(&random, from: index, to: target, at: now, instances: instances) else { continue }
            queue.push(now + delay, .heads(to: target, heads))
        }
    }

    func record(_ certificate: CommitCertificate, at index: Int) {
        let instance = instances[index]
        trace?("\(now)ms #\(index) decided \(certificate.height) in round \(certificate.round): \(SimulatedCheckpoints.decode(certificate.value).map { "\($0.heads) \($0.change.map { "change \($0)" } ?? "")" } ?? "?")")
        let id = certificate.valueID
        if instance.certificates[certificate.height] != nil {
            // The node's application refuses this (decisions in height order): a crash.
            report.violations.append("validator \(instance.validator) decided height \(certificate.height) a second time")
        }
        instance.decisions[certificate.height] = id
        if let value = SimulatedCheckpoints.decode(certificate.value) {
            instance.times[certificate.height] = value.timeMs
            if !instance.isTwin, outletAcks[Int(instance.validator)].count < 10_000 {
                outletAcks[Int(instance.validator)].append((value.timeMs, instance.app.known[Int(instance.validator)]))
            }
            // Timely at a correct validator's prevote, at or before now: at most its clock
            // (within precision/2) plus the precision.
            let precision = UInt64(options.timeBounds.precisionMs)
            if faults.withinTolerance, !instance.isTwin, value.timeMs > now + precision + precision / 2 {
                report.violations.append("checkpoint \(certificate.height) has agreed time \(value.timeMs) ms, more than 1.5 × the precision after the simulated time \(now) ms of its decision")
            }
        }
        instance.lastRoot = Hash256.tagged(DomainTag("SGPOS/sim-state/v1"), instance.lastRoot.bytes + id.bytes)
        instance.roots[certificate.height] = instance.lastRoot
        instance.certificates[certificate.height] = certificate
        if !instance.isTwin { report.decidedHeight = max(report.decidedHeight, certificate.height) }
        // An independent check of the certificate: > 2/3 valid precommits for the value.
        if !Simulation.certificateIsValid(certificate, chainID: chainID, validators: sets.set(at: certificate.height)) {
            report.violations.append("invalid commit certificate at height \(certificate.height) on validator \(instance.validator)")
        }
    }

    /// Every acknowledged outlet block is covered by the last checkpoint of every correct,
    /// running validator (both processes of a twinned validator are Byzantine).
    func livenessReached() -> Bool {
        for instance in instances where instance.validator != faults.twin {
            guard instance.core != nil else { return false }
            for (outlet, acknowledged) in report.acknowledged where instance.app.decided[outlet] < acknowledged { return false }
        }
        return true
    }

    static func certificateIsValid(_ certificate: CommitCertificate, chainID: Hash256, validators: ValidatorSet) -> Bool {
        let id = certificate.valueID
        var power: UInt64 = 0
        var signers = Set<UInt16>()
        for vote in certificate.precommits {
            guard vote.kind == .precommit, vote.height == certificate.height, vote.round == certificate.round, vote.valueID == id,
                  Int(vote.validator) < validators.count, signers.insert(vote.validator).inserted
            else { return false }
            let bytes = SignedVoteBytes.of(vote)
            guard validators.keys[Int(vote.validator)].isValidSignature(vote.signature, for: bytes) else { return false }
            power += validators.powers[Int(vote.validator)]
        }
        // More than 2/3 of the power, in integers: 3 × signed > 2 × total.
        return 3 * power > 2 * validators.totalPower
    }

    // MARK: Checks

    func check(steps: Int) {
        report.events = steps
        report.simulatedMs = now
        // Agreement: honest validators never decide differently at one height.
        var byHeight: [UInt64: Hash256] = [:]
        var rootByHeight: [UInt64: Hash256] = [:]
        for instance in instances where !instance.isTwin {
            for height in instance.decisions.keys.sorted() {
                let id = instance.decisions[height]!
                if let other = byHeight[height], other != id {
                    report.violations.append("validators decided different checkpoints at height \(height)")
                }
                byHeight[height] = id
                if instance.firstHeight == 1, let root = instance.roots[height] {
                    if let other = rootByHeight[height], other != root {
                        report.violations.append("state roots differ at checkpoint \(height)")
                    }
                    rootByHeight[height] = root
                }
            }
        }
        // Agreed time: strictly increasing over consecutive heights, on every validator.
        for instance in instances where !instance.isTwin {
            for height in instance.times.keys.sorted() {
                if let before = instance.times[height - 1], let time = instance.times[height], time <= before {
                    report.violations.append("agreed time goes back at checkpoint \(height) on validator \(instance.validator): \(before) then \(time) ms")
                }
            }
        }
        // Acknowledgements: a correct outlet's later blocks are never stamped more than
        // 2 × precision before an agreed time it acknowledged; a frozen one's may be (evidence).
        let bounds = options.timeBounds
        for outlet in outletAcks.indices where UInt16(outlet) != faults.twin && UInt16(outlet) != faults.skewedValidator {
            var broken: (height: Int, stamp: UInt64, ack: UInt64)?
            for ack in outletAcks[outlet] {
                let earliest = CheckpointAck(chainID: chainID, outlet: UInt32(outlet), checkpointHeight: 0, checkpointTimeMs: ack.timeMs,
                                             headHeight: ack.headHeight, signature: Signature(bytes: [UInt8](repeating: 0, count: 64))!)
                    .earliestBlockTimeMs(bounds)
                for height in Int(ack.headHeight + 1)..<(outletBlockTimes[outlet].count + 1) where outletBlockTimes[outlet][height - 1] < earliest {
                    broken = (height, outletBlockTimes[outlet][height - 1], ack.timeMs)
                    break
                }
                if broken != nil { break }
            }
            if UInt16(outlet) == faults.frozenValidator {
                report.freezeEvidence = broken != nil
            } else if let broken {
                report.violations.append("correct outlet \(outlet) would be accused: its block \(broken.height) stamped \(broken.stamp) ms, more than 2 × precision before the agreed time \(broken.ack) ms it acknowledged")
            }
        }
        // Liveness after the heal: every acknowledged block checkpointed everywhere.
        if faults.withinTolerance, !livenessReached() {
            report.violations.append("not every acknowledged outlet block was checkpointed within \(options.runMs - faults.healAt) ms of the heal")
        }
    }
}

/// The bytes a vote's signature covers (docs/CONSENSUS.md §3), computed independently of the core.
enum SignedVoteBytes {
    static func of(_ vote: SignedVote) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        let tag = DomainTag.checkpointVote.prefix
        encoder.writeFixed(tag, count: tag.count)
        vote.chainID.encode(to: &encoder)
        encoder.writeU8(vote.kind.rawValue)
        encoder.writeU64(vote.height)
        encoder.writeU32(vote.round)
        encoder.writeBool(vote.valueID != nil)
        if let id = vote.valueID { id.encode(to: &encoder) }
        encoder.writeU16(vote.validator)
        return encoder.bytes
    }
}
