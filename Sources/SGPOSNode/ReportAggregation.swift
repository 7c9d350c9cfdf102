import Dispatch
import Logging
import ServiceLifecycle
import SGPOSReports

/// Keeps the node's report aggregates (docs/REPORTS.md, "Aggregates") up with its chains:
/// about once a second it folds the blocks appended or replicated since, on its own
/// queue, off the path that appends (a sale's acknowledgement never waits for it).
public struct ReportAggregationService: Service {
    let node: LedgerNode
    let logger: Logger
    static let periodMs: UInt64 = 1_000
    private static let queue = DispatchQueue(label: "sgpos.node.report-aggregation")

    public init(node: LedgerNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    public func run() async throws {
        guard let aggregates = node.reportAggregates else { return }
        let store = node.store
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let result = await withCheckedContinuation { continuation in
                    Self.queue.async { continuation.resume(returning: Result { try aggregates.catchUp(store) }) }
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
