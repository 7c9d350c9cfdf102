import SGPOSCrypto

/// Signing (state saved before the signature exists): own votes and proposals, only ever
/// forward from the last signed position and above the recovery horizon, each persisted
/// through the ``ValidatorStateStore`` before it leaves.
extension TendermintCore {
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
}
