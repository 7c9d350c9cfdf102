/// Gossip and progress of the core (docs/CONSENSUS.md §6): what a validator re-sends so
/// that every correct validator eventually holds what any correct one held, and what it
/// is waiting for.
extension TendermintCore {
    /// Gossip, called periodically: a status hint, own messages of this height and the
    /// proof of the valid value again (lost messages are resent; the paper assumes
    /// eventual delivery after GST, and this provides it over a lossy network). When the
    /// validator has not moved for two ticks, also the proposals and every vote it holds
    /// for the current round and the round before (CometBFT's vote-set gossip): votes of a
    /// validator that crashed since, or is cut off, still reach everyone, and a peer left
    /// in the earlier round gets the precommits that let it time out of it, or the votes
    /// of more than 1/3 that make it join (l. 55).
    public mutating func tick() -> [ConsensusOutput] {
        let position = SignedPosition(height: height, round: round, step: step.rawValue)
        stalledTicks = position == lastTickPosition ? stalledTicks + 1 : 0
        lastTickPosition = position
        var out: [ConsensusOutput] = [.broadcast(.status(height: height))]
        out += own.map { .broadcast($0) }
        out += persisted.validProof.map { .broadcast(.vote($0)) }
        if stalledTicks >= 2 { out += heldMessages().map { .broadcast($0) } }
        return out
    }

    /// Proposals and others' votes held for this round and the one before: at most two
    /// proposals and eight votes per validator (two per kind and round).
    func heldMessages() -> [ConsensusMessage] {
        var messages: [ConsensusMessage] = []
        for r in round > 0 ? [round, round - 1] : [round] {
            if let proposal = proposals[r], !own.contains(.proposal(proposal)) { messages.append(.proposal(proposal)) }
            for table in [prevotes[r], precommits[r]] {
                for validator in (table ?? [:]).keys.sorted() where validator != index {
                    messages += table![validator]!.map { .vote($0) }
                }
            }
        }
        return messages
    }

    /// Why round `r` may be entered: the precommits of the round before when they are of
    /// more than 2/3 of the power (the precommit timeout), else the votes held for `r`
    /// itself (one per validator; more than 1/3 when l. 55 fired).
    func roundProof(for r: UInt32) -> [SignedVote] {
        if r > 0, let before = precommits[r - 1], validators.power(of: before.keys) >= validators.quorum {
            return before.keys.sorted().compactMap { before[$0]?.first }
        }
        var byValidator: [UInt16: SignedVote] = [:]
        for table in [prevotes[r], precommits[r]] {
            for (validator, votes) in table ?? [:] where byValidator[validator] == nil { byValidator[validator] = votes.first }
        }
        return byValidator.keys.sorted().compactMap { byValidator[$0] }
    }

    /// The step of the current round: propose, prevote or precommit.
    public var stepLabel: String { "\(step)" }

    /// What the validator waits for, in words: the last rule it needs, the votes it holds
    /// toward it and the power they have (a stuck simulation reports this per validator).
    public var waitingFor: String {
        if awaitingStart { return "the commit timeout, then something a checkpoint would carry (blocks, evidence, an admin act)" }
        let quorum = validators.quorum
        func held(_ table: [UInt16: [SignedVote]]?) -> String {
            let voters = (table ?? [:]).keys.sorted()
            return "holds \(voters.map { "\($0)" }.joined(separator: ",")) = power \(validators.power(of: voters)) of \(quorum) needed"
        }
        var wait: String
        switch step {
        case .propose:
            let proposer = validators.proposer(height: height, round: round)
            if let proposal = proposals[round] {
                wait = proposal.validRound >= 0
                    ? "prevotes of round \(proposal.validRound) for validator \(proposer)'s re-proposal (\(held(prevotes[UInt32(proposal.validRound)])))"
                    : "a proposal it finds valid from validator \(proposer)"
                wait += ", or the propose timeout"
            } else {
                wait = "the proposal of validator \(proposer), or the propose timeout"
            }
        case .prevote:
            let all = validators.power(of: (prevotes[round] ?? [:]).keys)
            wait = all >= quorum
                ? "the prevote timeout (\(prevoteTimeoutScheduled.contains(round) ? "scheduled" : "NOT scheduled")) or prevotes of more than 2/3 for one value"
                : "prevotes of more than 2/3 in round \(round) (\(held(prevotes[round])))"
        case .precommit:
            let all = validators.power(of: (precommits[round] ?? [:]).keys)
            wait = all >= quorum
                ? "the precommit timeout (\(precommitTimeoutScheduled.contains(round) ? "scheduled" : "NOT scheduled")) or precommits of more than 2/3 for a proposal it holds"
                : "precommits of more than 2/3 in round \(round) (\(held(precommits[round])))"
        }
        let later = (prevotes.keys.filter { $0 > round } + precommits.keys.filter { $0 > round }).max()
        wait += later.map { ", or more than 1/3 in a later round (round \($0): power \(senders(in: $0)) of \(validators.oneThirdPlus))" }
            ?? ", or more than 1/3 in a later round (none seen)"
        if index == nil { return "(an observer here: it signs nothing) " + wait }
        if height <= persisted.signFromHeight { return "(recovered: it signs above height \(persisted.signFromHeight) only) " + wait }
        return wait
    }
}
