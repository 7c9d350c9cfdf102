import SGPOSCrypto

/// The rules of Algorithm 1 (line numbers of the paper in the comments): starting and
/// entering rounds, the upon-rules evaluated after every input, and the decision.
extension TendermintCore {
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
                if proposal.validRound == -1 {  // line 22 (and timely: proposer-based time, CONSENSUS.md §11)
                    let ok = app.isValid(height: h, value: proposal.value) && app.isTimely(height: h, value: proposal.value)
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
        // Line 54: the next height starts with no lock and no valid value. The certificate
        // and that state are made durable together (in one transaction where the
        // application can), before anything of the next height is signed.
        var next = persisted
        next.startHeight(height + 1)
        app.committed(certificate, nextState: next, store: store)
        persisted = next
        out.append(.decided(certificate))
        height += 1
        validators = nextValidators
        nextValidators = app.validators(height: height + 1)
        index = Self.index(of: keys, in: validators)
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
            joinStartedHeight(message, app, &out)
            evaluate(app, &out, trigger: message)
        }
    }

    /// A validator has started this height — its proposal or vote for it arrived while this
    /// node waits for something to carry (the commit timeout, then new content): join it.
    /// Otherwise an admin act or evidence that one node holds waits at that node, alone in
    /// the height, until the others have something new too (the next sale anywhere); joined,
    /// the height is decided, and within as many heights as there are proposers one that
    /// holds the act proposes it (docs/CONSENSUS.md §3). An idle network stays idle: no
    /// node starts a height without content, so none sends anything to join.
    mutating func joinStartedHeight(_ message: ConsensusMessage, _ app: some CheckpointApplication, _ out: inout [ConsensusOutput]) {
        guard awaitingStart, message.height == height else { return }
        startRound(round, app, &out)
    }
}
