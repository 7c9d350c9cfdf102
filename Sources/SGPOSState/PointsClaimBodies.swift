import SGPOSChain
import SGPOSCodec

/// A member redeems, at this outlet, points that sit in their account at another outlet
/// (the source), which may be out of reach: this outlet credits the points to the
/// member's account here at once, on credit from its **allowance**, and the source
/// settles the claim by debiting them when it sees it (docs/CONSENSUS.md §10). The claim
/// states what the checkpoints said of this outlet's allowance when the till made it; the
/// chain holds the till to it, and the auditor checks it against the checkpoints.
public struct PointsClaim: Hashable, Sendable {
    public var claimID: TransferID
    public var memberID: String
    /// 1 … ``PointsClaim/pointsMax``.
    public var points: Int64
    /// The outlet whose account of the member pays.
    public var source: UInt32
    /// The newest checkpoint this outlet's network state is at (0: none yet) …
    public var checkpoint: UInt64
    /// … this outlet's block height that checkpoint covers …
    public var covered: UInt64
    /// … this outlet's claims not settled as of that checkpoint (points) …
    public var outstanding: Int64
    /// … and its allowance then (granted minus losses; points).
    public var allowance: Int64

    public static let pointsMax: Int64 = 100_000_000

    public init(claimID: TransferID, memberID: String, points: Int64, source: UInt32, checkpoint: UInt64, covered: UInt64,
                outstanding: Int64, allowance: Int64) {
        self.claimID = claimID
        self.memberID = memberID
        self.points = points
        self.source = source
        self.checkpoint = checkpoint
        self.covered = covered
        self.outstanding = outstanding
        self.allowance = allowance
    }
}

/// The source outlet's answer to a claim: it debits the member's account here by the
/// claimed points, or by all the member has left if that is less (the difference is the
/// claimant's loss, charged to its allowance in the network state). Signed by the source
/// outlet's node key (or its operator); each claim is settled once.
public struct PointsSettle: Hashable, Sendable {
    public var claimID: TransferID
    public var claimant: UInt32
    public var memberID: String
    public var points: Int64
    /// min(points, the member's balance here).
    public var debited: Int64

    public init(claimID: TransferID, claimant: UInt32, memberID: String, points: Int64, debited: Int64) {
        self.claimID = claimID
        self.claimant = claimant
        self.memberID = memberID
        self.points = points
        self.debited = debited
    }
}

extension PointsClaim {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        claimID.encode(to: &encoder)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(points)
        encoder.writeU32(source)
        encoder.writeU64(checkpoint)
        encoder.writeU64(covered)
        encoder.writeI64(outstanding)
        encoder.writeI64(allowance)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "points-claim")
        claimID = try TransferID(from: &decoder)
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        points = try decoder.readI64("points")
        source = try decoder.readU32("source outlet")
        checkpoint = try decoder.readU64("checkpoint")
        covered = try decoder.readU64("covered height")
        outstanding = try decoder.readI64("outstanding")
        allowance = try decoder.readI64("allowance")
    }
}

extension PointsSettle {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        claimID.encode(to: &encoder)
        encoder.writeU32(claimant)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(points)
        encoder.writeI64(debited)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "points-settle")
        claimID = try TransferID(from: &decoder)
        claimant = try decoder.readU32("claimant outlet")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        points = try decoder.readI64("points")
        debited = try decoder.readI64("debited")
    }
}

/// Table 0x1D: a claim this outlet made, with the block height it was made in.
public struct ClaimRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var claim: PointsClaim
    public var height: UInt64

    public init(claim: PointsClaim, height: UInt64) {
        self.claim = claim
        self.height = height
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        claim.encode(to: &encoder)
        encoder.writeU64(height)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        claim = try PointsClaim(from: &decoder)
        height = try decoder.readU64("height")
    }
}

/// Table 0x1F: a settlement this outlet made of another outlet's claim.
public struct SettlementRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var settle: PointsSettle
    public var height: UInt64

    public init(settle: PointsSettle, height: UInt64) {
        self.settle = settle
        self.height = height
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        settle.encode(to: &encoder)
        encoder.writeU64(height)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        settle = try PointsSettle(from: &decoder)
        height = try decoder.readU64("height")
    }
}

/// Table 0x1E: what this outlet's newest claim said of the checkpoints, and the claims it
/// made in blocks those checkpoints did not cover yet (height, points).
public struct AllowanceState: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var checkpoint: UInt64 = 0
    public var covered: UInt64 = 0
    public var outstanding: Int64 = 0
    public var allowance: Int64 = 0
    public var recent: [Recent] = []

    public struct Recent: Hashable, Sendable {
        public var height: UInt64
        public var points: Int64
    }

    /// Claims above the covered height a chain holds at most (then it waits for a checkpoint).
    public static let recentMax = 4_096

    public init() {}

    /// Points this outlet owes on credit: unsettled as of the checkpoint, plus its claims since.
    public var onCredit: Int64 { outstanding + recent.reduce(0) { $0 + $1.points } }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeU64(checkpoint)
        encoder.writeU64(covered)
        encoder.writeI64(outstanding)
        encoder.writeI64(allowance)
        encoder.writeCount(recent.count, limit: Self.recentMax)
        for item in recent {
            encoder.writeU64(item.height)
            encoder.writeI64(item.points)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "allowance state")
        checkpoint = try decoder.readU64("checkpoint")
        covered = try decoder.readU64("covered")
        outstanding = try decoder.readI64("outstanding")
        allowance = try decoder.readI64("allowance")
        let count = try decoder.readCount("recent claims", limit: Self.recentMax)
        for _ in 0..<count { recent.append(Recent(height: try decoder.readU64("height"), points: try decoder.readI64("points"))) }
    }
}

extension StateKey {
    public static func pointsClaim(_ id: TransferID) -> StateKey { StateKey(.pointsClaims, id.bytes) }
    public static func pointsSettlement(_ id: TransferID) -> StateKey { StateKey(.pointsSettlements, id.bytes) }
    public static let allowance = StateKey(.allowance, [])
}
