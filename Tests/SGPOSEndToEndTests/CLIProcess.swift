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
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CLIFailure("sgpos binary not found at \(binary); run `swift build` (make test does) first")
        }
        let process = Process()
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = wrapper + [binary] + arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let outputFile = NSTemporaryDirectory() + "sgpos-out-\(UUID().uuidString)"
        let errorFile = outputFile + ".err"
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
        }
        process.standardOutput = FileHandle(forWritingAtPath: outputFile)
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CLIFailure("sgpos \(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        let output = String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
        let error = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
        return Result(status: process.terminationStatus, output: output, error: error)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
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
