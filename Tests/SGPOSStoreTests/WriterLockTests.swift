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
}
