import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// Sales and GST figures kept per outlet, period and calendar day, so a report over years
/// of blocks reads a few hundred buckets instead of every block (docs/REPORTS.md,
/// "Aggregates"). Node-local derived data in its own LMDB environment,
/// `<data directory>/reports` — never ledger data: dropping it loses nothing, and
/// `sgpos report rebuild` recomputes it from the chains. The node folds new blocks in
/// shortly after they are appended; a report adds the blocks not folded yet itself, so it
/// is exact whatever the aggregates' lag. `sgpos audit verify` compares them with the chains.
public final class ReportAggregates: Sendable {
    let environment: LMDBEnvironment
    /// outlet ‖ period ‖ day → bucket.
    let buckets: LMDBDatabase
    /// outlet ‖ Z number → business date (`YYYY-MM-DD`).
    let zDates: LMDBDatabase
    /// outlet → last folded height ‖ its block id ‖ the open period.
    let watermarks: LMDBDatabase

    /// The directory of a data directory's aggregates.
    public static func directory(_ dataDirectory: String) -> String { dataDirectory + "/reports" }

    /// Opens the aggregates of `dataDirectory`, creating them (empty) when `create`.
    /// Nil when they do not exist and `create` is false.
    public static func open(dataDirectory: String, create: Bool, durability: Durability = .durable) throws -> ReportAggregates? {
        let directory = directory(dataDirectory)
        if !FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            guard create else { return nil }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return try ReportAggregates(environment: LMDBEnvironment(directory: directory, mapSizeBytes: 64 << 20, durability: durability))
    }

    private init(environment: LMDBEnvironment) throws {
        self.environment = environment
        buckets = try environment.openDatabase("buckets")
        zDates = try environment.openDatabase("z-dates")
        watermarks = try environment.openDatabase("watermarks")
    }

    /// Folds every outlet's blocks not folded yet, at most `maxBlocks` per outlet per
    /// write transaction, until every outlet is at its head (or after `steps` write
    /// transactions per outlet). Returns the blocks folded. With `alerting`, each
    /// transaction folded is also checked against those exception thresholds, and every
    /// exception of one transaction (docs/REPORTS.md, "exceptions": a void, a refund, a
    /// no-sale opening, a large discount, a cash variance, a points adjustment — not a
    /// member's pace, which needs a whole day) goes to `onAlert` once its step is written.
    /// A watermark whose block is no longer on the chain (a restored store) starts that
    /// outlet again from height 1. Safe to run from several processes: each step checks
    /// the watermark it folded from in its write transaction. `progress`, when given, is
    /// called after each step written with the blocks folded so far and the blocks there
    /// were to fold (over every outlet, counted before the first step).
    @discardableResult
    public func catchUp(_ store: LedgerStore, maxBlocks: UInt64 = 512, steps stepsMax: Int = 1_000_000,
                        alerting thresholds: ExceptionsReport.Thresholds? = nil,
                        onAlert: (ExceptionsReport.Item) -> Void = { _ in },
                        progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws -> Int {
        var folded = 0
        let pending = progress == nil ? 0 : try pendingBlocks(store)
        for outlet in store.genesis.outlets.map(\.id) {
            var steps = 0
            while steps < stepsMax {  // bounded: each step folds ≥ 1 block or stops
                steps += 1
                let watch = ReportRange(from: .init(year: 1, month: 1, day: 1), to: .init(year: 9_999, month: 12, day: 31))
                var alerts = thresholds.map { ExceptionsReport(range: watch, thresholds: $0, outlets: [outlet], heads: []) }
                let step = try store.environment.read { transaction -> (raw: Watermark?, start: OutletFold, fold: OutletFold)? in
                    let (raw, start): (Watermark?, OutletFold) = try environment.read { aggregates in
                        (try self.watermark(outlet, aggregates), try self.stored(outlet, aggregates, store: store, transaction))
                    }
                    let head = try store.head(outlet, transaction)
                    guard start.height < head.height else { return nil }
                    var fold = OutletFold(period: start.period, height: start.height, blockID: start.blockID)
                    try LedgerWalk(store: store).fold(outlet, into: &fold, through: head.height, maxBlocks: maxBlocks, transaction,
                                                      visit: thresholds == nil ? nil : { alerts?.add($0) })
                    return (raw, start, fold)
                }
                guard let step, step.fold.height > step.start.height else { break }
                let (raw, start, fold) = step
                let written = try environment.write { transaction -> Bool in
                    let now = try watermark(outlet, transaction)
                    guard now?.height == raw?.height, now?.blockID == raw?.blockID else { return false }
                    if start.height == 0 { try clear(outlet, transaction) }
                    for (key, delta) in fold.buckets {
                        let keyBytes = key.bytes(outlet: outlet)
                        var bucket = try transaction.get(buckets, keyBytes).map { try ReportBucket(bytes: $0) } ?? ReportBucket()
                        bucket.merge(delta)
                        try transaction.put(buckets, keyBytes, bucket.bytes)
                    }
                    for (period, date) in fold.zDates {
                        try transaction.put(zDates, Self.zKey(outlet, period), Array(date.description.utf8))
                    }
                    var value = CanonicalEncoder(capacity: 48)
                    value.writeU64(fold.height)
                    (fold.blockID ?? .zero).encode(to: &value)
                    value.writeU64(fold.period)
                    try transaction.put(watermarks, Self.outletKey(outlet), value.bytes)
                    return true
                }
                if written {
                    folded += Int(fold.height - start.height)
                    for item in alerts?.items ?? [] where item.kind != "member-velocity" { onAlert(item) }
                    progress?(UInt64(folded), max(pending, UInt64(folded)))
                }
            }
        }
        return folded
    }

    /// Drops every bucket and folds every chain again from height 1, telling `progress`
    /// (when given) the blocks folded so far and the blocks of every chain.
    public func rebuild(_ store: LedgerStore, progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws -> Int {
        try environment.write { transaction in
            for outlet in store.genesis.outlets.map(\.id) { try clear(outlet, transaction) }
        }
        return try catchUp(store, progress: progress)
    }

    /// The blocks not folded yet over every outlet: each chain's head height less the
    /// height its stored fold reaches.
    func pendingBlocks(_ store: LedgerStore) throws -> UInt64 {
        try store.environment.read { ledger in
            try environment.read { aggregates in
                try store.genesis.outlets.map(\.id).reduce(UInt64(0)) { sum, outlet in
                    let head = try store.head(outlet, ledger).height
                    let start = try stored(outlet, aggregates, store: store, ledger).height
                    return sum + (head > start ? head - start : 0)
                }
            }
        }
    }

    /// The fold stored for `outlet` (buckets not loaded), or the empty fold when nothing
    /// is stored or the watermark's block is not the chain's block at that height.
    func stored(_ outlet: OutletID, _ transaction: LMDBTransaction, store: LedgerStore, _ ledger: LMDBTransaction) throws -> OutletFold {
        guard let mark = try watermark(outlet, transaction), mark.height > 0,
              let block = try store.blockHeader(outlet, height: mark.height, ledger), block.header.id == mark.blockID
        else { return .empty }
        return OutletFold(period: mark.period, height: mark.height, blockID: mark.blockID)
    }

    /// Calls `body` with each stored bucket of `outlet` whose business date is in
    /// `range`, given the Z dates known (stored ones and `closedLater`).
    func forEachBucket(_ outlet: OutletID, in range: ReportRange, closedLater: [UInt64: CivilTime.Date],
                       _ transaction: LMDBTransaction, _ body: (CivilTime.Date, ReportBucket) throws -> Void) throws {
        var dates = closedLater
        let prefix = Self.outletKey(outlet)
        _ = try transaction.scan(zDates, from: prefix) { key, value in
            guard key.starts(with: prefix), key.count == 12 else { return false }
            var decoder = CanonicalDecoder(Array(key[4...]))
            if let period = try? decoder.readU64("period"), let date = CivilTime.Date(iso: String(decoding: value, as: UTF8.self)) {
                dates[period] = date
            }
            return true
        }
        _ = try transaction.scan(buckets, from: prefix) { keyBytes, value in
            guard keyBytes.starts(with: prefix) else { return false }
            guard let key = BucketKey(bytes: keyBytes) else { return true }
            let date = dates[key.period] ?? CivilTime.date(fromDays: key.day)
            if range.contains(date) { try body(date, try ReportBucket(bytes: value)) }
            return true
        }
    }

    /// The first difference between the stored buckets and the chains folded again from
    /// height 1 up to each stored watermark, or nil when they agree. Holds one outlet's
    /// buckets in memory at a time (one per period and day).
    public func verify(_ store: LedgerStore) throws -> String? {
        try environment.read { transaction in
            try store.environment.read { ledger in
                for outlet in store.genesis.outlets.map(\.id) {
                    guard let mark = try watermark(outlet, transaction) else { continue }
                    var fold = OutletFold.empty
                    try LedgerWalk(store: store).fold(outlet, into: &fold, through: mark.height, ledger)
                    guard fold.height == mark.height, fold.blockID == mark.blockID || mark.height == 0 else {
                        return "outlet \(outlet): the aggregates end at height \(mark.height) (\(mark.blockID.hex)), which is not on the chain"
                    }
                    var stored: [BucketKey: ReportBucket] = [:]
                    let prefix = Self.outletKey(outlet)
                    _ = try transaction.scan(buckets, from: prefix) { key, value in
                        guard key.starts(with: prefix) else { return false }
                        if let key = BucketKey(bytes: key) { stored[key] = try ReportBucket(bytes: value) }
                        return true
                    }
                    for key in Set(stored.keys).union(fold.buckets.keys).sorted() where stored[key] != fold.buckets[key] {
                        return "outlet \(outlet): the bucket of period \(key.period), day \(CivilTime.date(fromDays: key.day)) differs from the chain"
                    }
                    guard mark.period == fold.period else {
                        return "outlet \(outlet): the aggregates are in period \(mark.period); the chain is in \(fold.period)"
                    }
                }
                return nil
            }
        }
    }

    typealias Watermark = (height: UInt64, blockID: Hash256, period: UInt64)

    private func watermark(_ outlet: OutletID, _ transaction: LMDBTransaction) throws -> Watermark? {
        guard let bytes = try transaction.get(watermarks, Self.outletKey(outlet)) else { return nil }
        var decoder = CanonicalDecoder(bytes)
        let height = try decoder.readU64("height")
        let id = try Hash256(from: &decoder)
        let period = try decoder.readU64("period")
        try decoder.finish("watermark")
        return (height, id, period)
    }

    private func clear(_ outlet: OutletID, _ transaction: LMDBTransaction) throws {
        for database in [buckets, zDates] {
            var keys: [[UInt8]] = []
            let prefix = Self.outletKey(outlet)
            _ = try transaction.scan(database, from: prefix) { key, _ in
                guard key.starts(with: prefix) else { return false }
                keys.append(key)
                return true
            }
            for key in keys { _ = try transaction.delete(database, key) }
        }
        _ = try transaction.delete(watermarks, Self.outletKey(outlet))
    }

    static func outletKey(_ outlet: OutletID) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 4)
        encoder.writeU32(outlet)
        return encoder.bytes
    }

    static func zKey(_ outlet: OutletID, _ period: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 12)
        encoder.writeU32(outlet)
        encoder.writeU64(period)
        return encoder.bytes
    }
}
