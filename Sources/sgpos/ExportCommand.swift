import SGPOSChain
import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SGPOSCheckpointStore
import SGPOSCommandSupport
import SGPOSExport
import SGPOSStore
import ServiceLifecycle

/// `sgpos export`: the chains mirrored into PostgreSQL for BI (docs/EXPORT.md).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Mirror the chains into PostgreSQL, and check the mirror.",
        subcommands: [Postgres.self, Verify.self, ExportAudit.self, Bench.self])

    struct Target: ParsableArguments {
        @Option(help: "Node data directory (every outlet chain it holds).") var data: String
        @Option(help: "postgres://user[:password]@host[:port]/database") var url: String
    }

    struct Postgres: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every block not mirrored yet (each block and the watermark in one PostgreSQL transaction).",
            discussion: "Resumes after the mirror's watermark; stops with error 902 if the mirror holds another history.")
        @OptionGroup var target: Target
        @Flag(help: "Keep mirroring new blocks until interrupted.") var follow = false

        /// Blocks exported per outlet per pass, so the progress line moves between passes.
        static let blocksPerPass: UInt64 = 64

        func run() async throws {
            let store = try openStore(target.data)
            let (exported, checkpoints) = try await withClient(target.url) { client, logger in
                let mirror = PostgresMirror(store: store, client: client, logger: logger)
                try await mirror.prepare()
                if follow { try await mirror.follow() }
                let consensus = try ConsensusStorage(environment: store.environment)
                let progress = ProgressLine(label: "export postgres", unit: "blocks")
                if progress.isShown {  // the total is for the display only: without it, the line has no ETA
                    progress.update(done: 0, total: (try? await Self.pendingBlocks(store, client: client, logger: logger)) ?? 0)
                }
                let exported = try await progress.finishing {
                    var exported = 0
                    while true {
                        let pass = try await mirror.exportPending(maxBlocks: Self.blocksPerPass)
                        guard pass > 0 else { return exported }
                        exported += pass
                        progress.update(done: UInt64(exported))
                    }
                }
                return (exported, try await mirror.exportCheckpoints(consensus))
            }
            print("exported \(exported) block(s) and \(checkpoints) checkpoint(s) to \(redacted(target.url))")
        }

        /// The blocks not mirrored yet: each chain's head height less its watermark's.
        static func pendingBlocks(_ store: LedgerStore, client: PostgresClient, logger: Logger) async throws -> UInt64 {
            let heads = try store.environment.read { transaction in
                try store.genesis.outlets.map { (outlet: $0.id, height: try store.head($0.id, transaction).height) }
            }
            var marks: [UInt32: UInt64] = [:]
            let rows = try await client.query("SELECT outlet_id, height FROM sgpos_export_watermark", logger: logger)
            for try await (outlet, height) in rows.decode((Int64, Int64).self) { marks[UInt32(truncatingIfNeeded: outlet)] = UInt64(max(0, height)) }
            return heads.reduce(0) { sum, head in
                let mark = marks[head.outlet] ?? 0
                return sum + (head.height > mark ? head.height - mark : 0)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the mirror with the chains: heads, sales per outlet and day, GST, stock.",
            discussion: "Exit 0 when they agree; otherwise exit 1 naming each difference.")
        @OptionGroup var target: Target

        func run() async throws {
            let store = try openStore(target.data)
            let differences = try await withClient(target.url) { client, logger in
                try await ExportVerifier(store: store, client: client, logger: logger).differences()
            }
            for difference in differences { print("DIFFERENT \(difference)") }
            guard differences.isEmpty else {
                print("the mirror differs from the chains in \(differences.count) place(s)")
                throw ExitCode(1)
            }
            print("OK the mirror at \(redacted(target.url)) agrees with the chains")
        }
    }
}

/// Runs `body` with a PostgreSQL client that runs beside it, then shuts the client down.
func withClient<T: Sendable>(_ url: String, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
    var quiet = Logger(label: "sgpos.export")
    quiet.logLevel = .warning
    let logger = quiet
    let client = PostgresClient(configuration: try PostgresMirror.configuration(url: url), backgroundLogger: logger)
    do {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            group.addTask { try await body(client, logger) }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CLIError("the PostgreSQL client stopped")
        }
    } catch let error as ExportError {
        throw CLIError(error.description)
    }
}

/// The URL without its password.
func redacted(_ url: String) -> String {
    guard var components = URLComponents(string: url), components.password != nil else { return url }
    components.password = "***"
    return components.string ?? url
}

/// The node's continuous mirror (`exportPostgresURL` in its configuration, docs/EXPORT.md):
/// follows the chains into PostgreSQL. The database being down is retried every 5 s and
/// never stops the node; a mirror of another history (error 902) stops the export only,
/// with an error in the log.
struct PostgresExportService: Service {
    let store: LedgerStore
    let url: String
    let logger: Logger

    /// Returns as soon as the node shuts down, without waiting for the mirror: each block
    /// is its own PostgreSQL transaction, so one cut short is simply not there, and a
    /// connection or query that does not notice cancellation cannot hold the node's exit.
    func run() async throws {
        let mirroring = Task { await mirror() }
        try? await gracefulShutdown()
        mirroring.cancel()
    }

    private func mirror() async {
        do {
            while !Task.isCancelled {
                do {
                    _ = try await withClient(url) { client, quiet in
                        let mirror = PostgresMirror(store: store, client: client, logger: quiet)
                        try await mirror.prepare()
                        logger.notice("mirroring the chains into \(redacted(url))")
                        try await mirror.follow()
                        return 0
                    }
                } catch let error as CLIError where error.description.contains("export error 902") || error.description.contains("export error 901") {
                    logger.error("the PostgreSQL mirror stopped: \(error)")
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("the PostgreSQL mirror will retry in 5 s: \(error)")
                }
                try await Task.sleep(nanoseconds: 5_000_000_000)
            }
        } catch {
            return  // cancelled while waiting to retry
        }
    }
}
