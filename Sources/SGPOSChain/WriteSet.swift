import SGPOSCodec
import SGPOSCrypto

/// Reads committed state. The LMDB store and the auditor's in-memory replay implement it.
public protocol StateReader {
    func read(_ key: StateKey) throws -> [UInt8]?
    /// The value at `key` decoded as `Record` (nil when absent): what ``read(_:)`` returns,
    /// decoded. A reader may answer a repeated read from records it decoded before.
    func decoded<Record: CanonicalDecodable>(_ type: Record.Type, _ key: StateKey) throws -> Record?
}

extension StateReader {
    public func decoded<Record: CanonicalDecodable>(_ type: Record.Type, _ key: StateKey) throws -> Record? {
        guard let bytes = try read(key) else { return nil }
        return try Record(canonicalBytes: bytes)
    }
}

/// State held in memory: genesis materialisation, the auditor's replay, unit tests.
public struct MemoryState: StateReader, Sendable {
    /// Never iterated for anything hashed: ``sortedEntries`` sorts first.
    public private(set) var entries: [StateKey: [UInt8]] = [:]

    public init() {}

    public func read(_ key: StateKey) -> [UInt8]? { entries[key] }

    /// Applies a block's writes. Order does not matter: each key has one final value.
    public mutating func apply(_ writes: WriteSet) {
        writes.forEachUnordered { key, value in entries[key] = value }
    }

    public var count: Int { entries.count }

    /// Every entry in key order.
    public var sortedEntries: [(key: StateKey, value: [UInt8])] {
        entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }
}

/// The state changes of one block: final value per key (nil deletes). Hashed in key
/// order, so insertion order never matters.
public struct WriteSet: Sendable {
    private var values: [StateKey: [UInt8]?] = [:]

    public init() {}

    public var isEmpty: Bool { values.isEmpty }
    public var count: Int { values.count }

    public mutating func put(_ key: StateKey, _ value: [UInt8]?) {
        _ = replace(key, value)
    }

    /// Puts `value` and returns what ``pending(_:)`` returned before, in one lookup.
    mutating func replace(_ key: StateKey, _ value: [UInt8]?) -> [UInt8]?? {
        precondition((value?.count ?? 0) <= Limits.stateValueBytesMax, "state value too large")
        return values.updateValue(value, forKey: key)  // stores a nil value too (a pending delete)
    }

    /// The pending value: `.some(nil)` for a pending delete, nil when untouched.
    public func pending(_ key: StateKey) -> [UInt8]?? { values[key] }

    public mutating func merge(_ other: WriteSet) {
        for (key, value) in other.values { values[key] = .some(value) }
    }

    /// Puts back what ``pending(_:)`` returned before a write: a pending value, a
    /// pending delete, or (nil) no pending change at all.
    mutating func restore(_ key: StateKey, _ previous: [UInt8]??) {
        if let previous { values[key] = .some(previous) } else { values.removeValue(forKey: key) }
    }

    /// Visits every entry in no particular order: only for order-independent uses
    /// (applying to a map). Anything hashed or encoded uses ``sortedEntries``.
    public func forEachUnordered(_ body: (StateKey, [UInt8]?) -> Void) {
        for (key, value) in values { body(key, value) }
    }

    /// Entries sorted by key.
    public var sortedEntries: [(key: StateKey, value: [UInt8]?)] {
        values.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// Canonical encoding (docs/FORMAT.md §7): u32 count, then per entry in key order
    /// bytes(key incl. table byte), u8 present, [bytes(value)].
    public var canonicalBytes: [UInt8] {
        // Sorted once as entries: no dictionary lookup per key afterwards.
        let entries = values.sorted { $0.key < $1.key }
        var size = 4
        for (key, value) in entries { size += 6 + key.key.count + (value.map { 4 + $0.count } ?? 0) }
        var encoder = CanonicalEncoder(capacity: size)
        encoder.writeU32(UInt32(entries.count))
        for (key, value) in entries {
            encoder.writeU32(UInt32(1 + key.key.count))
            encoder.writeU8(key.table.rawValue)
            encoder.writeFixed(key.key, count: key.key.count)
            if let value {
                encoder.writeU8(1)
                encoder.writeBytes(value, limit: Limits.stateValueBytesMax)
            } else {
                encoder.writeU8(0)
            }
        }
        assert(encoder.bytes.count == size, "write-set size estimate is exact")
        return encoder.bytes
    }

    /// SHA-256("SGPOS/write-set/v1" 0x00 ‖ canonical bytes).
    public var hash: Hash256 { Hash256.tagged(.writeSet, canonicalBytes) }
}

/// State seen through uncommitted writes: reads hit the writes first, then the base.
///
/// ``atomically(_:)`` runs one transaction's changes with an undo log, so a rejected
/// transaction leaves the overlay exactly as it was, at a cost proportional to that
/// transaction's writes (not to the block's).
///
/// The base must not change while the overlay is in use (a block's overlay reads the
/// state as of the previous block): records decoded from it are kept (``decoded(_:_:)``),
/// so the block's thousand sales decode a SKU's price record once, not on every line.
public struct StateOverlay: StateReader {
    /// The state as of the previous block. An existential, not a generic parameter: the
    /// state machine's code then runs specialised for this one overlay type whatever the
    /// store (LMDB, the auditor's replay, memory), instead of unspecialised generic code.
    public let base: any StateReader
    public private(set) var writes = WriteSet()
    /// Previous pending values of keys written inside ``atomically(_:)``.
    private var undo: [(key: StateKey, previous: [UInt8]??)]?
    /// Records decoded from the base (never from ``writes``), shared by copies of the
    /// overlay, which share its base. At most one entry per key the overlay read, and an
    /// overlay lives for one block (or one transaction being built): bounded by the
    /// block's transactions (``Limits``) times the keys a transaction reads.
    @usableFromInline let baseRecords = DecodedRecords()

    public init(base: any StateReader) { self.base = base }

    public func read(_ key: StateKey) throws -> [UInt8]? {
        if let pending = writes.pending(key) { return pending }
        return try base.read(key)
    }

    /// A pending write is decoded as it stands; a base record is decoded once per type.
    /// Inlinable, so that it is specialised for each record type where it is called.
    @inlinable
    public func decoded<Record: CanonicalDecodable>(_ type: Record.Type, _ key: StateKey) throws -> Record? {
        if let pending = writes.pending(key) {
            guard let pending else { return nil }
            return try Record(canonicalBytes: pending)
        }
        if let kept = baseRecords.entries[key], kept.type == ObjectIdentifier(type) {
            guard let record = kept.record else { return nil }
            return (record as! Record)
        }
        let record = try base.decoded(type, key)
        if let record {
            baseRecords.entries[key] = (ObjectIdentifier(type), record as Any)
        } else {
            baseRecords.entries[key] = (ObjectIdentifier(type), nil)
        }
        return record
    }

    public mutating func put(_ key: StateKey, _ value: [UInt8]?) {
        let previous = writes.replace(key, value)
        if undo != nil { undo!.append((key, previous)) }
    }

    public mutating func merge(_ other: WriteSet) { writes.merge(other) }

    /// Runs `body`; if it throws, every write it made is undone before the error propagates.
    public mutating func atomically<R>(_ body: (inout StateOverlay) throws -> R) throws -> R {
        precondition(undo == nil, "atomically does not nest")
        undo = []
        defer { undo = nil }
        do {
            return try body(&self)
        } catch {
            for entry in undo!.reversed() { writes.restore(entry.key, entry.previous) }
            throw error
        }
    }
}

/// The state commitment in block headers (docs/FORMAT.md §7): a hash chain over the
/// write sets, so two replicas agree on a root exactly when they applied the same
/// changes from the same genesis.
public enum StateCommitment {
    /// stateRoot(n) = SHA-256("SGPOS/state-root/v1" 0x00 ‖ stateRoot(n-1) ‖ writeSetHash(n)).
    public static func next(previous: Hash256, writeSetHash: Hash256) -> Hash256 {
        Hash256.tagged(.stateRoot, previous.bytes + writeSetHash.bytes)
    }

    /// stateRoot(0) of an outlet chain: chained from the genesis id over the genesis write set.
    public static func genesisRoot(genesis: Genesis, writes: WriteSet) -> Hash256 {
        next(previous: genesis.id, writeSetHash: writes.hash)
    }
}

extension Genesis {
    /// The state every outlet chain starts with: genesis outlets and their node keys,
    /// and the admin keys (docs/FORMAT.md §7.2).
    public var initialWrites: WriteSet {
        var writes = WriteSet()
        for admin in admins {
            writes.put(.key(admin.publicKey),
                       KeyRecord(role: .admin, outletID: 0, principal: admin.name).canonicalBytes)
            writes.put(.principal(outlet: 0, role: .admin, name: admin.name), admin.publicKey.bytes)
        }
        for outlet in outlets {
            writes.put(.outlet(outlet.id), OutletRecord(name: outlet.name, nodeKey: outlet.nodeKey).canonicalBytes)
            writes.put(.key(outlet.nodeKey), KeyRecord(role: .node, outletID: outlet.id, principal: "node").canonicalBytes)
            writes.put(.principal(outlet: outlet.id, role: .node, name: "node"), outlet.nodeKey.bytes)
        }
        return writes
    }
}

extension WriteSet {
    /// Decodes ``canonicalBytes``: keys strictly ascending, non-zero table bytes, canonical lengths.
    public init(canonicalBytes bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        let count = try decoder.readCount("write-set entries", limit: Limits.writeSetEntriesMax)
        var previous: StateKey?
        self.init()
        for _ in 0..<count {
            let at = decoder.offset
            let raw = try decoder.readBytes("state key", limit: 1 + Limits.stateKeyBytesMax)
            guard let key = StateKey(bytes: raw) else { throw .invalidValue("state key: table byte 0 or empty key", at: at) }
            if let previous, !(previous < key) { throw .nonCanonical("write-set keys must ascend", at: at) }
            previous = key
            let present = try decoder.readU8("value present")
            switch present {
            case 0: put(key, nil)
            case 1: put(key, try decoder.readBytes("state value", limit: Limits.stateValueBytesMax))
            default: throw .nonCanonical("value present must be 0 or 1", at: decoder.offset - 1)
            }
        }
        try decoder.finish("write set")
    }

    /// The entries of `tables` only.
    public func filtered(_ tables: Set<StateTable>) -> WriteSet {
        var result = WriteSet()
        for (key, value) in values where tables.contains(key.table) { result.values[key] = .some(value) }
        return result
    }
}

/// Records an overlay decoded from its base: per key, the last type it was decoded as and
/// the record (nil: absent). One thread uses an overlay at a time. Held as `Any`, not in a
/// generic box: where `decoded` ran unspecialised, a box generic over the record type made
/// every read look that type up at run time (measured: it cost what the memo saved).
@usableFromInline final class DecodedRecords {
    @usableFromInline var entries: [StateKey: (type: ObjectIdentifier, record: Any?)] = [:]
    @usableFromInline init() {}
}
