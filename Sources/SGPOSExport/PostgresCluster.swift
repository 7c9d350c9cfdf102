import Foundation
import Synchronization

/// A throwaway PostgreSQL server for the tests and `sgpos export bench`: `initdb` and
/// `pg_ctl` (Debian's `postgresql`, which `make test` installs) in a temporary directory,
/// on a free loopback port, no system service, user `sgpos` trusted, database `mirror`
/// created. As root the server runs as the `postgres` user (PostgreSQL refuses root).
/// Stopped (at once) and removed when the value goes away.
public final class PostgresCluster: Sendable {
    public let directory: String
    /// The port it listens on (a restart may move it when another process took the port).
    public var port: Int { currentPort.withLock { $0 } }
    private let currentPort: Mutex<Int>
    let bin: String
    let asUser: [String]
    let fsync: Bool

    /// `postgres://sgpos@127.0.0.1:PORT/mirror`.
    public var url: String { url(database: "mirror") }

    public func url(database: String) -> String { "postgres://sgpos@127.0.0.1:\(port)/\(database)" }

    /// `fsync: false` (the tests) trades crash safety of the server's files for speed;
    /// the bench keeps it on, as a real mirror would run.
    public init(fsync: Bool = false) throws {
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = installed.sorted(by: { Int($0) ?? 0 < Int($1) ?? 0 }).last else {
            throw PostgresClusterError("PostgreSQL is not installed (scripts/bootstrap installs Debian's postgresql)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        self.fsync = fsync
        directory = NSTemporaryDirectory() + "sgpos-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        asUser = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { try Self.shell(["/bin/chown", "postgres", directory]) }
        currentPort = Mutex(try Self.freePort())
        try Self.shell(asUser + ["\(bin)/initdb", "-D", directory + "/data", "-U", "sgpos", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try start()
        try createDatabase("mirror")
    }

    /// Starts the server (waiting until it accepts connections). When it cannot bind its
    /// port — another process on this busy machine took it meanwhile, say as the local
    /// port of an outgoing connection — it tries again on another free port, three times
    /// in all; a failure names the server log's last lines.
    public func start() throws {
        var attempt = 1
        while true {
            do {
                try Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-w", "-t", "120", "-l", directory + "/log", "-o",
                                         "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=\(fsync ? "on" : "off")", "start"])
                return
            } catch {
                let log = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
                let tail = log.split(separator: "\n").suffix(8).joined(separator: "\n")
                guard attempt < 3, log.contains("already in use") else { throw PostgresClusterError("\(error)\nserver log:\n\(tail)") }
                let next = try Self.freePort()
                currentPort.withLock { $0 = next }
                attempt += 1
            }
        }
    }

    /// Stops the server at once (no checkpoint: as a crash), then starts it again.
    public func crashAndRestart() throws {
        try Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try start()
    }

    public func createDatabase(_ name: String) throws {
        try sql("CREATE DATABASE \(name)", database: "postgres")
    }

    /// Runs `statement` with psql; returns its unaligned, tuples-only output, trimmed.
    @discardableResult
    public func sql(_ statement: String, database: String = "mirror") throws -> String {
        try psql(["-c", statement], database: database).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs psql with `arguments` (e.g. `-f script`) against `database`, stopping at the first error.
    @discardableResult
    public func psql(_ arguments: [String], database: String = "mirror") throws -> String {
        try Self.shell(["/usr/bin/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "sgpos", "-d", database, "-q", "-t", "-A",
                        "-v", "ON_ERROR_STOP=1"] + arguments)
    }

    deinit {
        _ = try? Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a command to completion with posix_spawn and waitpid (Foundation's Process did
    /// not reap `runuser` here: it stayed a zombie and the caller waited forever); its
    /// output goes through a file. The child gets no descriptor of this process but its
    /// standard three: PostgreSQL counts inherited descriptors against
    /// `max_files_per_process` and refused to start ("insufficient file descriptors
    /// available") when a busy test process passed it some 950.
    @discardableResult
    public static func shell(_ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "sgpos-pg-shell-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        Self.closeInheritedDescriptors(&actions)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresClusterError("\(arguments[0]) could not start (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw PostgresClusterError("\(arguments.joined(separator: " ")) failed (status \(status)): \(output)")
        }
        return output
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 on; Swift's Glibc module
    /// does not declare it, so it is looked up by name), closing every descriptor from 3.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    /// A loopback port nothing listens on now (bound and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresClusterError("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why a ``PostgresCluster`` could not be set up or a command against it failed.
public struct PostgresClusterError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
