import SGPOSCrypto

/// What the checkpoint application provides to consensus: values to propose and the
/// validity predicate `valid(v)` of the paper. Both must be deterministic functions of
/// what the validator has stored.
public protocol CheckpointApplication {
    func proposal(height: UInt64) -> [UInt8]
    func isValid(height: UInt64, value: [UInt8]) -> Bool
    /// Called when a height is decided, before the next height starts, so validity at the
    /// next height already sees it.
    func committed(_ certificate: CommitCertificate)
    /// Whether there is anything to checkpoint at `height` (new outlet blocks). Without,
    /// the next height waits instead of finalising the same heads again (CometBFT's
    /// create_empty_blocks = false).
    func hasNewContent(height: UInt64) -> Bool
    /// The validator set of `height` (docs/CONSENSUS.md §9): known for every height up to
    /// two above the last decided checkpoint.
    func validators(height: UInt64) -> ValidatorSet
}

extension CheckpointApplication {
    public func hasNewContent(height: UInt64) -> Bool { true }
}

/// Round timeouts: base + round × increment, capped (Besu's doubling without a cap
/// stalled for hours; docs/CONSENSUS.md §2).
public struct ConsensusTimeouts: Sendable, Hashable {
    public var proposeMs: UInt64 = 300
    public var prevoteMs: UInt64 = 200
    public var precommitMs: UInt64 = 200
    public var incrementMs: UInt64 = 100
    public var capMs: UInt64 = 5_000
    /// Pause after a decision before the next height's first proposal (CometBFT's
    /// timeout_commit): late precommits arrive, and checkpoints come at a steady pace.
    public var commitMs: UInt64 = 300

    public init() {}

    func duration(_ kind: TimeoutKind, round: UInt32) -> UInt64 {
        let base = switch kind {
        case .propose: proposeMs
        case .prevote: prevoteMs
        case .precommit: precommitMs
        case .commit: commitMs
        }
        return min(capMs, base + UInt64(min(round, 10_000)) * incrementMs)
    }
}

public enum TimeoutKind: Sendable, Hashable { case propose, prevote, precommit, commit }

/// A timeout the driver must deliver back after `afterMs`.
public struct ScheduledTimeout: Sendable, Hashable {
    public let kind: TimeoutKind
    public let height: UInt64
    public let round: UInt32
}

/// What the core asks its driver to do. The core does no I/O.
public enum ConsensusOutput: Sendable, Hashable {
    case broadcast(ConsensusMessage)
    case send(to: UInt16, ConsensusMessage)
    case schedule(ScheduledTimeout, afterMs: UInt64)
    case decided(CommitCertificate)
    case evidence(DoubleVoteEvidence)
    /// A validator sent a message of an earlier height whose commit is no longer in memory:
    /// the driver sends it the stored certificate (catch-up from the checkpoint store).
    case peerBehind(validator: UInt16, height: UInt64)
}

/// One validator's Tendermint state machine, sans I/O: Algorithm 1 of "The latest gossip
/// on BFT consensus" (Buchman, Kwon, Milosevic, 2018), line numbers in the comments. Inputs
/// are messages, timeouts and ticks; outputs are messages to send, timeouts to schedule,
/// decisions and evidence. Deterministic: the same inputs give the same outputs.
public struct TendermintCore {
    enum Step: UInt8, Comparable {
        case propose = 0, prevote = 1, precommit = 2
        static func < (lhs: Step, rhs: Step) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Messages kept per height: at most this many rounds ahead of the current one.
    public static let roundsAheadMax: UInt32 = 64
    /// Commit certificates kept for lagging peers.
    public static let commitsKept = 64

    public let chainID: Hash256
    /// The set voting at `height`, and at `height + 1` (to check next-height messages that
    /// arrive early); a decision takes the one after from the application.
    public private(set) var validators: ValidatorSet
    public private(set) var nextValidators: ValidatorSet
    /// This validator's index in `validators`; nil while none of its keys is in the set
    /// (it follows the chain as an observer: records, decides, never signs).
    public private(set) var index: UInt16?
    /// The keys this node may vote with (more than one during a validator key change).
    let keys: [SigningKey]
    let store: any ValidatorStateStore
    public let timeouts: ConsensusTimeouts

    public private(set) var height: UInt64
    public private(set) var round: UInt32 = 0
    var step: Step = .propose
    var persisted: PersistedValidatorState

    // Messages of the current height, by round.
    var proposals: [UInt32: SignedProposal] = [:]
    /// Votes by round, then by validator: every distinct vote a validator signed (at most
    /// two kept; a second one is equivocation). A vote counts toward the value it names,
    /// so an equivocator's vote in a proof of lock counts as the proof says (CometBFT
    /// does the same); quorum intersection still holds, as correct validators sign once.
    var prevotes: [UInt32: [UInt16: [SignedVote]]] = [:]
    var precommits: [UInt32: [UInt16: [SignedVote]]] = [:]
    /// Messages of the next height, replayed when it starts.
    var nextHeight: [ConsensusMessage] = []
    /// Rule "for the first time" guards (lines 34, 36, 47).
    var prevoteTimeoutScheduled: Set<UInt32> = []
    var precommitTimeoutScheduled: Set<UInt32> = []
    var line36Done: Set<UInt32> = []
    /// Between a decision and the commit timeout: the next height's round 0 has not started.
    var awaitingStart = false
    /// The step a restart resumes in its round (that of its last signature there).
    var resumeStep: Step = .propose
    var stalledTicks = 0
    var lastTickPosition: SignedPosition?
    /// Own signed messages of this height (rebroadcast on each tick).
    var own: [ConsensusMessage] = []
    public private(set) var commits: [UInt64: CommitCertificate] = [:]
    public private(set) var evidenceSeen: [DoubleVoteEvidence] = []
    /// SHA-256 of (signed bytes ‖ signature) already verified: gossip resends the same
    /// messages, and each is checked once. Bounded.
    var verified: Set<Hash256> = []

    /// Starts (or restarts) a validator whose set does not change.
    public init(chainID: Hash256, validators: ValidatorSet, key: SigningKey, store: any ValidatorStateStore,
                timeouts: ConsensusTimeouts = ConsensusTimeouts(), firstHeight: UInt64 = 1) {
        precondition(validators.index(of: key.publicKey) != nil, "the key is not a validator")
        self.init(chainID: chainID, schedule: { _ in validators }, keys: [key], store: store, timeouts: timeouts, firstHeight: firstHeight)
    }

    /// Starts (or restarts) the validator from its store; `schedule` gives the sets of the
    /// height it resumes at and the next (afterwards the application gives them).
    /// `firstHeight` is the first height the application has not decided (its stored
    /// checkpoints + 1).
    public init(chainID: Hash256, schedule: (UInt64) -> ValidatorSet, keys: [SigningKey], store: any ValidatorStateStore,
                timeouts: ConsensusTimeouts = ConsensusTimeouts(), firstHeight: UInt64 = 1) {
        precondition(!keys.isEmpty, "a node votes with at least one key")
        self.chainID = chainID
        self.keys = keys
        self.store = store
        self.timeouts = timeouts
        var restored = store.load() ?? PersistedValidatorState(height: firstHeight)
        if restored.height < firstHeight {
            // The process died after the application stored decision `firstHeight - 1` and
            // before the move to the next height was saved (two durable writes, see
            // `decide`). Finish that move: the height is decided, its lock and valid value
            // are void (line 54), and what was signed stays the guard's floor.
            restored.startHeight(firstHeight)
            store.save(restored)
        }
        persisted = restored
        height = restored.height
        validators = schedule(restored.height)
        nextValidators = schedule(restored.height + 1)
        index = Self.index(of: keys, in: validators)
        // Resume the round it was in (at least that of its last signature, which its
        // signing state allows the rest of), with the messages it signed there and in the
        // round before (docs/CONSENSUS.md §6).
        round = restored.round
        if let last = restored.lastSigned, last.height == height {
            round = max(last.round, restored.round)
            if last.round == round { resumeStep = Step(rawValue: min(last.step, Step.precommit.rawValue)) ?? .propose }
            if let proposal = restored.lastProposal, proposal.height == height { own.append(.proposal(proposal)) }
            for vote in restored.signedVotes where vote.height == height { own.append(.vote(vote)) }
            if let message = restored.lastMessage, !own.contains(message) { own.append(message) }
        }
    }

    static func index(of keys: [SigningKey], in set: ValidatorSet) -> UInt16? {
        keys.lazy.compactMap { set.index(of: $0.publicKey) }.first
    }

    var key: SigningKey? { index.map { i in keys.first { $0.publicKey == validators.keys[Int(i)] }! } }

    public var lockedRound: Int32 { persisted.lockedRound }
    public var stepName: String {
        let pre = (prevotes[round] ?? [:]).keys.sorted(), com = (precommits[round] ?? [:]).keys.sorted()
        return "\(step) prevotes \(pre) precommits \(com) proposal \(proposals[round] != nil) timeouts \(prevoteTimeoutScheduled.sorted()) \(precommitTimeoutScheduled.sorted()) awaiting \(awaitingStart) lastSigned \(persisted.lastSigned.map { "\($0.height)/\($0.round)/\($0.step)" } ?? "-")"
    }

    // MARK: Inputs

    /// Line 10: start at the restored round (0 for a fresh validator).
    public mutating func start(_ app: some CheckpointApplication) -> [ConsensusOutput] {
        var out: [ConsensusOutput] = []
        for message in own { record(message, &out) }
        for vote in persisted.validProof + persisted.roundProof { record(.vote(vote), &out) }
        startRound(round, app, &out)
        // Not a second prevote or precommit where it signed one before the crash: it waits
        // in the step after its last signature (the guard would refuse anyway).
        if resumeStep > step { step = resumeStep }
        for message in own { out.append(.broadcast(message)) }
        evaluate(app, &out, trigger: nil)
        return out
    }

    /// `sender` is the driver's handle for the peer the message came from (it need not be a
    /// validator: messages are signed, and any node relays them); it comes back in
    /// `.send(to:)` and `.peerBehind`.
    public mutating func receive(_ message: ConsensusMessage, from sender: UInt16, _ app: some CheckpointApplication) -> [ConsensusOutput] {
        var out: [ConsensusOutput] = []
        if message.height < height {
            // A peer behind us: give it the commit it misses (catch-up).
            if case .commit = message { return out }
            if let commit = commits[message.height] {
                out.append(.send(to: sender, .commit(commit)))
            } else {
                out.append(.peerBehind(validator: sender, height: message.height))
            }
            return out
        }
        switch message {
        case .commit(let certificate):
            if certificate.height == height, verify(certificate) { decide(certificate, app, &out) }
            return out
        case .status:
            return out
        case .proposal, .vote:
            if message.height > height {
                if message.height == height + 1, nextHeight.count < 4 * validators.count * 8, verifySignature(message) {
                    nextHeight.append(message)
                }
                return out
            }
            guard verifySignature(message) else { return out }
            record(message, &out)
            evaluate(app, &out, trigger: message)
            return out
        }
    }

    public mutating func timeout(_ timeout: ScheduledTimeout, _ app: some CheckpointApplication) -> [ConsensusOutput] {
        var out: [ConsensusOutput] = []
        guard timeout.height == height, timeout.round == round else { return out }
        switch timeout.kind {
        case .propose where step == .propose:  // line 57
            sign(.prevote, nil, &out)
            step = .prevote
        case .prevote where step == .prevote:  // line 61
            sign(.precommit, nil, &out)
            step = .precommit
        case .precommit:  // line 65
            enterRound(round + 1, app, &out)
        case .commit where awaitingStart:
            if app.hasNewContent(height: height) {
                startRound(round, app, &out)
            } else {
                out.append(.schedule(ScheduledTimeout(kind: .commit, height: height, round: round), afterMs: timeouts.commitMs))
            }
        default: break
        }
        evaluate(app, &out, trigger: nil)
        return out
    }

    /// The application learned something (for example outlet blocks that make a proposal
    /// valid): the rules are evaluated again.
    public mutating func reevaluate(_ app: some CheckpointApplication) -> [ConsensusOutput] {
        var out: [ConsensusOutput] = []
        evaluate(app, &out, trigger: nil)
        return out
    }

    // MARK: Rules

    mutating func startRound(_ newRound: UInt32, _ app: some CheckpointApplication, _ out: inout [ConsensusOutput]) {
        round = newRound
        step = .propose
        awaitingStart = false
        if let index, validators.proposer(height: height, round: newRound) == index {  // line 14
            let value = persisted.validValue ?? app.proposal(height: height)
            if let proposal = signProposal(value: value, validRound: persisted.validValue == nil ? -1 : persisted.validRound) {
                out.append(.broadcast(.proposal(proposal)))
                proposals[newRound] = proposal
                for vote in persisted.validProof { out.append(.broadcast(.vote(vote))) }
            } else {
                // Restarted after proposing in this round: the proposal is re-sent by the
                // gossip; like everyone else, wait for it no longer than the timeout.
                out.append(.schedule(ScheduledTimeout(kind: .propose, height: height, round: newRound),
                                     afterMs: timeouts.duration(.propose, round: newRound)))
            }
        } else {
            out.append(.schedule(ScheduledTimeout(kind: .propose, height: height, round: newRound),
                                 afterMs: timeouts.duration(.propose, round: newRound)))
        }
    }

    /// A later round of this height (the precommit timeout, l. 65, or l. 55): the round and
    /// the votes that justify it are saved before anything is signed there, so a restart
    /// resumes it and can still show peers in earlier rounds why (docs/CONSENSUS.md §6).
    mutating func enterRound(_ newRound: UInt32, _ app: some CheckpointApplication, _ out: inout [ConsensusOutput]) {
        persisted.round = newRound
        persisted.roundProof = roundProof(for: newRound)
        store.save(persisted)
        startRound(newRound, app, &out)
    }

    mutating func evaluate(_ app: some CheckpointApplication, _ out: inout [ConsensusOutput], trigger: ConsensusMessage?) {
        // Bounded: each pass either changes (height, round, step) or stops.
        for _ in 0..<16 {
            let before = (height, round, step, persisted.lockedRound, persisted.validRound)
            evaluateOnce(app, &out, trigger: trigger)
            if before == (height, round, step, persisted.lockedRound, persisted.validRound) { return }
        }
    }

    private mutating func evaluateOnce(_ app: some CheckpointApplication, _ out: inout [ConsensusOutput], trigger: ConsensusMessage?) {
        let h = height
        // Line 49: a proposal and a quorum of precommits for it, in any round: decide.
        for r in proposals.keys.sorted() {
            guard let proposal = proposals[r], power(precommits[r], for: proposal.valueID) >= validators.quorum,
                  app.isValid(height: h, value: proposal.value)
            else { continue }
            let votes = Self.votes(precommits[r], for: proposal.valueID)
            decide(CommitCertificate(height: h, round: r, value: proposal.value, precommits: votes), app, &out)
            return
        }
        if let proposal = proposals[round] {
            let id = proposal.valueID
            if step == .propose {
                if proposal.validRound == -1 {  // line 22
                    let ok = app.isValid(height: h, value: proposal.value)
                        && (persisted.lockedRound == -1 || persisted.lockedValue == proposal.value)
                    sign(.prevote, ok ? id : nil, &out)
                    step = .prevote
                } else if proposal.validRound >= 0, UInt32(proposal.validRound) < round,
                          power(prevotes[UInt32(proposal.validRound)], for: id) >= validators.quorum {  // line 28
                    let ok = app.isValid(height: h, value: proposal.value)
                        && (persisted.lockedRound <= proposal.validRound || persisted.lockedValue == proposal.value)
                    sign(.prevote, ok ? id : nil, &out)
                    step = .prevote
                }
            }
            // Line 36: proposal and a quorum of prevotes for it, step ≥ prevote, first time.
            if step >= .prevote, !line36Done.contains(round), power(prevotes[round], for: id) >= validators.quorum,
               app.isValid(height: h, value: proposal.value) {
                line36Done.insert(round)
                if step == .prevote {
                    persisted.lockedValue = proposal.value
                    persisted.lockedRound = Int32(round)
                    sign(.precommit, id, &out)
                    step = .precommit
                }
                persisted.validValue = proposal.value
                persisted.validRound = Int32(round)
                persisted.validProof = Self.votes(prevotes[round], for: id)
                store.save(persisted)
            }
        }
        // Line 34: a quorum of prevotes of any kind: schedule the prevote timeout.
        if step == .prevote, validators.power(of: (prevotes[round] ?? [:]).keys) >= validators.quorum, !prevoteTimeoutScheduled.contains(round) {
            prevoteTimeoutScheduled.insert(round)
            out.append(.schedule(ScheduledTimeout(kind: .prevote, height: h, round: round), afterMs: timeouts.duration(.prevote, round: round)))
        }
        // Line 44: a quorum of prevotes for nil.
        if step == .prevote, power(prevotes[round], for: nil) >= validators.quorum {
            sign(.precommit, nil, &out)
            step = .precommit
        }
        // Line 47: a quorum of precommits of any kind: schedule the precommit timeout.
        if validators.power(of: (precommits[round] ?? [:]).keys) >= validators.quorum, !precommitTimeoutScheduled.contains(round) {
            precommitTimeoutScheduled.insert(round)
            out.append(.schedule(ScheduledTimeout(kind: .precommit, height: h, round: round), afterMs: timeouts.duration(.precommit, round: round)))
        }
        // Line 55: validators with more than 1/3 of the power are in a later round: join it.
        if let trigger, trigger.height == h {
            let r = Self.round(of: trigger)
            if r > round, senders(in: r) >= validators.oneThirdPlus { enterRound(r, app, &out) }
        }
    }

    mutating func decide(_ certificate: CommitCertificate, _ app: some CheckpointApplication, _ out: inout [ConsensusOutput]) {
        precondition(certificate.height == height, "decisions are in height order")
        commits[height] = certificate
        if commits.count > Self.commitsKept, let oldest = commits.keys.min() { commits[oldest] = nil }
        app.committed(certificate)
        out.append(.decided(certificate))
        // Line 54: the next height starts with no lock and no valid value.
        height += 1
        validators = nextValidators
        nextValidators = app.validators(height: height + 1)
        index = Self.index(of: keys, in: validators)
        persisted.startHeight(height)
        store.save(persisted)
        proposals = [:]
        prevotes = [:]
        precommits = [:]
        prevoteTimeoutScheduled = []
        precommitTimeoutScheduled = []
        line36Done = []
        own = []
        round = 0
        step = .propose
        awaitingStart = true
        out.append(.schedule(ScheduledTimeout(kind: .commit, height: height, round: 0), afterMs: timeouts.commitMs))
        let buffered = nextHeight
        nextHeight = []
        for message in buffered where message.height == height {
            record(message, &out)
            evaluate(app, &out, trigger: message)
        }
    }

    // MARK: Messages

    mutating func record(_ message: ConsensusMessage, _ out: inout [ConsensusOutput]) {
        // A replayed message can be stale: a nested decision may have moved the height on.
        guard message.height == height else { return }
        switch message {
        case .proposal(let proposal):
            guard proposal.round <= round + Self.roundsAheadMax,
                  proposal.proposer == validators.proposer(height: proposal.height, round: proposal.round),
                  proposals[proposal.round] == nil
            else { return }
            proposals[proposal.round] = proposal
        case .vote(let vote):
            guard vote.round <= round + Self.roundsAheadMax else { return }
            var table = vote.kind == .prevote ? prevotes[vote.round, default: [:]] : precommits[vote.round, default: [:]]
            var signed = table[vote.validator] ?? []
            guard !signed.contains(where: { $0.valueID == vote.valueID }) else { return }
            if let existing = signed.first {
                let evidence = DoubleVoteEvidence(first: existing, second: vote)
                if !evidenceSeen.contains(evidence), evidenceSeen.count < 1_024 {
                    evidenceSeen.append(evidence)
                    out.append(.evidence(evidence))
                }
                guard signed.count < 2 else { return }
            }
            signed.append(vote)
            table[vote.validator] = signed
            if vote.kind == .prevote { prevotes[vote.round] = table } else { precommits[vote.round] = table }
        case .commit, .status:
            return
        }
    }

    /// Voting power of the validators that voted for `id` (nil: for nil).
    func power(_ votes: [UInt16: [SignedVote]]?, for id: Hash256?) -> UInt64 {
        validators.power(of: (votes ?? [:]).filter { $0.value.contains { $0.valueID == id } }.keys)
    }

    /// One vote per validator for `id`, ascending by validator (a certificate or a proof).
    static func votes(_ table: [UInt16: [SignedVote]]?, for id: Hash256?) -> [SignedVote] {
        (table ?? [:]).values.compactMap { $0.first { $0.valueID == id } }.sorted { $0.validator < $1.validator }
    }

    /// Voting power of the validators that sent anything for round `r` of this height.
    func senders(in r: UInt32) -> UInt64 {
        var seen = Set<UInt16>()
        if let proposal = proposals[r] { seen.insert(proposal.proposer) }
        for validator in (prevotes[r] ?? [:]).keys { seen.insert(validator) }
        for validator in (precommits[r] ?? [:]).keys { seen.insert(validator) }
        return validators.power(of: seen)
    }

    static func round(of message: ConsensusMessage) -> UInt32 {
        switch message {
        case .proposal(let p): p.round
        case .vote(let v): v.round
        case .commit(let c): c.round
        case .status: 0
        }
    }

    mutating func verifySignature(_ message: ConsensusMessage) -> Bool {
        switch message {
        case .proposal(let p):
            let set = p.height == height ? validators : nextValidators
            guard p.chainID == chainID, Int(p.proposer) < set.count, p.value.count <= 1 << 20 else { return false }
            return checkSignature(set.keys[Int(p.proposer)], p.signature, p.signedBytes)
        case .vote(let v):
            let set = v.height == height ? validators : nextValidators
            guard v.chainID == chainID, Int(v.validator) < set.count else { return false }
            return checkSignature(set.keys[Int(v.validator)], v.signature, v.signedBytes)
        case .commit(let c):
            return verify(c)
        case .status:
            return true
        }
    }

    mutating func checkSignature(_ key: PublicKey, _ signature: Signature, _ bytes: [UInt8]) -> Bool {
        let fingerprint = Hash256.sha256(bytes + signature.bytes)
        if verified.contains(fingerprint) { return true }
        guard key.isValidSignature(signature, for: bytes) else { return false }
        if verified.count >= 4_096 { verified.removeAll(keepingCapacity: true) }
        verified.insert(fingerprint)
        return true
    }

    /// Validators with more than 2/3 of the power of the current height precommitted the
    /// certificate's value in its round.
    public func verify(_ certificate: CommitCertificate) -> Bool {
        certificate.height == height && certificate.isValid(chainID: chainID, validators: validators)
    }

    // MARK: Signing (state saved before the signature exists)

    mutating func sign(_ kind: VoteKind, _ id: Hash256?, _ out: inout [ConsensusOutput]) {
        let position = SignedPosition(height: height, round: round, step: kind.rawValue)
        guard let index, let key, mayAdvance(to: position) else { return }
        let bytes = SignedVote.signedBytes(chainID: chainID, kind: kind, height: height, round: round, valueID: id, validator: index)
        let vote = SignedVote(chainID: chainID, kind: kind, height: height, round: round, valueID: id, validator: index,
                              signature: key.sign(bytes))
        // Own votes of this round and the one before, re-sent after a restart (§6).
        persisted.signedVotes = persisted.signedVotes.filter { $0.height == height && $0.round + 1 >= round } + [vote]
        persist(position, .vote(vote))
        own.append(.vote(vote))
        if own.count > 8 { own.removeFirst(own.count - 8) }
        record(.vote(vote), &out)
        out.append(.broadcast(.vote(vote)))
    }

    mutating func signProposal(value: [UInt8], validRound: Int32) -> SignedProposal? {
        let position = SignedPosition(height: height, round: round, step: 0)
        guard let index, let key, mayAdvance(to: position) else { return nil }
        let id = Hash256.tagged(.checkpointValueID, value)
        let bytes = SignedProposal.signedBytes(chainID: chainID, height: height, round: round, validRound: validRound, valueID: id, proposer: index)
        let proposal = SignedProposal(chainID: chainID, height: height, round: round, validRound: validRound, value: value,
                                      proposer: index, signature: key.sign(bytes))
        persisted.lastProposal = proposal
        persist(position, .proposal(proposal))
        own.append(.proposal(proposal))
        return proposal
    }

    /// Never sign at or behind the last signed position, nor below the recovery horizon.
    func mayAdvance(to position: SignedPosition) -> Bool {
        guard position.height > persisted.signFromHeight else { return false }
        if let last = persisted.lastSigned, position <= last { return false }
        return true
    }

    mutating func persist(_ position: SignedPosition, _ message: ConsensusMessage) {
        persisted.lastSigned = position
        persisted.lastMessage = message
        persisted.height = height
        persisted.round = round
        store.save(persisted)
    }

    /// After a lost disk: a fresh state at `horizon` (the height a quorum of peers reports
    /// working on; `sgpos node recover`) that signs nothing at or below it. The validator
    /// follows that height as an observer, decides it from the others' votes, and votes
    /// from the next one: whatever it signed before the loss is at or below the horizon.
    /// The horizon of a validator recovering from a lost disk (docs/CONSENSUS.md §3): one
    /// above the highest working height heard from a quorum of the others, and above its
    /// stored checkpoints. It may have signed at most one height above a height a quorum
    /// decided-or-works-on: having decided h−1 it may have signed at h, and the quorum that
    /// precommitted h−1 shares a correct member (working at h−1 or above) with the quorum
    /// heard. So it signs nothing at or below this height.
    public static func recoveryHorizon(heard: [UInt64], storedCheckpoint: UInt64) -> UInt64 {
        max((heard.max() ?? 0) + 1, storedCheckpoint + 1)
    }

    public static func recoveredState(horizon: UInt64) -> PersistedValidatorState {
        recoveredState(horizon: horizon, from: horizon)
    }

    /// As above, resuming at `from` ≤ `horizon` (the first checkpoint this validator has
    /// not stored): heights before the horizon are taken from the others' commit
    /// certificates, so the stored checkpoint chain has no gap.
    public static func recoveredState(horizon: UInt64, from: UInt64) -> PersistedValidatorState {
        precondition(from >= 1 && from <= max(horizon, 1), "resume at or before the horizon")
        var state = PersistedValidatorState(height: from)
        state.signFromHeight = horizon
        return state
    }
}
