/// The recovery horizon of a validator that lost its disk (docs/CONSENSUS.md §3).
extension TendermintCore {
    /// The horizon of a validator recovering from a lost disk (docs/CONSENSUS.md §3): one
    /// above the highest working height heard from a quorum of the others, and above its
    /// stored checkpoints. It may have signed at most one height above a height a quorum
    /// decided-or-works-on: having decided h−1 it may have signed at h, and the quorum that
    /// precommitted h−1 shares a correct member (working at h−1 or above) with the quorum
    /// heard. So it signs nothing at or below this height.
    public static func recoveryHorizon(heard: [UInt64], storedCheckpoint: UInt64) -> UInt64 {
        max((heard.max() ?? 0) + 1, storedCheckpoint + 1)
    }

    /// After a lost disk: a fresh state at `horizon` (the height a quorum of peers reports
    /// working on; `sgpos node recover`) that signs nothing at or below it. The validator
    /// follows that height as an observer, decides it from the others' votes, and votes
    /// from the next one: whatever it signed before the loss is at or below the horizon.
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
