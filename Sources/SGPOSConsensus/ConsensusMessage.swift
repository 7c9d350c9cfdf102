import SGPOSCodec
import SGPOSCrypto

/// Domain tags of the checkpoint protocol (docs/CONSENSUS.md §3).
extension DomainTag {
    /// Id of a proposed checkpoint value: SHA-256 over the tag and the value bytes.
    public static let checkpointValueID = DomainTag("SGPOS/checkpoint-value/v1")
    /// Signed bytes of a proposal.
    public static let checkpointProposal = DomainTag("SGPOS/checkpoint-proposal/v1")
    /// Signed bytes of a prevote or precommit.
    public static let checkpointVote = DomainTag("SGPOS/checkpoint-vote/v1")
    /// Id of a piece of evidence carried in a checkpoint.
    public static let evidence = DomainTag("SGPOS/evidence/v1")
}

/// The two vote kinds of Tendermint (Buchman, Kwon, Milosevic 2018, Algorithm 1).
/// Raw values are the `step` of the signing guard and are signed: stable.
public enum VoteKind: UInt8, Sendable, Hashable, Comparable {
    case prevote = 1
    case precommit = 2

    public static func < (lhs: VoteKind, rhs: VoteKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// ⟨PROPOSAL, h, round, v, validRound⟩ signed by the round's proposer.
public struct SignedProposal: Sendable, Hashable {
    public let chainID: Hash256
    public let height: UInt64
    public let round: UInt32
    /// −1 when the proposer has no valid value from an earlier round.
    public let validRound: Int32
    /// The checkpoint bytes (canonical encoding, opaque to the consensus core).
    public let value: [UInt8]
    public let proposer: UInt16
    public let signature: Signature

    public var valueID: Hash256 { Hash256.tagged(.checkpointValueID, value) }

    static func signedBytes(chainID: Hash256, height: UInt64, round: UInt32, validRound: Int32, valueID: Hash256, proposer: UInt16) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.writeFixed(DomainTag.checkpointProposal.prefix, count: DomainTag.checkpointProposal.prefix.count)
        chainID.encode(to: &encoder)
        encoder.writeU64(height)
        encoder.writeU32(round)
        encoder.writeI64(Int64(validRound))
        valueID.encode(to: &encoder)
        encoder.writeU16(proposer)
        return encoder.bytes
    }

    var signedBytes: [UInt8] {
        Self.signedBytes(chainID: chainID, height: height, round: round, validRound: validRound, valueID: valueID, proposer: proposer)
    }
}

/// ⟨PREVOTE|PRECOMMIT, h, round, id(v) or nil⟩ signed by a validator.
public struct SignedVote: Sendable, Hashable {
    public let chainID: Hash256
    public let kind: VoteKind
    public let height: UInt64
    public let round: UInt32
    /// nil is a vote for no value.
    public let valueID: Hash256?
    public let validator: UInt16
    public let signature: Signature

    public init(chainID: Hash256, kind: VoteKind, height: UInt64, round: UInt32, valueID: Hash256?, validator: UInt16, signature: Signature) {
        self.chainID = chainID
        self.kind = kind
        self.height = height
        self.round = round
        self.valueID = valueID
        self.validator = validator
        self.signature = signature
    }

    static func signedBytes(chainID: Hash256, kind: VoteKind, height: UInt64, round: UInt32, valueID: Hash256?, validator: UInt16) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.writeFixed(DomainTag.checkpointVote.prefix, count: DomainTag.checkpointVote.prefix.count)
        writeFields(chainID: chainID, kind: kind, height: height, round: round, valueID: valueID, validator: validator, to: &encoder)
        return encoder.bytes
    }

    /// The vote's fields in their canonical order: signed after the domain tag, and stored
    /// followed by the signature.
    static func writeFields(chainID: Hash256, kind: VoteKind, height: UInt64, round: UInt32, valueID: Hash256?, validator: UInt16,
                            to encoder: inout CanonicalEncoder) {
        chainID.encode(to: &encoder)
        encoder.writeU8(kind.rawValue)
        encoder.writeU64(height)
        encoder.writeU32(round)
        encoder.writeBool(valueID != nil)
        if let valueID { valueID.encode(to: &encoder) }
        encoder.writeU16(validator)
    }

    var signedBytes: [UInt8] {
        Self.signedBytes(chainID: chainID, kind: kind, height: height, round: round, valueID: valueID, validator: validator)
    }

    /// The bytes the signature covers (docs/CONSENSUS.md §2), for auditors.
    public var signedBytesForAudit: [UInt8] { signedBytes }
}

/// A decided checkpoint and the precommits that make it final (more than 2/3 of the
/// voting power for its value id in one round): what an auditor checks, and what a
/// lagging validator adopts without re-running the rounds.
public struct CommitCertificate: Sendable, Hashable {
    public let height: UInt64
    public let round: UInt32
    public let value: [UInt8]
    /// Ascending by validator index, one per validator.
    public let precommits: [SignedVote]

    public init(height: UInt64, round: UInt32, value: [UInt8], precommits: [SignedVote]) {
        self.height = height
        self.round = round
        self.value = value
        self.precommits = precommits
    }

    public var valueID: Hash256 { Hash256.tagged(.checkpointValueID, value) }

    /// Final: precommits of more than 2/3 of the voting power of `validators` (the set of its height), each for this value, height and
    /// round, each validator once, every signature valid (what an auditor checks).
    public func isValid(chainID: Hash256, validators: ValidatorSet) -> Bool {
        let id = valueID
        var signers = Set<UInt16>()
        for vote in precommits {
            guard vote.chainID == chainID, vote.kind == .precommit, vote.height == height, vote.round == round,
                  vote.valueID == id, Int(vote.validator) < validators.count, signers.insert(vote.validator).inserted,
                  validators.keys[Int(vote.validator)].isValidSignature(vote.signature, for: vote.signedBytes)
            else { return false }
        }
        return validators.power(of: signers) >= validators.quorum
    }
}

/// What validators send each other.
public enum ConsensusMessage: Sendable, Hashable {
    case proposal(SignedProposal)
    case vote(SignedVote)
    /// Sent to a validator seen at a lower height (catch-up).
    case commit(CommitCertificate)
    /// "I am working on this height" (unsigned: only a hint, sent with every gossip tick),
    /// so a validator that has nothing to sign at its height still gets the commit it misses.
    case status(height: UInt64)

    public var height: UInt64 {
        switch self {
        case .proposal(let p): p.height
        case .vote(let v): v.height
        case .commit(let c): c.height
        case .status(let height): height
        }
    }
}

/// Two different votes signed by one validator for one (height, round, kind): proof of
/// equivocation (docs/CONSENSUS.md §6).
public struct DoubleVoteEvidence: Sendable, Hashable {
    public let first: SignedVote
    public let second: SignedVote

    public init(first: SignedVote, second: SignedVote) {
        self.first = first
        self.second = second
    }
}
