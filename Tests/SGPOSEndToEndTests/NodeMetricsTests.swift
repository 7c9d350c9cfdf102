import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import Testing

/// A node can be watched (docs/OPERATIONS.md, "Metrics"): `/metrics` follows Prometheus'
/// conventions (`promtool check metrics` from Debian's prometheus package passes; HELP and
/// TYPE on every family, base units, `_total` counters) and holds the chain heights per
/// outlet, the peers, the checkpoint, the API's requests by route and status with
/// latencies, and the process; every request leaves one log line at info level with its
/// request id, route, status and duration, and the answer carries the id.
@Suite struct NodeMetricsTests {
    @Test func metricsFollowPrometheusConventionsAndRequestsAreLogged() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 4, sales: 2).status == 0)
        let nodes = try (1...4).map { try NodeProcess.start(demo: demo, outlet: $0, faultInjection: false, logLevel: "info") }
        defer { nodes.forEach { $0.stop() } }
        for node in nodes { try await node.waitHealthy(peers: 3) }
        _ = try await nodes[0].client.heads()

        let admin = try NodeTests().loadKey("\(demo)/keys/admin-hq-admin.key")
        var request = HTTPClientRequest(url: nodes[0].client.baseURL + "/metrics")
        for (name, value) in RequestSigner(key: admin).headers(method: "GET", target: "/metrics", body: nil) { request.headers.add(name: name, value: value) }
        request.headers.add(name: "X-Request-Id", value: "scrape-1")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
        #expect(response.status == .ok && response.headers.first(name: "X-Request-Id") == "scrape-1")

        let lines = text.split(separator: "\n")
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        let helps = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        #expect(!types.isEmpty && types.allSatisfy { helps.contains($0) }, "every family has HELP: \(types.filter { !helps.contains($0) })")
        for line in lines where line.contains(" counter") && line.hasPrefix("# TYPE ") { #expect(line.split(separator: " ")[2].hasSuffix("_total"), "\(line)") }
        #expect(!text.contains("_ms{") && !text.contains("_ms ") && !text.contains("finality_ms"), "base units")
        for outlet in 1...4 { #expect(text.contains("sgpos_chain_height{outlet=\"\(outlet)\"} "), "height of outlet \(outlet)") }
        for outlet in 2...4 { #expect(text.contains("sgpos_peer_up{outlet=\"\(outlet)\"} 1"), "peer \(outlet) up") }
        #expect(text.contains("sgpos_checkpoint_covered_height{outlet=\"1\"} ") && text.contains("sgpos_checkpoint_height "))
        #expect(text.contains("sgpos_http_requests_total{route=\"/v1/heads\",method=\"GET\",status=\"200\"} 1"), "\(text)")
        #expect(text.contains("sgpos_http_request_duration_seconds_bucket{route=\"/v1/heads\",method=\"GET\",le="))
        for name in ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"] {
            #expect(text.contains("\n\(name) "), "\(name)")
        }
        // Debian's promtool (scripts/bootstrap installs the prometheus package).
        let file = scratch.path + "/metrics.txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let promtool = try await ShellScript.run("promtool check metrics < '\(file)'")
        #expect(promtool.status == 0 && promtool.output.isEmpty, "promtool: \(promtool.output)")

        // `sgpos status` summarises the running node.
        let status = try await CLI.run(["status", "--node", nodes[0].client.baseURL, "--key", "\(demo)/keys/admin-hq-admin.key"])
        #expect(status.status == 0, "\(status.output)\(status.error)")
        #expect(status.output.contains("outlet 1, chain sgpos-demo-1") && status.output.contains("3 peer(s) connected"), "\(status.output)")
        for outlet in 1...4 { #expect(status.output.contains("    outlet \(outlet): height "), "\(status.output)") }
        #expect(status.output.contains("checkpoints: height ") && status.output.contains("this node is validator"), "\(status.output)")
        let publicOnly = try await CLI.run(["status", "--node", nodes[0].client.baseURL])
        #expect(publicOnly.status == 0 && !publicOnly.output.contains("chains held"), "\(publicOnly.output)")
        let nowhere = try await CLI.run(["status", "--node", "http://127.0.0.1:1"])
        #expect(nowhere.status == 1 && nowhere.output.contains("no answer"), "\(nowhere.output)")

        // One log line per request, with its metadata.
        nodes[0].stop()
        let log = try String(contentsOfFile: nodes[0].log, encoding: .utf8)
        let scrape = log.split(separator: "\n").filter { $0.contains("request-id=scrape-1") }
        #expect(scrape.count == 1 && scrape[0].contains("route=/metrics") && scrape[0].contains("status=200") && scrape[0].contains("duration-ms="),
                "\(scrape)")
        #expect(log.split(separator: "\n").contains { $0.contains("route=/v1/heads") && $0.contains(" info ") })
    }

    /// `sgpos sim` on a terminal shows its progress (done of total, rate, time left); piped, nothing.
    @Test func simShowsProgressOnATerminalOnly() async throws {
        let onTerminal = try await ShellScript.run("script -qec '\(CLI.binary) sim --seeds 24' /dev/null")
        #expect(onTerminal.status == 0 && onTerminal.output.contains("sim: ") && onTerminal.output.contains("/24 seeds"), "\(onTerminal.output)")
        #expect(onTerminal.output.contains("24 seeds from 1"), "\(onTerminal.output)")
        let piped = try await ShellScript.run("'\(CLI.binary)' sim --seeds 24 2>&1 | cat")
        #expect(piped.status == 0 && !piped.output.contains("seeds/s"), "\(piped.output)")
    }
}
