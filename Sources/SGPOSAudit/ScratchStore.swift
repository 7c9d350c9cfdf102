import Foundation
import SGPOSStore

/// A throwaway LMDB store in a temporary directory of its own (MDB_NOSYNC, MDB_WRITEMAP),
/// removed when released: where the audit keeps what outgrows its memory.
final class ScratchStore: Sendable {
    let directory: String
    let environment: LMDBEnvironment
    let database: LMDBDatabase

    /// Makes `parent/sgpos-audit-NAME-XXXXXX`.
    init(parent: String, name: String) throws {
        var template = Array((parent + "/sgpos-audit-\(name)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw AuditScratchError(directory: parent, errno: errno)
        }
        directory = String(cString: made)
        environment = try LMDBEnvironment(directory: directory, mapSizeBytes: 64 << 20, durability: .scratch)
        database = try environment.openDatabase(name)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The audit could not make its scratch directory for a replay too large for memory.
public struct AuditScratchError: Error, CustomStringConvertible {
    public let directory: String
    public let errno: Int32
    public var description: String { "cannot create a scratch directory in \(directory) (errno \(errno)) for the audit's replay" }
}
