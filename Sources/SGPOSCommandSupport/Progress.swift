#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The progress of a long command (`audit verify`, `report rebuild`, `export postgres`)
/// as one line on standard error that overwrites itself: what is done of the total, the
/// rate and the time left. Shown only when standard error is a terminal, at most about
/// four times a second, with a final newline when finished; when standard error is a
/// pipe or a file it writes nothing at all, so scripts and logs see only the command's
/// own output. Safe to update from any thread.
public final class ProgressLine: Sendable {
    /// The shortest time between two redraws.
    public static let redrawIntervalSeconds = 0.25

    /// What the line is about (`audit verify`).
    public let label: String
    /// What is counted (`blocks`).
    public let unit: String
    /// True when the line is drawn (standard error is a terminal); when false every call
    /// is a no-op, so a caller may skip work done only for the display.
    public let isShown: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var done: UInt64 = 0
        var total: UInt64
        var lastDrawn: ContinuousClock.Instant?
        var finished = false
    }

    /// A line for `total` units of `unit` (it may be set later with ``update(done:total:)``).
    /// `isShown` defaults to whether standard error (file descriptor 2) is a terminal.
    public init(label: String, unit: String, total: UInt64 = 0, isShown: Bool = isatty(2) == 1) {
        self.label = label
        self.unit = unit
        self.isShown = isShown
        started = clock.now
        state = Mutex(State(total: total))
    }

    /// Records that `done` units are done (of `total`, when given) and redraws the line
    /// if the last redraw is more than ``redrawIntervalSeconds`` ago.
    public func update(done: UInt64, total: UInt64? = nil) {
        guard isShown else { return }
        let now = clock.now
        state.withLock { state in
            guard !state.finished else { return }
            state.done = done
            if let total { state.total = total }
            let since = now - (state.lastDrawn ?? started)
            guard Self.seconds(since) >= Self.redrawIntervalSeconds else { return }
            state.lastDrawn = now
            draw(state, elapsed: now - started)
        }
    }

    /// Ends the line: redraws it with the final figures and moves to the next line, if
    /// anything was drawn (a command done within the first redraw interval shows nothing).
    /// Later calls of ``update(done:total:)`` and ``finish()`` do nothing.
    public func finish() {
        guard isShown else { return }
        let now = clock.now
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            guard state.lastDrawn != nil else { return }
            draw(state, elapsed: now - started)
            Self.writeStandardError("\n")
        }
    }

    /// Runs `body`, then finishes the line, also when `body` throws (so an error message
    /// starts on a line of its own).
    public func finishing<T>(_ body: () throws -> T) rethrows -> T {
        defer { finish() }
        return try body()
    }

    /// Awaits `body`, then finishes the line, also when `body` throws.
    public func finishing<T>(_ body: () async throws -> T) async rethrows -> T {
        defer { finish() }
        return try await body()
    }

    private func draw(_ state: State, elapsed: Duration) {
        let text = ProgressText.line(label: label, unit: unit, done: state.done, total: state.total,
                                     elapsedSeconds: Self.seconds(elapsed))
        // Back to the start of the line, clear to its end, then the text.
        Self.writeStandardError("\r\u{1B}[K" + text)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Unbuffered, so the line appears at once and never mixes with buffered output.
    private static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// The text of a ``ProgressLine``: pure formatting, no terminal, no clock.
public enum ProgressText {
    /// `audit verify: 1200/5000 blocks (24%), 400 blocks/s, ETA 9s`; without a total
    /// (0) only what is done and the rate; the ETA is `?` until a rate is known, and
    /// the elapsed time replaces it once everything is done.
    public static func line(label: String, unit: String, done: UInt64, total: UInt64, elapsedSeconds: Double) -> String {
        let perSecond = elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0
        let speed = "\(rate(perSecond)) \(unit)/s"
        guard total > 0 else { return "\(label): \(done) \(unit), \(speed)" }
        let percent = min(100, Int(Double(done) / Double(total) * 100))
        let head = "\(label): \(done)/\(total) \(unit) (\(percent)%), \(speed)"
        if done >= total { return head + ", done in \(duration(elapsedSeconds))" }
        guard perSecond > 0 else { return head + ", ETA ?" }
        return head + ", ETA \(duration(Double(total - done) / perSecond))"
    }

    /// A rate in units per second: one decimal below 10 (`2.5`), whole units above (`1234`).
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "0" }
        if perSecond < 10 {
            let tenths = Int((perSecond * 10).rounded())
            return tenths >= 100 ? "10" : "\(tenths / 10).\(tenths % 10)"
        }
        return perSecond >= Double(Int.max) ? "\(Int.max)" : "\(Int(perSecond.rounded()))"
    }

    /// A time span, rounded up to whole seconds: `45s`, `3m05s`, `2h07m` (minutes
    /// rounded down), `?` when not finite.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        guard seconds < 100 * 24 * 3600 else { return ">99d" }
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + twoDigits(whole % 60) + "s" }
        return "\(whole / 3600)h" + twoDigits(whole % 3600 / 60) + "m"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
