import Foundation
import Testing

/// Runs the real `sgpos` binary (built by `swift build`; `make test` builds it first).
enum CLI {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binary: String {
        ProcessInfo.processInfo.environment["SGPOS_BIN"] ?? packageRoot + "/.build/debug/sgpos"
    }

    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs `sgpos arguments…` to completion (bounded by `timeoutSeconds`).
    /// `wrapper` runs the binary under another program (`umockdev-run … --`).
    static func run(_ arguments: [String], input: String? = nil, timeoutSeconds: Double = 120, wrapper: [String] = []) throws -> Result {
        let running = try Running(arguments, input: input, wrapper: wrapper)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while running.process.isRunning && Date() < deadline { usleep(5_000) }
        return try running.finish(timeoutSeconds: timeoutSeconds)
    }

    /// The same from an async test: it waits by suspending, so a test that waits on a
    /// child process does not hold one of the few threads every async test shares (on a
    /// 2-core machine, two blocked threads stall every other test's health checks).
    static func run(_ arguments: [String], input: String? = nil, timeoutSeconds: Double = 120, wrapper: [String] = []) async throws -> Result {
        let running = try Running(arguments, input: input, wrapper: wrapper)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while running.process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        return try running.finish(timeoutSeconds: timeoutSeconds)
    }

    /// Runs `sgpos demo` into `directory` and records a test issue with the end of its
    /// output and of every node's log when it fails, so a failure in CI says what broke.
    @discardableResult
    static func demo(_ directory: String, outlets: Int, sales: Int, timeoutSeconds: Double = 240,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        do {
            let result = try run(["demo", "--dir", directory, "--outlets", "\(outlets)", "--sales", "\(sales)"], timeoutSeconds: timeoutSeconds)
            recordDemoFailure(result, directory: directory, sourceLocation: sourceLocation)
            return result
        } catch let failure as CLIFailure where failure.timedOut {
            throw CLIFailure(failure.description + nodeLogs(directory), timedOut: true)
        }
    }

    /// The same from an async test (waits by suspending).
    @discardableResult
    static func demo(_ directory: String, outlets: Int, sales: Int, timeoutSeconds: Double = 240, options: [String] = [],
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        do {
            let result = try await run(["demo", "--dir", directory, "--outlets", "\(outlets)", "--sales", "\(sales)"] + options,
                                       timeoutSeconds: timeoutSeconds)
            recordDemoFailure(result, directory: directory, sourceLocation: sourceLocation)
            return result
        } catch let failure as CLIFailure where failure.timedOut {
            throw CLIFailure(failure.description + nodeLogs(directory), timedOut: true)
        }
    }

    private static func recordDemoFailure(_ result: Result, directory: String, sourceLocation: SourceLocation) {
        guard result.status != 0 else { return }
        var report = "sgpos demo exited with \(result.status)\n"
        // Each step that failed, with the lines before it (what the step printed while it
        // waited), wherever it is in the output: the last lines are usually later steps.
        let output = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        for failed in output.indices where output[failed].contains("FAIL") {
            report += "-- output before line \(failed + 1), a FAIL:\n" + output[max(0, failed - 8)...failed].joined(separator: "\n") + "\n"
        }
        report += "-- output (last 40 lines):\n" + output.suffix(40).joined(separator: "\n")
        report += "\n-- stderr (last 20 lines):\n" + result.error.split(separator: "\n").suffix(20).joined(separator: "\n")
        report += nodeLogs(directory)
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }

    /// The end of every node's log in a demo directory, and a crashed node's reason.
    private static func nodeLogs(_ directory: String) -> String {
        var report = ""
        let logs = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
        for log in logs {
            let text = String(decoding: FileManager.default.contents(atPath: directory + "/" + log) ?? Data(), as: UTF8.self)
            let lines = text.split(separator: "\n")
            // A crashed node: its reason and the first frames of its crashed thread, which the
            // last lines (registers, images) do not show.
            if let crash = lines.firstIndex(where: { $0.contains("💣") || $0.contains("Fatal error") || $0.contains("Program crashed") }) {
                report += "\n-- \(log): CRASH\n" + lines[crash...].prefix(40).joined(separator: "\n")
            }
            report += "\n-- \(log) (last 15 lines):\n" + lines.suffix(15).joined(separator: "\n")
        }
        return report
    }

    /// A started `sgpos` child with its output going to scratch files.
    struct Running {
        let arguments: [String]
        let process = Process()
        let outputFile = NSTemporaryDirectory() + "sgpos-out-\(UUID().uuidString)"
        var errorFile: String { outputFile + ".err" }

        init(_ arguments: [String], input: String?, wrapper: [String]) throws {
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw CLIFailure("sgpos binary not found at \(binary); run `swift build` (make test does) first")
            }
            self.arguments = arguments
            if wrapper.isEmpty {
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = arguments
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = wrapper + [binary] + arguments
            }
            process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
            _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: outputFile)
            process.standardError = FileHandle(forWritingAtPath: errorFile)
            let inputPipe = Pipe()
            process.standardInput = inputPipe
            do {
                try process.run()
            } catch {
                removeFiles()
                throw error
            }
            if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
            try inputPipe.fileHandleForWriting.close()
        }

        /// Collects the result once the child is gone; kills it if it outlived its time.
        func finish(timeoutSeconds: Double) throws -> Result {
            defer { removeFiles() }
            if process.isRunning {
                // Its children too (a demo's nodes), or they outlive the test and load the machine.
                for child in Self.descendants(of: process.processIdentifier) { kill(child, SIGKILL) }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                // What it printed before it was killed says where it was stuck.
                let output = String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
                let error = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
                throw CLIFailure("sgpos \(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s\n"
                    + "-- output (last 60 lines):\n" + output.split(separator: "\n").suffix(60).joined(separator: "\n")
                    + "\n-- stderr (last 20 lines):\n" + error.split(separator: "\n").suffix(20).joined(separator: "\n"),
                    timedOut: true)
            }
            process.waitUntilExit()
            let output = String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
            let error = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
            return Result(status: process.terminationStatus, output: output, error: error)
        }

        /// Every process below `root`, from /proc's parent ids.
        static func descendants(of root: pid_t) -> [pid_t] {
            var parents: [pid_t: pid_t] = [:]
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                // "pid (comm) state ppid …": the name may hold spaces and parentheses.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
            }
            var found: [pid_t] = []
            var frontier = [root]
            while let next = frontier.popLast(), found.count < 10_000 {
                let children = parents.filter { $0.value == next }.map(\.key)
                found += children
                frontier += children
            }
            return found
        }

        private func removeFiles() {
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
        }
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    /// The command outlived its time and was killed.
    let timedOut: Bool
    init(_ description: String, timedOut: Bool = false) {
        self.description = description
        self.timedOut = timedOut
    }
}

/// A scratch directory removed at the end of the test.
final class Scratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "sgpos-e2e-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A wait that gives up only after `seconds` of wall time **and** at least `checks`
/// checks: on a loaded 2-core CI machine a waiting test may not be scheduled for a long
/// stretch, and a wall-clock deadline alone would fail it without having looked.
struct Patience {
    private let deadline: Date
    private let checksAtLeast: Int
    private(set) var checks = 0

    init(seconds: Double, checks: Int) {
        deadline = Date().addingTimeInterval(seconds)
        checksAtLeast = checks
    }

    /// Whether to check (once more); counts the check.
    mutating func keepWaiting() -> Bool {
        guard checks < checksAtLeast || Date() < deadline else { return false }
        checks += 1
        return true
    }
}
