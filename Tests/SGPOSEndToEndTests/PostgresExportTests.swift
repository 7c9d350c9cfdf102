import Foundation
import Testing

/// A PostgreSQL server of the test's own: `initdb` and `pg_ctl` (Debian's `postgresql`,
/// which `make test` installs) in a temporary directory, on a free loopback port, no
/// system service. As root the server runs as the `postgres` user (PostgreSQL refuses root).
final class PostgresCluster {
    let directory: String
    let port: Int
    let bin: String
    let asUser: [String]

    var url: String { "postgres://sgpos@127.0.0.1:\(port)/mirror" }

    init() throws {
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = installed.sorted(by: { Int($0) ?? 0 < Int($1) ?? 0 }).last else {
            throw CLIFailure("PostgreSQL is not installed (scripts/bootstrap installs Debian's postgresql)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        directory = NSTemporaryDirectory() + "sgpos-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        asUser = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { try Self.shell(["/bin/chown", "postgres", directory]) }
        port = try Self.freePort()
        try Self.shell(asUser + ["\(bin)/initdb", "-D", directory + "/data", "-U", "sgpos", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try start()
        try Self.shell(["/usr/bin/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "sgpos", "-d", "postgres", "-q", "-c", "CREATE DATABASE mirror"])
    }

    func start() throws {
        try Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-w", "-l", directory + "/log", "-o",
                                 "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
    }

    /// Stops the server at once (no checkpoint: as a crash), then starts it again.
    func crashAndRestart() throws {
        try Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try start()
    }

    func sql(_ statement: String) throws -> String {
        try Self.shell(["/usr/bin/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "sgpos", "-d", "mirror", "-q", "-t", "-A", "-c", statement])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        _ = try? Self.shell(asUser + ["\(bin)/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a command to completion with posix_spawn and waitpid (Foundation's Process did
    /// not reap `runuser` here: it stayed a zombie and the test waited forever); its output
    /// goes through a file.
    @discardableResult
    static func shell(_ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "sgpos-pg-shell-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw CLIFailure("\(arguments[0]) could not start (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw CLIFailure("\(arguments.joined(separator: " ")) failed (status \(status)): \(output)")
        }
        return output
    }

    /// A loopback port nothing listens on now (bound and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CLIFailure("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The PostgreSQL mirror (docs/EXPORT.md) against a real server: the demo network
/// mirrored and verified; the exporter killed with SIGKILL and the server crashed and
/// restarted mid-stream, many times, and still no gap and no duplicate; a changed row
/// found by `export verify`; a mirror of another history refused.
@Suite(.serialized) struct PostgresExportTests {
    @Test func theMirrorSurvivesKillsAndServerCrashesAndAgreesWithTheChain() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 30).status == 0)
        let data = demo + "/outlet-1"
        let cluster = try PostgresCluster()
        // Interrupted exports: SIGKILL as soon as the export has committed a block more than
        // before (so mid-stream, whatever the machine's speed), and every third time the
        // server crashes too.
        func progress() -> Int { Int((try? cluster.sql("SELECT COALESCE(sum(height), 0) FROM sgpos_export_watermark")) ?? "") ?? 0 }
        var kills = 0
        for round in 0..<8 {
            let before = progress()
            let running = try CLI.Running(["export", "postgres", "--data", data, "--url", cluster.url], input: nil, wrapper: [])
            let deadline = Date().addingTimeInterval(30)
            while running.process.isRunning, progress() <= before, Date() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
            if running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                kills += 1
            }
            _ = try? running.finish(timeoutSeconds: 30)
            if round % 3 == 2 { try cluster.crashAndRestart() }
        }
        let finished = try await CLI.run(["export", "postgres", "--data", data, "--url", cluster.url])
        #expect(finished.status == 0, "\(finished.output)\(finished.error)")
        #expect(kills >= 1, "exports killed mid-stream: \(kills) of 8")
        let verified = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(verified.status == 0 && verified.output.contains("OK the mirror"), "\(verified.output)\(verified.error)")
        // No gap, no duplicate: every block of every chain once, every transaction once.
        let heads = try cluster.sql("SELECT string_agg(outlet_id || ':' || height, ',' ORDER BY outlet_id) FROM sgpos_export_watermark")
        let blockRows = try cluster.sql("SELECT count(*) || '/' || count(DISTINCT (outlet_id, height)) || '/' || sum(height) FROM blocks")
        let counts = try cluster.sql("SELECT outlet_id, max(height), count(*) FROM blocks GROUP BY outlet_id ORDER BY outlet_id")
        for line in counts.split(separator: "\n") {
            let parts = line.split(separator: "|").map { Int($0)! }
            #expect(parts[1] == parts[2], "outlet \(parts[0]): heights 1...\(parts[1]) are \(parts[2]) rows")
        }
        #expect(Int(try cluster.sql("SELECT count(*) FROM transactions"))! == Int(try cluster.sql("SELECT sum(transactions) FROM blocks"))!,
                "\(heads) \(blockRows)")
        // A changed row is found and named.
        _ = try cluster.sql("UPDATE sales SET total = total + 5 WHERE tx_id = (SELECT tx_id FROM sales WHERE NOT training LIMIT 1)")
        let tampered = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(tampered.status == 1 && tampered.output.contains("DIFFERENT outlet"), "\(tampered.output)")
        _ = try cluster.sql("UPDATE sales SET total = total - 5 WHERE tx_id = (SELECT tx_id FROM sales WHERE NOT training LIMIT 1)")
        _ = try cluster.sql("UPDATE loyalty_events SET points = points + 1 WHERE tx_id = (SELECT tx_id FROM loyalty_events WHERE kind = 'adjust' LIMIT 1)")
        let points = try await CLI.run(["export", "verify", "--data", data, "--url", cluster.url])
        #expect(points.status == 1 && points.output.contains(": points (earned"), "\(points.output)")
        // A mirror whose watermark names another block is refused, not extended.
        _ = try cluster.sql("UPDATE sgpos_export_watermark SET block_id = repeat('0', 64) WHERE outlet_id = 1")
        let refused = try await CLI.run(["export", "postgres", "--data", data, "--url", cluster.url])
        #expect(refused.status != 0 && refused.error.contains("902"), "\(refused.output)\(refused.error)")
    }

    /// A node with `exportPostgresURL` in its configuration mirrors the chains as they grow:
    /// the demo's first node, while the network trades.
    @Test func aNodeMirrorsTheChainsAsItRuns() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        let cluster = try PostgresCluster()
        let result = try await CLI.run(["demo", "--dir", demo, "--outlets", "4", "--sales", "20", "--export-postgres", cluster.url],
                                       timeoutSeconds: 180)
        #expect(result.status == 0, "\(result.output.suffix(2_000))\(result.error.suffix(2_000))")
        let marks = try cluster.sql("SELECT count(*) FROM sgpos_export_watermark WHERE height > 0")
        #expect(marks == "4", "the node mirrored every outlet's chain while it ran (\(marks) watermarks)")
        let log = try String(contentsOfFile: demo + "/node-1.log", encoding: .utf8)
        #expect(log.contains("mirroring the chains into postgres://sgpos@127.0.0.1"), "node-1.log says it mirrors")
        // Whatever the node had not mirrored when it stopped, a run finishes; then they agree.
        let finished = try await CLI.run(["export", "postgres", "--data", demo + "/outlet-1", "--url", cluster.url])
        #expect(finished.status == 0, "\(finished.output)\(finished.error)")
        let verified = try await CLI.run(["export", "verify", "--data", demo + "/outlet-1", "--url", cluster.url])
        #expect(verified.status == 0, "\(verified.output)\(verified.error)")
    }
}
