import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Points claims and allowances in the network state (docs/CONSENSUS.md §10, FORMAT.md
/// §9.4): both halves of every claim, and per outlet what its allowance is granted, what
/// it has on credit and what it lost to claims its source could not pay.
extension NetworkLedger {
    public static func claimKey(_ id: [UInt8]) -> StateKey { StateKey(.networkClaims, id) }
    public static func allowanceKey(_ outlet: UInt32) -> StateKey {
        var encoder = CanonicalEncoder(capacity: 4)
        encoder.writeU32(outlet)
        return StateKey(.networkAllowances, encoder.bytes)
    }

    /// An allowance grant carried by a checkpoint: sets `outlet`'s granted points.
    public struct Grant: Sendable, Hashable {
        public let id: Hash256
        public let outlet: UInt32
        public let points: Int64
        public let record: [UInt8]
        public init(id: Hash256, outlet: UInt32, points: Int64, record: [UInt8]) {
            self.id = id
            self.outlet = outlet
            self.points = points
            self.record = record
        }
    }

    static func applyGrant(_ grant: Grant, to state: inout StateOverlay) throws {
        let key = StateKey(.networkAllowanceGrants, grant.id.bytes)
        guard try state.read(key) == nil else {
            throw CodecError.invalidValue("allowance grant \(grant.id) was carried by an earlier checkpoint", at: 0)
        }
        state.put(key, grant.record)
        var allowance = try state.read(allowanceKey(grant.outlet)).map { try NetworkAllowance(canonicalBytes: $0) } ?? NetworkAllowance()
        allowance.granted = grant.points
        state.put(allowanceKey(grant.outlet), allowance.isZero ? nil : allowance.canonicalBytes)
    }

    /// One half of a claim from `outlet`'s block: its claim (table 0x1D) or its settlement (0x1F).
    static func applyClaimHalf(outlet: UInt32, table: StateTable, id: [UInt8], value: [UInt8]?,
                                                  to state: inout StateOverlay) throws {
        guard id.count == TransferID.byteCount else { throw CodecError.invalidValue("a claim id is 16 bytes", at: 0) }
        let key = claimKey(id)
        let before = try state.read(key).map { try NetworkClaim(canonicalBytes: $0) } ?? NetworkClaim()
        var after = before
        if table == .pointsClaims {
            after.claim = try value.map { NetworkClaim.ClaimHalf(claimant: outlet, record: try ClaimRecord(canonicalBytes: $0)) }
        } else {
            after.settlement = try value.map { NetworkClaim.SettleHalf(source: outlet, record: try SettlementRecord(canonicalBytes: $0)) }
        }
        guard after != before else { return }
        state.put(key, after.isEmpty ? nil : after.canonicalBytes)
        for (record, sign) in [(before, Int64(-1)), (after, 1)] {
            guard let claimant = record.claimant else { continue }
            let (outstanding, loss) = record.contribution
            guard outstanding != 0 || loss != 0 else { continue }
            var allowance = try state.read(allowanceKey(claimant)).map { try NetworkAllowance(canonicalBytes: $0) } ?? NetworkAllowance()
            allowance.outstanding += sign * outstanding
            allowance.losses += sign * loss
            state.put(allowanceKey(claimant), allowance.isZero ? nil : allowance.canonicalBytes)
        }
    }
}

/// Table 0x46: an outlet's allowance as of a checkpoint.
public struct NetworkAllowance: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// Points granted by the newest grant (0 before any).
    public var granted: Int64 = 0
    /// Points of its claims no settlement has answered yet.
    public var outstanding: Int64 = 0
    /// Points its settled claims could not be paid (the source had less, or answered another claim).
    public var losses: Int64 = 0

    public init() {}

    /// All zero: the record is absent (the state must not depend on the order halves arrived in).
    var isZero: Bool { granted == 0 && outstanding == 0 && losses == 0 }

    /// What the outlet may have on credit: granted minus losses, never below 0.
    public var effective: Int64 { max(0, granted - losses) }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(granted)
        encoder.writeI64(outstanding)
        encoder.writeI64(losses)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "network allowance")
        granted = try decoder.readI64("granted")
        outstanding = try decoder.readI64("outstanding")
        losses = try decoder.readI64("losses")
    }
}

/// Table 0x45: both halves of a points claim as the checkpointed chains recorded them.
public struct NetworkClaim: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public struct ClaimHalf: Hashable, Sendable {
        public let claimant: UInt32
        public let record: ClaimRecord
    }

    public struct SettleHalf: Hashable, Sendable {
        public let source: UInt32
        public let record: SettlementRecord
    }

    public var claim: ClaimHalf?
    public var settlement: SettleHalf?

    public init() {}

    var isEmpty: Bool { claim == nil && settlement == nil }
    var claimant: UInt32? { claim?.claimant ?? settlement?.record.settle.claimant }

    /// Whether the settlement answers this very claim (same claimant, source, member, points).
    public var settlementMatches: Bool {
        guard let claim, let settlement else { return false }
        let (c, s) = (claim.record.claim, settlement.record.settle)
        return s.claimant == claim.claimant && settlement.source == c.source && s.memberID == c.memberID && s.points == c.points
    }

    /// pending (no settlement yet), paid, short (paid in part), mismatched, or settled-without-claim.
    public var status: String {
        switch (claim, settlement) {
        case (_?, nil): "pending"
        case (nil, _?): "settled-without-claim"
        case (let c?, let s?):
            !settlementMatches ? "mismatched" : s.record.settle.debited == c.record.claim.points ? "paid" : "short"
        default: "none"
        }
    }

    /// (outstanding, loss) this record adds to its claimant's allowance.
    var contribution: (Int64, Int64) {
        guard let claim else { return (0, 0) }
        guard let settlement else { return (claim.record.claim.points, 0) }
        return (0, claim.record.claim.points - (settlementMatches ? settlement.record.settle.debited : 0))
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        if let claim {
            encoder.writeU8(1)
            encoder.writeU32(claim.claimant)
            encoder.writeBytes(claim.record.canonicalBytes, limit: Limits.stateValueBytesMax)
        } else {
            encoder.writeU8(0)
        }
        if let settlement {
            encoder.writeU8(1)
            encoder.writeU32(settlement.source)
            encoder.writeBytes(settlement.record.canonicalBytes, limit: Limits.stateValueBytesMax)
        } else {
            encoder.writeU8(0)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "network claim")
        if try Self.present(&decoder, "claim") {
            claim = ClaimHalf(claimant: try decoder.readU32("claimant"),
                              record: try ClaimRecord(canonicalBytes: try decoder.readBytes("claim", limit: Limits.stateValueBytesMax)))
        }
        if try Self.present(&decoder, "settlement") {
            settlement = SettleHalf(source: try decoder.readU32("source"),
                                    record: try SettlementRecord(canonicalBytes: try decoder.readBytes("settlement", limit: Limits.stateValueBytesMax)))
        }
    }

    static func present(_ decoder: inout CanonicalDecoder, _ name: String) throws(CodecError) -> Bool {
        let at = decoder.offset
        switch try decoder.readU8("\(name) present") {
        case 0: return false
        case 1: return true
        default: throw .nonCanonical("\(name) present must be 0 or 1", at: at)
        }
    }
}
