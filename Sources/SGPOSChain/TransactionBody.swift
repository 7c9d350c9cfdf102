import SGPOSCodec
import SGPOSCrypto

/// The typed content of a transaction. Registry bodies are interpreted by the chain
/// rules; `application` bodies (type ≥ 0x0100: sales, refunds, stock, loyalty) carry
/// their canonical bytes for the state machine that owns them.
public enum TransactionBody: Hashable, Sendable {
    case registerOutlet(RegisterOutlet)
    case registerKey(RegisterKey)
    case rotateKey(RotateKey)
    case revokeKey(RevokeKey)
    case application(type: UInt16, payload: [UInt8])

    /// Body type codes (docs/FORMAT.md §4). Stable; never reused.
    public enum TypeCode {
        public static let registerOutlet: UInt16 = 0x0001
        public static let registerKey: UInt16 = 0x0002
        public static let rotateKey: UInt16 = 0x0003
        public static let revokeKey: UInt16 = 0x0004
        /// First code of the application range.
        public static let applicationFirst: UInt16 = 0x0100
    }

    public var typeCode: UInt16 {
        switch self {
        case .registerOutlet: TypeCode.registerOutlet
        case .registerKey: TypeCode.registerKey
        case .rotateKey: TypeCode.rotateKey
        case .revokeKey: TypeCode.revokeKey
        case .application(let type, _): type
        }
    }

    /// Canonical bytes of the body alone (what the envelope length-prefixes).
    public var payloadBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 96)
        switch self {
        case .registerOutlet(let body):
            encoder.writeU32(body.outletID)
            encoder.writeString(body.name, limit: Limits.nameBytesMax)
            body.nodeKey.encode(to: &encoder)
        case .registerKey(let body):
            body.key.encode(to: &encoder)
            encoder.writeU8(body.role.rawValue)
            encoder.writeString(body.principal, limit: Limits.principalBytesMax)
        case .rotateKey(let body):
            body.oldKey.encode(to: &encoder)
            body.newKey.encode(to: &encoder)
            encoder.writeU64(body.oldKeyValidUntilMs)
        case .revokeKey(let body):
            body.key.encode(to: &encoder)
            encoder.writeU16(body.reason.rawValue)
        case .application(_, let payload):
            return payload
        }
        return encoder.bytes
    }

    /// Decodes a body of the given type from its canonical bytes.
    public static func decode(type: UInt16, payload: [UInt8]) throws(CodecError) -> TransactionBody {
        var decoder = CanonicalDecoder(payload)
        let body: TransactionBody
        switch type {
        case TypeCode.registerOutlet:
            body = .registerOutlet(
                RegisterOutlet(
                    outletID: try decoder.readU32("outlet id"),
                    name: try decoder.readString("outlet name", limit: Limits.nameBytesMax),
                    nodeKey: try PublicKey(from: &decoder)))
        case TypeCode.registerKey:
            body = .registerKey(
                RegisterKey(
                    key: try PublicKey(from: &decoder),
                    role: try KeyRole.decode(&decoder),
                    principal: try decoder.readString("principal", limit: Limits.principalBytesMax)))
        case TypeCode.rotateKey:
            body = .rotateKey(
                RotateKey(
                    oldKey: try PublicKey(from: &decoder),
                    newKey: try PublicKey(from: &decoder),
                    oldKeyValidUntilMs: try decoder.readU64("old key valid until")))
        case TypeCode.revokeKey:
            let key = try PublicKey(from: &decoder)
            let at = decoder.offset
            let raw = try decoder.readU16("revocation reason")
            guard let reason = RevocationReason(rawValue: raw) else {
                throw .unknownTag("revocation reason \(raw)", at: at)
            }
            body = .revokeKey(RevokeKey(key: key, reason: reason))
        case TypeCode.applicationFirst...:
            return .application(type: type, payload: payload)
        default:
            throw .unknownTag("body type 0x\(String(type, radix: 16)) is not defined", at: 0)
        }
        try decoder.finish("transaction body")
        return body
    }
}

/// Registers an outlet and its node (block-producer) key. Signed by an admin.
public struct RegisterOutlet: Hashable, Sendable {
    public var outletID: OutletID
    public var name: String
    public var nodeKey: PublicKey

    public init(outletID: OutletID, name: String, nodeKey: PublicKey) {
        self.outletID = outletID
        self.name = name
        self.nodeKey = nodeKey
    }
}

/// Registers an operator or till key for the transaction's outlet.
/// Admins register operators and tills; operators register tills.
public struct RegisterKey: Hashable, Sendable {
    public var key: PublicKey
    public var role: KeyRole
    /// Who holds the key within the outlet: `till-03`, `manager-tan`.
    public var principal: String

    public init(key: PublicKey, role: KeyRole, principal: String) {
        self.key = key
        self.role = role
        self.principal = principal
    }
}

/// Replaces a key with a new one for the same principal. The old key keeps working
/// until `oldKeyValidUntilMs` (block time), so tills can switch over without downtime.
public struct RotateKey: Hashable, Sendable {
    public var oldKey: PublicKey
    public var newKey: PublicKey
    public var oldKeyValidUntilMs: TimestampMs

    public init(oldKey: PublicKey, newKey: PublicKey, oldKeyValidUntilMs: TimestampMs) {
        self.oldKey = oldKey
        self.newKey = newKey
        self.oldKeyValidUntilMs = oldKeyValidUntilMs
    }
}

/// Revokes a key at once: later transactions it signs are rejected.
public struct RevokeKey: Hashable, Sendable {
    public var key: PublicKey
    public var reason: RevocationReason

    public init(key: PublicKey, reason: RevocationReason) {
        self.key = key
        self.reason = reason
    }
}
