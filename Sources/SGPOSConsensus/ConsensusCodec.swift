import SGPOSCodec
import SGPOSCrypto

/// Canonical bytes of consensus messages (the peer protocol's `consensus` frames) and of
/// the persisted validator state (LMDB). docs/CONSENSUS.md §2.
public enum ConsensusLimits {
    /// A checkpoint value: at most this many bytes.
    public static let valueBytesMax = 1 << 20
    /// Votes in a certificate or a proof.
    public static let votesMax = 256
}

extension SignedProposal: CanonicalEncodable, CanonicalDecodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        chainID.encode(to: &encoder)
        encoder.writeU64(height)
        encoder.writeU32(round)
        encoder.writeI64(Int64(validRound))
        encoder.writeBytes(value, limit: ConsensusLimits.valueBytesMax)
        encoder.writeU16(proposer)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        chainID = try Hash256(from: &decoder)
        height = try decoder.readU64("proposal height")
        round = try decoder.readU32("proposal round")
        let at = decoder.offset
        let raw = try decoder.readI64("valid round")
        // −1 (none) or a round the Int32 holds: a larger value would wrap to a negative
        // round and encode back differently (found by sgpos-fuzz, target peer).
        guard raw >= -1, raw <= Int64(Int32.max) else { throw .invalidValue("valid round \(raw)", at: at) }
        validRound = Int32(raw)
        value = try decoder.readBytes("checkpoint value", limit: ConsensusLimits.valueBytesMax)
        proposer = try decoder.readU16("proposer")
        signature = try Signature(from: &decoder)
    }
}

extension SignedVote: CanonicalEncodable, CanonicalDecodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        Self.writeFields(chainID: chainID, kind: kind, height: height, round: round, valueID: valueID, validator: validator, to: &encoder)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        chainID = try Hash256(from: &decoder)
        let at = decoder.offset
        guard let kind = VoteKind(rawValue: try decoder.readU8("vote kind")) else { throw .unknownTag("vote kind", at: at) }
        self.kind = kind
        height = try decoder.readU64("vote height")
        round = try decoder.readU32("vote round")
        valueID = try decoder.readBool("vote has value") ? try Hash256(from: &decoder) : nil
        validator = try decoder.readU16("validator")
        signature = try Signature(from: &decoder)
    }
}

extension CommitCertificate: CanonicalEncodable, CanonicalDecodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU64(height)
        encoder.writeU32(round)
        encoder.writeBytes(value, limit: ConsensusLimits.valueBytesMax)
        encoder.writeCount(precommits.count, limit: ConsensusLimits.votesMax)
        for vote in precommits { vote.encode(to: &encoder) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        height = try decoder.readU64("certificate height")
        round = try decoder.readU32("certificate round")
        value = try decoder.readBytes("checkpoint value", limit: ConsensusLimits.valueBytesMax)
        let count = try decoder.readCount("precommits", limit: ConsensusLimits.votesMax)
        var votes: [SignedVote] = []
        for _ in 0..<count { votes.append(try SignedVote(from: &decoder)) }
        precommits = votes
    }
}

extension ConsensusMessage: CanonicalEncodable, CanonicalDecodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .proposal(let proposal): encoder.writeU8(1); proposal.encode(to: &encoder)
        case .vote(let vote): encoder.writeU8(2); vote.encode(to: &encoder)
        case .commit(let certificate): encoder.writeU8(3); certificate.encode(to: &encoder)
        case .status(let height): encoder.writeU8(4); encoder.writeU64(height)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        switch try decoder.readU8("consensus message kind") {
        case 1: self = .proposal(try SignedProposal(from: &decoder))
        case 2: self = .vote(try SignedVote(from: &decoder))
        case 3: self = .commit(try CommitCertificate(from: &decoder))
        case 4: self = .status(height: try decoder.readU64("status height"))
        case let tag: throw .unknownTag("consensus message kind \(tag)", at: at)
        }
    }
}

extension PersistedValidatorState: CanonicalEncodable, CanonicalDecodable {
    /// Version 2 appends the round, its proof and the own votes of the round (§6); version
    /// 1 (without them) still reads, as round 0 with neither.
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(2)
        encoder.writeU64(height)
        encoder.writeU64(signFromHeight)
        encoder.writeBool(lastSigned != nil)
        if let lastSigned {
            encoder.writeU64(lastSigned.height)
            encoder.writeU32(lastSigned.round)
            encoder.writeU8(lastSigned.step)
        }
        encoder.writeBool(lastMessage != nil)
        lastMessage?.encode(to: &encoder)
        encoder.writeBool(lastProposal != nil)
        lastProposal?.encode(to: &encoder)
        encoder.writeI64(Int64(lockedRound))
        encoder.writeBool(lockedValue != nil)
        if let lockedValue { encoder.writeBytes(lockedValue, limit: ConsensusLimits.valueBytesMax) }
        encoder.writeI64(Int64(validRound))
        encoder.writeBool(validValue != nil)
        if let validValue { encoder.writeBytes(validValue, limit: ConsensusLimits.valueBytesMax) }
        encoder.writeCount(validProof.count, limit: ConsensusLimits.votesMax)
        for vote in validProof { vote.encode(to: &encoder) }
        encoder.writeU32(round)
        encoder.writeCount(roundProof.count, limit: ConsensusLimits.votesMax)
        for vote in roundProof { vote.encode(to: &encoder) }
        encoder.writeCount(signedVotes.count, limit: ConsensusLimits.votesMax)
        for vote in signedVotes { vote.encode(to: &encoder) }
    }

    static func readVotes(_ name: String, _ decoder: inout CanonicalDecoder) throws(CodecError) -> [SignedVote] {
        let count = try decoder.readCount(name, limit: ConsensusLimits.votesMax)
        var votes: [SignedVote] = []
        for _ in 0..<count { votes.append(try SignedVote(from: &decoder)) }
        return votes
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        let version = try decoder.readU8("validator state version")
        guard version == 1 || version == 2 else { throw .unknownVersion("validator state", at: at) }
        height = try decoder.readU64("height")
        signFromHeight = try decoder.readU64("sign from height")
        if try decoder.readBool("has last signed") {
            lastSigned = SignedPosition(height: try decoder.readU64("last signed height"), round: try decoder.readU32("last signed round"),
                                        step: try decoder.readU8("last signed step"))
        }
        if try decoder.readBool("has last message") { lastMessage = try ConsensusMessage(from: &decoder) }
        if try decoder.readBool("has last proposal") { lastProposal = try SignedProposal(from: &decoder) }
        lockedRound = Int32(clamping: try decoder.readI64("locked round"))
        if try decoder.readBool("has locked value") { lockedValue = try decoder.readBytes("locked value", limit: ConsensusLimits.valueBytesMax) }
        validRound = Int32(clamping: try decoder.readI64("valid round"))
        if try decoder.readBool("has valid value") { validValue = try decoder.readBytes("valid value", limit: ConsensusLimits.valueBytesMax) }
        validProof = try Self.readVotes("valid proof", &decoder)
        if version >= 2 {
            round = try decoder.readU32("round")
            roundProof = try Self.readVotes("round proof", &decoder)
            signedVotes = try Self.readVotes("signed votes", &decoder)
        }
    }
}
