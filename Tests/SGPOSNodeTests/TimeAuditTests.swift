import SGPOSChain
@testable import SGPOSAudit
import Testing

/// What the audit says about time (docs/CONSENSUS.md §11): each block's lag behind the
/// agreed time of the first checkpoint covering it, runs of consecutive blocks beyond the
/// genesis threshold, blocks from the future.
@Suite struct TimeAuditTests {
    let bounds = CheckpointTimeParameters(precisionMs: 500, messageDelayMs: 2_000, lagThresholdMs: 60_000)

    func lag(_ height: UInt64, block: UInt64, checkpoint: UInt64 = 9, agreed: UInt64) -> OutletTimeReport.Lag {
        .init(height: height, blockTimeMs: block, checkpointHeight: checkpoint, checkpointTimeMs: agreed)
    }

    @Test func lateBlocksFormWindowsOfConsecutiveHeights() {
        var report = OutletTimeReport(outlet: 3)
        report.record(lag(1, block: 1_000, agreed: 2_000), bounds: bounds)            // 1 s: on time
        report.record(lag(2, block: 2_000, agreed: 2_000 + 60_000), bounds: bounds)   // exactly the threshold: not late
        report.record(lag(3, block: 3_000, agreed: 3_000 + 60_001), bounds: bounds)   // late
        report.record(lag(4, block: 4_000, agreed: 4_000 + 90_000), bounds: bounds)   // late, same window
        report.record(lag(5, block: 200_000, agreed: 201_000), bounds: bounds)        // on time: the window closes
        report.record(lag(7, block: 300_000, agreed: 400_000), bounds: bounds)        // late again: a second window
        #expect(report.blocksTimed == 6)
        #expect(report.lateWindows.count == 2)
        #expect(report.lateWindows[0].first.height == 3 && report.lateWindows[0].last.height == 4 && report.lateWindows[0].blocks == 2)
        #expect(report.lateWindows[0].largestLagMs == 90_000)
        #expect(report.lateWindows[1].first.height == 7 && report.lateWindows[1].blocks == 1)
        #expect(report.largest?.height == 7 && report.largest?.lagMs == 100_000)
        #expect(report.futureBlocks.isEmpty)
    }

    @Test func aBlockStampedPastThePrecisionAfterItsCheckpointIsFromTheFuture() {
        var report = OutletTimeReport(outlet: 1)
        report.record(lag(1, block: 10_500, agreed: 10_000), bounds: bounds)   // 500 ms after: within the precision
        report.record(lag(2, block: 10_501, agreed: 10_000), bounds: bounds)   // 501 ms after: from the future
        #expect(report.futureBlocks.map(\.height) == [2] && report.futureBlocks[0].lagMs == -501)
        #expect(report.largest?.height == 1 && report.largest?.lagMs == -500)
    }
}
