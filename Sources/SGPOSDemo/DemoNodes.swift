import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCrypto
import SGPOSNode
import SGPOSClient

/// The demo's node processes: one `sgpos node run` per outlet on loopback.
final class DemoNodes {
    struct Node {
        let outlet: OutletID
        let process: Process
        let client: NodeClient
        let data: String
        let log: String
    }

    private(set) var nodes: [Node] = []

    /// Writes every node's configuration (free loopback ports, full mesh) and starts them;
    /// with `cpus` (a `taskset` CPU list such as `1`), each node runs pinned to those CPUs.
    /// Each node's client signs its requests with `reader` (an auditor or admin key: reads
    /// need a request signature, docs/API.md); tills sign their own with `client.signed(by:)`.
    init(directory: String, outlets: [OutletID], reader: SigningKey, cpus: String? = nil, exportPostgresURL: String? = nil) throws {
        let ports = try freeLoopbackPorts(count: 2 * outlets.count, claimedFor: directory)
        let httpPorts = Array(ports.prefix(outlets.count))
        let peerPorts = Array(ports.suffix(outlets.count))
        for (index, outlet) in outlets.enumerated() {
            var config = NodeConfig(
                outletId: outlet, genesis: "genesis.json", nodeKey: "keys/outlet-\(outlet).key",
                http: .init(host: "127.0.0.1", port: httpPorts[index]), peer: .init(host: "127.0.0.1", port: peerPorts[index]),
                peers: outlets.enumerated().filter { $0.offset != index }.map {
                    .init(outletId: $0.element, host: "127.0.0.1", port: peerPorts[$0.offset])
                },
                allowFaultInjection: true)
            if index == 0 { config.exportPostgresURL = exportPostgresURL }  // one node mirrors every chain it holds
            // The receipts and PayNow codes the web till shows (docs/WEB.md).
            config.merchant = DemoShop.merchant
            config.payNow = PayNowAccount(uen: "201900001D", merchantName: "SGPOS DEMO RETAIL")
            config.validatorKeys = ["keys/validator-\(outlet).key", "keys/validator-\(outlet)-next.key"].filter {
                FileManager.default.fileExists(atPath: "\(directory)/\($0)")
            }
            let path = "\(directory)/node-\(outlet).json"
            try writeFile(try JSON.encode(config), to: path)
            let log = "\(directory)/node-\(outlet).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            nodes.append(Node(outlet: outlet, process: try Self.launch(directory: directory, outlet: outlet, cpus: cpus, log: log),
                              client: NodeClient(baseURL: "http://127.0.0.1:\(httpPorts[index])", timeoutSeconds: 5, attemptsMax: 8).signed(by: reader),
                              data: "\(directory)/outlet-\(outlet)", log: log))
        }
        self.directory = directory
        self.cpus = cpus
    }

    private let directory: String
    private let cpus: String?

    /// Starts `sgpos node run` for `outlet` with its configuration `node-OUTLET.json`,
    /// appending its output to `log`.
    private static func launch(directory: String, outlet: OutletID, cpus: String?, log: String) throws -> Process {
        let process = Process()
        let binary = ownExecutable()
        let arguments = ["node", "run", "--data", "\(directory)/outlet-\(outlet)", "--config", "\(directory)/node-\(outlet).json", "--demo-fault-injection"]
        if let cpus {
            // taskset execs the node in place, so the process id is the node's.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["--cpu-list", cpus, binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        let output = FileHandle(forWritingAtPath: log)
        output?.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// SIGKILL to `outlet`'s node (a power cut: nothing is flushed or closed), waiting until it is gone.
    func killHard(_ outlet: OutletID) {
        guard let node = nodes.first(where: { $0.outlet == outlet }), node.process.isRunning else { return }
        kill(node.process.processIdentifier, SIGKILL)
        node.process.waitUntilExit()
    }

    /// Starts `outlet`'s node again (after ``killHard(_:)`` or its own exit), same configuration and data.
    func restart(_ outlet: OutletID) throws {
        guard let index = nodes.firstIndex(where: { $0.outlet == outlet }), !nodes[index].process.isRunning else { return }
        let node = nodes[index]
        nodes[index] = Node(outlet: outlet, process: try Self.launch(directory: directory, outlet: outlet, cpus: cpus, log: node.log),
                            client: node.client, data: node.data, log: node.log)
    }

    /// Waits until every node answers /v1/health and sees all its peers (≤ `seconds`).
    func waitUntilConnected(seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        for node in nodes {
            while true {
                if let health = try? await node.client.health(), health.peersConnected == nodes.count - 1 { break }
                guard Date() < deadline, node.process.isRunning else {
                    throw CLIError("node of outlet \(node.outlet) did not come up with all peers connected; see \(node.log)")
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }

    /// Waits until every node holds every outlet's chain at the producer's head; returns
    /// how long it took, or throws after `seconds`.
    func waitForReplication(seconds: Double) async throws -> Double {
        let started = Date()
        while true {
            var producerHeads: [OutletID: API.Head] = [:]
            var views: [[API.Head]] = []
            for node in nodes {
                let heads = try await node.client.heads()
                views.append(heads)
                producerHeads[node.outlet] = heads.first { $0.outletId == node.outlet }
            }
            let converged = views.allSatisfy { heads in
                nodes.allSatisfy { node in
                    heads.first { $0.outletId == node.outlet }?.blockId == producerHeads[node.outlet]?.blockId
                }
            }
            if converged { return Date().timeIntervalSince(started) }
            guard Date().timeIntervalSince(started) < seconds else {
                throw CLIError("replication did not converge within \(Int(seconds)) s")
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    /// SIGTERM to every node, then waits for each to exit (SIGKILL after 10 s). Returns one
    /// line for each node that did not end cleanly: it died before it was asked to stop,
    /// exited with an error, or had to be killed. Stopping twice reports nothing new.
    @discardableResult
    func stop() -> [String] {
        var problems: [String] = []
        for node in nodes where !stopped.contains(node.outlet) {
            if node.process.isRunning {
                node.process.terminate()
            } else {
                problems.append("node of outlet \(node.outlet) had died before the demo stopped it (\(Self.describeExit(node.process))); see \(node.log)")
            }
        }
        let deadline = Date().addingTimeInterval(10)
        for node in nodes where !stopped.contains(node.outlet) {
            while node.process.isRunning && Date() < deadline { usleep(50_000) }
            if node.process.isRunning {
                kill(node.process.processIdentifier, SIGKILL)
                problems.append("node of outlet \(node.outlet) did not stop within 10 s of SIGTERM and was killed; see \(node.log)")
            }
            node.process.waitUntilExit()
            if node.process.terminationReason == .exit && node.process.terminationStatus != 0,
               !problems.contains(where: { $0.hasPrefix("node of outlet \(node.outlet) ") }) {
                problems.append("node of outlet \(node.outlet) stopped with exit status \(node.process.terminationStatus); see \(node.log)")
            }
            stopped.insert(node.outlet)
        }
        return problems
    }

    private var stopped: Set<OutletID> = []

    private static func describeExit(_ process: Process) -> String {
        process.terminationReason == .exit ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
    }

    deinit { stop() }
}

/// `count` distinct loopback TCP ports that were free a moment ago, claimed for the demo
/// in `directory` so that no other demo on this machine takes them while it exists.
///
/// They are taken below the kernel's ephemeral range (`ip_local_port_range`, 32768 up by
/// default): a port from the ephemeral range that is released here can be handed out again
/// as the source port of any outgoing connection before the node that is meant to listen
/// on it starts, which made nodes fail to bind when tests run side by side. The search
/// starts at an offset derived from the process id so that demos started together probe
/// different ports, and each candidate is checked by binding it.
///
/// A demo's nodes stop when it ends, and tests start them again later from the demo's
/// configurations: a port merely free at that moment could meanwhile go to another demo
/// (two runs on one machine did exactly that). So each port taken is claimed by a file
/// `sgpos-demo-ports/<port>` in the temporary directory holding the demo's directory, made
/// with O_EXCL; a claim is honoured while that directory exists, and taken over once it
/// is gone.
func freeLoopbackPorts(count: Int, claimedFor directory: String) throws -> [Int] {
    precondition(count > 0 && count <= 256, "a demo needs between 1 and 256 ports")
    let low = 20_000, high = 32_000
    let span = high - low
    let start = Int(getpid() % Int32(span / 16)) * 16
    let claims = NSTemporaryDirectory() + "/sgpos-demo-ports"
    try? FileManager.default.createDirectory(atPath: claims, withIntermediateDirectories: true)
    let owner = URL(fileURLWithPath: directory).standardizedFileURL.path
    var ports: [Int] = []
    for step in 0..<span where ports.count < count {
        let port = low + (start + step) % span
        if loopbackPortIsFree(port), claim(port, in: claims, for: owner) { ports.append(port) }
    }
    guard ports.count == count else {
        throw CLIError("cannot find \(count) free loopback ports between \(low) and \(high)")
    }
    return ports
}

/// Claims `port` for the demo directory `owner`: creates the claim file, or takes over a
/// claim whose demo directory no longer exists (or is `owner` itself, a demo run again).
private func claim(_ port: Int, in claims: String, for owner: String) -> Bool {
    let path = "\(claims)/\(port)"
    for _ in 0..<2 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor >= 0 {
            let bytes = Array(owner.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            return written == bytes.count
        }
        guard errno == EEXIST else { return true }  // no claims possible here: the bind check alone
        let holder = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        // An empty claim is being written by its demo right now: honoured.
        guard !holder.isEmpty, holder == owner || !FileManager.default.fileExists(atPath: holder) else { return false }
        unlink(path)
    }
    return false
}

/// Whether `port` can be bound on 127.0.0.1 right now (with SO_REUSEADDR, as the node binds).
private func loopbackPortIsFree(_ port: Int) -> Bool {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socketFD >= 0 else { return false }
    defer { close(socketFD) }
    var reuse: Int32 = 1
    _ = setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0
}

/// This process's executable (the demo starts its nodes with it): /proc/self/exe, so that
/// a binary found on PATH (`sgpos demo`, e.g. /usr/bin/sgpos from the package) is found too.
func ownExecutable() -> String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
    let first = CommandLine.arguments[0]
    return first.hasPrefix("/") ? first : FileManager.default.currentDirectoryPath + "/" + first
}
