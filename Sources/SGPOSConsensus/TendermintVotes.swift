import SGPOSCrypto

/// Vote bookkeeping of the current height: proposals and votes recorded by round and
/// validator (a second, different vote is equivocation evidence), and the voting power
/// behind a value or a round.
extension TendermintCore {
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
}
