import SGPOSCodec
import SGPOSConsensus

/// What the simulator notes about each process besides the checks: its signatures (for the
/// trace and for a failed seed's report), the crash that strikes at a prevote, and what a
/// process was waiting for when the run ended.
extension Simulation {
    static func position(of vote: SignedVote) -> SignedPosition {
        SignedPosition(height: vote.height, round: vote.round, step: vote.kind.rawValue)
    }

    /// Notes the signatures a core call produced: those after the last one seen.
    func noteSignatures(_ outputs: [ConsensusOutput], of index: Int) {
        let instance = instances[index]
        let signed = instance.store.state?.lastSigned
        guard signed != instance.lastSignedSeen else { return }
        let floor = instance.lastSignedSeen ?? SignedPosition(height: 0, round: 0, step: 0)
        for output in outputs {
            guard case .broadcast(let message) = output else { continue }
            let words: String
            switch message {
            case .vote(let vote) where vote.validator == instance.validator && Self.position(of: vote) > floor:
                words = "\(vote.kind) \(vote.valueID.map { String($0.hex.prefix(8)) } ?? "nil") h\(vote.height) r\(vote.round)"
            case .proposal(let proposal) where proposal.proposer == instance.validator
                && SignedPosition(height: proposal.height, round: proposal.round, step: 0) > floor:
                words = "proposal \(proposal.valueID.hex.prefix(8)) h\(proposal.height) r\(proposal.round) vr\(proposal.validRound)"
            default:
                continue
            }
            instance.lastSignature = "\(words) at \(now)ms"
            trace?("\(now)ms #\(index) signs \(words)")
        }
        instance.lastSignedSeen = signed
    }

    /// The armed crash strikes: the prevote (and anything signed with it) is saved, and none
    /// of the call's messages has left — the node sends after the core returns. Decisions
    /// in the call were stored by the application before, so they stand.
    func crashAtPrevote(_ index: Int, rest: ArraySlice<ConsensusOutput>) {
        instances[index].armedUntil = nil
        report.prevoteCrashes += 1
        trace?("\(now)ms #\(index) crashes at its prevote (saved, not sent)")
        let decided = rest.compactMap { if case .decided(let certificate) = $0 { certificate } else { nil } }
        for certificate in decided { record(certificate, at: index) }
        crash(index, wipe: false, armed: true)
    }

    /// One process at the end of a run: where it is, its last signature and what it waits for.
    func validatorState(_ index: Int) -> String {
        let instance = instances[index]
        let name = "#\(index) validator \(instance.validator)\(instance.isTwin ? " (twin)" : "")"
        let last = "last signed \(instance.lastSignature ?? "nothing")"
        guard let core = instance.core else { return "\(name): down; \(last)" }
        return "\(name): height \(core.height) round \(core.round) \(core.stepLabel); \(last); waiting for \(core.waitingFor)"
    }
}
