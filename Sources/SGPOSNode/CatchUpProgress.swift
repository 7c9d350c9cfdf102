import Foundation
import Logging
import SGPOSChain
import Synchronization

/// Progress of catching up an outlet chain from the peers (a new node, or one back from a
/// long absence): when a peer announces a head more than ``thresholdBlocks`` ahead of this
/// node's copy, the node logs at info level every ``intervalSeconds`` how far it is — done
/// of total, the rate and the time left — and once when it has caught up.
final class CatchUpProgress: Sendable {
    static let thresholdBlocks: UInt64 = 100
    static let intervalSeconds: Double = 5

    private struct Run {
        var fromHeight: UInt64
        var target: UInt64
        var started: ContinuousClock.Instant
        var lastLogged: ContinuousClock.Instant
    }

    private let runs = Mutex<[OutletID: Run]>([:])
    private let logger: Logger
    private let clock = ContinuousClock()

    init(logger: Logger) { self.logger = logger }

    /// A peer announced `outlet`'s chain at `announced`; this node holds `local`.
    func announced(_ outlet: OutletID, local: UInt64, announced: UInt64) {
        guard announced > local else { return }
        let now = clock.now
        let started: Bool = runs.withLock { runs in
            if var run = runs[outlet] {
                run.target = max(run.target, announced)
                runs[outlet] = run
                return false
            }
            guard announced - local > Self.thresholdBlocks else { return false }
            runs[outlet] = Run(fromHeight: local, target: announced, started: now, lastLogged: now)
            return true
        }
        if started { logger.info("catching up outlet \(outlet)'s chain: \(local) of \(announced) blocks held") }
    }

    /// This node now holds `outlet`'s chain up to `height`.
    func applied(_ outlet: OutletID, height: UInt64) {
        let now = clock.now
        let line: String? = runs.withLock { runs in
            guard var run = runs[outlet] else { return nil }
            let seconds = Self.seconds(now - run.started)
            let rate = seconds > 0 ? Double(height - min(height, run.fromHeight)) / seconds : 0
            if height >= run.target {
                runs[outlet] = nil
                return "caught up outlet \(outlet)'s chain at height \(height): \(height - min(height, run.fromHeight)) blocks in "
                    + String(format: "%.1f s (%.0f blocks/s)", seconds, rate)
            }
            guard Self.seconds(now - run.lastLogged) >= Self.intervalSeconds else { return nil }
            run.lastLogged = now
            runs[outlet] = run
            let left = rate > 0 ? Double(run.target - height) / rate : .infinity
            return "catching up outlet \(outlet)'s chain: \(height) of \(run.target) blocks ("
                + String(format: "%.0f blocks/s, about %@ left)", rate, left.isFinite ? String(format: "%.0f s", left) : "? s")
        }
        if let line { logger.info("\(line)") }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
