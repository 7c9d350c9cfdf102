import Foundation
import SGPOSChain
import SGPOSStore

/// The auditor's replayed state of one outlet chain, in bounded memory. Writes and the
/// entries read collect in a map; when the map's bytes pass ``memoryBytesMax`` they move
/// to a scratch LMDB store (created in a temporary directory the first time, removed when
/// the replay is released), and reads that miss the map are answered from there. So the
/// heap holds at most about ``memoryBytesMax`` of state however long the chain; the
/// scratch store holds the rest on disk (about the size of the node's own state table).
///
/// Used by one thread at a time (one chain's apply thread).
final class ReplayState: StateReader {
    /// Bytes one map entry is counted at beyond its key and value (dictionary slot,
    /// array headers): an estimate that errs high.
    static let entryOverheadBytes = 96

    let memoryBytesMax: Int
    private let scratchParent: String
    /// Each key's value, or nil: a delete (or a read that found nothing) not yet moved to
    /// the scratch store. Without a scratch store a delete just removes the key.
    private var entries: [StateKey: [UInt8]?] = [:]
    private var bytes = 0
    private var scratch: ScratchStore?
    /// How many times the map was moved to disk (0: the whole state fitted in memory).
    private(set) var spills = 0

    /// `memoryBytesMax` bounds the map; `scratchParent` is where the scratch store's
    /// temporary directory is made.
    init(memoryBytesMax: Int, scratchParent: String) {
        precondition(memoryBytesMax > 0, "replay memory must be positive")
        self.memoryBytesMax = memoryBytesMax
        self.scratchParent = scratchParent
    }

    func read(_ key: StateKey) throws -> [UInt8]? {
        if let held = entries[key] { return held }
        guard let scratch else { return nil }
        let value = try scratch.environment.read { try $0.get(scratch.database, key.bytes) }
        remember(key, value)  // the next read of a hot key (a member, a SKU) stays in memory
        try spillIfFull()
        return value
    }

    /// Applies a block's writes (each key's final value; nil deletes), with `overrides` in
    /// place of the writes to their keys (and added where there is none).
    func apply(_ writes: WriteSet, overrides: [StateKey: [UInt8]?] = [:]) throws {
        func put(_ key: StateKey, _ value: [UInt8]?) {
            if value == nil, scratch == nil {
                if let old = entries.removeValue(forKey: key) { bytes -= Self.size(key, old) }
            } else {
                remember(key, value)
            }
        }
        writes.forEachUnordered { key, value in
            if overrides[key] == nil { put(key, value) }
        }
        for (key, value) in overrides { put(key, value) }
        try spillIfFull()
    }

    /// Calls `body` with a reader of the final state and its number of entries.
    func withFinalState<T>(_ body: (_ read: (StateKey) throws -> [UInt8]?, _ count: Int) throws -> T) throws -> T {
        guard let scratch else {
            let count = entries.count
            return try body({ key in self.entries[key] ?? nil }, count)
        }
        try spill()
        return try scratch.environment.read { transaction in
            try body({ key in try transaction.get(scratch.database, key.bytes) }, try transaction.count(scratch.database))
        }
    }

    private func remember(_ key: StateKey, _ value: [UInt8]?) {
        if let old = entries.updateValue(value, forKey: key) { bytes -= Self.size(key, old) }
        bytes += Self.size(key, value)
    }

    private static func size(_ key: StateKey, _ value: [UInt8]?) -> Int {
        key.key.count + (value?.count ?? 0) + entryOverheadBytes
    }

    private func spillIfFull() throws {
        if bytes > memoryBytesMax { try spill() }
    }

    /// Moves every map entry to the scratch store in one write transaction.
    private func spill() throws {
        let scratch = try self.scratch ?? ScratchStore(parent: scratchParent, name: "replay")
        self.scratch = scratch
        try scratch.environment.write { transaction in
            for (key, value) in entries {
                if let value {
                    try transaction.put(scratch.database, key.bytes, value)
                } else {
                    _ = try transaction.delete(scratch.database, key.bytes)
                }
            }
        }
        entries.removeAll(keepingCapacity: true)
        bytes = 0
        spills += 1
    }
}
