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
