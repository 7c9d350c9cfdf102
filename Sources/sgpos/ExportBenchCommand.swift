import ArgumentParser
import Dispatch
import Foundation
import SGPOSDemo
import SGPOSCommandSupport
import SGPOSExport
import SGPOSStore

extension ExportCommand {
    /// `sgpos export bench` (issue 15, `make bench`): a generated chain mirrored into a
    /// PostgreSQL server of its own, against PostgreSQL's own COPY of the same rows; the
    /// mirror checked with `export verify`; the lag behind a writer at 1,000 tx/s.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the mirror: rows/s against COPY (goal ≥ 0.5), verify, lag at 1,000 tx/s (goal p99 ≤ 1 s).",
            discussion: "Starts its own PostgreSQL server (initdb, pg_ctl) in a temporary directory; needs Debian's postgresql.")

        @Option(help: "Sales in the generated chain (make bench: 1,000,000).") var sales: Int = 1_000_000
        @Option(help: "Outlets trading them.") var outlets: Int = 4
        @Option(help: "Sales per outlet per business day (blocks of 1,000).") var salesPerDay: Int = 2_720
        @Option(help: "Seconds of the lag run.") var lagSeconds: Int = 30
        @Option(help: "Transactions per second the writer appends in the lag run.") var rate: Int = 1_000
        @Option(help: "Milliseconds between the writer's blocks in the lag run.") var blockMs: Int = 150
        @Option(help: "Scratch directory (a fresh subdirectory is used and removed).") var dir: String = NSTemporaryDirectory()

        func validate() throws {
            guard (1...16).contains(outlets), sales >= outlets, (1...100_000).contains(salesPerDay), (1...600).contains(lagSeconds),
                  (1...10_000).contains(rate), (10...1_000).contains(blockMs), rate * blockMs >= 1_000
            else { throw ValidationError("--outlets 1...16, --sales ≥ outlets, --sales-per-day 1...100000, --lag-seconds 1...600, --rate 1...10000, --block-ms 10...1000 (at least one sale a block)") }
        }

        func run() async throws {
            #if DEBUG
            print("warning: debug build; run `make bench` (release) for meaningful numbers")
            #endif
            lineBufferStandardOutput()  // progress lines as they happen, also into a log file
            let scratch = dir + "/sgpos-bench-export-\(getpid())"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let cluster = try PostgresCluster(fsync: true)
            try cluster.createDatabase("copyload")
            print("export bench: PostgreSQL in \(cluster.directory) (port \(cluster.port), fsync on); scratch \(scratch)")

            let perOutlet = sales / outlets
            let days = (perOutlet + salesPerDay - 1) / salesPerDay
            print("  building \(outlets) outlets × \(perOutlet) five-line card sales (\(days) days, blocks of ≤ 1,000; untimed)…")
            var started = DispatchTime.now()
            let (store, network) = try BenchShop.network(outlets: outlets, directory: scratch + "/data", chainID: "sgpos-bench-export")
            var shops = network
            for day in 0..<days {
                for index in shops.indices { try shops[index].trade(day: day, sales: min(salesPerDay, perOutlet - day * salesPerDay)) }
            }
            print(String(format: "  built %d sales in %.0f s", perOutlet * outlets, seconds(since: started)))

            // The rows the mirror writes, in COPY text files (one per table), for PostgreSQL's own COPY.
            started = DispatchTime.now()
            let files = try ExportBenchRows.write(store: store, directory: scratch + "/copy")
            print(String(format: "  rows: %d (%@) encoded for COPY in %.1f s", files.total,
                         files.counts.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "), seconds(since: started)))

            // The mirror, from an empty database.
            let mirrorSeconds = try await withClient(cluster.url) { client, logger in
                let mirror = PostgresMirror(store: store, client: client, logger: logger)
                try await mirror.prepare()
                let started = DispatchTime.now()
                try await mirror.exportPending()
                return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            }
            // PostgreSQL's own COPY of the same rows into a fresh database of the same schema, one transaction.
            _ = try await withClient(cluster.url(database: "copyload")) { client, logger in
                try await PostgresMirror(store: store, client: client, logger: logger).prepare()
                return 0
            }
            started = DispatchTime.now()
            try cluster.psql(["-f", files.script], database: "copyload")
            let copySeconds = seconds(since: started)
            let loaded = try cluster.sql("SELECT count(*) FROM sale_lines", database: "copyload")
            guard loaded == String(files.counts["sale_lines", default: 0]) else {
                throw CLIError("export bench: COPY loaded \(loaded) sale lines, expected \(files.counts["sale_lines", default: 0])")
            }
            let mirrorRate = Double(files.total) / mirrorSeconds
            let copyRate = Double(files.total) / copySeconds
            print(String(format: "  mirror (PostgresMirror.exportPending, empty database): %d rows in %.1f s = %.0f rows/s", files.total,
                         mirrorSeconds, mirrorRate))
            print(String(format: "  PostgreSQL COPY of the same rows (psql \\copy, one transaction): %.1f s = %.0f rows/s", copySeconds, copyRate))
            print(String(format: "  mirror / COPY = %.2f (goal ≥ 0.5)%@", mirrorRate / copyRate, mirrorRate / copyRate >= 0.5 ? "" : "  BELOW GOAL"))

            // export verify on the mirrored chain.
            try await verify(store: store, url: cluster.url, what: "the mirror of \(perOutlet * outlets) sales")

            // Lag behind a writer at `rate` tx/s while the mirror follows.
            let lag = try await ExportBenchLag(rate: rate, blockMs: blockMs, seconds: lagSeconds)
                .run(shop: shops[0], day: days + 1, url: cluster.url)
            print(String(format: "  lag (block appended → its watermark committed in PostgreSQL): %d blocks of %d sales every %d ms (%.0f sales/s), the mirror following (polls every 200 ms):",
                         lag.count, rate * blockMs / 1_000, blockMs, lag.salesPerSecond))
            print(String(format: "    p50 %.0f ms, p99 %.0f ms, max %.0f ms (goal p99 ≤ 1000 ms)%@", lag.p50, lag.p99, lag.max,
                         lag.p99 <= 1_000 ? "" : "  ABOVE GOAL"))
            try await verify(store: store, url: cluster.url, what: "the mirror after following the writer")
        }

        private func verify(store: LedgerStore, url: String, what: String) async throws {
            let started = DispatchTime.now()
            let differences = try await withClient(url) { client, logger in
                try await ExportVerifier(store: store, client: client, logger: logger).differences()
            }
            guard differences.isEmpty else {
                for difference in differences.prefix(20) { print("  DIFFERENT \(difference)") }
                throw CLIError("export bench: export verify found \(differences.count) difference(s) in \(what)")
            }
            print(String(format: "  export verify: OK, %@ agrees with the chains (%.1f s)", what, seconds(since: started)))
        }

        private func seconds(since start: DispatchTime) -> Double {
            Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        }
    }
}
