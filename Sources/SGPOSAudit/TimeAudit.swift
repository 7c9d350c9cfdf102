import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSStore

/// What the audit says about time (docs/CONSENSUS.md §11): per outlet, how far each block's
/// own time lies behind the agreed time of the first checkpoint covering it. An outlet
/// stamps its blocks with its own clock; the checkpoints' time is agreed by the validators.
/// A lag of seconds is replication and checkpoint pace; a lag of hours is an outlet that
/// was cut off (its blocks reached the network late: the offline window) — or one whose
/// clock stood still or went back while it kept trading. The audit cannot tell those two
/// apart from the chain alone; it names every window of consecutive blocks lagging more
/// than the genesis's `lagThresholdMs`, so an auditor asks the outlet which it was. Blocks
/// covered only by checkpoints without an agreed time (version 3) are not counted.
public struct OutletTimeReport: Sendable, Hashable {
    /// One block's lag behind the agreed time of the first checkpoint covering it.
    public struct Lag: Sendable, Hashable {
        public let height: UInt64
        public let blockTimeMs: UInt64
        public let checkpointHeight: UInt64
        public let checkpointTimeMs: UInt64
        /// Agreed time − block time (negative: stamped after the agreed time).
        public var lagMs: Int64 { Int64(bitPattern: checkpointTimeMs &- blockTimeMs) }
    }

    /// Consecutive blocks each lagging more than the threshold.
    public struct Window: Sendable, Hashable {
        public let first: Lag
        public var last: Lag
        public var largestLagMs: Int64
        public var blocks: Int
    }

    public let outlet: OutletID
    /// Blocks covered by checkpoints with an agreed time.
    public internal(set) var blocksTimed = 0
    public internal(set) var largest: Lag?
    public internal(set) var lateWindows: [Window] = []
    /// Blocks stamped more than the precision after the agreed time of the checkpoint
    /// covering them (correct validators prevote no such checkpoint).
    public internal(set) var futureBlocks: [Lag] = []
}

enum TimeAudit {
    /// Windows kept per outlet (the count of further ones is in ``OutletTimeReport/lateWindows``' last).
    static let windowsMax = 100

    static func report(store: LedgerStore) throws -> [OutletTimeReport] {
        guard store.genesis.hasCheckpointChain else { return [] }
        let bounds = store.genesis.timeParameters
        let certificates = try ConsensusStorage(environment: store.environment).all()
        var reports = store.genesis.outlets.map { OutletTimeReport(outlet: $0.id) }
        var covered = Array(repeating: UInt64(0), count: reports.count)
        try store.environment.read { transaction in
            for certificate in certificates {
                guard let checkpoint = try? Checkpoint(canonicalBytes: certificate.value) else { break }
                for (index, report) in reports.enumerated() {
                    guard let head = checkpoint.head(of: report.outlet), head.height > covered[index] else { continue }
                    defer { covered[index] = head.height }
                    guard let time = checkpoint.timeMs else { continue }
                    for height in (covered[index] + 1)...head.height {
                        // A header that does not read is the chain audit's finding (store/blocks).
                        guard let block = try? store.blockHeader(report.outlet, height: height, transaction) else { break }
                        let lag = OutletTimeReport.Lag(height: height, blockTimeMs: UInt64(block.header.timestampMs),
                                                       checkpointHeight: certificate.height, checkpointTimeMs: time)
                        reports[index].record(lag, bounds: bounds)
                    }
                }
            }
        }
        return reports
    }
}

extension OutletTimeReport {
    mutating func record(_ lag: Lag, bounds: CheckpointTimeParameters) {
        blocksTimed += 1
        if largest == nil || lag.lagMs > largest!.lagMs { largest = lag }
        if lag.lagMs < -Int64(bounds.precisionMs), futureBlocks.count < TimeAudit.windowsMax { futureBlocks.append(lag) }
        guard lag.lagMs > Int64(bounds.lagThresholdMs) else { return }
        if var window = lateWindows.last, window.last.height + 1 == lag.height {
            window.last = lag
            window.largestLagMs = max(window.largestLagMs, lag.lagMs)
            window.blocks += 1
            lateWindows[lateWindows.count - 1] = window
        } else if lateWindows.count < TimeAudit.windowsMax {
            lateWindows.append(Window(first: lag, last: lag, largestLagMs: lag.lagMs, blocks: 1))
        }
    }
}
