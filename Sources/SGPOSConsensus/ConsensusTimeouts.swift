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
