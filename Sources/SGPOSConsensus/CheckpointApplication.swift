/// What the checkpoint application provides to consensus: values to propose and the
/// validity predicate `valid(v)` of the paper. Both must be deterministic functions of
/// what the validator has stored.
public protocol CheckpointApplication {
    func proposal(height: UInt64) -> [UInt8]
    func isValid(height: UInt64, value: [UInt8]) -> Bool
    /// Whether a new proposal (valid round −1) is timely for this validator now: its
    /// agreed time within this validator's clock's bounds, and no outlet block it names
    /// from this validator's future (docs/CONSENSUS.md §11). Checked only where the paper
    /// prevotes a fresh proposal (line 22); a re-proposal, a lock and a decision rest on a
    /// quorum that already checked it, as in CometBFT's proposer-based timestamps. The one
    /// input of the core that reads a clock: the application's.
    func isTimely(height: UInt64, value: [UInt8]) -> Bool
    /// Called when a height is decided, before the next height starts, so validity at the
    /// next height already sees it.
    func committed(_ certificate: CommitCertificate)
    /// Makes a decision durable, then does what ``committed(_:)`` does: the certificate and
    /// `nextState`, the validator's signing state at the next height (line 54: no lock, no
    /// valid value; what was signed stays the floor). The default is two durable writes,
    /// the certificate first (``committed(_:)``, then `store`); a crash between them leaves
    /// the certificate without the move, which ``TendermintCore`` finishes on its restart.
    /// An application that keeps certificates and the signing state in one database
    /// writes both in one transaction instead (the node: `ConsensusStorage.storeDecision`).
    func committed(_ certificate: CommitCertificate, nextState: PersistedValidatorState, store: any ValidatorStateStore)
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
    public func isTimely(height: UInt64, value: [UInt8]) -> Bool { true }

    public func committed(_ certificate: CommitCertificate, nextState: PersistedValidatorState, store: any ValidatorStateStore) {
        committed(certificate)
        store.save(nextState)
    }
}
