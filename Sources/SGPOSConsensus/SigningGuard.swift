import SGPOSCrypto

/// Height, round and step of a signature: ordered, so "only ever forward" is one compare.
/// Step 0 is a proposal, 1 a prevote, 2 a precommit.
public struct SignedPosition: Sendable, Hashable, Comparable {
    public let height: UInt64
    public let round: UInt32
    public let step: UInt8

    public init(height: UInt64, round: UInt32, step: UInt8) {
        self.height = height
        self.round = round
        self.step = step
    }

    public static func < (lhs: SignedPosition, rhs: SignedPosition) -> Bool {
        (lhs.height, lhs.round, lhs.step) < (rhs.height, rhs.round, rhs.step)
    }
}

/// What a validator must not forget across a crash (docs/CONSENSUS.md §4): the position of
/// its last signature, the message it signed there, and its lock and valid value. It is
/// saved, durably, before the signature leaves the process; a restarted validator
/// resumes from it and can never sign a conflicting vote.
public struct PersistedValidatorState: Sendable, Hashable {
    public var lastSigned: SignedPosition?
    public var lastMessage: ConsensusMessage?
    /// The last proposal this validator signed (re-sent after a restart in its round).
    public var lastProposal: SignedProposal?
    public var height: UInt64
    public var lockedRound: Int32 = -1
    public var lockedValue: [UInt8]?
    public var validRound: Int32 = -1
    public var validValue: [UInt8]?
    /// The quorum of prevotes that made `validValue` valid in `validRound` (its proof of
    /// lock): gossiped with it, so validators that missed those prevotes can accept a
    /// re-proposal of the value (line 28 of the paper) after any crash.
    public var validProof: [SignedVote] = []
    /// Heights at or below this are not signed (set by `recover` after a lost disk).
    public var signFromHeight: UInt64 = 0
    /// The round of `height` the validator is in: at least that of its last signature, and
    /// more when it entered a later round before signing there. A restart resumes it.
    public var round: UInt32 = 0
    /// Why the validator is in `round` (docs/CONSENSUS.md §6): more than 2/3 of the power
    /// precommitted in the round before (it timed out there), or more than 1/3 voted in
    /// `round` (it joined them, l. 55). Empty in round 0. Gossiped on stalls, so a peer
    /// still in an earlier round follows — even after this validator crashed and forgot
    /// every vote it had received.
    public var roundProof: [SignedVote] = []
    /// The validator's own votes of `height` in the round of its last signature and the
    /// round before (at most four). Re-sent after a restart: a vote that had not left the
    /// process, or that peers still in the earlier round need, is not lost with the crash.
    public var signedVotes: [SignedVote] = []

    public init(height: UInt64) { self.height = height }

    /// Moves to a new height with no lock and no valid value (line 54 of the paper); what
    /// was signed stays the floor of what may be signed.
    mutating func startHeight(_ newHeight: UInt64) {
        precondition(newHeight > height, "heights only go forward")
        height = newHeight
        lockedRound = -1
        lockedValue = nil
        validRound = -1
        validValue = nil
        validProof = []
        round = 0
        roundProof = []
        signedVotes = []
    }
}

/// Durable storage of ``PersistedValidatorState`` (LMDB in the node, memory in the simulator).
public protocol ValidatorStateStore: AnyObject {
    func load() -> PersistedValidatorState?
    /// Must be durable when it returns.
    func save(_ state: PersistedValidatorState)
}

/// A store that forgets on request: the simulator's disk.
public final class MemoryValidatorStateStore: ValidatorStateStore {
    public private(set) var state: PersistedValidatorState?
    public private(set) var saves = 0

    public init() {}
    public func load() -> PersistedValidatorState? { state }
    public func save(_ state: PersistedValidatorState) {
        self.state = state
        saves += 1
    }
    /// The disk is lost.
    public func wipe() { state = nil }
}
