import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

extension LedgerStore {
    /// The record of table ``StoreLayout/referencedStateTable`` at `key` that `state` does not
    /// hold: the one the `tx-index` entry of the transaction `key` names keeps a reference
    /// to, rebuilt from that transaction; nil when there is none (or the transaction is on
    /// another outlet's chain).
    func referencedRecord(_ outletID: OutletID, _ key: StateKey, _ transaction: LMDBTransaction) throws -> [UInt8]? {
        guard key.table.rawValue == StoreLayout.referencedStateTable, let id = Hash256(bytes: key.key),
              let entry = try indexEntry(of: id, transaction), let reference = entry.reference else { return nil }
        // Another outlet's sale: this chain holds no record of it (a refund here of a sale
        // made there is refused by the state machine as of an unknown sale).
        guard entry.location.outletID == outletID else { return nil }
        guard let references = recordReferences else {
            throw StoreError.unsupported("the record of \(id) is kept as a reference in tx-index, and this store was opened without the application's record references")
        }
        guard let signed = try self.transaction(at: entry.location, transaction),
              let record = references.record(referencedBy: reference, writtenBy: signed) else {
            throw StoreError.corrupt("tx-index entry of \(id) keeps a record reference that does not rebuild a record")
        }
        return record
    }
}

/// The state of one outlet chain read through an LMDB transaction.
public struct StoredState: StateReader {
    let store: LedgerStore
    let transaction: LMDBTransaction
    let outletID: OutletID
    var database: LMDBDatabase { store.databases.state }

    /// The value at `key`: from `state`, or, for a sale's record kept as a reference, rebuilt
    /// from the sale (FORMAT.md §9.1).
    public func read(_ key: StateKey) throws -> [UInt8]? {
        guard let stored = try transaction.get(database, StoreLayout.stateKey(outletID, key)) else {
            return try store.referencedRecord(outletID, key, transaction)
        }
        return try StoreLayout.stateValue(key.table, stored: stored, what: "state entry \(Hex.encode(key.bytes)) of outlet \(outletID)")
    }

    /// Visits the entries of `table` whose table key starts with `prefix`, in key order,
    /// while `body` returns true, at most `limit`. Returns how many were visited. The sales
    /// table cannot be scanned: `state` does not hold the records kept as references.
    @discardableResult
    public func scan(_ table: StateTable, prefix: [UInt8] = [], limit: Int = Int.max,
                     _ body: (_ key: StateKey, _ value: [UInt8]) throws -> Bool) throws -> Int {
        guard table.rawValue != StoreLayout.referencedStateTable else {
            throw StoreError.unsupported("the sales table is not scanned: its records kept as references are in tx-index (FORMAT.md §9.1)")
        }
        let start = StoreLayout.stateKey(outletID, StateKey(table, prefix))
        var visited = 0
        try transaction.scan(database, from: start, limit: limit) { key, value in
            guard key.starts(with: start), let stateKey = StateKey(bytes: Array(key.dropFirst(4))) else { return false }
            visited += 1
            return try body(stateKey, try StoreLayout.stateValue(table, stored: value, what: "state entry \(Hex.encode(key)) of outlet \(outletID)"))
        }
        return visited
    }
}
