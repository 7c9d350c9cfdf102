import SGPOSCodec

/// What a registered key may do. Encoded as one byte on chain and in state.
public enum KeyRole: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Network administrator (genesis): registers outlets and operators.
    case admin = 1
    /// Outlet operator (manager): registers, rotates and revokes the outlet's tills.
    case `operator` = 2
    /// Till (cashier terminal): signs sales; may rotate its own key.
    case till = 3
    /// Outlet node: signs blocks, never transactions.
    case node = 4
    /// Auditor of the network: reads every outlet's data through the API (request
    /// signatures), signs no transaction. Registered by an admin.
    case auditor = 5

    public var description: String {
        switch self {
        case .admin: "admin"
        case .operator: "operator"
        case .till: "till"
        case .node: "node"
        case .auditor: "auditor"
        }
    }

    public init?(name: String) {
        guard let role = KeyRole.allCases.first(where: { $0.description == name }) else { return nil }
        self = role
    }

    static func decode(_ decoder: inout CanonicalDecoder) throws(CodecError) -> KeyRole {
        let at = decoder.offset
        let raw = try decoder.readU8("key role")
        guard let role = KeyRole(rawValue: raw) else { throw .unknownTag("key role \(raw)", at: at) }
        return role
    }
}

/// Why a key was revoked (recorded on chain).
public enum RevocationReason: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case compromised = 1
    case decommissioned = 2
    case staffLeft = 3
    case other = 4

    public var description: String {
        switch self {
        case .compromised: "compromised"
        case .decommissioned: "decommissioned"
        case .staffLeft: "staff-left"
        case .other: "other"
        }
    }

    public init?(name: String) {
        guard let reason = RevocationReason.allCases.first(where: { $0.description == name }) else {
            return nil
        }
        self = reason
    }
}
