import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where printer bytes go: USB (libusb), a network printer's raw port 9100, a file, or
/// memory (tests). Every call is bounded by a timeout.
public protocol PrinterTransport: Sendable {
    func write(_ bytes: [UInt8]) throws
    /// Up to `count` bytes, or fewer when `timeoutMs` passes (empty on timeout).
    func read(count: Int, timeoutMs: Int) throws -> [UInt8]
    /// Writes a request and reads its reply in one session (status queries).
    func query(_ request: [UInt8], replyTimeoutMs: Int) throws -> [UInt8]
}

extension PrinterTransport {
    public func query(_ request: [UInt8], replyTimeoutMs: Int) throws -> [UInt8] {
        try write(request)
        return try read(count: 1, timeoutMs: replyTimeoutMs)
    }
}

/// Bytes appended to a file (a spool to render later, or a printer's device node).
public struct FileTransport: PrinterTransport {
    public let path: String
    public init(path: String) { self.path = path }

    public func write(_ bytes: [UInt8]) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DeviceError.unavailable("cannot open \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    public func read(count: Int, timeoutMs: Int) throws -> [UInt8] { [] }
    /// A file cannot answer a status query: nothing is written, no status is known.
    public func query(_ request: [UInt8], replyTimeoutMs: Int) throws -> [UInt8] { [] }
}

/// A network printer's raw TCP port (9100), with connect, send and receive timeouts.
public struct TCPTransport: PrinterTransport {
    public let host: String
    public let port: UInt16
    public let timeoutMs: Int

    public init(host: String, port: UInt16 = 9100, timeoutMs: Int = 3_000) {
        self.host = host
        self.port = port
        self.timeoutMs = timeoutMs
    }

    private func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DeviceError.io("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw DeviceError.notFound("\(host) is not an IPv4 address")
        }
        var timeout = timeval(tv_sec: timeoutMs / 1_000, tv_usec: Int((timeoutMs % 1_000) * 1_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw DeviceError.unavailable("printer \(host):\(port) does not answer: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    public func write(_ bytes: [UInt8]) throws {
        let fd = try connect()
        defer { close(fd) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw DeviceError.io("sending to \(host):\(port) failed after \(sent) bytes") }
            sent += n
        }
    }

    public func read(count: Int, timeoutMs: Int) throws -> [UInt8] { [] }
    /// Raw port 9100 is one-way on most printers: no status query.
    public func query(_ request: [UInt8], replyTimeoutMs: Int) throws -> [UInt8] { [] }
}

/// A printer in memory for tests: records what was written, answers status queries with
/// configurable bytes, and can be made to fail.
public final class MemoryPrinter: PrinterTransport, Sendable {
    private struct State {
        var written: [UInt8] = []
        var pendingReply: [UInt8] = []
        var paperStatus: UInt8 = 0x12
        var failWrites = false
    }
    private let state = Mutex(State())

    public var paperStatus: UInt8 {
        get { state.withLock { $0.paperStatus } }
        set { state.withLock { $0.paperStatus = newValue } }
    }
    /// Makes receipt writes fail (status queries still answer): unplugged mid-job.
    public var failWrites: Bool {
        get { state.withLock { $0.failWrites } }
        set { state.withLock { $0.failWrites = newValue } }
    }

    public init() {}

    public var output: [UInt8] { state.withLock { $0.written } }

    public func write(_ bytes: [UInt8]) throws {
        try state.withLock { state throws(DeviceError) in
            if bytes.count == 3 && bytes[0] == 0x10 && bytes[1] == 0x04 {
                state.pendingReply = [bytes[2] == 4 ? state.paperStatus : 0x12]
            } else {
                // A job can fail after the status said ready (unplugged mid-print).
                guard !state.failWrites else { throw DeviceError.unavailable("printer unplugged") }
                state.written += bytes
            }
        }
    }

    public func read(count: Int, timeoutMs: Int) throws -> [UInt8] {
        state.withLock { state in
            defer { state.pendingReply = [] }
            return Array(state.pendingReply.prefix(count))
        }
    }
}
