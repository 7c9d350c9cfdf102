import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

extension DomainTag {
    /// Signed bytes of an outlet's acknowledgement of a checkpoint (docs/CONSENSUS.md §11).
    public static let checkpointAck = DomainTag("SGPOS/checkpoint-ack/v1")
}

/// An outlet's signed statement that it has seen checkpoint `checkpointHeight` with agreed
/// time `checkpointTimeMs` while its own chain stood at `headHeight` (docs/CONSENSUS.md
/// §11). Every block it seals after that, at a height above `headHeight`, must be stamped
/// no earlier than the agreed time less twice the precision; a block that is, together
/// with this acknowledgement, proves the outlet's clock went back or stood still
/// (``CheckpointEvidence/clockRegression(_:_:)``). Sent by the outlet's node to its peers
/// in the peer protocol and kept by each receiver (its newest per outlet).
public struct CheckpointAck: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    /// The genesis id (the network).
    public let chainID: Hash256
    public let outlet: UInt32
    public let checkpointHeight: UInt64
    public let checkpointTimeMs: UInt64
    /// The outlet's own chain height when it signed.
    public let headHeight: UInt64
    /// By the outlet's genesis node key over ``signedBytes``.
    public let signature: Signature

    /// Canonical size: version, fields, signature.
    public static let byteCount = 1 + 32 + 4 + 8 + 8 + 8 + 64

    public init(chainID: Hash256, outlet: UInt32, checkpointHeight: UInt64, checkpointTimeMs: UInt64, headHeight: UInt64, signature: Signature) {
        self.chainID = chainID
        self.outlet = outlet
        self.checkpointHeight = checkpointHeight
        self.checkpointTimeMs = checkpointTimeMs
        self.headHeight = headHeight
        self.signature = signature
    }

    /// Signs an acknowledgement with the outlet's node key.
    public static func sign(chainID: Hash256, outlet: UInt32, checkpointHeight: UInt64, checkpointTimeMs: UInt64, headHeight: UInt64,
                            key: SigningKey) -> CheckpointAck {
        let bytes = signedBytes(chainID: chainID, outlet: outlet, checkpointHeight: checkpointHeight, checkpointTimeMs: checkpointTimeMs,
                                headHeight: headHeight)
        return CheckpointAck(chainID: chainID, outlet: outlet, checkpointHeight: checkpointHeight, checkpointTimeMs: checkpointTimeMs,
                             headHeight: headHeight, signature: key.sign(bytes))
    }

    /// `"SGPOS/checkpoint-ack/v1" ‖ 0x00 ‖ chain id (32) ‖ outlet u32 ‖ checkpoint height u64 ‖
    /// checkpoint time u64 ‖ head height u64`.
    public static func signedBytes(chainID: Hash256, outlet: UInt32, checkpointHeight: UInt64, checkpointTimeMs: UInt64,
                                   headHeight: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 64)
        chainID.encode(to: &encoder)
        encoder.writeU32(outlet)
        encoder.writeU64(checkpointHeight)
        encoder.writeU64(checkpointTimeMs)
        encoder.writeU64(headHeight)
        return DomainTag.checkpointAck.prefix + encoder.bytes
    }

    public var signedBytes: [UInt8] {
        Self.signedBytes(chainID: chainID, outlet: outlet, checkpointHeight: checkpointHeight, checkpointTimeMs: checkpointTimeMs,
                         headHeight: headHeight)
    }

    /// Whether it is `genesis`'s and signed by its outlet's genesis node key.
    public func isValid(genesis: Genesis) -> Bool {
        guard chainID == genesis.id, let key = genesis.outlet(outlet)?.nodeKey else { return false }
        return key.isValidSignature(signature, for: signedBytes)
    }

    /// The earliest time a block sealed after this acknowledgement may carry: the agreed
    /// time less twice the precision (an agreed time may be up to 1.5 × precision ahead of
    /// real time, a correct clock up to half the precision behind it).
    public func earliestBlockTimeMs(_ bounds: CheckpointTimeParameters) -> UInt64 {
        checkpointTimeMs &- min(checkpointTimeMs, 2 * UInt64(bounds.precisionMs))
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        chainID.encode(to: &encoder)
        encoder.writeU32(outlet)
        encoder.writeU64(checkpointHeight)
        encoder.writeU64(checkpointTimeMs)
        encoder.writeU64(headHeight)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("checkpoint ack version") == 1 else { throw .unknownVersion("checkpoint ack", at: at) }
        chainID = try Hash256(from: &decoder)
        outlet = try decoder.readU32("outlet")
        checkpointHeight = try decoder.readU64("checkpoint height")
        checkpointTimeMs = try decoder.readU64("checkpoint time")
        headHeight = try decoder.readU64("head height")
        signature = try Signature(from: &decoder)
    }
}
