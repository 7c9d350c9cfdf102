import SGPOSCodec
import SGPOSCrypto

/// A table of an outlet chain's state (docs/FORMAT.md §7): the one byte in front of
/// every state key. A stable code, declared by the layer that owns the table: the chain's
/// registry tables (0x01–0x0F) here; the POS state machine's (0x10–0x3F) and the network
/// state's (0x40–0x4F) in SGPOSState (`StateTable.posTables`, `.networkTables`), each list
/// pinned by a uniqueness test.
public struct StateTable: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The table byte.
    public let rawValue: UInt8
    /// The declared name. A `StaticString`, so that a table — and every ``StateKey`` — is
    /// plain bytes to copy: a `String` here made each key copy in the state machine's
    /// overlays and write sets retain and release, and cost the 5-line-sale state machine
    /// about a quarter of its speed (benchmarks/RESULTS.md, 2026-12-05).
    private let declaredName: StaticString

    /// Declares a table. Only the layer that owns `rawValue`'s range declares it.
    public init(declaring rawValue: UInt8, name: StaticString) {
        precondition(rawValue != 0, "table byte 0 is not a table")
        self.rawValue = rawValue
        declaredName = name
    }

    /// The table with byte `rawValue`, named by its number only (for decoding stored keys).
    public init?(rawValue: UInt8) {
        guard rawValue != 0 else { return nil }
        self.init(declaring: rawValue, name: "")
    }

    /// The table's name in docs and diagnostics (not part of its identity): as declared, or
    /// `table 0x..` for a table known only by its byte.
    public var name: String {
        declaredName.utf8CodeUnitCount == 0 ? "table 0x" + String(rawValue, radix: 16) : declaredName.description
    }

    public static func == (lhs: StateTable, rhs: StateTable) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    public static func < (lhs: StateTable, rhs: StateTable) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { name }

    /// u32 outlet id → ``OutletRecord``.
    public static let outlets = StateTable(declaring: 0x01, name: "outlets")
    /// 32-byte public key → ``KeyRecord``.
    public static let keys = StateTable(declaring: 0x02, name: "keys")
    /// u32 outlet id ‖ u8 role ‖ principal UTF-8 → the principal's current 32-byte key.
    public static let principals = StateTable(declaring: 0x03, name: "principals")

    /// The chain's own tables.
    public static let chainTables: [StateTable] = [.outlets, .keys, .principals]
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

    /// Same table and the same key bytes (compared as bytes: the derived `==` went
    /// through the generic array comparison on every dictionary probe).
    public static func == (lhs: StateKey, rhs: StateKey) -> Bool {
        guard lhs.table.rawValue == rhs.table.rawValue, lhs.key.count == rhs.key.count else { return false }
        return lhs.key.withUnsafeBufferPointer { left in
            rhs.key.withUnsafeBufferPointer { right in
                if left.baseAddress == right.baseAddress { return true }
                for index in 0..<left.count where left[index] != right[index] { return false }
                return true
            }
        }
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
