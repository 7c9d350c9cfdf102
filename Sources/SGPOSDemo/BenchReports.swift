import Dispatch
import Foundation
import SGPOSChain
import SGPOSOperations
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill
import Synchronization

/// `sgpos bench --only reports` (issue 14, item 4): a network of outlets trading for
/// `days` business days — shift, card sales in blocks of 1,000, shift close and day-close
/// each day, every transaction signed and applied by the real writer — then
/// - the append rate of more such blocks with the report aggregation folding beside it,
///   against the same appends without it (goal: at most 10 % slower);
/// - one outlet-day's sales report and a quarter's network GST return through the
///   aggregates (goals ≤ 50 ms and ≤ 1 s), and the same without them (every block folded).
struct ReportsBench {
    let outlets: Int
    let days: Int
    let salesPerDay: Int
    let directory: String

    static let dayMs = BenchShop.dayMs
    static let startMs = BenchShop.startMs

    func run() throws {
        let (store, network) = try BenchShop.network(outlets: outlets, directory: directory + "/data", chainID: "sgpos-bench-reports")
        var shops = network
        print("reports bench: \(outlets) outlets × \(days) days × \(salesPerDay) five-line card sales = \(outlets * days * salesPerDay) sales, building (untimed)…")
        let built = DispatchTime.now()
        for day in 0..<days {
            for index in shops.indices { try shops[index].trade(day: day, sales: salesPerDay) }
        }
        let heights = try store.environment.read { transaction in try (1...outlets).map { try store.head(UInt32($0), transaction).height } }
        print(String(format: "  built in %.0f s; chain heights %@", seconds(since: built), heights.map(String.init).joined(separator: ", ")))

        // The node's aggregation from nothing: every block folded once.
        let aggregates = try ReportAggregates.open(dataDirectory: directory + "/data", create: true)!
        let folding = DispatchTime.now()
        let folded = try aggregates.catchUp(store)
        let foldSeconds = seconds(since: folding)
        print(String(format: "  aggregates built: %d blocks in %.1f s (%.0f sales/s folded)", folded, foldSeconds,
                     Double(outlets * days * salesPerDay) / foldSeconds))

        // Append with and without the aggregation running beside it, alternating.
        var plainRates: [Double] = []
        var foldingRates: [Double] = []
        for round in 0..<6 {
            let withAggregation = round % 2 == 1
            let stop = Mutex(false)
            let done = DispatchSemaphore(value: 0)
            if withAggregation {
                DispatchQueue.global().async {
                    // As the node runs it (ReportAggregationService): a pass about once a second.
                    while !stop.withLock({ $0 }) {
                        _ = try? aggregates.catchUp(store)
                        for _ in 0..<100 where !stop.withLock({ $0 }) { usleep(10_000) }
                    }
                    done.signal()
                }
            }
            let started = DispatchTime.now()
            var appended = 0
            for index in shops.indices { appended += try shops[index].trade(day: days + round, sales: salesPerDay / 4) }
            let rate = Double(appended) / seconds(since: started)
            if withAggregation {
                stop.withLock { $0 = true }
                done.wait()
                foldingRates.append(rate)
            } else {
                plainRates.append(rate)
            }
        }
        _ = try aggregates.catchUp(store)
        let plain = plainRates.reduce(0, +) / Double(plainRates.count)
        let withFolding = foldingRates.reduce(0, +) / Double(foldingRates.count)
        print(String(format: "  append: %.0f tx/s alone, %.0f tx/s with the aggregation folding beside it: %.1f %% slower (limit 10 %%)",
                     plain, withFolding, (1 - withFolding / plain) * 100))

        // Reports through the aggregates.
        let reports = Reports(store: store, aggregates: aggregates)
        let plainReports = Reports(store: store)
        var dayTimes: [Double] = []
        for sample in 0..<21 {
            let date = CivilTime.singaporeDate(epochMs: Self.startMs + Int64((sample * 7) % days) * Self.dayMs).description
            let range = try ReportRange(from: date, to: date, outlet: UInt32(1 + sample % outlets))
            let started = DispatchTime.now()
            let summary = try reports.sales(range)
            dayTimes.append(seconds(since: started) * 1_000)
            precondition(summary.totals.salesCount == Int64(salesPerDay), "an outlet-day holds its sales")
        }
        dayTimes.sort()
        print(String(format: "  one outlet-day's sales report: median %.1f ms, worst %.1f ms of %d (limit 50 ms)",
                     dayTimes[dayTimes.count / 2], dayTimes.last!, dayTimes.count))
        let quarterEnd = CivilTime.singaporeDate(epochMs: Self.startMs + Int64(min(days, 90) - 1) * Self.dayMs).description
        let quarter = try ReportRange(from: CivilTime.singaporeDate(epochMs: Self.startMs).description, to: quarterEnd)
        var quarterTimes: [Double] = []
        for _ in 0..<5 {
            let started = DispatchTime.now()
            _ = try reports.gst(quarter)
            quarterTimes.append(seconds(since: started) * 1_000)
        }
        quarterTimes.sort()
        print(String(format: "  the network's GST return for %@: median %.0f ms of 5 (limit 1000 ms)", "\(quarter.from)..\(quarter.to)",
                     quarterTimes[2]))
        let started = DispatchTime.now()
        let walked = try plainReports.gst(quarter)
        let walkedMs = seconds(since: started) * 1_000
        let aggregated = try reports.gst(quarter)
        precondition(ReportDocument.gst(walked) == ReportDocument.gst(aggregated), "aggregated and walked GST returns agree")
        print(String(format: "  the same return folded from every block (no aggregates): %.0f ms; both give box 6 S$%@", walkedMs,
                     ReportDocument.gst(aggregated).boxes.values[5] ?? "-"))
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// A benchmark could not build its data.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
