import CLMDB
import Glibc

/// How commits reach the disk.
public enum Durability: Sendable {
    /// fsync on every commit (LMDB's default). What every node uses.
    case durable
    /// MDB_NOSYNC: a crash may lose recent commits. Only for tests that exercise logic,
    /// never for a node; crash tests use `.durable`.
    case unsafeNoSyncForTests
    /// MDB_NOSYNC and MDB_WRITEMAP: a throwaway store that nothing reopens after a crash
    /// (the auditor's spilled replay state). Its dirty pages live in the file's mapping,
    /// not in the process's heap.
    case scratch
}

/// One LMDB environment (a directory with data.mdb and lock.mdb) and its named
/// databases. Thread-safe: transactions run in closures, read transactions use
/// MDB_NOTLS, and the map grows (doubling) when a write finds it full.
public final class LMDBEnvironment: @unchecked Sendable {
    // @unchecked: `environment` is an LMDB handle, which LMDB documents as thread-safe
    // for transactions begun with MDB_NOTLS; `mapSize` is only changed under the
    // exclusive side of `gate`, which every transaction holds shared.
    private let environment: OpaquePointer
    private let gate = ResizeGate()
    private var mapSize: Int
    /// The directory holding data.mdb and lock.mdb.
    public let directory: String
    /// The map never grows beyond this (1 TiB).
    public static let mapSizeMax = 1 << 40
    /// Named databases the environment may hold.
    public static let databasesMax: UInt32 = 16

    /// Opens (creating if needed) the environment in `directory`.
    public init(directory: String, mapSizeBytes: Int, durability: Durability) throws(LMDBError) {
        precondition(mapSizeBytes > 0 && mapSizeBytes <= LMDBEnvironment.mapSizeMax, "map size out of range")
        self.directory = directory
        var handle: OpaquePointer?
        try LMDBError.check(mdb_env_create(&handle), "mdb_env_create")
        guard let handle else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try LMDBError.check(mdb_env_set_maxdbs(handle, LMDBEnvironment.databasesMax), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_mapsize(handle, mapSizeBytes), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            switch durability {
            case .durable: break
            case .unsafeNoSyncForTests: flags |= UInt32(MDB_NOSYNC)
            case .scratch: flags |= UInt32(MDB_NOSYNC) | UInt32(MDB_WRITEMAP)
            }
            try LMDBError.check(mdb_env_open(handle, directory, flags, 0o600), "mdb_env_open(\(directory))")
        } catch {
            mdb_env_close(handle)
            throw error
        }
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        self.environment = handle
        self.mapSize = max(mapSizeBytes, info.me_mapsize)
    }

    deinit {
        mdb_env_close(environment)
    }

    /// Current map size in bytes.
    public var currentMapSize: Int { gate.shared { mapSize } }

    /// Bytes of the pages in use up to the last one written (`mdb_env_info`'s last page
    /// number + 1, times the page size): what the data occupies, free pages inside
    /// that range included, without the file's unused tail.
    public var usedBytes: Int {
        gate.shared {
            var info = MDB_envinfo()
            var stat = MDB_stat()
            mdb_env_info(environment, &info)
            mdb_env_stat(environment, &stat)
            return (info.me_last_pgno + 1) * Int(stat.ms_psize)
        }
    }

    /// Opens (creating) a named database. Call before concurrent use.
    public func openDatabase(_ name: String) throws -> LMDBDatabase {
        try write { transaction throws(LMDBError) in try transaction.openDatabase(name) }
    }

    /// Runs `body` in a read-only transaction (a consistent snapshot).
    public func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        try gate.shared { () throws -> T in
            let transaction = try begin(flags: UInt32(MDB_RDONLY))
            defer { mdb_txn_abort(transaction.handle) }
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it (durably, unless the
    /// environment is `.unsafeNoSyncForTests`). If `body` throws, nothing is written.
    /// When the map is full the transaction is aborted, the map doubled and `body` run
    /// again, so `body` must not have effects outside the transaction.
    public func write<T, E: Error>(_ body: (LMDBTransaction) throws(E) -> T) throws -> T {
        for _ in 0..<24 {  // 24 doublings take any start size past mapSizeMax
            do {
                return try writeOnce(body)
            } catch let error as LMDBError where error.isMapFull {
                try grow()
            }
        }
        throw LMDBError(code: MDB_MAP_FULL, operation: "write (map at its maximum size)")
    }

    private func writeOnce<T, E: Error>(_ body: (LMDBTransaction) throws(E) -> T) throws -> T {
        try gate.shared { () throws -> T in
            let transaction = try begin(flags: 0)
            let result: T
            do {
                result = try body(transaction)
            } catch {
                mdb_txn_abort(transaction.handle)
                throw error
            }
            try LMDBError.check(mdb_txn_commit(transaction.handle), "mdb_txn_commit")
            return result
        }
    }

    /// Writes a consistent, compacted copy of the environment into `directory` (which
    /// must exist and be empty) while readers and writers go on: LMDB copies one
    /// read snapshot and drops free pages (`mdb_env_copy2` with MDB_CP_COMPACT).
    public func copy(to directory: String) throws(LMDBError) {
        try gate.shared { () throws(LMDBError) in
            try LMDBError.check(mdb_env_copy2(environment, directory, UInt32(MDB_CP_COMPACT)), "mdb_env_copy2(\(directory))")
        }
    }

    private func grow() throws(LMDBError) {
        try gate.exclusive { () throws(LMDBError) in
            let target = mapSize * 2
            guard target <= LMDBEnvironment.mapSizeMax else {
                throw LMDBError(code: MDB_MAP_FULL, operation: "grow map beyond \(LMDBEnvironment.mapSizeMax) bytes")
            }
            try LMDBError.check(mdb_env_set_mapsize(environment, target), "mdb_env_set_mapsize(\(target))")
            mapSize = target
        }
    }

    private func begin(flags: UInt32) throws(LMDBError) -> LMDBTransaction {
        var handle: OpaquePointer?
        var code = mdb_txn_begin(environment, nil, flags, &handle)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size and try once more.
            try LMDBError.check(mdb_env_set_mapsize(environment, 0), "mdb_env_set_mapsize(0)")
            code = mdb_txn_begin(environment, nil, flags, &handle)
        }
        try LMDBError.check(code, "mdb_txn_begin")
        return LMDBTransaction(handle: handle!)
    }
}

/// A named database handle (valid for the environment's lifetime).
public struct LMDBDatabase: Sendable {
    let handle: MDB_dbi
    public let name: String
}
