import Dispatch
import Foundation
import SGPOSStore
import Synchronization
import Testing

/// The environment is shared by every thread of a node (`@unchecked Sendable` on an LMDB
/// handle): readers, nested readers and a writer that grows the map must all go on.
@Suite struct LMDBEnvironmentTests {
    @Test func readersAndNestedReadersRunWhileAWriterGrowsTheMap() throws {
        let directory = TemporaryDirectory()
        let environment = try LMDBEnvironment(directory: directory.path, mapSizeBytes: 64 * 1024, durability: .unsafeNoSyncForTests)
        let database = try environment.openDatabase("data")
        let keys = 2_000
        let written = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                if worker == 0 {
                    for index in 0..<keys {
                        try environment.write { transaction in
                            try transaction.put(database, Self.key(index), [UInt8](repeating: UInt8(index % 251), count: 1_024))
                        }
                        written.store(index + 1, ordering: .releasing)
                    }
                    return
                }
                var seen = 0
                while seen < keys {
                    let floor = written.load(ordering: .acquiring)
                    // A snapshot holds every key acknowledged before it began, and a
                    // transaction opened inside it sees at least as much.
                    let (outer, inner) = try environment.read { transaction in
                        let outer = try Self.count(transaction, database)
                        let inner = try environment.read { try Self.count($0, database) }
                        return (outer, inner)
                    }
                    if outer < floor || inner < outer {
                        failures.withLock { $0.append("worker \(worker): \(outer) then \(inner) keys, \(floor) acknowledged") }
                        return
                    }
                    seen = outer
                }
            } catch {
                failures.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(environment.currentMapSize >= 2 * 1_024 * keys, "the map grew from 64 KiB to hold 2 MB")
        #expect(try environment.read { try Self.count($0, database) } == keys)
    }

    @Test func aKeyScanVisitsWhatAFullScanVisits() throws {
        let directory = TemporaryDirectory()
        let environment = try LMDBEnvironment(directory: directory.path, mapSizeBytes: 1 << 20, durability: .unsafeNoSyncForTests)
        let database = try environment.openDatabase("data")
        try environment.write { transaction in
            for index in 0..<50 { try transaction.put(database, Self.key(index * 2), [UInt8](repeating: 7, count: index * 10)) }
        }
        try environment.read { transaction in
            for (start, limit) in [([UInt8](), Int.max), (Self.key(31), 5), (Self.key(98), 10), (Self.key(99), 10), ([0xff], 1)] {
                var full: [[UInt8]] = []
                var keysOnly: [[UInt8]] = []
                let fullCount = try transaction.scan(database, from: start, limit: limit) { key, _ in full.append(key); return true }
                let keyCount = try transaction.scanKeys(database, from: start, limit: limit) { key in keysOnly.append(key); return true }
                #expect(keysOnly == full && keyCount == fullCount)
            }
            var stopped: [[UInt8]] = []
            try transaction.scanKeys(database) { key in stopped.append(key); return stopped.count < 3 }
            #expect(stopped == [Self.key(0), Self.key(2), Self.key(4)])
        }
    }

    static func key(_ index: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(index).bigEndian) { Array($0) } }

    static func count(_ transaction: LMDBTransaction, _ database: LMDBDatabase) throws -> Int {
        var count = 0
        _ = try transaction.scan(database, limit: 1_000_000) { _, _ in
            count += 1
            return true
        }
        return count
    }
}
