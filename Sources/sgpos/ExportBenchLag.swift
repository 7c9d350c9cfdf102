import SGPOSChain
import Dispatch
import Foundation
import SGPOSDemo
import SGPOSCommandSupport
import SGPOSExport
import SGPOSStore
import Synchronization

/// `sgpos export bench`'s lag run: a writer appends `rate` sales a second, a block every
/// `blockMs` (as a node cuts them under load), on a thread of its own, while
/// `PostgresMirror.follow` runs as a node runs it; each block's lag is the time its
/// watermark committed in PostgreSQL minus the time its append returned (durable).
struct ExportBenchLag {
    let rate: Int
    let blockMs: Int
    let seconds: Int

    /// Lags in milliseconds (bench timing, not ledger data).
    struct Figures {
        let count: Int
        let p50: Double
        let p99: Double
        let max: Double
        let salesPerSecond: Double
    }

    /// Monotonic nanoseconds by height, written by one side and read by the other.
    final class Times: Sendable {
        let byHeight = Mutex<[UInt64: UInt64]>([:])
        func record(_ heights: some Sequence<UInt64>, at time: UInt64) { byHeight.withLock { for height in heights { $0[height] = time } } }
        func at(_ height: UInt64) -> UInt64? { byHeight.withLock { $0[height] } }
    }

    func run(shop: BenchShop, day: Int, url: String) async throws -> Figures {
        let committed = Times()
        let outlet = shop.outlet
        let store = shop.store
        let following = Task {
            try await withClient(url) { client, logger in
                var mirror = PostgresMirror(store: store, client: client, logger: logger)
                mirror.committed = { mirrored, heights in
                    if mirrored == outlet { committed.record(heights, at: DispatchTime.now().uptimeNanoseconds) }
                }
                try await mirror.follow()
                return 0
            }
        }
        let appended = Times()
        let (head, sold, elapsed) = try await write(shop, day: day, appended: appended)
        // Until the mirror holds the writer's last block (the day-close), at most a minute.
        let deadline = DispatchTime.now().uptimeNanoseconds + 60_000_000_000
        while committed.at(head) == nil {
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                following.cancel()
                throw CLIError("export bench: the mirror did not reach height \(head) of outlet \(outlet) within a minute of the writer's end")
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        following.cancel()
        _ = try? await following.value
        var lags: [Double] = appended.byHeight.withLock { $0 }.compactMap { height, time in
            committed.at(height).map { Double(Int64($0) - Int64(time)) / 1e6 }
        }
        lags.sort()
        guard !lags.isEmpty else { throw CLIError("export bench: no block appended in the lag run") }
        let p99 = lags[Swift.max(0, Int((Double(lags.count) * 0.99).rounded(.up)) - 1)]
        return Figures(count: lags.count, p50: lags[lags.count / 2], p99: p99, max: lags.last!,
                       salesPerSecond: Double(sold) / elapsed)
    }

    /// The writer, on a thread of its own (appends block; sleeping between blocks must not
    /// hold a thread of Swift's cooperative pool): shift open, paced blocks of sales, then
    /// shift close and day-close. Returns the last height, the sales and the seconds they took.
    private func write(_ shop: BenchShop, day: Int, appended: Times) async throws -> (UInt64, Int, Double) {
        let perBlock = rate * blockMs / 1_000
        let blocks = seconds * 1_000 / blockMs
        let blockMs = blockMs
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    var shop = shop
                    var at = BenchShop.startMs + Int64(day) * BenchShop.dayMs
                    try shop.openShift(at: at)
                    let start = DispatchTime.now().uptimeNanoseconds
                    for index in 0..<blocks {
                        let due = start + UInt64(index * blockMs) * 1_000_000
                        let now = DispatchTime.now().uptimeNanoseconds
                        if now < due { usleep(UInt32((due - now) / 1_000)) }
                        at += Int64(blockMs)
                        try shop.sell(perBlock, day: day, at: at)
                        let done = DispatchTime.now().uptimeNanoseconds
                        let height = try shop.store.environment.read { try shop.store.head(shop.outlet, $0).height }
                        appended.record([height], at: done)
                    }
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    try shop.closeDay(at: at + 1_000)
                    let head = try shop.store.environment.read { try shop.store.head(shop.outlet, $0).height }
                    continuation.resume(returning: (head, perBlock * blocks, elapsed))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
