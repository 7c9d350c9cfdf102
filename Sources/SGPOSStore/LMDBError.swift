import CLMDB

/// An LMDB call failed. ``code`` is LMDB's (or errno's) return code.
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Int32
    /// The LMDB call, e.g. `mdb_put(state)`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var isMapFull: Bool { code == MDB_MAP_FULL }

    public var description: String {
        let message = String(cString: mdb_strerror(code))
        return "\(operation) failed: \(message) (code \(code))"
    }

    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        guard code == 0 else { throw LMDBError(code: code, operation: operation()) }
    }
}
