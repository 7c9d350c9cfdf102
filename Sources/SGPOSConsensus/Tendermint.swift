import SGPOSCrypto

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
    public internal(set) var validators: ValidatorSet
    public internal(set) var nextValidators: ValidatorSet
    /// This validator's index in `validators`; nil while none of its keys is in the set
    /// (it follows the chain as an observer: records, decides, never signs).
    public internal(set) var index: UInt16?
    /// The keys this node may vote with (more than one during a validator key change).
    let keys: [SigningKey]
    let store: any ValidatorStateStore
    public let timeouts: ConsensusTimeouts

    public internal(set) var height: UInt64
    public internal(set) var round: UInt32 = 0
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
    public internal(set) var commits: [UInt64: CommitCertificate] = [:]
    public internal(set) var evidenceSeen: [DoubleVoteEvidence] = []
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
            // before the move to the next height was saved (an application that stores them
            // in two durable writes, see `CheckpointApplication.committed(_:nextState:store:)`),
            // or the state was written by a version that always did. Finish that move: the
            // height is decided, its lock and valid value are void (line 54), and what was
            // signed stays the guard's floor.
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
            joinStartedHeight(message, app, &out)
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
}
