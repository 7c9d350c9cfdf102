import Foundation
import Testing

/// The test harness itself: a command that outlives its time is killed with every process
/// it started (a demo's nodes), and the failure shows what it printed, so a hang in CI says
/// where it was. The command here idles (a shell standing in front of the binary, with two
/// children that sleep): no CPU taken from the tests running beside it.
@Suite struct CLIProcessTests {
    @Test func aCommandThatOutlivesItsTimeIsKilledWithItsChildrenAndShowsItsOutput() async throws {
        // `env sh -c SCRIPT <binary> <arguments>`: the script ignores the binary it is given.
        let running = try CLI.Running(["version"], input: nil,
                                      wrapper: ["/bin/sh", "-c", "echo first line; echo last line; sleep 120 & sleep 121 & wait"])
        var patience = Patience(seconds: 60, checks: 300)
        func children() -> [pid_t] { CLI.Running.descendants(of: running.process.processIdentifier) }
        while patience.keepWaiting(), children().count < 2 { try await Task.sleep(nanoseconds: 100_000_000) }
        let started = children()
        #expect(started.count >= 2, "the shell did not start its two children")
        var failure: CLIFailure?
        do {
            _ = try running.finish(timeoutSeconds: 1)
        } catch let caught as CLIFailure {
            failure = caught
        }
        let caught = try #require(failure, "a command that sleeps 120 s finished")
        #expect(caught.timedOut)
        #expect(caught.description.contains("did not finish within 1.0 s"))
        #expect(caught.description.contains("first line\nlast line"), "what it printed: \(caught.description)")
        // Its children are gone too (killed; a zombie until reaped has no command line).
        var alive: [pid_t] = []
        for _ in 0..<50 {
            alive = started.filter { (FileManager.default.contents(atPath: "/proc/\($0)/cmdline")?.count ?? 0) > 0 }
            if alive.isEmpty { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(alive.isEmpty, "children of the killed command still running: \(alive)")
    }
}
