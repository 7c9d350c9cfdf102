#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Receipts waiting for the printer, on disk: a sale never waits for paper. Each job is
/// a file written to a temporary name, fsynced, renamed and the directory fsynced, so a
/// job survives a crash once ``enqueue(_:original:copy:)`` returns. A job is marked
/// "attempted" durably before its bytes are sent; a job that was attempted and not
/// confirmed is printed as its COPY next time (nobody can know whether the first one
/// came out). Bounded: at most ``jobsMax`` jobs.
public struct ReceiptQueue: Sendable {
    public static let jobsMax = 10_000
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A queued receipt.
    public struct Job: Sendable, Equatable {
        public let name: String
        public let original: [UInt8]
        public let copy: [UInt8]
        public let attempts: UInt8
    }

    /// Adds a receipt (its bytes and its reprint's bytes) under a unique id (the
    /// transaction id): enqueueing the same id twice keeps one job.
    public func enqueue(_ id: String, original: [UInt8], copy: [UInt8]) throws {
        let jobs = try names()
        guard !jobs.contains(where: { $0.hasSuffix("-\(id).job") }) else { return }
        guard jobs.count < ReceiptQueue.jobsMax else { throw DeviceError.unavailable("receipt queue is full (\(jobs.count) jobs)") }
        let sequence = (jobs.last.flatMap { UInt64($0.prefix(16)) } ?? 0) + 1
        let name = String(format: "%016llu", sequence) + "-\(id).job"
        try write(Job(name: name, original: original, copy: copy, attempts: 0))
    }

    /// Jobs in the order they were queued.
    public func pending() throws -> [Job] {
        try names().map { name in
            let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            guard data.count >= 9 else { throw DeviceError.invalidData("queue job \(name) is truncated") }
            let attempts = data[0]
            let originalLength = Int(UInt32(data[1]) << 24 | UInt32(data[2]) << 16 | UInt32(data[3]) << 8 | UInt32(data[4]))
            guard data.count >= 9 + originalLength else { throw DeviceError.invalidData("queue job \(name) is truncated") }
            let original = Array(data[5..<(5 + originalLength)])
            let copy = Array(data[(9 + originalLength)...])
            return Job(name: name, original: original, copy: copy, attempts: attempts)
        }
    }

    /// Prints every pending job in order while the printer is ready; returns how many
    /// printed. Stops at the first job that cannot print (it stays queued).
    @discardableResult
    public func drain(to printer: ReceiptPrinter) throws -> Int {
        var printed = 0
        for job in try pending() {
            if let status = try printer.status(), !status.ready { throw DeviceError.notReady("printer \(printer.profile.name) is \(status)") }
            try write(Job(name: job.name, original: job.original, copy: job.copy, attempts: job.attempts &+ 1))
            try printer.transport.write(job.attempts == 0 ? job.original : job.copy)
            try remove(job.name)
            printed += 1
        }
        return printed
    }

    private func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".job") }.sorted()
    }

    private func write(_ job: Job) throws {
        var data: [UInt8] = [job.attempts]
        for part in [job.original] {
            let n = UInt32(part.count)
            data += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + part
        }
        let n = UInt32(job.copy.count)
        data += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + job.copy
        let temporary = directory + "/." + job.name + ".tmp"
        try durableWrite(data, to: temporary)
        guard rename(temporary, directory + "/" + job.name) == 0 else { throw DeviceError.io("cannot rename \(temporary)") }
        try syncDirectory()
    }

    private func remove(_ name: String) throws {
        guard unlink(directory + "/" + name) == 0 else { throw DeviceError.io("cannot remove queue job \(name)") }
        try syncDirectory()
    }

    private func durableWrite(_ data: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeviceError.io("cannot create \(path)") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else { throw DeviceError.io("cannot write \(path)") }
    }

    private func syncDirectory() throws {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DeviceError.io("cannot open \(directory)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DeviceError.io("cannot sync \(directory)") }
    }
}
