#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The one writer of a ledger: an exclusive `flock` on `writer.lock` in the ledger's
/// LMDB directory, held while any ``OutletChainWriter`` of this process writes there.
///
/// A node and a CLI command (`till`, `chain append`) appending to the same data
/// directory at once would each commit valid blocks, but the node's block feed, rule
/// cache and peers would not hear of the CLI's; so a second process is refused with the
/// directory and the holder's pid instead. Writers in one process share the lock (it
/// is counted), so a node restarted in-process, a test or the demo may open several.
/// Readers (`audit verify`, `chain show`, backups) never take it.
public final class WriterLock: Sendable {
    /// Open lock descriptors of this process by path, with how many writers share each.
    private static let held = Mutex<[String: (descriptor: Int32, holders: Int)]>([:])
    /// The lock file.
    public let path: String

    /// What a writer refused because another process holds the lock is told to do.
    public static let submitAdvice = "submit through its API (POST /v1/transactions, the web till) or stop it first"

    /// Takes (or shares) the lock on `directory/writer.lock`; throws
    /// ``StoreError/locked(_:)`` when another process holds it, naming its pid and `advice`.
    public init(directory: String, advice: String = WriterLock.submitAdvice) throws {
        path = directory + "/writer.lock"
        try Self.held.withLock { held in
            if let entry = held[path] {
                held[path] = (entry.descriptor, entry.holders + 1)
                return
            }
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw StoreError.locked("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let reason = errno
                var buffer = [UInt8](repeating: 0, count: 32)
                let count = pread(descriptor, &buffer, 31, 0)
                close(descriptor)
                let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingNewlines : "?"
                throw StoreError.locked(reason == EWOULDBLOCK
                    ? "\(directory) is being written by another process (pid \(holder)), most likely the running node: "
                        + advice
                    : "cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = pwrite(descriptor, pid, pid.count, 0)
            held[path] = (descriptor, 1)
        }
    }

    deinit {
        Self.held.withLock { held in
            guard let entry = held[path] else { return }
            if entry.holders > 1 {
                held[path] = (entry.descriptor, entry.holders - 1)
            } else {
                held[path] = nil
                close(entry.descriptor)  // releases the flock
            }
        }
    }
}

private extension String {
    var trimmingNewlines: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
