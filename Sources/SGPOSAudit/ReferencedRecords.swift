import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore

/// The audit's side of sales records a store keeps as references in their sale's
/// `tx-index` entry (FORMAT.md §9.1). Where the store keeps a reference, the replay keeps
/// it too, under a marker key of its own, in place of the record; so the replay holds what
/// the store's `state` must hold, and a refund's read of such a record is answered by
/// rebuilding it from its sale, as the node does.
struct ReferencedRecords {
    /// The replay's table of markers: table key = the sale's id, value = the reference.
    /// Never a table of the state; a store holding one is corrupt.
    static let markers = StateTable(declaring: 0xFE, name: "records kept as references (audit)")

    let references: (any RecordReferences)?
    let store: LedgerStore
    let transaction: LMDBTransaction
    let outletID: OutletID
    /// Markers the replay holds: records the store's `state` must not hold.
    private(set) var held = 0

    /// The replay's writes for a block in place of `writes`' own: a sale's record as the
    /// block leaves it, when the sale's tx-index entry keeps a reference, becomes its
    /// marker — after checking that the reference rebuilds exactly that record; a later
    /// change of a record kept as a reference removes its marker.
    /// `kept`: the references the block's tx-index entries keep, by transaction id; each
    /// must stand for a sale record the block leaves.
    mutating func overrides(_ block: Block, _ writes: WriteSet, kept: [Hash256: [UInt8]], _ state: ReplayState) throws -> [StateKey: [UInt8]?] {
        func unused(_ id: Hash256) -> AuditFinding {
            AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: block.transactions.firstIndex { $0.id == id },
                         transactionID: id, rule: "store/tx-index", message: "tx-index entry keeps a reference to no record the block leaves")
        }
        guard let references else {
            if let id = kept.keys.min(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { throw unused(id) }
            return [:]
        }
        var unmatched = kept
        var overrides: [StateKey: [UInt8]?] = [:]
        var records: [(key: StateKey, value: [UInt8]?)] = []
        writes.forEachUnordered { key, value in if key.table == references.table { records.append((key, value)) } }
        guard !records.isEmpty else {
            if let id = unmatched.keys.min(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { throw unused(id) }
            return [:]
        }
        var written: [Hash256: Int] = [:]
        written.reserveCapacity(block.transactions.count)
        for (index, signed) in block.transactions.enumerated() where written[signed.id] == nil { written[signed.id] = index }
        for (key, value) in records.sorted(by: { $0.key < $1.key }) {
            let marker = StateKey(Self.markers, key.key)
            guard let id = Hash256(bytes: key.key), let index = written[id] else {
                // A later block's change of a record: its marker, if it had one, goes.
                if try state.read(marker) != nil {
                    overrides[marker] = .some(nil)
                    held -= 1
                }
                continue
            }
            // The sale's own block (no marker can be older: the key is this transaction's id).
            guard let value, let reference = kept[id] else { continue }
            unmatched[id] = nil
            guard references.record(referencedBy: reference, writtenBy: block.transactions[index]) == value else {
                throw AuditFinding(outletID: outletID, height: block.header.height, transactionIndex: index, transactionID: id,
                                   rule: "store/tx-index", message: "tx-index entry keeps a reference that does not rebuild the record the block leaves")
            }
            overrides[key] = .some(nil)
            overrides[marker] = reference
            held += 1
        }
        if let id = unmatched.keys.min(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { throw unused(id) }
        return overrides
    }
}

/// The replayed state as the validator reads it: a record the replay keeps as a marker is
/// rebuilt from its sale, read from the store.
struct ReplayReader: StateReader {
    let state: ReplayState
    let records: ReferencedRecords

    func read(_ key: StateKey) throws -> [UInt8]? {
        if let value = try state.read(key) { return value }
        guard let references = records.references, key.table == references.table,
              let reference = try state.read(StateKey(ReferencedRecords.markers, key.key)) else { return nil }
        guard let id = Hash256(bytes: key.key), let (_, signed) = try records.store.storedTransaction(id, records.transaction),
              let record = references.record(referencedBy: reference, writtenBy: signed) else {
            throw AuditFinding(outletID: records.outletID, rule: "store/tx-index",
                               message: "the sale of record \(Hex.encode(key.key)) is not stored or its reference does not rebuild it")
        }
        return record
    }
}
