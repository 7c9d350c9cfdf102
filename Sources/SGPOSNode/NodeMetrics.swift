import Foundation
import Metrics
import Prometheus

/// Metrics in Prometheus text format on `/metrics` (docs/OPERATIONS.md, "Metrics"):
/// counters and histograms kept through swift-metrics with the Prometheus backend, and at
/// each scrape the gauges read from the node itself (chain heights, peers, checkpoint,
/// the process). Every family carries `# HELP` and `# TYPE` lines, base units (seconds,
/// bytes) and `_total` on counters, as Prometheus' conventions and `promtool check
/// metrics` ask. Bootstrapped once per process.
public final class NodeMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Metrics kept in a registry of their own, not the process's (in-process tests).
    convenience init() { self.init(registry: PrometheusCollectorRegistry()) }

    /// Bootstraps swift-metrics with a Prometheus registry (call once, at start-up).
    public static func bootstrap() -> NodeMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["sgpos_checkpoint_finality_seconds"] =
            [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300)]
        MetricsSystem.bootstrap(factory)
        return NodeMetrics(registry: registry)
    }

    /// What each family the node emits means (its `# HELP` line).
    static let help: [String: String] = [
        "sgpos_blocks_committed_total": "Blocks of this outlet's chain committed durably",
        "sgpos_transactions_total": "Transactions submitted to this outlet's chain, by result (committed, rejected, duplicate)",
        "sgpos_block_commit_seconds": "Time to commit one block durably (validation, LMDB write, fsync)",
        "sgpos_replica_blocks_total": "Blocks of other outlets' chains validated and stored by this node",
        "sgpos_equivocations_total": "Outlets caught signing two different blocks at one height",
        "sgpos_peer_connections_refused_total": "Peer connections refused (over the caps or failing the handshake)",
        "sgpos_report_alerts_total": "Loss-prevention alerts raised as blocks arrive, by kind (docs/REPORTS.md)",
        "sgpos_checkpoint_height": "Newest checkpoint this node has decided",
        "sgpos_double_votes_total": "Validators caught signing two votes at one checkpoint height",
        "sgpos_checkpoint_finality_seconds": "Time from committing an own block to deciding a checkpoint that covers it",
        "sgpos_http_requests_total": "API requests answered, by route, method and status",
        "sgpos_http_request_duration_seconds": "Time to answer an API request (until its response head), by route and method",
    ]

    /// The registry's families with a `# HELP` line before each `# TYPE` line.
    public func prometheusText() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var lines: [Substring] = []
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                lines.append("# HELP \(name) \(Self.help[String(name)] ?? "\(name) (see docs/OPERATIONS.md)")")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// Gauges read at each scrape, written as Prometheus text with their HELP and TYPE lines.
struct ScrapeGauges {
    private(set) var text = ""

    /// One family: `samples` as (labels, value).
    mutating func add(_ name: String, _ type: String = "gauge", help: String, _ samples: [(labels: String, value: String)]) {
        guard !samples.isEmpty else { return }
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples { text += "\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(sample.value)\n" }
    }

    /// The process: resident and virtual memory, CPU time, open and allowed files, start time
    /// (from /proc/self, as Prometheus' client libraries name them).
    mutating func addProcess() {
        let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ").compactMap { Int($0) }
            if fields.count >= 2 {
                add("process_virtual_memory_bytes", help: "Virtual memory size in bytes", [("", "\(fields[0] * pageBytes)")])
                add("process_resident_memory_bytes", help: "Resident memory size in bytes", [("", "\(fields[1] * pageBytes)")])
            }
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let user = Double(fields[11]), let system = Double(fields[12]), let start = Double(fields[19]) {
                add("process_cpu_seconds_total", "counter", help: "Total user and system CPU time spent in seconds",
                    [("", String(format: "%.2f", (user + system) / ticks))])
                if let boot = Self.bootTime() {
                    add("process_start_time_seconds", help: "Start time of the process since the Unix epoch in seconds",
                        [("", String(format: "%.2f", boot + start / ticks))])
                }
            }
        }
        if let open = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            add("process_open_fds", help: "Number of open file descriptors", [("", "\(open.count)")])
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            add("process_max_fds", help: "Maximum number of open file descriptors", [("", "\(limit.rlim_cur)")])
        }
    }

    static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return stat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }
}
