import Foundation
import SGPOSClient

/// Test helpers shared by the end-to-end suites.
enum ShellScript {
    /// Runs `script` with bash (at most 300 s); standard output and error together.
    static func run(_ script: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("shell-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: output) }
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

extension NodeClient {
    /// The evidence carried by the node's checkpoints from `height` on.
    func checkpointEvidence(from height: UInt64) async throws -> [CheckpointJSON.Evidence] {
        let status = try await checkpointStatus()
        guard status.checkpointHeight >= height else { return [] }
        var found: [CheckpointJSON.Evidence] = []
        for h in height...status.checkpointHeight { found += try await checkpoint(h).evidence }
        return found
    }
}
