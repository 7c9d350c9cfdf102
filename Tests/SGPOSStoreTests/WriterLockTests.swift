import Foundation
import SGPOSStore
import Testing

/// The ledger's one-writer lock, checked from another process with util-linux `flock -n`
/// (exit 1 when the lock is held elsewhere, 0 when it is free).
@Suite struct WriterLockTests {
    /// Tries to take `path`'s lock from a separate process; true when it got it.
    func anotherProcessCanLock(_ path: String) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["-n", path, "true"]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test func anotherProcessIsLockedOutUntilTheLastWriterOfThisOneGoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-lock-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/writer.lock"
        var first: WriterLock? = try WriterLock(directory: directory)
        #expect(try !anotherProcessCanLock(path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n", "the holder's pid is in the file")
        // A second writer of this process shares the lock; it holds after the first goes.
        var second: WriterLock? = try WriterLock(directory: directory)
        first = nil
        #expect(try !anotherProcessCanLock(path))
        second = nil
        #expect(try anotherProcessCanLock(path))
        _ = (first, second)
        // Taken again once free.
        let again = try WriterLock(directory: directory)
        #expect(try !anotherProcessCanLock(path))
        _ = again
    }

    /// An upgrade of a ledger a node is writing is refused with what to do: stop the node
    /// (not "submit through its API", what a refused append is told).
    @Test func anUpgradeOfALedgerInUseSaysStopTheNode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-lock-\(UUID())").path
        let ledger = directory + "/ledger"
        try FileManager.default.createDirectory(atPath: ledger, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: ledger + "/data.mdb", contents: Data())
        // Another process holds the lock for a few seconds (as a running node does).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-n", ledger + "/writer.lock", "sleep", "5"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        var held = false
        for _ in 0..<100 where !held {
            held = try !anotherProcessCanLock(ledger + "/writer.lock")
            if !held { usleep(20_000) }
        }
        #expect(held)
        #expect { _ = try LedgerStore.upgrade(dataDirectory: directory) } throws: { error in
            "\(error)".contains("stop it first: the upgrade rewrites the store") && !"\(error)".contains("submit through its API")
        }
    }
}
