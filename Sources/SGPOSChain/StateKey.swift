import SGPOSCodec
import SGPOSCrypto

/// Tables of an outlet chain's state (docs/FORMAT.md §7). One byte each; stable.
public enum StateTable: UInt8, Sendable, CaseIterable {
    /// u32 outlet id → ``OutletRecord``.
    case outlets = 0x01
    /// 32-byte public key → ``KeyRecord``.
    case keys = 0x02
    /// u32 outlet id ‖ u8 role ‖ principal UTF-8 → the principal's current 32-byte key.
    case principals = 0x03
    // Tables of the POS state machine (SGPOSState; docs/FORMAT.md §13.3).
    /// u32 outlet ‖ SKU → price-list entry.
    case prices = 0x10
    /// u32 outlet ‖ SKU → stock on hand.
    case stock = 0x11
    /// member id → loyalty account.
    case members = 0x12
    /// u32 outlet ‖ till principal → shift.
    case shifts = 0x13
    /// u32 outlet → the outlet's books (numbering, period and perpetual totals).
    case books = 0x14
    /// 32-byte sale transaction id → what refunds and voids need of the sale.
    case sales = 0x15
    /// 16-byte transfer id ‖ u8 direction → transfer record.
    case transfers = 0x16
    /// voucher id → the transaction id that redeemed it.
    case vouchers = 0x17
    /// (empty) → retail settings.
    case settings = 0x18
    /// rule id → deployed rule; (empty) → the active rule ids.
    case contracts = 0x19
    /// rule id ‖ 0x00 ‖ counter ‖ 0x00 ‖ member id (empty for budgets) → counter value.
    case ruleCounters = 0x1A
    /// category → points rate in basis points (the operator's "oracle" table).
    case pointRates = 0x1B
    /// member id → personal points multiplier in basis points.
    case memberMultipliers = 0x1C
    /// 16-byte claim id → a points claim this outlet made on another's points (docs/CONSENSUS.md §10).
    case pointsClaims = 0x1D
    /// (empty) → this outlet's allowance: what its last claim said of the checkpoints, and its claims since.
    case allowance = 0x1E
    /// 16-byte claim id → this outlet's settlement of another outlet's claim on its points.
    case pointsSettlements = 0x1F
    // Tables of the network state (SGPOSState.NetworkLedger; docs/FORMAT.md §9.4): derived
    // from checkpointed outlet blocks, never written by an outlet chain.
    /// u8 length ‖ member id ‖ u32 outlet → the member's account at that outlet as of the checkpoint.
    case networkMemberAccounts = 0x40
    /// member id → the member's totals over every outlet as of the checkpoint.
    case networkMemberTotals = 0x41
    /// 16-byte transfer id → both halves as the checkpointed chains recorded them.
    case networkTransfers = 0x42
    /// 32-byte evidence id → checkpoint height u64 ‖ kind u8 ‖ who u32 ‖ height u64.
    case networkEvidence = 0x43
    /// 32-byte validator update id → checkpoint height u64 ‖ first height of the new set u64.
    case networkValidatorUpdates = 0x44
    /// 16-byte claim id → both halves of a points claim (the claim and its settlement).
    case networkClaims = 0x45
    /// u32 outlet → the outlet's allowance: granted, outstanding claims, losses.
    case networkAllowances = 0x46
    /// 32-byte allowance grant id → checkpoint height u64.
    case networkAllowanceGrants = 0x47
}

extension StateTable {
    /// The outlet tables the network state (checkpoint order) is derived from.
    public static let networkSources: Set<StateTable> = [.members, .transfers, .pointsClaims, .pointsSettlements]
}

/// A key in the state: table byte plus the table's key bytes. Ordered bytewise, which
/// is the order of the write set and of the LMDB state database.
public struct StateKey: Hashable, Comparable, Sendable {
    public let table: StateTable
    public let key: [UInt8]

    public init(_ table: StateTable, _ key: [UInt8]) {
        precondition(key.count <= Limits.stateKeyBytesMax, "state key too long")
        self.table = table
        self.key = key
    }

    /// Table byte followed by key bytes.
    public var bytes: [UInt8] { [table.rawValue] + key }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(table.rawValue)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public init?(bytes: [UInt8]) {
        guard let first = bytes.first, let table = StateTable(rawValue: first),
            bytes.count - 1 <= Limits.stateKeyBytesMax
        else { return nil }
        self.init(table, Array(bytes.dropFirst()))
    }

    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        if lhs.table != rhs.table { return lhs.table.rawValue < rhs.table.rawValue }
        return bytewiseLess(lhs.key, rhs.key)
    }

    public static func outlet(_ id: OutletID) -> StateKey {
        var encoder = CanonicalEncoder(capacity: 4)
        encoder.writeU32(id)
        return StateKey(.outlets, encoder.bytes)
    }

    public static func key(_ key: PublicKey) -> StateKey { StateKey(.keys, key.bytes) }

    public static func principal(outlet: OutletID, role: KeyRole, name: String) -> StateKey {
        var encoder = CanonicalEncoder(capacity: 5 + name.utf8.count)
        encoder.writeU32(outlet)
        encoder.writeU8(role.rawValue)
        return StateKey(.principals, encoder.bytes + Array(name.utf8))
    }
}

/// A registered outlet.
public struct OutletRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var name: String
    public var nodeKey: PublicKey

    public init(name: String, nodeKey: PublicKey) {
        self.name = name
        self.nodeKey = nodeKey
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(name, limit: Limits.nameBytesMax)
        nodeKey.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("outlet record version") == 1 else {
            throw .unknownVersion("outlet record version", at: at)
        }
        name = try decoder.readString("outlet name", limit: Limits.nameBytesMax)
        nodeKey = try PublicKey(from: &decoder)
    }
}

/// Whether a key may sign.
public enum KeyStatus: UInt8, Sendable {
    case active = 1
    /// Replaced by a newer key; valid until ``KeyRecord/validUntilMs`` (block time).
    case rotated = 2
    case revoked = 3
}

/// A registered key: who holds it, what it may do, and its replay counter.
public struct KeyRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var role: KeyRole
    /// 0 for admins.
    public var outletID: OutletID
    public var principal: String
    public var status: KeyStatus
    /// For rotated keys: last block time at which the key still signs. 0 otherwise.
    public var validUntilMs: TimestampMs
    /// Highest sequence number accepted from this key; 0 before its first transaction.
    public var lastSequence: UInt64

    public init(
        role: KeyRole, outletID: OutletID, principal: String, status: KeyStatus = .active,
        validUntilMs: TimestampMs = 0, lastSequence: UInt64 = 0
    ) {
        self.role = role
        self.outletID = outletID
        self.principal = principal
        self.status = status
        self.validUntilMs = validUntilMs
        self.lastSequence = lastSequence
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeU8(role.rawValue)
        encoder.writeU32(outletID)
        encoder.writeString(principal, limit: Limits.nameBytesMax)
        encoder.writeU8(status.rawValue)
        encoder.writeU64(validUntilMs)
        encoder.writeU64(lastSequence)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("key record version") == 1 else {
            throw .unknownVersion("key record version", at: at)
        }
        role = try KeyRole.decode(&decoder)
        outletID = try decoder.readU32("outlet id")
        principal = try decoder.readString("principal", limit: Limits.nameBytesMax)
        let statusAt = decoder.offset
        guard let status = KeyStatus(rawValue: try decoder.readU8("key status")) else {
            throw .unknownTag("key status", at: statusAt)
        }
        self.status = status
        validUntilMs = try decoder.readU64("valid until")
        lastSequence = try decoder.readU64("last sequence")
    }
}

/// Bytewise (memcmp) order of two byte strings, a shorter prefix first: the order of
/// LMDB keys and of write-set entries.
@inline(__always)
func bytewiseLess(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    lhs.withUnsafeBufferPointer { left in
        rhs.withUnsafeBufferPointer { right in
            let common = min(left.count, right.count)
            for index in 0..<common where left[index] != right[index] {
                return left[index] < right[index]
            }
            return left.count < right.count
        }
    }
}
