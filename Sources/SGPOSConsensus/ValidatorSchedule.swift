import SGPOSChain
import SGPOSCrypto

/// The validator set of every checkpoint height, from the genesis and the validator
/// updates of the decided checkpoints (docs/CONSENSUS.md §9): heights 1 and 2 use the
/// genesis set; the set of height H + 2 is the set of H + 1 with the updates carried by
/// checkpoint H applied in order. A node, an auditor and a proof checker all build it the
/// same way, from checkpoint values alone.
public struct ValidatorSchedule: Sendable, Hashable {
    public let genesis: ValidatorSet
    /// (first height, set), ascending by height; the genesis set is not listed.
    public private(set) var changes: [(from: UInt64, set: ValidatorSet)] = []
    /// Newest checkpoint height whose updates are applied.
    public private(set) var through: UInt64 = 0

    public init(genesis: Genesis) {
        self.genesis = ValidatorSet.genesis(genesis)
    }

    public init(genesisSet: ValidatorSet) {
        self.genesis = genesisSet
    }

    /// The set that votes at `height`. Known for every height up to `through + 2`.
    public func set(at height: UInt64) -> ValidatorSet {
        precondition(height <= through + 2, "the set of height \(height) depends on checkpoints not applied yet")
        return changes.last { $0.from <= height }?.set ?? genesis
    }

    /// Applies checkpoint `height`'s updates. Checkpoints are recorded in order; a gap
    /// means the checkpoints skipped carried no updates (a proof lists only those that do).
    public mutating func record(checkpointHeight height: UInt64, updates: [ValidatorUpdate], genesis: Genesis) throws(ValidatorUpdate.Refusal) {
        precondition(height > through, "checkpoints are recorded in order")
        if !updates.isEmpty {
            var set = self.set(at: height + 1)
            for update in updates { set = try update.applied(to: set, genesis: genesis) }
            changes.append((height + 2, set))
        }
        through = height
    }

    /// Takes checkpoints up to `height` as carrying no further updates.
    public mutating func advance(through height: UInt64) {
        through = max(through, height)
    }

    /// The set of `height` after applying `updates` on top of what is recorded (checking a
    /// proposal's updates before it is decided).
    public func trial(checkpointHeight height: UInt64, updates: [ValidatorUpdate], genesis: Genesis) throws(ValidatorUpdate.Refusal) -> ValidatorSet {
        var copy = self
        try copy.record(checkpointHeight: height, updates: updates, genesis: genesis)
        return copy.set(at: height + 2)
    }

    public static func == (lhs: ValidatorSchedule, rhs: ValidatorSchedule) -> Bool {
        lhs.genesis == rhs.genesis && lhs.through == rhs.through && lhs.changes.map(\.from) == rhs.changes.map(\.from)
            && lhs.changes.map(\.set) == rhs.changes.map(\.set)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(genesis)
        hasher.combine(through)
        for change in changes {
            hasher.combine(change.from)
            hasher.combine(change.set)
        }
    }
}
