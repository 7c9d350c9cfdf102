import Logging
@testable import SGPOSNode
import Synchronization
import Testing

/// Catching up a chain from the peers says how far it is (docs/OPERATIONS.md, "Metrics"):
/// a start line when a peer announces a head far ahead, and a line when it is caught up.
@Suite struct CatchUpProgressTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    struct Capture: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            lines.all.withLock { $0.append("\(level) \(message)") }
        }
    }

    @Test func aFarHeadStartsALogAndCatchingUpEndsIt() {
        let lines = Lines()
        let progress = CatchUpProgress(logger: Logger(label: "test") { _ in Capture(lines: lines) })
        progress.announced(2, local: 10, announced: 50)           // 40 behind: not worth a line
        progress.applied(2, height: 50)
        #expect(lines.all.withLock { $0 }.isEmpty)
        progress.announced(3, local: 0, announced: 1_000)
        progress.applied(3, height: 400)                          // within the interval: quiet
        progress.announced(3, local: 400, announced: 1_200)       // the target moves
        progress.applied(3, height: 1_000)
        #expect(lines.all.withLock { $0.count } == 1, "still catching up")
        progress.applied(3, height: 1_200)
        let all = lines.all.withLock { $0 }
        #expect(all.count == 2 && all[0] == "info catching up outlet 3's chain: 0 of 1000 blocks held", "\(all)")
        #expect(all[1].hasPrefix("info caught up outlet 3's chain at height 1200: 1200 blocks in "), "\(all)")
    }
}
