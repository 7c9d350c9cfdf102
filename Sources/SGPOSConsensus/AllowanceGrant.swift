import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

extension DomainTag {
    /// What an admin signs to set an outlet's points allowance.
    public static let allowanceGrantSignature = DomainTag("SGPOS/allowance-grant-sig/v1")
    /// Id of an allowance grant: hash of its canonical bytes (signature included).
    public static let allowanceGrantID = DomainTag("SGPOS/allowance-grant/v1")
}

/// Sets how many points an outlet may hold on credit in claims on other outlets' points
/// (docs/CONSENSUS.md §10, FORMAT.md §9.6): signed by a genesis admin, carried by a
/// checkpoint, in force from that checkpoint's network state on. The points an outlet
/// may then claim are the grant minus its losses (claims their source could not pay).
public struct AllowanceGrant: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    /// Grants one checkpoint may carry.
    public static let perCheckpointMax = 16
    public static let pointsMax: Int64 = 1_000_000_000

    public let chainID: Hash256
    /// Tells apart grants with the same outlet and points; each grant id applies once.
    public let serial: UInt64
    public let outlet: UInt32
    /// 0 … ``pointsMax``: replaces the outlet's granted points.
    public let points: Int64
    public let admin: PublicKey
    public let signature: Signature

    public init(chainID: Hash256, serial: UInt64, outlet: UInt32, points: Int64, admin: SigningKey) {
        let bytes = Self.signedBytes(chainID: chainID, serial: serial, outlet: outlet, points: points, admin: admin.publicKey)
        self.init(chainID: chainID, serial: serial, outlet: outlet, points: points, admin: admin.publicKey, signature: admin.sign(bytes))
    }

    init(chainID: Hash256, serial: UInt64, outlet: UInt32, points: Int64, admin: PublicKey, signature: Signature) {
        self.chainID = chainID
        self.serial = serial
        self.outlet = outlet
        self.points = points
        self.admin = admin
        self.signature = signature
    }

    /// SHA-256("SGPOS/allowance-grant/v1" 0x00 ‖ canonical bytes).
    public var id: Hash256 { Hash256.tagged(.allowanceGrantID, canonicalBytes) }

    static func signedBytes(chainID: Hash256, serial: UInt64, outlet: UInt32, points: Int64, admin: PublicKey) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.writeFixed(DomainTag.allowanceGrantSignature.prefix, count: DomainTag.allowanceGrantSignature.prefix.count)
        encodeBody(chainID: chainID, serial: serial, outlet: outlet, points: points, admin: admin, to: &encoder)
        return encoder.bytes
    }

    static func encodeBody(chainID: Hash256, serial: UInt64, outlet: UInt32, points: Int64, admin: PublicKey, to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        chainID.encode(to: &encoder)
        encoder.writeU64(serial)
        encoder.writeU32(outlet)
        encoder.writeI64(points)
        admin.encode(to: &encoder)
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        Self.encodeBody(chainID: chainID, serial: serial, outlet: outlet, points: points, admin: admin, to: &encoder)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("allowance grant version") == 1 else { throw .unknownVersion("allowance grant", at: at) }
        chainID = try Hash256(from: &decoder)
        serial = try decoder.readU64("serial")
        outlet = try decoder.readU32("outlet")
        points = try decoder.readI64("points")
        admin = try PublicKey(from: &decoder)
        signature = try Signature(from: &decoder)
    }

    /// Signed by a genesis admin of this network, for a genesis outlet, 0 … 10^9 points.
    public func isValid(genesis: Genesis) -> Bool {
        chainID == genesis.id && genesis.admins.contains { $0.publicKey == admin } && genesis.outlet(outlet) != nil
            && (0...Self.pointsMax).contains(points)
            && admin.isValidSignature(signature, for: Self.signedBytes(chainID: chainID, serial: serial, outlet: outlet, points: points, admin: admin))
    }

    /// The network-state record (table 0x47): checkpoint height `u64`.
    public func networkRecord(checkpointHeight: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8)
        encoder.writeU64(checkpointHeight)
        return encoder.bytes
    }
}
