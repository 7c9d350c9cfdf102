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
public struct AuditScratchError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case cannotCreate = 1
    }

    private let kind: Kind = .cannotCreate
    /// Where the directory was to be made.
    public let directory: String
    /// What mkdtemp(3) set.
    public let errno: Int32

    init(directory: String, errno: Int32) {
        self.directory = directory
        self.errno = errno
    }

    /// Stable code: 1 the scratch directory cannot be created (`--scratch-dir` missing,
    /// not writable or full).
    public var code: UInt16 { kind.rawValue }
    public var description: String { "cannot create a scratch directory in \(directory) (errno \(errno)) for the audit's replay; give --scratch-dir a writable directory" }
}
