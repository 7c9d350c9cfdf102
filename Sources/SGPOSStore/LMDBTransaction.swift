import CLMDB

/// An open LMDB transaction; valid only inside the closure that received it.
public struct LMDBTransaction {
    let handle: OpaquePointer

    /// LMDB's id of the snapshot this transaction reads: two read transactions with the
    /// same id see the same data.
    public var snapshotID: Int { mdb_txn_id(handle) }

    func openDatabase(_ name: String) throws(LMDBError) -> LMDBDatabase {
        var dbi: MDB_dbi = 0
        try LMDBError.check(mdb_dbi_open(handle, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
        return LMDBDatabase(handle: dbi, name: name)
    }

    /// The value stored under `key`, copied out of the map; nil when absent.
    public func get(_ database: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        try getPrefix(database, key, count: Int.max)
    }

    /// At most the first `count` bytes of the value stored under `key` (all of a shorter
    /// one), copied out of the map; nil when absent. For a value's fixed head (a block's
    /// header) without copying the rest.
    public func getPrefix(_ database: LMDBDatabase, _ key: [UInt8], count: Int) throws(LMDBError) -> [UInt8]? {
        precondition(!key.isEmpty && key.count <= 511, "LMDB keys are 1...511 bytes")
        var found: [UInt8]?
        // LMDB never writes through a key pointer: pass the array's storage without copying it.
        let code: Int32 = key.withUnsafeBytes { keyBuffer in
            var keyValue = MDB_val(mv_size: keyBuffer.count, mv_data: UnsafeMutableRawPointer(mutating: keyBuffer.baseAddress))
            var value = MDB_val()
            let code = mdb_get(handle, database.handle, &keyValue, &value)
            if code == 0 { found = Self.copy(MDB_val(mv_size: min(value.mv_size, count), mv_data: value.mv_data)) }
            return code
        }
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_get(\(database.name))")
        return found
    }

    /// Stores `value` under `key`, replacing any previous value.
    public func put(_ database: LMDBDatabase, _ key: [UInt8], _ value: [UInt8], append: Bool = false) throws(LMDBError) {
        precondition(!key.isEmpty && key.count <= 511, "LMDB keys are 1...511 bytes")
        let flags = append ? UInt32(MDB_APPEND) : 0
        // mdb_put copies key and value into the map and never writes through these pointers.
        let code: Int32 = key.withUnsafeBytes { keyBuffer in
            value.withUnsafeBytes { valueBuffer in
                var keyValue = MDB_val(mv_size: keyBuffer.count, mv_data: UnsafeMutableRawPointer(mutating: keyBuffer.baseAddress))
                var dataValue = MDB_val(mv_size: valueBuffer.count, mv_data: UnsafeMutableRawPointer(mutating: valueBuffer.baseAddress))
                return mdb_put(handle, database.handle, &keyValue, &dataValue, flags)
            }
        }
        try LMDBError.check(code, "mdb_put(\(database.name))")
    }

    /// Deletes `key`; returns false when it was absent.
    @discardableResult
    public func delete(_ database: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> Bool {
        var keyBytes = key
        let code: Int32 = keyBytes.withUnsafeMutableBytes { keyBuffer in
            var keyValue = MDB_val(mv_size: keyBuffer.count, mv_data: keyBuffer.baseAddress)
            return mdb_del(handle, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try LMDBError.check(code, "mdb_del(\(database.name))")
        return true
    }

    /// Visits entries in key order starting at the first key ≥ `start` while `body`
    /// returns true, at most `limit` entries. Returns how many were visited.
    @discardableResult
    public func scan(
        _ database: LMDBDatabase, from start: [UInt8] = [], limit: Int = Int.max,
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws -> Int {
        try visit(database, from: start, limit: limit) { key, value in try body(Self.copy(key), Self.copy(value)) }
    }

    /// ``scan(_:from:limit:_:)`` of the keys only: the values are not copied (a scan of
    /// the blocks database's keys would otherwise copy every block).
    @discardableResult
    public func scanKeys(
        _ database: LMDBDatabase, from start: [UInt8] = [], limit: Int = Int.max,
        _ body: (_ key: [UInt8]) throws -> Bool
    ) throws -> Int {
        try visit(database, from: start, limit: limit) { key, _ in try body(Self.copy(key)) }
    }

    private func visit(
        _ database: LMDBDatabase, from start: [UInt8], limit: Int, _ body: (MDB_val, MDB_val) throws -> Bool
    ) throws -> Int {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open(\(database.name))")
        defer { mdb_cursor_close(cursor) }
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        var startBytes = start
        var code: Int32 = startBytes.withUnsafeMutableBytes { buffer in
            if buffer.isEmpty { return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_FIRST) }
            keyValue = MDB_val(mv_size: buffer.count, mv_data: buffer.baseAddress)
            return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
        }
        var visited = 0
        while code == 0 && visited < limit {
            visited += 1
            guard try body(keyValue, dataValue) else { break }
            code = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_NEXT)
        }
        if code != 0 && code != MDB_NOTFOUND { try LMDBError.check(code, "mdb_cursor_get(\(database.name))") }
        return visited
    }

    /// The last entry whose key starts with `prefix`, if any.
    public func last(_ database: LMDBDatabase, prefix: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open(\(database.name))")
        defer { mdb_cursor_close(cursor) }
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        // Position after the prefix range: prefix + 0xff... is not enough for arbitrary
        // keys, so seek to the successor of the prefix and step back once.
        var successor = prefix
        while let lastByte = successor.last, lastByte == 0xff { successor.removeLast() }
        var code: Int32
        if successor.isEmpty {
            code = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_LAST)
        } else {
            successor[successor.count - 1] += 1
            code = successor.withUnsafeMutableBytes { buffer in
                keyValue = MDB_val(mv_size: buffer.count, mv_data: buffer.baseAddress)
                return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
            }
            code = code == 0
                ? mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_PREV)
                : mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_LAST)
        }
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_cursor_get(\(database.name))")
        let key = Self.copy(keyValue)
        guard key.starts(with: prefix) else { return nil }
        return (key, Self.copy(dataValue))
    }

    /// Number of entries in `database`.
    public func count(_ database: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, database.handle, &stat), "mdb_stat(\(database.name))")
        return stat.ms_entries
    }

    /// Bytes of the pages `database` occupies (branch, leaf and overflow pages × page size).
    public func pageBytes(_ database: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, database.handle, &stat), "mdb_stat(\(database.name))")
        return (stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages) * Int(stat.ms_psize)
    }

    private static func copy(_ value: MDB_val) -> [UInt8] {
        guard value.mv_size > 0, let data = value.mv_data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: value.mv_size))
    }
}
