import Foundation
import Testing

/// The test harness itself: a command that outlives its time is killed with every process
/// it started, and the failure shows what it printed, so a hang in CI says where it was.
@Suite struct CLIProcessTests {
    @Test func aDemoThatOutlivesItsTimeIsKilledWithItsNodesAndShowsItsOutput() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let running = try CLI.Running(["demo", "--dir", demo, "--outlets", "2", "--sales", "100000"], input: nil, wrapper: [])
        // Until its nodes run (the demo prints line by line, also into a file): then it is
        // past its start and hours from done.
        var patience = Patience(seconds: 120, checks: 600)
        func printed() -> String { String(decoding: FileManager.default.contents(atPath: running.outputFile) ?? Data(), as: UTF8.self) }
        while patience.keepWaiting(), running.process.isRunning, !printed().contains("nodes running") {
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(printed().contains("nodes running"), "the demo did not get to start its nodes: \(printed())")
        var failure: CLIFailure?
        do {
            _ = try running.finish(timeoutSeconds: 1)
        } catch let caught as CLIFailure {
            failure = caught
        }
        let caught = try #require(failure, "a 200,000-sale demo finished as soon as its nodes ran")
        #expect(caught.timedOut)
        #expect(caught.description.contains("did not finish within 1.0 s"))
        #expect(caught.description.contains("nodes running"), "the output it printed: \(caught.description)")
        // No node of that demo is left running (a killed process's command line is empty).
        var left: [String] = []
        for _ in 0..<50 {
            left = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
                guard pid_t(entry) != nil, let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
                let text = String(decoding: command.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                return text.contains(demo + "/") ? "\(entry): \(text)" : nil
            }
            if left.isEmpty { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(left.isEmpty, "processes of the killed demo still running: \(left)")
    }
}
