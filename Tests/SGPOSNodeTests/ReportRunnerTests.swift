import Foundation
@testable import SGPOSNode
import SGPOSReports
import SGPOSStore
import SGPOSTestSupport
import Synchronization
import Testing

/// Reports run one at a time off the cooperative pool, and no more than `waitingMax` are
/// admitted: the rest are refused at once (the API's 503), never queued without bound.
@Suite struct ReportRunnerTests {
    final class Gate: Sendable {
        let open = Mutex(false)
    }

    @Test func reportsBeyondTheLimitAreRefusedNotQueued() async throws {
        let directory = DecisionStorageTests.Directory()
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: TestNetwork().genesis)
        let runner = ReportRunner(reports: Reports(store: store), waitingMax: 2)
        let gate = Gate()
        // Two reports that hold the queue until released.
        let held = (0..<2).map { _ in
            Task {
                try await runner.run { _ in
                    while !gate.open.withLock({ $0 }) { usleep(1_000) }
                    return 1
                }
            }
        }
        for _ in 0..<1_000 where runner.admitted < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(runner.admitted == 2)
        await #expect(throws: ReportRunner.Busy.self) { try await runner.run { _ in 0 } }
        gate.open.withLock { $0 = true }
        for task in held { #expect(try await task.value == 1) }
        // Done, they no longer count: a report runs again.
        #expect(runner.admitted == 0)
        #expect(try await runner.run { _ in 7 } == 7)
    }
}
