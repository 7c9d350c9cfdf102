import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSStore

/// The blocks of each outlet chain that were covered late (docs/CONSENSUS.md §11): stamped
/// more than the genesis's `lagThresholdMs` before the agreed time of the first checkpoint
/// covering them — an outlet that was cut off, or one whose clock stood still or went back
/// while it traded. Reports use it to say which of their sales were covered late
/// (docs/REPORTS.md, "Covered late"); the audit names the same windows.
///
/// Block times never decrease along a chain (docs/FORMAT.md §8.1), so the late blocks of
/// the range a checkpoint newly covers are a prefix of that range: found by binary search,
/// reading one block per checkpoint and outlet when none is late. Blocks covered only by
/// checkpoints without an agreed time (version 3), or by none yet, are never late.
public struct LateCoverage: Sendable, Equatable {
    /// Consecutive late blocks of one outlet.
    public struct Span: Sendable, Hashable {
        public let outlet: OutletID
        public let firstHeight: UInt64
        public internal(set) var lastHeight: UInt64
        /// The largest lag of a block of the span behind the agreed time covering it.
        public internal(set) var largestLagMs: UInt64

        public func contains(_ height: UInt64) -> Bool { (firstHeight...lastHeight).contains(height) }
    }

    /// Per outlet, its late spans in ascending height order, adjacent ones merged.
    public private(set) var spans: [OutletID: [Span]] = [:]

    /// Nothing late.
    public init() {}

    /// The late spans of `outlets`, from the checkpoints of `consensus` (opened on `store`'s
    /// environment before `transaction` began), counting blocks up to `through[outlet]`
    /// (all covered blocks when absent).
    public init(store: LedgerStore, consensus: ConsensusStorage, outlets: [OutletID], through: [OutletID: UInt64] = [:],
                _ transaction: LMDBTransaction) throws {
        guard store.genesis.hasCheckpointChain else { return }
        let threshold = store.genesis.timeParameters.lagThresholdMs
        var covered = Dictionary(uniqueKeysWithValues: outlets.map { ($0, UInt64(0)) })
        try consensus.forEachCertificate(transaction) { certificate in
            guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value) else { return false }
            for outlet in outlets {
                guard let head = checkpoint.head(of: outlet), head.height > covered[outlet]! else { continue }
                let first = covered[outlet]! + 1
                covered[outlet] = head.height
                guard let time = checkpoint.timeMs, time > threshold else { continue }
                let last = min(head.height, through[outlet] ?? head.height)
                guard first <= last else { continue }
                try self.record(outlet, first: first, last: last, lateBefore: time - threshold, agreedMs: time, store, transaction)
            }
            return true
        }
    }

    /// The span holding `height` of `outlet`, if that block was covered late.
    public func span(_ outlet: OutletID, height: UInt64) -> Span? {
        guard let list = spans[outlet] else { return nil }
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].lastHeight < height { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low].contains(height) ? list[low] : nil
    }

    /// Blocks `first…last` of `outlet` were first covered by a checkpoint of agreed time
    /// `agreedMs`; those stamped before `lateBefore` (a prefix) are late.
    private mutating func record(_ outlet: OutletID, first: UInt64, last: UInt64, lateBefore: UInt64, agreedMs: UInt64,
                                 _ store: LedgerStore, _ transaction: LMDBTransaction) throws {
        func time(_ height: UInt64) throws -> UInt64? {
            try store.blockHeader(outlet, height: height, transaction).map { UInt64($0.header.timestampMs) }
        }
        guard let firstTime = try time(first), firstTime < lateBefore else { return }
        // The last late height: blocks low…high − 1 are late, high…last + 1 are not (invariant).
        var low = first, high = last + 1
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if let stamped = try time(middle), stamped < lateBefore { low = middle } else { high = middle }
        }
        let lag = agreedMs - firstTime
        if var previous = spans[outlet]?.last, previous.lastHeight + 1 == first {
            previous.lastHeight = low
            previous.largestLagMs = max(previous.largestLagMs, lag)
            spans[outlet]![spans[outlet]!.count - 1] = previous
        } else {
            spans[outlet, default: []].append(Span(outlet: outlet, firstHeight: first, lastHeight: low, largestLagMs: lag))
        }
    }
}
