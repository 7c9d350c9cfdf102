import Dispatch
import Logging
import Metrics
import ServiceLifecycle
import SGPOSCodec
import SGPOSReports

/// Keeps the node's report aggregates (docs/REPORTS.md, "Aggregates") up with its chains:
/// about once a second it folds the blocks appended or replicated since, on its own
/// queue, off the path that appends (a sale's acknowledgement never waits for it).
public struct ReportAggregationService: Service {
    let node: LedgerNode
    let logger: Logger
    static let periodMs: UInt64 = 1_000
    private static let queue = DispatchQueue(label: "sgpos.node.report-aggregation")

    /// An exception of a newly folded transaction (at the report's default thresholds): a
    /// log line at warning level and `sgpos_report_alerts_total{kind}` (docs/OPERATIONS.md).
    static func raise(_ item: ExceptionsReport.Item, logger: Logger) {
        Counter(label: "sgpos_report_alerts_total", dimensions: [("kind", item.kind)]).increment()
        let amount = item.amount.map { " \("S$" + ReportMoney.text($0))" } ?? ""
        logger.warning("ALERT \(item.kind) outlet \(item.outlet) till \(item.till)\(amount): \(item.detail) (transaction \(item.transactionID.hex.prefix(16)))")
    }

    public init(node: LedgerNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    public func run() async throws {
        guard let aggregates = node.reportAggregates else { return }
        let store = node.store
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let logger = self.logger
                let result = await withCheckedContinuation { continuation in
                    Self.queue.async {
                        continuation.resume(returning: Result {
                            try aggregates.catchUp(store, alerting: ExceptionsReport.Thresholds()) { Self.raise($0, logger: logger) }
                        })
                    }
                }
                switch result {
                case .success(let folded) where folded > 0: logger.debug("report aggregates: \(folded) block(s) folded")
                case .success: break
                case .failure(let error): logger.error("report aggregates could not be updated: \(error)")
                }
                try await Task.sleep(nanoseconds: Self.periodMs * 1_000_000)
            }
        }
    }
}
